import XCTest
import WorkforceCore
@testable import WorkforceScenario

/// Scenario features read into the model and run, checked against hand-computed values.
final class ScenarioFeatureTests: XCTestCase {
    var fixture: ScenarioFixture!

    override func setUp() { fixture = ScenarioFixture() }
    override func tearDown() { fixture.remove() }

    func run(_ model: Model) -> SummaryTable {
        Simulator.run(model, options: SimulationOptions(deterministic: true))
    }

    func testPopulationGrowthWithElasticityAndAnOverrideThatReplacesIt() throws {
        fixture.write("population.csv", "unit,year,population\nEngland,2020,100\nEngland,2030,150\n")
        fixture.write("south.csv", "unit,year,growth\nSouth,2024,0.04\nSouth,2025,0.05\n")
        let m = try fixture.load(yaml: [
            ("  growth: 0.02", "  growth: {population: {file: population.csv}, elasticity: 1.5}\noverrides:\n  South:\n    growth: {file: south.csv}"),
        ])
        // North: population 2024 = 120, 2025 = 125, so growth in 2024 is 125/120 - 1 = 1/24.
        XCTAssertEqual(m.leaves[0].elasticity.constantValue, 1.5)
        XCTAssertEqual(m.leaves[1].elasticity.constantValue, 1, "the override's table is not scaled by the elasticity")
        let t = run(m)
        let north = t.values(area: "North", role: "senior", period: "2024/25", metric: .demand)![0]
        // Apr-Dec 2024 at 1.5/24, Jan-Mar 2025 at 1.5 (130/125 - 1) = 0.06.
        let expected = 105 * pow(1 + 1.5 / 24, 9.0 / 12) * pow(1.06, 3.0 / 12)
        XCTAssertEqual(north, expected, accuracy: 1e-9)
        let south = t.values(area: "South", role: "senior", period: "2024/25", metric: .demand)![0]
        XCTAssertEqual(south, 160 * pow(1.04, 9.0 / 12) * pow(1.05, 3.0 / 12), accuracy: 1e-9)
    }

    func testProgressionInIsExactlyZeroWhereNothingFlowsIn() throws {
        let t = run(try fixture.load())
        for period in ["2024/25", "2025/26"] {
            XCTAssertEqual(t.values(area: "England", role: "care_worker", period: period, metric: .progressionIn)![0], 0)
            XCTAssertEqual(t.values(area: "England", role: "senior", period: period, metric: .progressionOut)![0], 0)
            XCTAssertGreaterThan(t.values(area: "England", role: "senior", period: period, metric: .progressionIn)![0], 0)
        }
    }

    func testEventSizesMayBeDistributions() throws {
        let m = try fixture.load(yaml: [
            ("  growth: 0.02", "  growth: 0\n  events:\n    - {from: 2025-04, unit: North, role: senior, add: {dist: uniform, min: 10, max: 30}}\n    - {from: 2025-04, unit: England, multiply: {dist: triangular, min: 1, mode: 1.1, max: 1.2, scope: unit}}"),
        ])
        let t = run(m)
        // Expected-value run: (105 + 20) * 1.1 for North's seniors from April 2025.
        XCTAssertEqual(t.values(area: "North", role: "senior", period: "2025/26", metric: .demand)![0], 125 * 1.1, accuracy: 1e-9)
        XCTAssertEqual(t.values(area: "North", role: "senior", period: "2024/25", metric: .demand)![0], 105, accuracy: 1e-9)
        let spread = Simulator.run(m).values(area: "North", role: "senior", period: "2025/26", metric: .demand)!
        XCTAssertGreaterThan(spread[1], 0)                       // sd over paths
        XCTAssert(spread[2] >= 110 && spread[6] <= 156, "\(spread)")  // within (105 + [10, 30]) * [1, 1.2]
    }

