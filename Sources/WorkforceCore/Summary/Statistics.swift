/// Summary statistics of one output cell over paths.
public enum Statistics {
    /// Writes mean, sd and the requested quantiles of `values` into `out`.
    ///
    /// - sd is the sample standard deviation (divisor n - 1), 0 for a single path.
    /// - Quantiles use the linear interpolation of R's type 7 (numpy's default): with the values
    ///   sorted, q(p) = x[floor(h)] + (h - floor(h)) (x[floor(h) + 1] - x[floor(h)]),
    ///   h = (n - 1) p.
    /// - The statistics are those of the sorted values, found without sorting (see
    ///   `OrderStatistics`); `values` is reordered.
    public static func summarise(_ values: UnsafeMutablePointer<Double>, count n: Int, quantiles: [Double],
                                 into out: UnsafeMutablePointer<Double>) {
        var sum = 0.0
        var lowest = values[0], highest = values[0]
        for i in 0..<n {
            let x = values[i]
            sum += x
            lowest = Swift.min(lowest, x)
            highest = Swift.max(highest, x)
        }
        let mean = sum / Double(n)
        if lowest == highest {
            out[0] = lowest
            out[1] = 0
            for j in 0..<quantiles.count { out[2 + j] = lowest }
            return
        }
        var squares = 0.0
        for i in 0..<n {
            let d = values[i] - mean
            squares += d * d
        }
        out[0] = mean
        out[1] = n > 1 ? (squares / Double(n - 1)).squareRoot() : 0
        // The order statistics each quantile needs: x(lo) and x(lo + 1), 0-based.
        var ranks: [Int] = []
        for q in quantiles {
            let lo = Int((Double(n - 1) * q / 100).rounded(.down))
            ranks.append(lo)
            if lo + 1 < n { ranks.append(lo + 1) }
        }
        var order = OrderStatistics(values, count: n, lowest: lowest, highest: highest, ranks: ranks)
        for (j, q) in quantiles.enumerated() {
            let h = Double(n - 1) * q / 100
            let lo = Int(h.rounded(.down))
            let a = order.value(rank: lo)
            let b = lo + 1 < n ? order.value(rank: lo + 1) : a
            out[2 + j] = a + (h - Double(lo)) * (b - a)
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

/// Exact order statistics of an array by bucket selection: one pass counts the values in equal-width
/// buckets over [lowest, highest], the counts locate the bucket holding each wanted rank, a second
/// pass gathers just those buckets' values, and selection within a bucket finishes. Each pass is
/// simple arithmetic, so this does a few passes where quickselect does many unpredictable branches.
struct OrderStatistics {
    /// For each wanted rank: where its bucket's values start in `gathered`, how many there are,
    /// and the rank of the bucket's smallest value.
    private var slotOfRank: [(rank: Int, slot: Int)] = []
    private var slots: [(start: Int, count: Int, firstRank: Int)] = []
    private var gathered: [Double] = []

    init(_ x: UnsafeMutablePointer<Double>, count n: Int, lowest: Double, highest: Double, ranks: [Int]) {
        let buckets = Swift.max(16, n / 4)
        let scale = Double(buckets) / (highest - lowest)
        var counts = [Int32](repeating: 0, count: buckets)
        counts.withUnsafeMutableBufferPointer { c in
            for i in 0..<n { c[Swift.min(buckets - 1, Int((x[i] - lowest) * scale))] += 1 }
        }
        var first = [Int](repeating: 0, count: buckets)
        var running = 0
        for b in 0..<buckets { first[b] = running; running += Int(counts[b]) }
        // The bucket of each wanted rank, and a slot per distinct bucket.
        var slotOfBucket = [Int32](repeating: -1, count: buckets)
        var total = 0
        for rank in ranks {
            var lo = 0, hi = buckets - 1
            while lo < hi {  // the last bucket whose first rank is <= rank
                let mid = (lo + hi + 1) / 2
                if first[mid] <= rank { lo = mid } else { hi = mid - 1 }
            }
            while counts[lo] == 0 { lo -= 1 }
            if slotOfBucket[lo] < 0 {
                slotOfBucket[lo] = Int32(slots.count)
                slots.append((total, Int(counts[lo]), first[lo]))
                total += Int(counts[lo])
            }
            slotOfRank.append((rank, Int(slotOfBucket[lo])))
        }
        gathered = [Double](repeating: 0, count: total)
        var fill = slots.map(\.start)
        gathered.withUnsafeMutableBufferPointer { g in
            slotOfBucket.withUnsafeBufferPointer { map in
                for i in 0..<n {
                    let slot = map[Swift.min(buckets - 1, Int((x[i] - lowest) * scale))]
                    if slot >= 0 {
                        g[fill[Int(slot)]] = x[i]
                        fill[Int(slot)] += 1
                    }
                }
            }
        }
    }

    /// The value at `rank` (0-based) of the sorted array.
    mutating func value(rank: Int) -> Double {
        let slot = slotOfRank.first { $0.rank == rank }!.slot
        let (start, count, firstRank) = slots[slot]
        let k = rank - firstRank
        return gathered.withUnsafeMutableBufferPointer { g in
            Statistics.select(g.baseAddress! + start, from: 0, to: count, k: k)
            return g[start + k]
        }
    }
}
