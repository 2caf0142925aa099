import XCTest
@testable import WorkforceCore

final class DistributionTests: XCTestCase {
    func testNormalQuantilesMatchKnownValues() {
        let d = Distribution(kind: .normal, a: 0, b: 1)
        XCTAssertEqual(d.quantile(0.975), 1.959963984540054, accuracy: 1e-12)
        XCTAssertEqual(d.quantile(0.5), 0, accuracy: 1e-14)
        XCTAssertEqual(d.quantile(1e-10), -6.361340902404056, accuracy: 1e-9)
        XCTAssertEqual(Distribution(kind: .normal, a: 0.3, b: 0.05).quantile(0.8413447460685429), 0.35, accuracy: 1e-12)
    }

    func testBetaQuantileInvertsTheCDF() {
        let d = Distribution(kind: .beta, a: 0.6, b: 0.1)
        for u in [0.001, 0.05, 0.3, 0.5, 0.77, 0.999] {
            XCTAssertEqual(d.cdf(d.quantile(u)), u, accuracy: 1e-10)
        }
        // Beta(2, 2) has CDF 3x^2 - 2x^3: at 0.5 it is 0.5 and at 0.25, 0.15625.
        let symmetric = Distribution(kind: .beta, a: 0.5, b: (0.05).squareRoot())  // k = 4: shapes 2, 2
        XCTAssertEqual(symmetric.cdf(0.25), 0.15625, accuracy: 1e-12)
    }

    func testLognormalMatchesItsMeanAndSd() {
        let d = Distribution(kind: .lognormal, a: 2, b: 0.5)
        var sum = 0.0, squares = 0.0
        let n = 20_000
        for i in 0..<n {
            let x = d.quantile((Double(i) + 0.5) / Double(n))
            sum += x
            squares += x * x
        }
        let mean = sum / Double(n)
        XCTAssertEqual(mean, 2, accuracy: 1e-3)
        XCTAssertEqual((squares / Double(n) - mean * mean).squareRoot(), 0.5, accuracy: 2e-3)
    }

    func testTruncationKeepsDrawsInRangeAndTriangularIsExact() {
        let d = Distribution(kind: .normal, a: 0.3, b: 0.2, lower: 0.1, upper: 0.4)
        for u in stride(from: 0.001, to: 1, by: 0.01) {
            let x = d.quantile(u)
            XCTAssert(x >= 0.1 && x <= 0.4)
        }
        XCTAssertEqual(d.mean, 0.3)
        let t = Distribution(kind: .triangular, a: 0.8, b: 1, c: 1.4)
        XCTAssertEqual(t.quantile(1.0 / 3), 1, accuracy: 1e-12)  // F(mode) = (mode - min) / (max - min)
        XCTAssertEqual(t.mean, 3.2 / 3, accuracy: 1e-15)
        XCTAssertEqual(Distribution(kind: .normal, a: 5, b: 1, upper: 4).mean, 4)
    }

    func testProblemsAreNamed() {
        XCTAssertEqual(Distribution(kind: .beta, a: 0.5, b: 0.6).problem, "sd must be < sqrt(mean (1 - mean)) = 0.5 for a beta")
        XCTAssertEqual(Distribution(kind: .uniform, a: 2, b: 1).problem, "need min < max")
        XCTAssertNil(Distribution(kind: .normal, a: 0.3, b: 0.02, lower: 0, upper: 0.99).problem)
    }

    func testType7QuantilesAndSampleSd() {
        let values: [Double] = [4, 1, 3, 2]
        var out = [Double](repeating: 0, count: 5)
        var v = values
        Statistics.summarise(&v, count: 4, quantiles: [25, 50, 90], into: &out)
        XCTAssertEqual(out[0], 2.5)
        XCTAssertEqual(out[1], (5.0 / 3).squareRoot(), accuracy: 1e-15)
        XCTAssertEqual(out[2], 1.75)   // h = 0.75: 1 + 0.75 (2 - 1)
        XCTAssertEqual(out[3], 2.5)
        XCTAssertEqual(out[4], 3.7, accuracy: 1e-15)  // h = 2.7: 3 + 0.7 (4 - 3)
    }

    /// Selection gives the same quantiles as sorting, with ties, with a long tail (most values
    /// in a few of the equal-width buckets) and in any order of quantiles.
    func testSelectedQuantilesEqualSortedQuantiles() {
        var stream = RandomStream(key: Philox(key: 3), what: 0, month: 0, path: 0)
        for (n, tail) in [(1, false), (2, false), (3, false), (10, false), (101, false), (1000, false),
                          (1000, true), (10_000, true)] {
            let values = (0..<n).map { _ in
                tail ? -log(stream.uniform()) * 1e4 : (stream.uniform() * 20).rounded()  // many ties
            }
            let quantiles: [Double] = [95, 2.5, 50, 0, 100, 25]
            let sorted = values.sorted()
            var v = values
            var out = [Double](repeating: 0, count: 2 + quantiles.count)
            Statistics.summarise(&v, count: n, quantiles: quantiles, into: &out)
            for (j, q) in quantiles.enumerated() {
                let h = Double(n - 1) * q / 100
                let lo = Int(h.rounded(.down)), hi = Swift.min(lo + 1, n - 1)
                XCTAssertEqual(out[2 + j], sorted[lo] + (h - Double(lo)) * (sorted[hi] - sorted[lo]), "n \(n) q \(q)")
            }
        }
    }

    func testQuantitySchedulesStepAndInterpolate() {
        let a = Month(year: 2026, month: 4), b = Month(year: 2028, month: 4)
        let q = Quantity(points: [.init(from: a, value: .constant(0.3)), .init(from: b, value: .constant(0.24))],
                         interpolation: .linear)
        func v(_ m: Month) -> Double { q.value(at: m) { _, v in if case .constant(let x) = v { return x } else { return .nan } } }
        XCTAssertEqual(v(Month(year: 2025, month: 1)), 0.3)
        XCTAssertEqual(v(Month(year: 2027, month: 4)), 0.27, accuracy: 1e-15)
        XCTAssertEqual(v(Month(year: 2029, month: 1)), 0.24)
        var stepped = q
        stepped.interpolation = .step
        XCTAssertEqual(stepped.value(at: Month(year: 2028, month: 3)) { _, v in if case .constant(let x) = v { return x } else { return .nan } }, 0.3)
        let start = Month(year: 2026, month: 1)
        XCTAssertEqual(stepped.changeSteps(start: start, months: 48), [0, 27])
        // Linear: every month after the first date up to the last (steps 4 ... 27), and step 0.
        XCTAssertEqual(q.changeSteps(start: start, months: 30), [0] + Array(4...27))
    }

    func testTimelineLabelsPartialPeriods() {
        let t = Timeline(start: Month(year: 2024, month: 1), horizon: Month(year: 2025, month: 6), periodKind: .financial)
        XCTAssertEqual(t.periods.map(\.label), ["2023/24", "2024/25", "2025/26"])
        XCTAssertEqual(t.periods.map(\.months), [3, 12, 3])
        let c = Timeline(start: Month(year: 2024, month: 4), horizon: Month(year: 2025, month: 2), periodKind: .calendar)
        XCTAssertEqual(c.periods.map(\.label), ["2024", "2025"])
        XCTAssertEqual(c.periods.map(\.months), [9, 2])
    }
}
