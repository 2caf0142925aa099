import XCTest
@testable import WorkforceCore

final class RandomTests: XCTestCase {
    /// Known-answer vectors of Philox4x32-10 published with Random123 (kat_vectors).
    func testPhiloxKnownAnswers() {
        func check(_ key: (UInt32, UInt32), _ counter: (UInt32, UInt32, UInt32, UInt32),
                   _ expected: (UInt32, UInt32, UInt32, UInt32)) {
            var p = Philox(key: 0)
            p.key = key
            let out = p.block(counter)
            XCTAssertEqual([out.0, out.1, out.2, out.3], [expected.0, expected.1, expected.2, expected.3])
        }
        check((0, 0), (0, 0, 0, 0), (0x6627_e8d5, 0xe169_c58d, 0xbc57_ac4c, 0x9b00_dbd8))
        check((0xffff_ffff, 0xffff_ffff), (0xffff_ffff, 0xffff_ffff, 0xffff_ffff, 0xffff_ffff),
              (0x408f_276d, 0x41c8_3b0e, 0xa20b_c7c6, 0x6d54_51fd))
        check((0xa409_3822, 0x299f_31d0), (0x243f_6a88, 0x85a3_08d3, 0x1319_8a2e, 0x0370_7344),
              (0xd16c_fe09, 0x94fd_cceb, 0x5001_e420, 0x2412_6ea1))
    }

    func testUniformsAreInOpenUnitIntervalAndReproducible() {
        let key = streamKey(seed: 42, unitHash: stableHash("Leeds"))
        var a = RandomStream(key: key, what: 7, month: 24300, path: 3)
        var b = RandomStream(key: key, what: 7, month: 24300, path: 3)
        var c = RandomStream(key: key, what: 7, month: 24300, path: 4)
        var sum = 0.0
        var differs = false
        for _ in 0..<10_000 {
            let u = a.uniform()
            XCTAssert(u > 0 && u < 1)
            XCTAssertEqual(u, b.uniform())
            if u != c.uniform() { differs = true }
            sum += u
        }
        XCTAssert(differs)
        XCTAssertEqual(sum / 10_000, 0.5, accuracy: 4 * (1.0 / 12 / 10_000).squareRoot())
    }

    /// Blocks made eight at a time in SIMD lanes are the scalar blocks, for a count that is not a
    /// multiple of eight (two whole groups and three), and a stream started from one draws exactly
    /// what the plain stream draws, past its first block too.
    func testFirstBlocksMadeTogetherAreTheStreamsOwn() {
        let key = streamKey(seed: 9, unitHash: stableHash("Wigan"))
        let what = DrawKind.hires.code(stableHash("registered_nurse"))
        // Both layouts in lanes, whichever one this build's `firstBlocks` uses, for every count
        // up to two whole groups of eight and a part group (of four and of eight, wide), with
        // the paths wrapping past 2^32, and nothing written outside the count's blocks.
        typealias Maker = (Philox, UInt32, Int, Int, Int, UnsafeMutablePointer<UInt32>) -> Void
        let makers: [(String, Maker)] = [
            ("firstBlocks", { $0.firstBlocks(what: $1, month: $2, firstPath: $3, count: $4, into: $5) }),
            ("wide lanes", { $0.firstBlocksInWideLanes(what: $1, month: $2, firstPath: $3, count: $4, into: $5) }),
            ("narrow lanes", { $0.firstBlocksInNarrowLanes(what: $1, month: $2, firstPath: $3, count: $4, into: $5) }),
        ]
        let guardWords = 32, guardWord: UInt32 = 0xDEAD_BEEF
        for (name, make) in makers {
            for count in 0...17 {
                var buffer = [UInt32](repeating: guardWord, count: 4 * count + 2 * guardWords)
                buffer.withUnsafeMutableBufferPointer {
                    make(key, what, 24_301, 4_294_967_293, count, $0.baseAddress! + guardWords)
                }
                XCTAssertEqual(Set(buffer.prefix(guardWords) + buffer.suffix(guardWords)), [guardWord],
                               "\(name): wrote outside \(count) blocks")
                let blocks = Array(buffer.dropFirst(guardWords).prefix(4 * count))
                for i in 0..<count {
                    let b = key.block((0, what, 24_301, UInt32(truncatingIfNeeded: 4_294_967_293 + i)))
                    XCTAssertEqual(Array(blocks[(4 * i)..<(4 * i + 4)]), [b.0, b.1, b.2, b.3], "\(name), block \(i) of \(count)")
                    var plain = RandomStream(key: key, what: what, month: 24_301, path: 4_294_967_293 + i)
                    var started = blocks.withUnsafeBufferPointer {
                        RandomStream(key: key, what: what, month: 24_301, path: 4_294_967_293 + i, firstBlock: $0.baseAddress! + 4 * i)
                    }
                    for _ in 0..<5 { XCTAssertEqual(plain.uniform(), started.uniform()) }
                }
            }
        }
    }

