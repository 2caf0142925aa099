/// Summary statistics of one output cell over paths.
public enum Statistics {
    /// Writes mean, sd and the requested quantiles of `values` into `out`.
    ///
    /// - sd is the sample standard deviation (divisor n - 1), 0 for a single path.
    /// - Quantiles use the linear interpolation of R's type 7 (numpy's default): with the values
    ///   sorted, q(p) = x[floor(h)] + (h - floor(h)) (x[floor(h) + 1] - x[floor(h)]),
    ///   h = (n - 1) p.
    /// - The statistics are those of the sorted values, found without sorting (see
    ///   `SummaryWorkspace`); `values` is only read.
    public static func summarise(_ values: UnsafeMutablePointer<Double>, count n: Int, quantiles: [Double],
                                 into out: UnsafeMutablePointer<Double>, workspace: SummaryWorkspace? = nil) {
        // Four running sums, minima and maxima, so that the additions need not wait on each
        // other. x < low ? x : low is one minsd (minpd where the compiler pairs them) and
        // x > high ? x : high one maxsd: for values that are not NaN the same as Swift.min and
        // Swift.max but for the sign of a zero maximum, which no statistic reads.
        @inline(__always) func lower(_ x: Double, _ low: Double) -> Double { x < low ? x : low }
        @inline(__always) func higher(_ x: Double, _ high: Double) -> Double { x > high ? x : high }
        var sum = (0.0, 0.0, 0.0, 0.0)
        var lowest = (values[0], values[0], values[0], values[0])
        var highest = lowest
        var i = 0
        while i + 4 <= n {
            let (a, b, c, d) = (values[i], values[i + 1], values[i + 2], values[i + 3])
            sum = (sum.0 + a, sum.1 + b, sum.2 + c, sum.3 + d)
            lowest = (lower(a, lowest.0), lower(b, lowest.1), lower(c, lowest.2), lower(d, lowest.3))
            highest = (higher(a, highest.0), higher(b, highest.1), higher(c, highest.2), higher(d, highest.3))
            i += 4
        }
        var total = (sum.0 + sum.1) + (sum.2 + sum.3)
        var low = Swift.min(Swift.min(lowest.0, lowest.1), Swift.min(lowest.2, lowest.3))
        var high = Swift.max(Swift.max(highest.0, highest.1), Swift.max(highest.2, highest.3))
        while i < n {
            total += values[i]
            low = Swift.min(low, values[i])
            high = Swift.max(high, values[i])
            i += 1
        }
        let mean = total / Double(n)
        if low == high {
            out[0] = low
            out[1] = 0
            for j in 0..<quantiles.count { out[2 + j] = low }
            return
        }
        let w = workspace ?? SummaryWorkspace(capacity: n)
        let squareTotal = w.orderStatistics(values, count: n, mean: mean, lowest: low, highest: high,
                                            quantiles: quantiles, into: out + 2)
        out[0] = mean
        out[1] = n > 1 ? (squareTotal / Double(n - 1)).squareRoot() : 0
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

/// Scratch memory for summaries, reused from cell to cell by one thread, and the bucket
/// selection that finds exact order statistics: one pass counts the values in equal-width
/// buckets over [lowest, highest], the counts locate the bucket of each wanted rank, a second
/// pass gathers just those buckets' values, and selection within a bucket finishes. Each pass is
/// simple arithmetic, where quickselect makes many unpredictable branches.
public final class SummaryWorkspace: @unchecked Sendable {
    private var capacity: Int
    private var counts: UnsafeMutablePointer<Int32>
    private var slotOfBucket: UnsafeMutablePointer<Int32>
    private var gathered: UnsafeMutablePointer<Double>
    /// The bucket of each value, found in the counting pass and read in the gathering pass.
    private var bucketOf: UnsafeMutablePointer<Int32>

    public init(capacity: Int) {
        self.capacity = Swift.max(capacity, 64)
        counts = .allocate(capacity: self.capacity)
        slotOfBucket = .allocate(capacity: self.capacity)
        gathered = .allocate(capacity: self.capacity)
        bucketOf = .allocate(capacity: self.capacity)
    }

    deinit {
        counts.deallocate()
        slotOfBucket.deallocate()
        gathered.deallocate()
        bucketOf.deallocate()
    }

    /// Writes the type-7 quantiles of `x[0 ..< n]` into `out`, and returns the sum of squared
    /// deviations from `mean` (summed in four interleaved parts, then in order), found in the pass
    /// that counts the buckets.
    func orderStatistics(_ x: UnsafeMutablePointer<Double>, count n: Int, mean: Double, lowest: Double,
                         highest: Double, quantiles: [Double], into out: UnsafeMutablePointer<Double>) -> Double {
        if n > capacity {
            self.counts.deallocate(); self.slotOfBucket.deallocate(); self.gathered.deallocate(); self.bucketOf.deallocate()
            capacity = n
            counts = .allocate(capacity: n); slotOfBucket = .allocate(capacity: n); gathered = .allocate(capacity: n)
            bucketOf = .allocate(capacity: n)
        }
        let buckets = Swift.max(16, Swift.min(capacity, n / 4))
        let scale = Double(buckets) / (highest - lowest)
        let top = Double(buckets - 1)
        counts.update(repeating: 0, count: buckets)
        let counts = self.counts, bucketOf = self.bucketOf, slotOfBucket = self.slotOfBucket, gathered = self.gathered
        // The bucket of x is (x - lowest) * scale clamped to [0, top] and rounded to the nearest
        // whole number by adding 2^52 (whose low bits then hold it): no range checks or branches,
        // and like any non-decreasing map it keeps the buckets in the values' order. The clamps
        // are one maxsd and one minsd (a NaN goes to bucket 0).
        @inline(__always) func count(_ i: Int) {
            let y = (x[i] - lowest) * scale
            let t = Swift.min(top, y > 0 ? y : 0)
            let b = Int(truncatingIfNeeded: UInt32(truncatingIfNeeded: (t + 0x1p52).bitPattern))
            bucketOf[i] = Int32(truncatingIfNeeded: b)
            counts[b] &+= 1
        }
        // Four sums of squares (s0 of values i = 0 mod 4, ...), kept as four scalars. As a tuple
        // of four the compiler paired the loop's work in SIMD registers and moved each pair of
        // buckets out with shuffles: fewer instructions, but about 1.53 against 1.33 ns a value.
        var s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0
        var i = 0
        while i + 4 <= n {
            let a = x[i] - mean; s0 += a * a; count(i)
            let b = x[i + 1] - mean; s1 += b * b; count(i + 1)
            let c = x[i + 2] - mean; s2 += c * c; count(i + 2)
            let d = x[i + 3] - mean; s3 += d * d; count(i + 3)
            i += 4
        }
        var squareTotal = (s0 + s1) + (s2 + s3)
        while i < n {
            let d = x[i] - mean
            squareTotal += d * d
            count(i)
            i += 1
        }
        // Each wanted rank (x(lo) and x(lo + 1) per quantile) -> its bucket, a slot per bucket.
        var wanted: [(rank: Int, bucket: Int)] = []
        for q in quantiles {
            let lo = Int((Double(n - 1) * q / 100).rounded(.down))
            wanted.append((lo, 0))
            if lo + 1 < n { wanted.append((lo + 1, 0)) }
        }
        wanted.sort { $0.rank < $1.rank }
        var running = 0, b = 0
        var bucketStart = [Int](repeating: 0, count: wanted.count)
        for (i, w) in wanted.enumerated() {
            while running + Int(counts[b]) <= w.rank { running += Int(counts[b]); b += 1 }
            wanted[i].bucket = b
            bucketStart[i] = running
        }
        slotOfBucket.update(repeating: -1, count: buckets)
        var slots: [(bucket: Int, start: Int, count: Int, firstRank: Int)] = []
        var total = 0
        for (i, w) in wanted.enumerated() where slotOfBucket[w.bucket] < 0 {
            slotOfBucket[w.bucket] = Int32(slots.count)
            slots.append((w.bucket, total, Int(counts[w.bucket]), bucketStart[i]))
            total += Int(counts[w.bucket])
        }
        // The wanted buckets' values, in the order of x. A slot of -1 marks a bucket not wanted,
        // and most runs of four values have none wanted: one test of the four slots' AND (negative
        // only if all four are) skips them.
        var fill = slots.map(\.start)
        fill.withUnsafeMutableBufferPointer { fill in
            @inline(__always) func take(_ i: Int, _ slot: Int32) {
                if slot >= 0 {
                    gathered[fill[Int(slot)]] = x[i]
                    fill[Int(slot)] += 1
                }
            }
            var i = 0
            while i + 4 <= n {
                let s0 = slotOfBucket[Int(bucketOf[i])], s1 = slotOfBucket[Int(bucketOf[i + 1])]
                let s2 = slotOfBucket[Int(bucketOf[i + 2])], s3 = slotOfBucket[Int(bucketOf[i + 3])]
                if (s0 & s1 & s2 & s3) >= 0 {
                    take(i, s0); take(i + 1, s1); take(i + 2, s2); take(i + 3, s3)
                }
                i += 4
            }
            while i < n {
                take(i, slotOfBucket[Int(bucketOf[i])])
                i += 1
            }
        }
        func value(_ rank: Int) -> Double {
            let s = slots[Int(slotOfBucket[wanted.first { $0.rank == rank }!.bucket])]
            Statistics.select(gathered + s.start, from: 0, to: s.count, k: rank - s.firstRank)
            return gathered[s.start + rank - s.firstRank]
        }
        for (j, q) in quantiles.enumerated() {
            let h = Double(n - 1) * q / 100
            let lo = Int(h.rounded(.down))
            let a = value(lo)
            let b = lo + 1 < n ? value(lo + 1) : a
            out[j] = a + (h - Double(lo)) * (b - a)
        }
        return squareTotal
    }
}
