#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Exact binomial sampling (MODEL.md section 7): no normal approximation.
///
/// Bin(n, p) for p > 1/2 is drawn as n - Bin(n, 1 - p). With n p < 10 (`inversionLimit`) the
/// draw is by inversion (sequential search up the probability mass function from 0); above it
/// by BTRS, the transformed rejection method with squeeze of Hormann (1993), "The generation of
/// binomial random variates", J. Statist. Comput. Simul. 46, whose expected number of uniforms
/// per draw is close to 2 for every n and p.
public enum Binomial {
    /// A draw of Bin(n, p). `n` is a non-negative whole number held in a Double (stocks in noise
    /// mode are whole numbers up to 2^53); `p` is clamped into [0, 1]. `logQ`, when given, is
    /// ln(1 - p) = log1p(-p) made once for a rate used month after month (NaN: made here).
    @inlinable
    public static func sample(n: Double, p: Double, logQ: Double = .nan, stream: inout RandomStream) -> Double {
        if !(n > 0 && p > 0) { return 0 }  // also for NaN, which no search would end on
        if p >= 1 { return n }
        if p > 0.5 { return n - draw(n: n, p: 1 - p, logQ: .nan, stream: &stream) }
        return draw(n: n, p: p, logQ: logQ, stream: &stream)
    }

    /// Bin(n, p) for n > 0 and 0 < p <= 1/2. Apart from `sample` so that `sample` is not
    /// recursive and can be inlined where it is called.
    @inlinable
    static func draw(n: Double, p: Double, logQ: Double, stream: inout RandomStream) -> Double {
        n * p < inversionLimit ? inversion(n: n, p: p, logQ: logQ, stream: &stream) : btrs(n: n, p: p, stream: &stream)
    }

    /// Draws with n p below this go by inversion, the others by BTRS.
    @inlinable
    static var inversionLimit: Double { 10 }

    /// Inversion: the least k with u <= P(X <= k), searching up from P(X = 0) = q^n with
    /// P(X = k) = P(X = k - 1) ((n + 1) s / k - s), s = p / q.
    ///
    /// Most draws with n p below 1 are 0, and are found so before q^n is made: q^n >= 1 - n p
    /// (Bernoulli's inequality), so u <= 1 - n p - 1e-12 means u <= q^n as computed (whose
    /// rounding error is below 1e-14 for n p < 10): the search's answer without its exp or powers.
    @inlinable
    static func inversion(n: Double, p: Double, logQ: Double, stream: inout RandomStream) -> Double {
        var u = stream.uniform()
        if u <= 1 - n * p - 1e-12 { return 0 }
        let q = 1 - p
        var r = n <= 64 ? power(q, Int(n)) : exp(n * (logQ.isNaN ? log1p(-p) : logQ))
        if u <= r { return 0 }
        let s = p / q
        let a = (n + 1) * s
        var k = 0.0
        while u > r {
            u -= r
            k += 1
            if k > n { return n }  // rounding left a sliver of mass past n
            r *= a / k - s
            if r <= 0 { return k }
        }
        return k
    }

    /// x^k for a small whole k, by repeated squaring (cheaper than exp and log for the small
    /// counts of training stages). Each bit of k picks the factor `base` or 1 by a bit mask, not
    /// by a branch: k changes from draw to draw, and a mispredicted branch per bit cost more than
    /// the multiplications.
    @inlinable
    static func power(_ x: Double, _ k: Int) -> Double {
        var result = 1.0, base = x, e = k
        while e > 0 {
            let mask = 0 &- UInt64(e & 1)  // all ones when the bit is set
            result *= Double(bitPattern: (base.bitPattern & mask) | (1.0.bitPattern & ~mask))
            base *= base
            e >>= 1
        }
        return result
    }

    @inlinable
    static func btrs(n: Double, p: Double, stream: inout RandomStream) -> Double {
        let q = 1 - p
        let spq = (n * p * q).squareRoot()
        let b = 1.15 + 2.53 * spq
        let a = -0.0873 + 0.0248 * b + 0.01 * p
        let c = n * p + 0.5
        let vr = 0.92 - 4.2 / b
        let alpha = (2.83 + 5.1 / b) * spq
        // The exact test's constants need two log-factorials and a log; most draws pass the squeeze first.
        var h = Double.nan, m = 0.0, lpq = 0.0
        let table = logFactorials  // read once: each read of a global checks that it is made
        @inline(__always) func logFactorial(_ k: Double) -> Double {
            k < Double(table.count) ? table[Int(k)] : stirling(k)
        }
        while true {
            let u = stream.uniform() - 0.5
            var v = stream.uniform()
            let us = 0.5 - abs(u)
            let k = ((2 * a / us + b) * u + c).rounded(.down)
            if k < 0 || k > n { continue }
            if us >= 0.07 && v <= vr { return k }
            if h.isNaN {
                m = ((n + 1) * p).rounded(.down)
                h = logFactorial(m) + logFactorial(n - m)
                lpq = log(p / q)
            }
            v = log(v * alpha / (a / (us * us) + b))
            if v <= h - logFactorial(k) - logFactorial(n - k) + (k - m) * lpq { return k }
        }
    }