    /// A binomial draw given ln(1 - p) made beforehand is the draw that makes it itself, in the
    /// inversion range with n > 64 where it is used.
    func testBinomialWithLogQGivenDrawsTheSame() {
        let key = streamKey(seed: 3, unitHash: 4)
        let (n, p) = (678.0, 0.0031)
        var differ = 0
        for path in 0..<2_000 {
            var a = RandomStream(key: key, what: 5, month: 24_300, path: path)
            var b = a
            let x = Binomial.sample(n: n, p: p, stream: &a)
            if x != Binomial.sample(n: n, p: p, logQ: log1p(-p), stream: &b) { differ += 1 }
        }
        XCTAssertEqual(differ, 0)
    }

    /// The inversion's early answer of 0 (u below Bernoulli's bound 1 - n p) is the plain
    /// search's answer, draw for draw: the search written out here from the same uniform, over
    /// n p from 1e-9 to just below 10 and n from 1 to 10^7 (power and exp both).
    func testInversionShortcutGivesThePlainSearchAnswer() {
        let key = streamKey(seed: 8, unitHash: 9)
        var zeros = 0, draws = 0
        for n in [1.0, 2, 7, 64, 65, 678, 40_000, 10_000_000] {
            for np in [1e-9, 1e-4, 0.01, 0.2, 0.5, 0.9, 0.999, 1, 2, 9.9] where np / n <= 0.5 {
                for path in 0..<400 {
                    var a = RandomStream(key: key, what: 6, month: 24_300, path: path)
                    var b = a
                    let x = Binomial.sample(n: n, p: np / n, stream: &a)
                    XCTAssertEqual(x, plainSearch(n: n, p: np / n, u: b.uniform()).draw, "n \(n) p \(np / n) path \(path)")
                    if x == 0 { zeros += 1 }
                    draws += 1
                }
            }
        }
        XCTAssertGreaterThan(zeros, draws / 3)  // the shortcut's range was exercised
    }

    /// The batch call draws what `sample` draws one by one from the same streams, draw for draw:
    /// runs of four in the SIMD inversion, runs with one lane outside it (p > 1/2, n p >= 10,
    /// n > 64 with and without ln(1 - p), n = 0, p = 0 and 1) and a last run shorter than four.
    func testBatchSampleDrawsWhatSampleDraws() {
        let key = streamKey(seed: 5, unitHash: 6)
        let cases: [(Double, Double)] = [(0, 0.3), (3, 0), (9, 1), (20, 0.1), (2, 0.1), (64, 0.05), (65, 0.05),
                                         (678, 0.0031), (678, 0.01), (40, 0.7), (200, 0.05), (1, 0.5),
                                         (10_000_000, 5e-7), (150, 0.066), (7, 0.5), (30, 0.2)]
        var vectorRuns = 0
        for round in 0..<300 {
            // A different mix of cases in each run of four, some runs all within the SIMD range.
            let count = 61
            var n = [Double](), p = [Double]()
            for j in 0..<count {
                let (cn, cp) = cases[(round * 7 + j * (round % 3 == 0 ? 0 : 5)) % cases.count]
                n.append(cn); p.append(cp)
            }
            for j in stride(from: 0, to: count - 3, by: 4)
            where (j..<(j + 4)).allSatisfy({ p[$0] <= 0.5 && n[$0] * p[$0] < 10 }) { vectorRuns += 1 }
            let logQ = p.enumerated().map { j, pj in j % 2 == 0 ? log1p(-pj) : .nan }
            let blocks = UnsafeMutablePointer<UInt32>.allocate(capacity: 4 * count)
            defer { blocks.deallocate() }
            key.firstBlocks(what: 11, month: 24_300, firstPath: round * count, count: count, into: blocks)
            var out = [Double](repeating: -1, count: count)
            Binomial.sample(count: count, n: n, p: p, logQ: logQ, key: key, what: 11, month: 24_300,
                            firstPath: round * count, blocks: blocks, into: &out)
            for j in 0..<count {
                var s = RandomStream(key: key, what: 11, month: 24_300, path: round * count + j)
                XCTAssertEqual(out[j], Binomial.sample(n: n[j], p: p[j], logQ: logQ[j], stream: &s),
                               "n \(n[j]) p \(p[j]) path \(round * count + j)")
            }
        }
        XCTAssertGreaterThan(vectorRuns, 1_000)  // this test's inputs exercise the lanes
    }

