import Foundation
import XCTest

/// Hostile and broken input, interruptions and full disks, from the command line.
final class RobustnessTests: CLITests {
    static let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Corpus/bad")

    /// Every case in Tests/Corpus/bad: `validate` and `run` exit 1 with exactly the expected
    /// message (file, line, field, what is valid), and `run` leaves no output file.
    func testEveryBrokenInputGetsItsExactMessage() throws {
        let cases = try FileManager.default.contentsOfDirectory(atPath: RobustnessTests.corpus.path).sorted()
        XCTAssertGreaterThanOrEqual(cases.count, 40)
        for name in cases {
            let dir = RobustnessTests.corpus.appendingPathComponent(name)
            let expected = try String(contentsOf: dir.appendingPathComponent("expected.txt"), encoding: .utf8)
            let started = Date()
            let (status, _, stderr) = try workforce(["validate", "scenario.yaml"], in: dir.path)
            XCTAssertEqual(status, 1, name)
            XCTAssertEqual(stderr, "error: " + expected, name)
            XCTAssertLessThan(Date().timeIntervalSince(started), 10, "\(name) must fail fast")
            let out = directory + "/\(name).csv"
            let (runStatus, _, _) = try workforce(["run", "scenario.yaml", "--paths", "3", "--out", out], in: dir.path)
            XCTAssertEqual(runStatus, 1, name)
            XCTAssertFalse(FileManager.default.fileExists(atPath: out), name)
        }
    }

    /// An error when standard error cannot be written (a full disk behind it) still exits 1,
    /// where writing the message used to stop the process.
    func testAnUnwritableStandardErrorIsNoCrash() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["validate", "s.yaml", "--set", "roles.senior.turnover=2"]
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        process.standardOutput = FileHandle.nullDevice
        process.standardError = try XCTUnwrap(FileHandle(forWritingAtPath: "/dev/full"))
        try process.run()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationReason, .exit)
        XCTAssertEqual(process.terminationStatus, 1)
    }

    /// Inputs that are finite but too large to compute with (a pay of 1e308) would give inf in
    /// the CSV: the run is refused, naming the first unit, role and period that overflowed,
    /// and an existing output stays as it was.
    func testResultsThatOverflowAreRefused() throws {
        write("o.csv", "old\n")
        let runs: [(arguments: [String], scenario: String)] = [
            (["run", "s.yaml", "--set", "roles.senior.pay=1e308"], "cli"),
            (["compare", "s.yaml", "s.yaml", "--set", "roles.senior.pay=1e308"], "cli - cli"),
            (["sweep", "s.yaml", "--vary", "roles.senior.pay=100,1e308"], "cli roles.senior.pay=1e308"),
        ]
        for (arguments, scenario) in runs {
            let (status, _, stderr) = try workforce(arguments + ["--paths", "5", "--out", "o.csv"])
            XCTAssertEqual(status, 1, arguments[0])
            XCTAssertEqual(stderr, "error: the results of '\(scenario)' overflowed: pay_bill of 'A', senior, 2024/25 is not a finite number, so an input is too large to compute with (look at that area's staff, pay, mix, training starts and demand growth and events); no output was written\n", arguments[0])
            XCTAssertEqual(read("o.csv"), "old\n", arguments[0])
        }
    }

    /// Settings that would silently change nothing are refused: `extends` from the command
    /// line, and a synthetic scenario too large for its baseline table.
    func testSettingsThatCannotTakeEffectAreRefused() throws {
        let (s1, _, e1) = try workforce(["validate", "s.yaml", "--set", "extends=other.yaml"])
        XCTAssertEqual(s1, 1)
        XCTAssertEqual(e1, "error: --set: extends: cannot be set here: a scenario's chain of files is read before any change applies; write a what-if file whose extends: names this scenario\n")
        let (s2, _, e2) = try workforce(["synth", "--units", "100000000000", "--regions", "2", "--roles", "3", "--programmes", "2", "--out", "huge"])
        XCTAssertEqual(s2, 64)
        XCTAssert(e2.hasPrefix("Error: --units must be from 1 to 100000\n"), e2)
        XCTAssertFalse(FileManager.default.fileExists(atPath: directory + "/huge"))
    }

    func testA200MegabyteFileIsRefusedWithoutReadingIt() throws {
        let path = directory + "/huge.yaml"
        XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: nil))
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try handle.truncate(atOffset: 200 << 20)  // sparse: no disk used
        try handle.close()
        let (status, _, stderr) = try workforce(["validate", "huge.yaml"])
        XCTAssertEqual(status, 1)
        XCTAssertEqual(stderr, "error: huge.yaml: the file is 200 MiB; scenario files over 16 MiB are refused (put large tables in CSV files)\n")
    }

    /// SIGINT and SIGTERM during a run: exit 128 + signal, a message, no output, and an existing
    /// output file untouched.
    func testInterruptedRunsLeaveNoOutput() throws {
        try workforce(["synth", "--units", "60", "--regions", "3", "--roles", "6", "--programmes", "2", "--out", "big"])
        for (signal, code) in [(SIGINT, Int32(130)), (SIGTERM, Int32(143))] {
            write("keep.csv", "precious\n")
            let process = Process()
            process.executableURL = URL(fileURLWithPath: binary)
            process.arguments = ["run", "big/scenario.yaml", "--paths", "20000", "--out", "keep.csv"]
            process.currentDirectoryURL = URL(fileURLWithPath: directory)
            let err = Pipe()
            process.standardError = err
            process.standardOutput = Pipe()
            try process.run()
            Thread.sleep(forTimeInterval: 1.0)
            XCTAssertTrue(process.isRunning, "the run finished before it could be interrupted")
            kill(process.processIdentifier, signal)
            process.waitUntilExit()
            XCTAssertEqual(process.terminationStatus, code)
            let message = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            XCTAssert(message.hasSuffix("workforce: interrupted; no output was written\n"), message)
            XCTAssertEqual(read("keep.csv"), "precious\n")
            let leftovers = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.contains(".tmp-") }
            XCTAssertEqual(leftovers, [])
        }
    }

    /// Extreme but valid inputs give finite, non-negative numbers.
    func testExtremeValidInputsStayFiniteAndNonNegative() throws {
        write("extreme.yaml", """
            start: 2024-04
            horizon: 2026-03
            units:
              - {name: Tiny, parent: All}
              - {name: Huge, parent: All}
            roles:
              a: {turnover: 0.999, time_to_fill: 0.01}
              b: {turnover: 0, time_to_fill: 10000}
            baseline:
              - {unit: Tiny, role: a, filled: 0, vacancies: 0}
              - {unit: Tiny, role: b, filled: 0, vacancies: 0}
              - {unit: Huge, role: a, filled: 1000000000, vacancies: 5}
              - {unit: Huge, role: b, filled: 1, vacancies: 1000000000}
            progression:
              a: {b: 0.999}
            programmes:
              p: {to: a, from: b, duration: 1, completion: 1, starts: 1000000000}
            demand:
              growth: 0.5

            """)
        for noise in ["none", "binomial"] {
            let (status, csv, stderr) = try workforce(["run", "extreme.yaml", "--paths", "20", "--set", "noise=\(noise)"])
            XCTAssertEqual(status, 0, stderr)
            for line in csv.split(separator: "\n").dropFirst() {
                for field in line.split(separator: ",").dropFirst(7) {
                    let x = try XCTUnwrap(Double(field), String(line))
                    XCTAssert(x.isFinite && x >= 0, "\(noise): \(line)")
                }
            }
        }
    }
}
