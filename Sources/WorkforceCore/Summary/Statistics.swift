/// Summary statistics of one output cell over paths.
enum Statistics {
    /// Writes mean, sd and the requested quantiles of `values` into `out`.
    ///
    /// - sd is the sample standard deviation (divisor n - 1), 0 for a single path.
    /// - Quantiles use the linear interpolation of R's type 7 (numpy's default): with the values
    ///   sorted, q(p) = x[floor(h)] + (h - floor(h)) (x[floor(h) + 1] - x[floor(h)]),
    ///   h = (n - 1) p.
    /// - `scratch` must hold at least `count` values.
    static func summarise(_ values: UnsafePointer<Double>, count n: Int, quantiles: [Double],
                          scratch: UnsafeMutablePointer<Double>, into out: UnsafeMutablePointer<Double>) {
        var sum = 0.0
        for i in 0..<n { sum += values[i] }
        let mean = sum / Double(n)
        var squares = 0.0
        var allEqual = true
        let first = values[0]
        for i in 0..<n {
            let d = values[i] - mean
            squares += d * d
            if values[i] != first { allEqual = false }
        }
        out[0] = allEqual ? first : mean
        out[1] = n > 1 && !allEqual ? (squares / Double(n - 1)).squareRoot() : 0
        if allEqual {
            for j in 0..<quantiles.count { out[2 + j] = first }
            return
        }
        scratch.update(from: values, count: n)
        var sorted = UnsafeMutableBufferPointer(start: scratch, count: n)
        sorted.sort()
        for (j, q) in quantiles.enumerated() {
            let h = Double(n - 1) * q / 100
            let lo = Int(h.rounded(.down))
            let hi = Swift.min(lo + 1, n - 1)
            out[2 + j] = scratch[lo] + (h - Double(lo)) * (scratch[hi] - scratch[lo])
        }
    }
}