    /// The SIMD inversion against `sample` from streams whose first block is made to give chosen
    /// uniforms, up to the largest a stream makes (1 - 2^-53), where rounding can leave the
    /// search's sums short of u past n (the scalar search then answers n).
    func testInversionLanesMatchSampleUpToTheLastUniform() {
        let key = streamKey(seed: 1, unitHash: 1)
        // A first block whose first uniform is (b + 1/2) 2^-53 for the 53 bits b.
        func block(_ b: UInt64) -> [UInt32] {
            let w = b << 11
            return [UInt32(truncatingIfNeeded: w >> 32), UInt32(truncatingIfNeeded: w), 0, 0]
        }
        func scalar(_ n: Double, _ p: Double, _ b: [UInt32]) -> Double {
            b.withUnsafeBufferPointer { words in
                var s = RandomStream(key: key, what: 1, month: 0, path: 0, firstBlock: words.baseAddress!)
                return Binomial.sample(n: n, p: p, stream: &s)
            }
        }
        let top: UInt64 = (1 << 53) - 1
        let bits: [UInt64] = [top, top - 1, top - 4_096, top - (1 << 20), top / 2, top / 10, 12_345]
        var pastN = 0
        for n in [0.0, 1, 2, 3, 5, 9, 17, 40, 64, 65, 100, 678] {
            for p in [0, 1e-6, 0.003, 0.01, 0.05, 0.1, 0.25, 0.33, 0.5] where n * p < Binomial.inversionLimit {
                for b in bits {
                    // Lanes with other values beside, so that the lanes stop at different steps.
                    let words = block(b) + block(top / 3) + block(b) + block(top - b)
                    let u = words.withUnsafeBufferPointer { Binomial.firstUniforms($0.baseAddress!) }
                    let lanes = Binomial.inversion(n: .init(n, n, 1, n), p: .init(p, p, 0.5, p),
                                                   logQ: .init(repeating: .nan), u: u)
                    XCTAssertEqual(lanes[0], scalar(n, p, block(b)), "n \(n) p \(p) bits \(b)")
                    XCTAssertEqual(lanes[1], scalar(n, p, block(top / 3)))
                    XCTAssertEqual(lanes[2], scalar(1, 0.5, block(b)))
                    XCTAssertEqual(lanes[3], scalar(n, p, block(top - b)))
                    if n > 0 && p > 0 && plainSearch(n: n, p: p, u: u[0]).pastN { pastN += 1 }
                }
            }
        }
        XCTAssertGreaterThan(pastN, 0)  // this test's inputs reach the case past n
    }

