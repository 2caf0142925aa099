import Foundation
import XCTest
import WorkforceCore
import WorkforceScenario
import WorkforceWriters

/// Every scenario in Scenarios/ loads and runs (few paths), and the calibrated baselines reproduce
/// the published figures they were built from.
final class ShippedScenarioTests: XCTestCase {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    static var scenarioFiles: [String] {
        let root = repository.appendingPathComponent("Scenarios").path
        let files = FileManager.default.enumerator(atPath: root)?.compactMap { $0 as? String } ?? []
        return files.filter { $0.hasSuffix(".yaml") && !$0.contains("/schema") }.sorted().map { root + "/" + $0 }
    }

    func testEveryShippedScenarioLoadsAndRuns() throws {
        let files = ShippedScenarioTests.scenarioFiles
        XCTAssertGreaterThanOrEqual(files.count, 8, "\(files)")
        for file in files {
            var model = try ScenarioLoader.load(path: file)
            model.paths = 16
            let table = Simulator.run(model, options: SimulationOptions(threads: 2))
            XCTAssertGreaterThan(table.rowCount, 0, file)
            for i in 0..<table.rowCount {
                for v in table.values(i) { XCTAssert(v.isFinite && v >= 0, "\(file): row \(i) \(table.row(i))") }
            }
        }
    }

    func testAWhatIfCanChangeJustThePopulationElasticity() throws {
        let root = ShippedScenarioTests.repository.appendingPathComponent("Scenarios").path
        let base = try ScenarioLoader.load(path: root + "/england-2023/scenario.yaml")
        let high = try ScenarioLoader.load(path: root + "/whatifs/demand-high.yaml")
        XCTAssertTrue(base.leaves[0].elasticity.isRandom)
        XCTAssertEqual(high.leaves[0].elasticity.constantValue, 1.3)
        XCTAssertEqual(high.leaves[0].growth, base.leaves[0].growth, "the population file is kept")
    }

    func vacancyRate(_ file: String, area: String, period: String, metric: Metric = .vacancyRate) throws -> Double {
        let model = try ScenarioLoader.load(path: ShippedScenarioTests.repository.appendingPathComponent(file).path)
        return Simulator.run(model, options: SimulationOptions(threads: 2, deterministic: true))
            .values(area: area, role: nil, period: period, metric: metric)![0]
    }

    func testNorthWestReproducesItsPublishedRates() throws {
        let file = "Scenarios/north-west-2017/scenario.yaml"
        XCTAssertEqual(try vacancyRate(file, area: "North West", period: "2017/18"), 0.057, accuracy: 0.004)
        XCTAssertEqual(try vacancyRate(file, area: "North West", period: "2017/18", metric: .turnoverRate), 0.259, accuracy: 0.01)
    }

    func testEnglandReproducesItsPublishedVacancyRate() throws {
        XCTAssertEqual(try vacancyRate("Scenarios/england-2023/scenario.yaml", area: "England", period: "2024/25"), 0.083, accuracy: 0.004)
    }

    /// The CSV made in pieces on several threads is the text written row by row on one, for
    /// both formats, with and without filters and header, and for more threads than blocks.
    func testCSVMadeInPiecesIsTheSameText() throws {
        var model = try ScenarioLoader.load(path: ShippedScenarioTests.repository
            .appendingPathComponent("Scenarios/england-2023/scenario.yaml").path)
        model.paths = 8
        let table = Simulator.run(model, options: SimulationOptions(threads: 2))
        var variants: [CSVWriter.Options] = [.init()]
        var wide = CSVWriter.Options(); wide.format = .wide; variants.append(wide)
        var filtered = CSVWriter.Options()
        filtered.levels = ["region"]; filtered.roles = ["all", "registered_nurse"]; filtered.metrics = [.demand, .vacancies]
        filtered.header = false
        variants.append(filtered)
        for options in variants {
            var expected = ""
            CSVWriter.write(table, options: options, to: &expected)
            XCTAssertGreaterThan(expected.count, 1000)
            for threads in [1, 2, 3, 7, 100_000] {
                let text = CSVWriter.string(table, options: options, threads: threads)
                // Compared whole, reported by the first line that differs (not the megabytes).
                let first = Array(zip(text.split(separator: "\n"), expected.split(separator: "\n"))).firstIndex { $0 != $1 }
                XCTAssert(text == expected, "\(options.format), \(threads) threads: \(text.count) vs \(expected.count) characters, first different line \(first.map { "\($0 + 1)" } ?? "past the shorter text's end")")
            }
        }
    }

    /// A number in the CSV is the shortest decimal that reads back as the same Double: whole
    /// numbers below 10^15 without a fraction, -0 as 0, everything else as Swift prints it.
    func testNumbersReadBackAsTheSameDouble() {
        XCTAssertEqual(CSVWriter.number(0), "0")
        XCTAssertEqual(CSVWriter.number(-0.0), "0")
        XCTAssertEqual(CSVWriter.number(352_987), "352987")
        XCTAssertEqual(CSVWriter.number(-12), "-12")
        XCTAssertEqual(CSVWriter.number(1e15), "1000000000000000.0")
        XCTAssertEqual(CSVWriter.number(1e17), "1e+17")
        XCTAssertEqual(CSVWriter.number(0.1), "0.1")
        XCTAssertEqual(CSVWriter.number(387_300.448_497_051_84), "387300.44849705184")
        // Non-finite values as Swift describes them (the command refuses to write them, but the
        // library does not): a NaN with its sign bit set, as x86 makes 0/0, is still "nan".
        let nan = Double(bitPattern: 0xFFF8_0000_0000_0001)
        XCTAssertEqual(CSVWriter.number(nan), "nan")
        XCTAssertEqual(CSVWriter.number(-.infinity), "-inf")
        for i in 0..<10_000 {
            let x = Double(bitPattern: mix64(UInt64(i)))  // any sign, exponent and digits; the same each run
            let text = CSVWriter.number(x)
            XCTAssertFalse(text.contains(","), text)
            if x.isNaN { XCTAssertEqual(text, "nan"); continue }
            XCTAssertEqual(Double(text), x, text)
            if x != x.rounded() || abs(x) >= 1e15 { XCTAssertEqual(text, x.description) }
        }
    }
}