    /// ln k! for a whole k >= 0: lgamma(k + 1) below 1024 and `stirling(_:)` from 1024, read
    /// from a table below `logFactorials.count` and made above it. k must be whole: the table
    /// is read at k rounded toward zero.
    @inlinable
    static func logFactorial(_ k: Double) -> Double {
        if k < Double(logFactorials.count) { return logFactorials[Int(k)] }
        return stirling(k)
    }

    /// ln k! for a whole k >= 1024 from Stirling's series
    /// ln Gamma(x) = (x - 1/2) ln x - x + ln(2 pi)/2 + 1/(12 x) - 1/(360 x^3) + 1/(1260 x^5),
    /// x = k + 1, whose next term is below 1/(1680 x^7) < 1e-24. Not inlined: BTRS calls it only
    /// past the table, and inlined at its four calls there it made BTRS's loop longer.
    @inlinable @inline(never)
    static func stirling(_ k: Double) -> Double {
        let x = k + 1
        let r = 1 / x, r2 = r * r
        return (x - 0.5) * log(x) - x + 0.918_938_533_204_672_8 + r * (1.0 / 12 - r2 * (1.0 / 360 - r2 / 1260))
    }

    /// ln k! for k below 2^15 (256 KiB, made on first access, about 0.3 ms): lgamma below 1024, and
    /// from 1024 the very numbers `stirling(_:)` makes, so that a draw is the same whether its
    /// factorials come from here or from the series. BTRS's exact test needs ln k! and
    /// ln (n - k)! for k near n p, and its constant ln m! + ln (n - m)!: read here, they cost no log
    /// for the staff counts of a unit.
    @usableFromInline
    static let logFactorials: [Double] = (0..<(1 << 15)).map { $0 < 1024 ? lgamma(Double($0) + 1) : stirling(Double($0)) }
}

extension Binomial {
    /// Four draws side by side in SIMD lanes.
    public typealias Lanes = SIMD4<Double>

    /// out[j] ~ Bin(n[j], p[j]) for j in 0 ..< count, draw j from the stream (key, what, month,
    /// firstPath + j) whose first block is blocks[4 j ..< 4 j + 4]: draw for draw the same numbers
    /// as `sample` with `RandomStream(key:what:month:path:firstBlock:)`, one by one.
    ///
    /// Runs of four draws whose every n >= 0, p <= 1/2 and n p < `inversionLimit` go by
    /// `inversion(n:p:logQ:u:)`, four at a time; the others, and a last run shorter than four,
    /// by `sample`. `logQ`, when given, holds ln(1 - p[j]) as for `sample`.
    @inlinable
    public static func sample(count: Int, n: UnsafePointer<Double>, p: UnsafePointer<Double>,
                              logQ: UnsafePointer<Double>?, key: Philox, what: UInt32, month: Int, firstPath: Int,
                              blocks: UnsafePointer<UInt32>, into out: UnsafeMutablePointer<Double>) {
        @inline(__always) func load(_ x: UnsafePointer<Double>) -> Lanes {
            UnsafeRawPointer(x).loadUnaligned(as: Lanes.self)
        }
        var j = 0
        while j < count {
            if j + 4 <= count {
                let nj = load(n + j), pj = load(p + j)
                if invertsInLanes(n: nj, p: pj) {
                    let lq = logQ.map { load($0 + j) } ?? Lanes(repeating: .nan)
                    let drawn = inversion(n: nj, p: pj, logQ: lq, u: firstUniforms(blocks + 4 * j))
                    UnsafeMutableRawPointer(out + j).storeBytes(of: drawn, as: Lanes.self)
                    j += 4
                    continue
                }
            }
            let end = Swift.min(count, j + 4)
            while j < end {
                var s = RandomStream(key: key, what: what, month: month, path: firstPath + j,
                                     firstBlock: blocks + 4 * j)
                out[j] = sample(n: n[j], p: p[j], logQ: logQ?[j] ?? .nan, stream: &s)
                j += 1
            }
        }
    }

    /// Whether `sample` would draw all four lanes' Bin(n, p) by inversion (n >= 0, p <= 1/2,
    /// n p < `inversionLimit`; n whole, as for `sample`), so that `inversion(n:p:logQ:u:)` gives
    /// their draws.
    @inlinable
    static func invertsInLanes(n: Lanes, p: Lanes) -> Bool {
        all((n .>= 0) .& (p .<= 0.5) .& (n * p .< inversionLimit))
    }