    /// The lanes' first uniforms are each stream's own first uniform, to the bit: for 10,000
    /// blocks of random words (made by mix64, so that a failure repeats) and for words of all
    /// zeros, all ones, and ones only in the bits that the conversion keeps or drops.
    func testFirstUniformsAreTheStreamsOwn() {
        var words = (0..<40_000).map { UInt32(truncatingIfNeeded: mix64(UInt64($0))) }
        for edge: (UInt32, UInt32) in [(0, 0), (0xFFFF_FFFF, 0xFFFF_FFFF), (0, 0x7FF), (0, 0xFFFF_F800),
                                        (0x8000_0000, 0), (1, 0x800), (0xFFFF_FFFF, 0xFFFF_F7FF)] {
            words += [edge.0, edge.1, 7, 7]
        }
        words.withUnsafeBufferPointer { w in
            for first in 0..<(words.count / 4 - 3) {
                let u = Binomial.firstUniforms(w.baseAddress! + 4 * first)
                for lane in 0..<4 {
                    var s = RandomStream(key: Philox(key: 0), what: 0, month: 0, path: 0,
                                         firstBlock: w.baseAddress! + 4 * (first + lane))
                    XCTAssertEqual(u[lane].bitPattern, s.uniform().bitPattern, "block \(first + lane)")
                }
            }
        }
    }

    /// The largest uniform a stream makes is the largest Double below 1, not 1 (which
    /// (2^53 - 1/2) 2^-53 rounds to), one by one and in lanes.
    func testUniformStaysBelowOne() {
        let words: [UInt32] = Array(repeating: 0xFFFF_FFFF, count: 16)
        words.withUnsafeBufferPointer { w in
            var s = RandomStream(key: streamKey(seed: 1, unitHash: 1), what: 1, month: 0, path: 0, firstBlock: w.baseAddress!)
            XCTAssertEqual(s.uniform(), 1.0.nextDown)
            XCTAssertEqual(Binomial.firstUniforms(w.baseAddress!), .init(repeating: 1.0.nextDown))
        }
    }

    func testStableHashDoesNotDependOnTheProcess() {
        // FNV-1a of "care_worker" mixed by SplitMix64's finaliser: a fixed value forever.
        XCTAssertEqual(stableHash("care_worker"), stableHash("care_worker"))
        XCTAssertNotEqual(stableHash("care_worker"), stableHash("care_workers"))
        XCTAssertEqual(stableHash(""), mix64(0xCBF2_9CE4_8422_2325))
    }

    /// Pearson's chi-square of draws against the exact binomial pmf, for the inversion branch
    /// (n p < 10), the BTRS branch, and p > 1/2 (symmetry).
    func testBinomialMatchesExactDistribution() {
        for (n, p) in [(20.0, 0.3), (1000.0, 0.3), (60.0, 0.9), (5000.0, 0.002), (100_000.0, 0.5), (200.0, 0.06)] {
            let draws = 40_000
            var counts: [Int: Int] = [:]
            let key = streamKey(seed: 1, unitHash: 2)
            for i in 0..<draws {
                var s = RandomStream(key: key, what: 1, month: 0, path: i)
                let k = Binomial.sample(n: n, p: p, stream: &s)
                XCTAssert(k >= 0 && k <= n && k == k.rounded())
                counts[Int(k), default: 0] += 1
            }
            // Bins of expected count >= 5 on each side of the mode, tails pooled.
            func logPmf(_ k: Int) -> Double {
                lgamma(n + 1) - lgamma(Double(k) + 1) - lgamma(n - Double(k) + 1)
                    + Double(k) * log(p) + (n - Double(k)) * log1p(-p)
            }
            var chi2 = 0.0
            var bins = 0
            var pooledExpected = 0.0
            var pooledObserved = 0
            for k in 0...Int(n) {
                let e = exp(logPmf(k)) * Double(draws)
                let o = counts[k] ?? 0
                if e >= 5 {
                    chi2 += (Double(o) - e) * (Double(o) - e) / e
                    bins += 1
                } else {
                    pooledExpected += e
                    pooledObserved += o
                }
            }
            if pooledExpected > 0 {
                chi2 += (Double(pooledObserved) - pooledExpected) * (Double(pooledObserved) - pooledExpected) / pooledExpected
                bins += 1
            }
            // 99.99th percentile of chi-square with `bins - 1` degrees of freedom is below
            // df + 5.6 sqrt(2 df) for these sizes; the draws are fixed, so this cannot flake.
            let df = Double(bins - 1)
            XCTAssertLessThan(chi2, df + 5.6 * (2 * df).squareRoot(), "Bin(\(n), \(p)): chi2 \(chi2) on \(df) df")
        }
    }

