import Foundation
import XCTest
import WorkforceCore
@testable import WorkforceScenario

/// `extends` and `--set`: what-ifs written as small changes to a baseline.
final class WhatIfTests: XCTestCase {
    var fixture: ScenarioFixture!

    override func setUp() {
        fixture = ScenarioFixture()
        fixture.write("base/baseline.csv", ScenarioFixture.baseline)
        fixture.write("base/scenario.yaml", ScenarioFixture.valid + """
            overrides:
              South:
                roles:
                  care_worker: {turnover: {dist: beta, mean: 0.3, sd: 0.02}}

            """)
    }

    override func tearDown() { fixture.remove() }

    func testExtendsMergesDeeplyAndKeepsPathsRelativeToTheBase() throws {
        let path = fixture.write("whatifs/faster.yaml", """
            extends: ../base/scenario.yaml
            name: faster
            roles:
              care_worker: {time_to_fill: 1.5}
            programmes:
              l2: {starts: {2024/25: 100, 2026/27: 300, 2025/26: 200}}
            overrides:
              South:
                roles:
                  care_worker: {turnover: {schedule: [[2024-04, 0.3], [2026-04, 0.24]], interpolate: linear}}

            """)
        let m = try ScenarioLoader.load(path: path)
        XCTAssertEqual(m.name, "faster")
        XCTAssertEqual(m.leaves[0].roles[0].timeToFill.constantValue, 1.5)
        XCTAssertEqual(m.leaves[0].roles[0].turnover.constantValue, 0.3, "kept from the base")
        XCTAssertEqual(m.leaves[1].roles[0].filled, 2000, "the base's CSV, found next to the base")
        // A year table added in any order is sorted; a schedule replaces a distribution whole.
        XCTAssertEqual(m.leaves[0].programmes[0].starts.points.map { $0.from?.description }, ["2024-04", "2025-04", "2026-04"])
        XCTAssertEqual(m.leaves[1].roles[0].turnover.interpolation, .linear)
        XCTAssertFalse(m.leaves[1].roles[0].turnover.isRandom)
        let loaded = try ScenarioLoader.read(path: path)
        XCTAssertEqual(loaded.inputs.map { ($0 as NSString).lastPathComponent }, ["faster.yaml", "scenario.yaml", "baseline.csv"])
    }

    func testListsOfNamedItemsMergeByName() throws {
        let path = fixture.write("more.yaml", """
            extends: base/scenario.yaml
            units:
              - {name: South, parent: Wessex}
              - {name: West, parent: Wessex}
            baseline: {file: more.csv}

            """)
        fixture.write("more.csv", ScenarioFixture.baseline + "West,care_worker,10,1\nWest,senior,1,0\n")
        let m = try ScenarioLoader.load(path: path)
        XCTAssertEqual(m.areas.map(\.name), ["North", "South", "West", "England", "Wessex"])
        XCTAssertEqual(m.areas[1].parent, 4)
    }

    func testExtendsCyclesNameTheFiles() {
        fixture.write("a.yaml", "extends: b.yaml\n")
        fixture.write("b.yaml", "extends: a.yaml\n")
        assertError("b.yaml:1: extends: 'a.yaml' is already in the chain a.yaml -> b.yaml -> a.yaml; extends must not form a cycle", in: fixture) {
            try ScenarioLoader.load(path: fixture.directory + "/a.yaml")
        }
        fixture.write("c.yaml", "extends: missing.yaml\n")
        assertError("c.yaml:1: extends: 'missing.yaml' does not exist (looked for missing.yaml)", in: fixture) {
            try ScenarioLoader.load(path: fixture.directory + "/c.yaml")
        }
    }

    func testSetChangesAnyPathIncludingPerUnitOverridesAndDistributions() throws {
        let path = fixture.directory + "/base/scenario.yaml"
        let settings = ScenarioLoader.Settings(assignments: [
            try Assignment(parsing: "roles.care_worker.turnover=0.22"),
            try Assignment(parsing: "overrides.North.growth={2024/25: 0.01, 2025/26: 0.03}"),
            try Assignment(parsing: "roles.senior.turnover={dist: triangular, min: 0.1, mode: 0.15, max: 0.2}"),
            try Assignment(parsing: "overrides.\"South\".roles.care_worker.turnover=0.35"),
        ])
        let m = try ScenarioLoader.load(path: path, settings: settings)
        XCTAssertEqual(m.leaves[0].roles[0].turnover.constantValue, 0.22)
        XCTAssertEqual(m.leaves[1].roles[0].turnover.constantValue, 0.35)
        XCTAssertEqual(m.leaves[0].growth.points.count, 2)
        XCTAssertEqual(m.leaves[1].growth.constantValue, 0.02)
        XCTAssertTrue(m.leaves[0].roles[1].turnover.isRandom)
    }

    func testSetErrorsSuggestTheIntendedPath() throws {
        let path = fixture.directory + "/base/scenario.yaml"
        func load(_ text: String) throws -> Model {
            try ScenarioLoader.load(path: path, settings: .init(assignments: [try Assignment(parsing: text)]))
        }
        assertError("--set: roles.care_wroker: no 'care_wroker' in the scenario; did you mean 'care_worker'? Valid: care_worker, senior.", in: fixture) {
            try load("roles.care_wroker.turnover=0.2")
        }
        assertError("--set: roles.care_worker.turnovr: unknown key 'turnovr'; did you mean 'turnover'? Valid: turnover, retained_in_sector, time_to_fill, international_share, international_cap, pay, mix.", in: fixture) {
            try load("roles.care_worker.turnovr=0.2")
        }
        assertError("--set: roles.care_worker.turnover: 1.5 is out of range; it must be in [0, 1)", in: fixture) {
            try load("roles.care_worker.turnover=1.5")
        }
        fixture.write("base/baseline.csv", ScenarioFixture.baseline.replacingOccurrences(of: "vacancies\n", with: "vacancies,time_to_fill\n")
            .replacingOccurrences(of: "50\n", with: "50,2\n").replacingOccurrences(of: "5\n", with: "5,2\n")
            .replacingOccurrences(of: "80\n", with: "80,2\n").replacingOccurrences(of: "10\n", with: "10,2\n"))
        assertError("--set: roles.care_worker.time_to_fill: has no effect: every unit sets time_to_fill for care_worker in the baseline table, whose per-unit values take precedence; change the table, or use overrides.UNIT.roles... only where the table leaves it empty", in: fixture) {
            try load("roles.care_worker.time_to_fill=3")
        }
        assertError("--set: roles.care_worker.turnover: expected PATH=VALUE, for example roles.care_worker.turnover=0.22", in: fixture) {
            try load("roles.care_worker.turnover")
        }
    }
}