    /// The first uniforms of four streams from their first blocks (at blocks[4 j], j < 4), as
    /// `RandomStream.uniform` makes them: ((word 0 << 32 | word 1) >> 11 + 1/2) 2^-53, at most
    /// the largest Double below 1.
    ///
    /// The 53 bits are word 0 times 2^21 plus word 1 >> 11, and each part is made a Double in
    /// the lanes by setting the exponent of 2^52 over it and taking 2^52 away, exact for whole
    /// numbers below 2^52; their sum is below 2^53 and so exact too: the very Double that the
    /// conversion of the 53 bits gives. (Without AVX-512 there is no conversion of 64-bit
    /// integers in lanes, and the compiler converted the four one at a time.)
    @inlinable
    static func firstUniforms(_ blocks: UnsafePointer<UInt32>) -> Lanes {
        let hi = SIMD4<UInt64>(UInt64(blocks[0]), UInt64(blocks[4]), UInt64(blocks[8]), UInt64(blocks[12]))
        let lo = SIMD4<UInt64>(UInt64(blocks[1]), UInt64(blocks[5]), UInt64(blocks[9]), UInt64(blocks[13])) &>> 11
        let exponent = SIMD4<UInt64>(repeating: 0x1.0p52.bitPattern), twoTo52 = Lanes(repeating: 0x1.0p52)
        @inline(__always) func double(_ x: SIMD4<UInt64>) -> Lanes { unsafeBitCast(x | exponent, to: Lanes.self) - twoTo52 }
        let u = (double(hi) * 0x1.0p21 + double(lo) + 0.5) * 0x1.0p-53
        return u.replacing(with: 1.0.nextDown, where: u .> 1.0.nextDown)
    }

    /// `inversion(n:p:logQ:stream:)` in four lanes from each lane's uniform u, for 0 <= p <= 1/2
    /// and a whole number n >= 0 in every lane. Each lane makes the scalar search's numbers with
    /// the same operations in the same order, so its draw is the scalar draw; n = 0 or p = 0
    /// draws 0, as `sample` does. The lanes walk together until the last is done (a lane that is
    /// done keeps its k): one hard-to-predict end of the loop per four draws in place of one per
    /// draw, and the divisions of four lanes in two instructions.
    ///
    /// Every lane still searching at step j has k = j (it has stepped every time), so the step
    /// divides by j, which does not wait for the lanes' comparisons: the divisions of the next
    /// steps start while this one's are compared, and what carries from step to step is r's
    /// multiplication and u's subtraction. q^n's bits of n are taken in Double lanes (half =
    /// floor(e / 2) as the nearest whole number to e / 2 - 1/4, exact for e < 2^50, then the bit
    /// e - 2 half), since SSE2 has no 64-bit integer comparisons; each factor bit base + (1 - bit)
    /// is exactly base or 1.
    @inlinable
    static func inversion(n: Lanes, p: Lanes, logQ: Lanes, u: Lanes) -> Lanes {
        var u = u
        var active = .!(u .<= 1 - n * p - 1e-12)
        if !anyLane(active) { return Lanes() }
        let q = 1 - p
        // q^n by squaring where n <= 64, exp(n ln q) above.
        let small = n .<= 64
        var e = n.replacing(with: 0, where: .!small)
        var r = Lanes(repeating: 1), base = q
        let round = Lanes(repeating: 0x1.8p52)  // x + round - round: x rounded to a whole number
        while anyLane(e .> 0) {
            let half = ((e * 0.5 - 0.25) + round) - round
            let bit = e - 2 * half
            r *= bit * base + (1 - bit)
            base *= base
            e = half
        }
        if !all(small .| .!active) {
            for lane in 0..<4 where active[lane] && !small[lane] {
                r[lane] = exp(n[lane] * (logQ[lane].isNaN ? log1p(-p[lane]) : logQ[lane]))
            }
        }
        active .&= u .> r
        // Active lanes step k together; a lane stops where the scalar search returns k. Where
        // that search returns n at k = n + 1 (a sliver of mass left past n by rounding), this
        // lane goes on to where r <= 0, at k = n + 1 or n + 2 (the factor a/k - s is <= 0 past
        // n + 1), and min(k, n) makes it n.
        let s = p / q
        let a = (n + 1) * s
        // The lanes still searching are carried as 64-bit words (all ones or zero), and k counts
        // their steps by adding 1 masked by them (an active lane's k is its step number, as
        // above): kept as a SIMDMask, the compiler rebuilt the mask's 64-bit lanes from its sign
        // bits with shuffles at every step, on SSE2, which has no 64-bit comparisons.
        var live = unsafeBitCast(active, to: SIMD4<Int64>.self)
        let one = unsafeBitCast(Lanes(repeating: 1), to: SIMD4<Int64>.self)
        var k = Lanes(), step = Lanes()
        while anyLane(live) {
            u -= r
            step += 1
            k += unsafeBitCast(one & live, to: Lanes.self)
            r *= a / step - s
            live &= unsafeBitCast((u .> r) .& (r .> 0), to: SIMD4<Int64>.self)
        }
        return k.replacing(with: n, where: k .> n)
    }

    /// Whether any lane of `mask` is set: one OR of its halves and two words, where the
    /// standard library's `any` compares the four lanes as integers one after another.
    @inlinable @inline(__always)
    static func anyLane(_ mask: SIMDMask<SIMD4<Int64>>) -> Bool {
        anyLane(unsafeBitCast(mask, to: SIMD4<Int64>.self))
    }

    /// Whether any of four 64-bit words is not zero.
    @inlinable @inline(__always)
    static func anyLane(_ lanes: SIMD4<Int64>) -> Bool {
        let halves = lanes.lowHalf | lanes.highHalf
        return halves[0] | halves[1] != 0
    }
}