    /// BTRS's ln k!: the table below 1024 and Stirling's series above agree with lgamma.
    func testLogFactorialAgreesWithLgamma() {
        for k in [0.0, 1, 2, 10, 1023, 1024, 1025, 5000, 123_456, 1e9] {
            XCTAssertEqual(Binomial.logFactorial(k), lgamma(k + 1), accuracy: 1e-14 * Swift.max(1, lgamma(k + 1)), "\(k)")
        }
    }

    /// The table's entries from 1024 are Stirling's series' own numbers, so a draw whose
    /// factorials are read from the table is the draw the series would give; below 1024 they are
    /// lgamma's.
    func testLogFactorialTableHoldsTheSeriesNumbers() {
        let table = Binomial.logFactorials
        XCTAssertEqual(table.count, 1 << 15)
        // Every entry: lgamma and the series agree to the last bit for some k just below 1024,
        // so a boundary moved down would not show at a few sampled k.
        var differ = 0
        for k in 0..<1024 where table[k] != lgamma(Double(k) + 1) { differ += 1 }
        for k in 1024..<table.count where table[k] != Binomial.stirling(Double(k)) { differ += 1 }
        XCTAssertEqual(differ, 0)
        XCTAssertNotEqual(table[1000], Binomial.stirling(1000), "the two differ below 1024, so the test sees the boundary")
        let last = Double(table.count - 1)
        XCTAssertEqual(Binomial.logFactorial(last + 1) - Binomial.logFactorial(last), log(last + 1), accuracy: 1e-9)
    }

    func testBinomialEdgeCases() {
        var s = RandomStream(key: Philox(key: 9), what: 1, month: 0, path: 0)
        XCTAssertEqual(Binomial.sample(n: 0, p: 0.4, stream: &s), 0)
        XCTAssertEqual(Binomial.sample(n: 17, p: 0, stream: &s), 0)
        XCTAssertEqual(Binomial.sample(n: 17, p: 1, stream: &s), 17)
        XCTAssertEqual(Binomial.sample(n: .nan, p: 0.4, stream: &s), 0)
        XCTAssertEqual(Binomial.sample(n: 17, p: .nan, stream: &s), 0)  // ended, not searching forever
        // In the batch call too, and a negative n beside lanes in range is no draw, as one by one.
        let key = streamKey(seed: 2, unitHash: 3)
        let blocks = UnsafeMutablePointer<UInt32>.allocate(capacity: 16)
        defer { blocks.deallocate() }
        key.firstBlocks(what: 1, month: 0, firstPath: 0, count: 4, into: blocks)
        for n in [[-3.0, 5, 5, 5], [.nan, 5, 5, 5]] {
            var out = [Double](repeating: 1, count: 4)
            Binomial.sample(count: 4, n: n, p: [0.1, 0.5, 0.5, 0.5], logQ: nil, key: key, what: 1, month: 0,
                            firstPath: 0, blocks: blocks, into: &out)
            XCTAssertEqual(out[0], 0)
        }
        let big = Binomial.sample(n: 1e9, p: 0.3, stream: &s)
        XCTAssertEqual(big, 3e8, accuracy: 6 * (1e9 * 0.21).squareRoot())
    }
}

/// The inversion search of `Binomial` written out plainly (no shortcut): the least k with u <=
/// P(X <= k), or n where rounding leaves the sum short of u past n (`pastN`).
private func plainSearch(n: Double, p: Double, u start: Double) -> (draw: Double, pastN: Bool) {
    let q = 1 - p, s = p / q, a = (n + 1) * s
    var r = n <= 64 ? Binomial.power(q, Int(n)) : exp(n * log1p(-p))
    var u = start, k = 0.0
    while u > r {
        u -= r
        k += 1
        if k > n { return (n, true) }
        r *= a / k - s
        if r <= 0 { return (k, false) }
    }
    return (k, false)
}
