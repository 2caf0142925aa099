import XCTest
import WorkforceCore
@testable import WorkforceScenario

/// One test per class of bad input: each message names the file, line and field and says what
/// would be valid.
final class ScenarioErrorTests: XCTestCase {
    var fixture: ScenarioFixture!

    override func setUp() { fixture = ScenarioFixture() }
    override func tearDown() { fixture.remove() }

    func testTheValidFixtureLoads() throws {
        let m = try fixture.load()
        XCTAssertEqual(m.roles, ["care_worker", "senior"])
        XCTAssertEqual(m.areas.map(\.name), ["North", "South", "England"])
        XCTAssertEqual(m.areas.map(\.level), ["level2", "level2", "level1"])
        XCTAssertEqual(m.leaves.count, 2)
        XCTAssertEqual(m.leaves[1].roles[0].filled, 2000)
    }

    func testUnknownKeyWithSuggestion() {
        assertError("scenario.yaml:9: roles.care_worker.turnovr: unknown key 'turnovr'; did you mean 'turnover'? Valid: turnover, retained_in_sector, time_to_fill, international_share, international_cap, pay, mix.", in: fixture) {
            try fixture.load(yaml: ("{turnover: 0.3, time_to_fill: 2}", "{turnovr: 0.3, time_to_fill: 2}"))
        }
        assertError("scenario.yaml:17: demand.grwth: unknown key 'grwth'; did you mean 'growth'? Valid: growth, events.", in: fixture) {
            try fixture.load(yaml: ("  growth: 0.02", "  grwth: 0.02"))
        }
    }

    func testRateOutOfRange() {
        assertError("scenario.yaml:9: roles.care_worker.turnover: 1.2 is out of range; it must be in [0, 1)", in: fixture) {
            try fixture.load(yaml: ("turnover: 0.3", "turnover: 1.2"))
        }
        assertError("scenario.yaml:9: roles.care_worker.turnover: '30%' is a percentage; write it as a fraction (for example 0.259 for 25.9%)", in: fixture) {
            try fixture.load(yaml: ("turnover: 0.3", "turnover: 30%"))
        }
        assertError("scenario.yaml:15: programmes.l2.completion: 0 is out of range; it must be in (0, 1]", in: fixture) {
            try fixture.load(yaml: ("completion: 0.6", "completion: 0"))
        }
        assertError("scenario.yaml:9: roles.care_worker.time_to_fill: '.nan' is not a number; write a plain decimal such as 0.25 or 1200", in: fixture) {
            try fixture.load(yaml: ("turnover: 0.3, time_to_fill: 2", "turnover: 0.3, time_to_fill: .nan"))
        }
    }

    func testDistributionOutsideTheValidRange() {
        assertError("scenario.yaml:9: roles.care_worker.turnover: this normal distribution can take values from -inf to inf, outside the valid range [0, 1); set min and max inside it", in: fixture) {
            try fixture.load(yaml: ("turnover: 0.3", "turnover: {dist: normal, mean: 0.3, sd: 0.03}"))
        }
    }

    func testProgressionRowSummingToOneOrMore() {
        assertError("scenario.yaml:9: roles.care_worker.turnover: 1.2 is out of range; it must be in [0, 1)", in: fixture) {
            try fixture.load(yaml: ("turnover: 0.3", "turnover: 1.2"))
        }
        let third = [("  senior: {turnover: 0.15, time_to_fill: 3}", "  senior: {turnover: 0.15, time_to_fill: 3}\n  manager: {turnover: 0.1, time_to_fill: 3}")]
        let rows = [("South,senior,150,10\n", "South,senior,150,10\nNorth,manager,10,0\nSouth,manager,10,0\n")]
        XCTAssertNoThrow(try fixture.load(yaml: third + [("care_worker: {senior: 0.05}", "care_worker: {senior: 0.5, manager: 0.49}")], csv: rows))
        assertError("scenario.yaml:14: progression.care_worker: the annual rates out of 'care_worker' sum to 1 (at their largest); the sum must be below 1", in: fixture) {
            try fixture.load(yaml: third + [("care_worker: {senior: 0.05}", "care_worker: {senior: 0.5, manager: 0.5}")], csv: rows)
        }
        // A distribution counts at the top of its range.
        assertError("scenario.yaml:14: progression.care_worker: the annual rates out of 'care_worker' sum to 1.1 (at their largest); the sum must be below 1", in: fixture) {
            try fixture.load(yaml: third + [("care_worker: {senior: 0.05}", "care_worker: {senior: 0.5, manager: {dist: uniform, min: 0.1, max: 0.6}}")], csv: rows)
        }
    }

