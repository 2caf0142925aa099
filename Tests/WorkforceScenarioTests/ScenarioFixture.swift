import Foundation
import XCTest
import WorkforceCore
import WorkforceScenario

/// Writes scenario files into a fresh temporary directory for one test.
struct ScenarioFixture {
    let directory: String

    init() {
        directory = NSTemporaryDirectory() + "workforce-test-\(UUID().uuidString)"
        try! FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    func remove() { try? FileManager.default.removeItem(atPath: directory) }

    @discardableResult
    func write(_ name: String, _ text: String) -> String {
        let path = directory + "/" + name
        try! FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent,
                                                 withIntermediateDirectories: true)
        try! text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// A small valid scenario; `replacing` swaps text in it to break one thing at a time.
    static let valid = """
        name: fixture
        start: 2024-04
        horizon: 2026-03
        paths: 20
        units:
          - {name: North, parent: England}
          - {name: South, parent: England}
        roles:
          care_worker: {turnover: 0.3, time_to_fill: 2}
          senior: {turnover: 0.15, time_to_fill: 3}
        baseline: {file: baseline.csv}
        progression:
          care_worker: {senior: 0.05}
        programmes:
          l2: {to: care_worker, duration: 12, completion: 0.6, starts: 100}
        demand:
          growth: 0.02

        """

    static let baseline = """
        unit,role,filled,vacancies
        North,care_worker,1000,50
        North,senior,100,5
        South,care_worker,2000,80
        South,senior,150,10

        """

    /// Writes the valid scenario with one replacement in the YAML and/or the CSV and loads it.
    func load(yaml: (String, String)? = nil, csv: (String, String)? = nil) throws -> Model {
        try load(yaml: yaml.map { [$0] } ?? [], csv: csv.map { [$0] } ?? [])
    }

    func load(yaml: [(String, String)], csv: [(String, String)] = []) throws -> Model {
        var y = ScenarioFixture.valid
        for (a, b) in yaml {
            precondition(y.contains(a), "fixture has no '\(a)'")
            y = y.replacingOccurrences(of: a, with: b)
        }
        var c = ScenarioFixture.baseline
        for (a, b) in csv {
            precondition(c.contains(a), "fixture CSV has no '\(a)'")
            c = c.replacingOccurrences(of: a, with: b)
        }
        write("baseline.csv", c)
        return try ScenarioLoader.load(path: write("scenario.yaml", y))
    }
}

extension XCTestCase {
    /// Asserts that `body` throws a ScenarioError whose message is exactly `expected`, after
    /// removing the fixture's directory from it.
    func assertError(_ expected: String, in fixture: ScenarioFixture, file: StaticString = #filePath,
                     line: UInt = #line, _ body: () throws -> Any) {
        do {
            _ = try body()
            XCTFail("no error; expected \(expected)", file: file, line: line)
        } catch let error as ScenarioError {
            XCTAssertEqual(error.description.replacingOccurrences(of: fixture.directory + "/", with: ""),
                           expected, file: file, line: line)
        } catch {
            XCTFail("unexpected error \(error)", file: file, line: line)
        }
    }
}
