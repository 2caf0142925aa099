/// Summary statistics of one output cell over paths.
enum Statistics {
    /// Writes mean, sd and the requested quantiles of `values` into `out`.
    ///
    /// - sd is the sample standard deviation (divisor n - 1), 0 for a single path.
    /// - Quantiles use the linear interpolation of R's type 7 (numpy's default): with the values
    ///   sorted, q(p) = x[floor(h)] + (h - floor(h)) (x[floor(h) + 1] - x[floor(h)]),
    ///   h = (n - 1) p.
    /// - The statistics are those of the sorted values, found by selection rather than a full
    ///   sort; `values` is reordered.
    static func summarise(_ values: UnsafeMutablePointer<Double>, count n: Int, quantiles: [Double],
                          into out: UnsafeMutablePointer<Double>) {
        let scratch = values
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
        // Quantiles in ascending order select their order statistics left to right: after
        // selecting index k, everything at k and above is >= x[k], so the next search starts at k.
        var from = 0
        for (j, q) in quantiles.enumerated().sorted(by: { $0.element < $1.element }) {
            let h = Double(n - 1) * q / 100
            let lo = Int(h.rounded(.down))
            select(scratch, from: from, to: n, k: lo)
            var upper = scratch[lo]
            if lo + 1 < n {
                upper = scratch[lo + 1]
                for i in (lo + 2)..<n where scratch[i] < upper { upper = scratch[i] }
            }
            out[2 + j] = scratch[lo] + (h - Double(lo)) * (upper - scratch[lo])
            from = lo
        }
    }

    /// Rearranges x[from ..< to] so that x[k] is the value that would be there if the range were
    /// sorted, with no larger value before it and no smaller after it (Hoare's selection with a
    /// median-of-three pivot; expected linear time).
    static func select(_ x: UnsafeMutablePointer<Double>, from: Int, to: Int, k: Int) {
        var lo = from, hi = to - 1
        while hi > lo {
            let mid = lo + (hi - lo) / 2
            if x[mid] < x[lo] { x.swapAt(mid, lo) }
            if x[hi] < x[lo] { x.swapAt(hi, lo) }
            if x[hi] < x[mid] { x.swapAt(hi, mid) }
            let pivot = x[mid]
            var i = lo, j = hi
            while i <= j {
                while x[i] < pivot { i += 1 }
                while x[j] > pivot { j -= 1 }
                if i <= j {
                    x.swapAt(i, j)
                    i += 1
                    j -= 1
                }
            }
            if k <= j { hi = j } else if k >= i { lo = i } else { return }
        }
    }
}

extension UnsafeMutablePointer where Pointee == Double {
    @inline(__always) func swapAt(_ i: Int, _ j: Int) {
        let t = self[i]
        self[i] = self[j]
        self[j] = t
    }
}
