import Foundation
import XCTest

/// Runs the built `workforce` binary as a user would.
class CLITests: XCTestCase {
    var directory: String!

    override func setUp() {
        directory = NSTemporaryDirectory() + "workforce-cli-\(UUID().uuidString)"
        try! FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        write("s.yaml", """
            name: cli
            start: 2024-04
            horizon: 2027-03
            paths: 150
            seed: 5
            noise: binomial
            units:
              - {name: A, parent: R}
              - {name: B, parent: R}
              - {name: C, parent: S}
            roles:
              carer:
                turnover: {dist: beta, mean: 0.3, sd: 0.04, scope: unit}
                time_to_fill: 2
                international_share: {schedule: [[2024-04, 0.2], [2025-07, 0]]}
              senior: {turnover: 0.15, time_to_fill: 3, pay: 30000}
            baseline:
              - {unit: A, role: carer, filled: 900, vacancies: 60}
              - {unit: A, role: senior, filled: 90, vacancies: 4}
              - {unit: B, role: carer, filled: 400, vacancies: 30}
              - {unit: B, role: senior, filled: 40, vacancies: 1}
              - {unit: C, role: carer, filled: 700, vacancies: 20}
              - {unit: C, role: senior, filled: 60, vacancies: 2}
            progression:
              carer: {senior: 0.04}
            programmes:
              up: {from: carer, to: senior, duration: 16, completion: {dist: triangular, min: 0.4, mode: 0.6, max: 0.7}, starts: 24}
            demand:
              growth: {dist: normal, mean: 0.02, sd: 0.01, min: -0.02, max: 0.06, scope: year}

            """)
    }

    override func tearDown() { try? FileManager.default.removeItem(atPath: directory) }