    func testMixSchedulesInterpolateLinearlyByDefault() throws {
        let m = try fixture.load(yaml: [("senior: {turnover: 0.15, time_to_fill: 3}", "senior: {turnover: 0.15, time_to_fill: 3, mix: {schedule: [[2024-04, 1], [2025-04, 1.24]]}}"),
                                        ("  growth: 0.02", "  growth: 0")])
        let t = Simulator.run(m, options: SimulationOptions(deterministic: true))
        XCTAssertEqual(m.leaves[0].roles[1].mix.interpolation, .linear)
        // March 2025 is 11 of 12 months along: 105 * (1 + 0.24 * 11 / 12).
        XCTAssertEqual(t.values(area: "North", role: "senior", period: "2024/25", metric: .demand)![0], 105 * 1.22, accuracy: 1e-9)
    }

    func testOverridesOnAParentApplyBelowItAndTheClosestWins() throws {
        let m = try fixture.load(yaml: [("  growth: 0.02", "  growth: 0.02\noverrides:\n  England:\n    roles:\n      care_worker: {turnover: 0.2}\n  South:\n    roles:\n      care_worker: {turnover: 0.25}\n    programmes:\n      l2: {starts: 40}")])
        XCTAssertEqual(m.leaves[0].roles[0].turnover.constantValue, 0.2)
        XCTAssertEqual(m.leaves[1].roles[0].turnover.constantValue, 0.25)
        XCTAssertEqual(m.leaves[0].programmes[0].starts.constantValue, 100)
        XCTAssertEqual(m.leaves[1].programmes[0].starts.constantValue, 40)
    }

    func testBaselineColumnsSetParametersPerUnitAndRole() throws {
        let m = try fixture.load(yaml: [], csv: [("unit,role,filled,vacancies", "unit,role,filled,vacancies,turnover,pay"),
                                       ("North,care_worker,1000,50", "North,care_worker,1000,50,0.4,21000"),
                                       ("North,senior,100,5", "North,senior,100,5,,"),
                                       ("South,care_worker,2000,80", "South,care_worker,2000,80,,"),
                                       ("South,senior,150,10", "South,senior,150,10,,30000")])
        XCTAssertEqual(m.leaves[0].roles[0].turnover.constantValue, 0.4)
        XCTAssertEqual(m.leaves[0].roles[1].turnover.constantValue, 0.15)
        XCTAssertEqual(m.leaves[1].roles[1].pay?.constantValue, 30000)
        XCTAssertTrue(m.hasPay)
    }

    func testCSVExportsFromSpreadsheetsAreReadWhenUnambiguous() throws {
        // Byte-order mark, CRLF line endings, quoted thousands separators.
        let m = try fixture.load(yaml: [], csv: [("unit,role,filled,vacancies\n", "\u{FEFF}unit,role,filled,vacancies\r\n"),
                                       ("South,care_worker,2000,80\n", "South,care_worker,\"2,000\",80\r\n")])
        XCTAssertEqual(m.leaves[1].roles[0].filled, 2000)
        // Semicolons with decimal commas.
        let semicolons = ScenarioFixture.baseline.replacingOccurrences(of: ",", with: ";")
            .replacingOccurrences(of: "North;senior;100;5", with: "North;senior;100,5;5")
        fixture.write("semi.csv", semicolons)
        let path = fixture.write("semi.yaml", ScenarioFixture.valid.replacingOccurrences(of: "baseline.csv", with: "semi.csv"))
        XCTAssertEqual(try ScenarioLoader.load(path: path).leaves[0].roles[1].filled, 100.5)
        fixture.write("ambiguous.csv", semicolons.replacingOccurrences(of: "100,5;5", with: "1,500;5"))
        let ambiguous = fixture.write("ambiguous.yaml", ScenarioFixture.valid.replacingOccurrences(of: "baseline.csv", with: "ambiguous.csv"))
        assertError("ambiguous.csv:3: filled: '1,500' is not a number; it could be read with ',' as decimal or as thousands separator; write it without ambiguity (for example 0.259 or 259)", in: fixture) {
            try ScenarioLoader.load(path: ambiguous)
        }
    }
}