    func testUnknownUnitAndRoleInCSV() {
        assertError("baseline.csv:4: unit: unknown unit 'Suoth'; did you mean 'South'? Valid: North, South, England.", in: fixture) {
            try fixture.load(csv: ("South,care_worker", "Suoth,care_worker"))
        }
        assertError("baseline.csv:3: role: unknown role 'senoir'; did you mean 'senior'? Valid: care_worker, senior.", in: fixture) {
            try fixture.load(csv: ("North,senior", "North,senoir"))
        }
        assertError("baseline.csv:2: unit: 'England' has units below it; baseline rows are for units without children (parents are their sums)", in: fixture) {
            try fixture.load(csv: ("North,care_worker", "England,care_worker"))
        }
    }

    func testMissingAndDuplicateBaselineRows() {
        assertError("scenario.yaml:11: baseline: no row for unit 'South', role 'senior'; every unit needs a row per role (use filled 0, vacancies 0 for none)", in: fixture) {
            try fixture.load(csv: ("South,senior,150,10\n", ""))
        }
        assertError("baseline.csv:5: unit: a second row for unit 'South', role 'care_worker' (the first is at line 4); give one row per unit and role", in: fixture) {
            try fixture.load(csv: ("South,senior", "South,care_worker"))
        }
    }

    func testBadNumbersInCSV() {
        assertError("baseline.csv:2: filled: 'lots' is not a number; write a plain decimal such as 0.25 or 1200", in: fixture) {
            try fixture.load(csv: ("North,care_worker,1000", "North,care_worker,lots"))
        }
        assertError("baseline.csv:2: filled: -1000 is negative; staff in post must be >= 0", in: fixture) {
            try fixture.load(csv: ("North,care_worker,1000", "North,care_worker,-1000"))
        }
        assertError("baseline.csv:3: the row has 3 fields but the header has 4; every row needs one value per column", in: fixture) {
            try fixture.load(csv: ("North,senior,100,5", "North,senior,100"))
        }
    }

    func testCycleInTheUnitTree() {
        assertError("scenario.yaml:6: units: the parents form a cycle: North -> England -> North; the units must form a tree", in: fixture) {
            try fixture.load(yaml: ("  - {name: South, parent: England}", "  - {name: South, parent: England}\n  - {name: England, parent: North}"))
        }
    }

    func testHorizonBeforeStart() {
        assertError("scenario.yaml:3: horizon: 2023-03 is before start 2024-04; the horizon is the last simulated month and must be on or after start", in: fixture) {
            try fixture.load(yaml: ("horizon: 2026-03", "horizon: 2023-03"))
        }
        assertError("scenario.yaml:2: start: '2024-13' is not a month; write YYYY-MM, for example 2024-04", in: fixture) {
            try fixture.load(yaml: ("start: 2024-04", "start: 2024-13"))
        }
    }

    func testMissingFiles() {
        assertError("scenario.yaml:11: baseline.file: 'nowhere.csv' does not exist (looked for nowhere.csv); paths are relative to the file that names them", in: fixture) {
            try fixture.load(yaml: ("{file: baseline.csv}", "{file: nowhere.csv}"))
        }
        XCTAssertThrowsError(try ScenarioLoader.load(path: fixture.directory + "/absent.yaml")) { error in
            XCTAssertEqual((error as? ScenarioError)?.message, "no such file")
        }
    }

    func testMalformedYAML() {
        assertError("scenario.yaml:10: malformed YAML: did not find expected ',' or '}' (while parsing a flow mapping at line 9)", in: fixture) {
            try fixture.load(yaml: ("{turnover: 0.3, time_to_fill: 2}", "{turnover: 0.3, time_to_fill: 2"))
        }
        assertError("scenario.yaml:4: roles: duplicate key; each key may appear once in a mapping", in: fixture) {
            try fixture.load(yaml: ("paths: 20\n", "roles: {}\nroles: {}\n"))
        }
    }

    func testUnknownRoleInProgrammeAndProgression() {
        assertError("scenario.yaml:15: programmes.l2.to: unknown role 'care_wroker'; did you mean 'care_worker'? Valid: care_worker, senior.", in: fixture) {
            try fixture.load(yaml: ("{to: care_worker, duration", "{to: care_wroker, duration"))
        }
        assertError("scenario.yaml:13: progression.care_worker.seniro: unknown role 'seniro'; did you mean 'senior'? Valid: care_worker, senior.", in: fixture) {
            try fixture.load(yaml: ("care_worker: {senior: 0.05}", "care_worker: {seniro: 0.05}"))
        }
    }

    func testAliasBombFailsFast() {
        var yaml = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
        for i in 1...9 { yaml += "a\(i): &a\(i) [" + Array(repeating: "*a\(i - 1)", count: 10).joined(separator: ", ") + "]\n" }
        let path = fixture.write("bomb.yaml", yaml)
        let started = Date()
        XCTAssertThrowsError(try ScenarioLoader.load(path: path)) { error in
            XCTAssertEqual((error as? ScenarioError)?.line, 2, "\(error)")
            XCTAssert((error as? ScenarioError)?.message.hasPrefix("YAML aliases (*name) are not allowed") == true, "\(error)")
        }
        XCTAssertLessThan(Date().timeIntervalSince(started), 10)
    }
}