    @discardableResult
    func write(_ name: String, _ text: String) -> String {
        let path = directory + "/" + name
        try! text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func read(_ name: String) -> String? {
        try? String(contentsOfFile: directory + "/" + name, encoding: .utf8)
    }

    /// (exit status, standard output, standard error)
    /// The built `workforce` binary, next to the test bundle.
    var binary: String {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("workforce").path
    }

    /// Runs the tool with `arguments`, in `workingDirectory` (default: the test's directory),
    /// with `environment` added to this process's; returns its status, output and errors.
    @discardableResult
    func workforce(_ arguments: [String], in workingDirectory: String? = nil,
                   standardOutput: FileHandle? = nil, environment: [String: String] = [:]) throws -> (Int32, String, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        process.currentDirectoryURL = URL(fileURLWithPath: workingDirectory ?? directory)
        let out = Pipe(), err = Pipe()
        process.standardOutput = standardOutput ?? out
        process.standardError = err
        try process.run()
        if standardOutput != nil { try out.fileHandleForWriting.close() }
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: outData, as: UTF8.self), String(decoding: errData, as: UTF8.self))
    }

    func testRunWritesTheSameBytesForAnyThreadCountAndRepeatedRuns() throws {
        XCTAssertEqual(try workforce(["run", "s.yaml", "--threads", "1", "--out", "one.csv"]).0, 0)
        XCTAssertEqual(try workforce(["run", "s.yaml", "--threads", "2", "--out", "two.csv"]).0, 0)
        let (status, stdout, _) = try workforce(["run", "s.yaml", "--threads", "2"])
        XCTAssertEqual(status, 0)
        let one = try XCTUnwrap(read("one.csv"))
        XCTAssertEqual(one, read("two.csv"))
        XCTAssertEqual(one, stdout)
        let lines = one.split(separator: "\n")
        XCTAssertEqual(lines[0], "scenario,level,area,role,period,months,metric,mean,sd,p05,p25,p50,p75,p95")
        // 5 areas (A, B, C and parents R, S), 3 role rows, 3 financial years, 15 metrics.
        XCTAssertEqual(lines.count - 1, 5 * 3 * 3 * 15)
        XCTAssert(lines.contains { $0.hasPrefix("cli,level1,R,all,2026/27,12,vacancy_rate,") })
        // A different seed changes the numbers.
        try workforce(["run", "s.yaml", "--seed", "6", "--out", "other.csv"])
        XCTAssertNotEqual(one, read("other.csv"))
    }

    func testDeterministicRunHasNoSpread() throws {
        let (status, stdout, _) = try workforce(["run", "s.yaml", "--deterministic", "--periods", "calendar"])
        XCTAssertEqual(status, 0)
        for line in stdout.split(separator: "\n").dropFirst() {
            let fields = line.split(separator: ",")
            XCTAssertEqual(fields[8], "0", String(line))               // sd
            XCTAssertEqual(fields[7], fields[11], String(line))        // mean = median
        }
        XCTAssert(stdout.contains(",2024,9,"))                         // a partial calendar year
    }

    func testAFailedRunLeavesAnExistingOutputUntouched() throws {
        write("good.csv", "precious\n")
        write("bad.yaml", "start: 2024-04\nroles: {carer: {turnover: 2}}\n")
        let (status, _, stderr) = try workforce(["run", "bad.yaml", "--out", "good.csv"])
        XCTAssertEqual(status, 1)
        XCTAssertEqual(stderr, "error: bad.yaml:2: roles.carer.turnover: 2 is out of range; it must be in [0, 1)\n")
        XCTAssertEqual(read("good.csv"), "precious\n")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.contains(".tmp-") }
        XCTAssertEqual(leftovers, [])
    }

    func testAFullDiskIsReportedAndLeavesNothing() throws {
        guard FileManager.default.fileExists(atPath: "/dev/full") else { throw XCTSkip("no /dev/full") }
        let (status, _, stderr) = try workforce(["run", "s.yaml", "--paths", "10", "--out", "/dev/full"])
        XCTAssertEqual(status, 1)
        XCTAssertEqual(stderr, "error: /dev/full: could not be written (No space left on device)\n")
    }

    /// Standard output on a full disk: a message and exit 1 from every command that prints.
    func testAFullStandardOutputIsReported() throws {
        guard let full = FileHandle(forWritingAtPath: "/dev/full") else { throw XCTSkip("no /dev/full") }
        for arguments in [["run", "s.yaml", "--paths", "10"], ["validate", "s.yaml"], ["resolve", "s.yaml", "--json"], ["schema"]] {
            let (status, _, stderr) = try workforce(arguments, standardOutput: full)
            XCTAssertEqual(status, 1, arguments.joined(separator: " "))
            XCTAssertEqual(stderr, "error: standard output: cannot write: No space left on device\n", arguments.joined(separator: " "))
        }
    }

    /// 10,000,000 paths of the test scenario in monthly periods need about 225 GiB of per-path
    /// values (one unit and one of its two roots R and S at a time): refused up front with the
    /// figure, not killed part way by the system.
    func testARunThatCannotFitInMemoryIsRefused() throws {
        guard ProcessInfo.processInfo.physicalMemory < 200 << 30 else { throw XCTSkip("this machine has room for the run") }
        let (status, stdout, stderr) = try workforce(["run", "s.yaml", "--paths", "10000000", "--periods", "monthly"])
        XCTAssertEqual(status, 1)
        XCTAssertEqual(stdout, "")
        XCTAssert(stderr.hasPrefix("error: --paths: 10000000 paths need about 225.3 GiB for the per-path values of 1 parent area held at once and a block of units, more than "), stderr)
        // Under a limit of the process's address space (ulimit -v), the limit is what counts
        // (or a cgroup's, where that is lower still).
        // With many threads, their stacks and malloc arenas count too (46,000 paths on 64
        // threads passed the check and then failed to allocate).
        for arguments in ["--paths 100000", "--paths 46000 --threads 64"] {
            let shell = Process(), err = Pipe()
            shell.executableURL = URL(fileURLWithPath: "/bin/sh")
            shell.arguments = ["-c", "ulimit -v 1500000 && exec \"$0\" run s.yaml --periods monthly \(arguments)", binary]
            shell.currentDirectoryURL = URL(fileURLWithPath: directory)
            shell.standardOutput = FileHandle.nullDevice
            shell.standardError = err
            try shell.run()
            let message = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            shell.waitUntilExit()
            XCTAssertEqual(shell.terminationStatus, 1, message)
            XCTAssert(message.hasPrefix("error: --paths: "), message)
            XCTAssert(message.contains(" of address space left under this process's limit (ulimit -v); use fewer paths")
                      || message.contains("more than this process's cgroup limit of "), message)
        }
    }

    func testAnUnwritableDirectoryIsReported() throws {
        let (status, _, stderr) = try workforce(["run", "s.yaml", "--paths", "10", "--out", "missing/dir/out.csv"])
        XCTAssertEqual(status, 1)
        XCTAssertEqual(stderr, "error: missing/dir/out.csv: cannot create a file in 'missing/dir': No such file or directory\n")
    }

    func testValidateAndResolve() throws {
        let (status, stdout, _) = try workforce(["validate", "s.yaml"])
        XCTAssertEqual(status, 0)
        XCTAssert(stdout.hasPrefix("s.yaml: ok\n"), stdout)
        XCTAssert(stdout.contains("units       3 simulated, 2 parents, 2 levels"), stdout)
        let (jsonStatus, json, _) = try workforce(["resolve", "s.yaml", "--json"])
        XCTAssertEqual(jsonStatus, 0)
        let object = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]
        XCTAssertEqual(object?["format"] as? String, "workforce-resolved/1")
        let model = object?["model"] as? [String: Any]
        XCTAssertEqual(model?["roles"] as? [String], ["carer", "senior"])
        XCTAssertEqual((model?["leaves"] as? [Any])?.count, 3)
    }

    func testBadCommandLinesExitWithUsageErrors() throws {
        let (status, _, stderr) = try workforce(["run", "s.yaml", "--paths", "0"])
        XCTAssertEqual(status, 64)
        XCTAssert(stderr.contains("--paths must be from 1 to 10000000"), stderr)
        let (s2, _, e2) = try workforce(["run", "s.yaml", "--horizon", "2030-13"])
        XCTAssertEqual(s2, 64)
        XCTAssert(e2.contains("--horizon '2030-13' is not a month"), e2)
        XCTAssert(e2.contains("Usage: workforce run "), e2)  // the usage of the command given
        let (s3, _, e3) = try workforce(["run", "s.yaml", "--horizon", "2020-01"])
        XCTAssertEqual(s3, 1)
        XCTAssertEqual(e3, "error: --horizon: horizon: 2020-01 is before start 2024-04; the horizon is the last simulated month and must be on or after start\n")
        // A negative number is told the valid range, not that its value is missing.
        for (option, message) in [("--paths", "--paths must be from 1 to 10000000"), ("--threads", "--threads must be from 1 to 1024"),
                                  ("--seed", "The value '-1' is invalid for '--seed <seed>'"),
                                  ("--quantiles", "--quantiles '-1': each entry must be a percentage from 0 to 100")] {
            let (status, _, stderr) = try workforce(["run", "s.yaml", option, "-1"])
            XCTAssertEqual(status, 64, option)
            XCTAssert(stderr.contains(message), stderr)
        }
    }
}
