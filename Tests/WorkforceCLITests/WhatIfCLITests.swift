import Foundation
import XCTest

/// The what-if workflow from the command line: compare, sweep, output options, manifests.
final class WhatIfCLITests: CLITests {
    /// Data rows split into fields (RFC 4180 quotes respected).
    func rows(_ csv: String) -> [[String]] {
        csv.split(separator: "\n").dropFirst().map { line in
            var fields: [String] = [], current = "", quoted = false
            for c in line {
                if c == "\"" { quoted.toggle() } else if c == "," && !quoted { fields.append(current); current = "" } else { current.append(c) }
            }
            return fields + [current]
        }
    }

    /// p95 - p05 of one row.
    func width(_ csv: String, area: String, role: String, period: String, metric: String) throws -> Double {
        let row = try XCTUnwrap(rows(csv).first { $0[2] == area && $0[3] == role && $0[4] == period && $0[6] == metric })
        return Double(row[13])! - Double(row[9])!
    }

    /// Demand growth drawn per unit moves vacancies a lot on every path; a turnover cut changes
    /// them by a similar amount on each. Paired, the spread of the difference is the spread of
    /// the effect; unpaired, it is the spread of two independent outcomes.
    func testPairedDifferencesAreMuchNarrowerThanUnpairedOnes() throws {
        write("p.yaml", """
            name: pair
            start: 2024-04
            horizon: 2027-03
            paths: 300
            units:
              - {name: A, parent: R}
              - {name: B, parent: R}
            roles:
              carer: {turnover: 0.3, time_to_fill: 3}
            baseline:
              - {unit: A, role: carer, filled: 9000, vacancies: 600}
              - {unit: B, role: carer, filled: 4000, vacancies: 300}
            demand:
              growth: {dist: normal, mean: 0.03, sd: 0.03, min: -0.05, max: 0.1, scope: unit}

            """)
        write("q.yaml", "extends: p.yaml\nname: retain\nroles:\n  carer: {turnover: 0.27}\n")
        for noise in ["none", "binomial"] {
            let (status, paired, stderr) = try workforce(["compare", "p.yaml", "q.yaml", "--set", "noise=\(noise)"])
            XCTAssertEqual(status, 0, stderr)
            XCTAssert(paired.contains("\nretain - pair,level1,R,all,2026/27,12,vacancies,"), paired)
            let (_, unpaired, _) = try workforce(["compare", "p.yaml", "q.yaml", "--set", "noise=\(noise)", "--unpaired"])
            let p = try width(paired, area: "R", role: "all", period: "2026/27", metric: "vacancies")
            let u = try width(unpaired, area: "R", role: "all", period: "2026/27", metric: "vacancies")
            XCTAssertGreaterThan(p, 0)
            XCTAssertLessThan(p, 0.1 * u, "\(noise): paired \(p), unpaired \(u)")
            // Lower turnover lowers vacancies on every path.
            let row = try XCTUnwrap(rows(paired).first { $0[2] == "R" && $0[3] == "all" && $0[4] == "2026/27" && $0[6] == "vacancies" })
            XCTAssertLessThan(Double(row[13])!, 0)
        }
    }

    func testComparingScenariosOfDifferentShapesIsAnError() throws {
        let (status, _, stderr) = try workforce(["compare", "s.yaml", "s.yaml", "--paths", "5", "--set", "horizon=2026-03"])
        XCTAssertEqual(status, 0, stderr)
        write("short.yaml", "extends: s.yaml\nname: short\nhorizon: 2026-03\n")
        let (s2, _, e2) = try workforce(["compare", "s.yaml", "short.yaml", "--paths", "5"])
        XCTAssertEqual(s2, 1)
        XCTAssertEqual(e2, "error: 'short' cannot be compared with 'cli': the calendar differs; a what-if must keep its base's units, roles, calendar and paths\n")
    }

    /// A what-if with its own seed would not share its base's random numbers: refused unless
    /// --seed makes them one, --unpaired asks for that, or --deterministic draws nothing. A
    /// different list of roles or units is named.
    func testComparingScenariosWithDifferentSeedsOrNamesIsAnError() throws {
        write("seeded.yaml", "extends: s.yaml\nname: seeded\nseed: 6\n")
        let (s1, out1, e1) = try workforce(["compare", "s.yaml", "seeded.yaml", "--paths", "5"])
        XCTAssertEqual(s1, 1)
        XCTAssertEqual(out1, "")
        XCTAssertEqual(e1, "error: 'seeded' cannot be compared with 'cli': the seeds differ (6 in the what-if, 5 in the base), so the two would not share their random numbers; remove the what-if's seed, give --seed, or pass --unpaired\n")
        for extra in [["--seed", "7"], ["--unpaired"], ["--deterministic"]] {
            let (status, csv, stderr) = try workforce(["compare", "s.yaml", "seeded.yaml", "--paths", "5"] + extra)
            XCTAssertEqual(status, 0, "\(extra): \(stderr)")
            XCTAssert(csv.contains("\nseeded - cli,level1,R,all,"), "\(extra)")
        }
        write("renamed.yaml", try XCTUnwrap(read("s.yaml")).replacingOccurrences(of: "senior", with: "lead")
            .replacingOccurrences(of: "name: cli", with: "name: renamed"))
        let (s2, _, e2) = try workforce(["compare", "s.yaml", "renamed.yaml", "--paths", "5"])
        XCTAssertEqual(s2, 1)
        XCTAssertEqual(e2, "error: 'renamed' cannot be compared with 'cli': the roles differ (only in the base: 'senior'; only in the what-if: 'lead'); a what-if must keep its base's units, roles, calendar and paths\n")
    }

    func testSweepRunsTheProductOrTheZipIntoOneCSV() throws {
        let (status, csv, stderr) = try workforce(["sweep", "s.yaml", "--paths", "20", "--metrics", "vacancy_rate",
                                                   "--vary", "roles.carer.time_to_fill=1.5,3",
                                                   "--vary", "demand.growth=0.01,{dist: uniform, min: 0, max: 0.04}"])
        XCTAssertEqual(status, 0, stderr)
        let names = Set(rows(csv).map { $0[0] })
        XCTAssertEqual(names.count, 4, "\(names)")
        XCTAssert(names.contains("cli roles.carer.time_to_fill=1.5 demand.growth=0.01"), "\(names)")
        XCTAssertEqual(csv.components(separatedBy: "scenario,level").count, 2, "one header")
        XCTAssertEqual(Set(rows(csv).map { $0[6] }), ["vacancy_rate"])
        let (_, zipped, _) = try workforce(["sweep", "s.yaml", "--paths", "20", "--zip", "--levels", "level1",
                                            "--vary", "roles.carer.time_to_fill=1.5,3", "--vary", "seed=1,2"])
        XCTAssertEqual(Set(rows(zipped).map { $0[0] }), ["cli roles.carer.time_to_fill=1.5 seed=1", "cli roles.carer.time_to_fill=3 seed=2"])
        XCTAssertEqual(Set(rows(zipped).map { $0[1] }), ["level1"])
        let (bad, _, e) = try workforce(["sweep", "s.yaml", "--zip", "--vary", "seed=1,2", "--vary", "paths=3"])
        XCTAssertEqual(bad, 64)
        XCTAssert(e.contains("--zip needs lists of the same length"), e)
    }

    func testWideFormatPutsPeriodsInColumns() throws {
        let (status, csv, _) = try workforce(["run", "s.yaml", "--paths", "10", "--format", "wide", "--roles", "all", "--metrics", "staff_in_post,vacancies"])
        XCTAssertEqual(status, 0)
        let lines = csv.split(separator: "\n")
        XCTAssertEqual(lines[0], "scenario,level,area,role,metric,statistic,2024/25,2025/26,2026/27")
        // 5 areas x 2 metrics x 7 statistics.
        XCTAssertEqual(lines.count - 1, 5 * 2 * 7)
        XCTAssert(lines.contains { $0.hasPrefix("cli,level2,A,all,vacancies,p95,") })
        let (s2, _, e2) = try workforce(["run", "s.yaml", "--paths", "10", "--roles", "carers"])
        XCTAssertEqual(s2, 1)
        XCTAssertEqual(e2, "error: --roles: unknown role 'carers'; valid: carer, senior, all\n")
    }

    func testManifestRecordsInputsAndOutputWithHashes() throws {
        write("base.csv", "unit,role,filled,vacancies\nA,carer,900,60\n")
        let (status, _, stderr) = try workforce(["run", "s.yaml", "--paths", "10", "--seed", "9", "--out", "out.csv", "--manifest"])
        XCTAssertEqual(status, 0, stderr)
        let data = try XCTUnwrap(read("out.csv.manifest.json")?.data(using: .utf8))
        let manifest = try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
        XCTAssertEqual(manifest["seed"] as? Int, 9)
        XCTAssertEqual(manifest["paths"] as? Int, 10)
        XCTAssertEqual((manifest["command"] as? [String])?.dropFirst().first, "run")
        let inputs = try XCTUnwrap(manifest["inputs"] as? [[String: Any]])
        XCTAssertEqual(inputs.map { $0["path"] as? String }, ["s.yaml"])
        XCTAssertEqual((inputs[0]["sha256"] as? String)?.count, 64)
        let output = try XCTUnwrap(manifest["output"] as? [String: Any])
        XCTAssertEqual(output["bytes"] as? Int, read("out.csv")?.utf8.count)
        // The arithmetic: what picks the maths library's and OpenBLAS's code, and so the last bits.
        let arithmetic = try XCTUnwrap(manifest["arithmetic"] as? [String: Any])
        let blas = try XCTUnwrap(arithmetic["blas"] as? String)
        XCTAssert(blas.contains("OpenBLAS"), blas)
        #if os(Linux)
        XCTAssert((arithmetic["libc"] as? String)?.hasPrefix("glibc ") == true, "\(arithmetic)")
        XCTAssertNotNil(arithmetic["processorFeatures"] as? [String])
        #endif
        // An override of OpenBLAS's choice is recorded, and so are the kernels it then chose:
        // Prescott's, which need only SSE3 and are no processor's own choice today. (An OpenBLAS
        // built for one processor has no choice to override.)
        if blas.contains("DYNAMIC_ARCH") {
            let overridden = ["OPENBLAS_CORETYPE": "Prescott", "GLIBC_TUNABLES": "glibc.cpu.hwcaps=-FMA"]
            XCTAssertEqual(try workforce(["run", "s.yaml", "--paths", "10", "--seed", "9", "--out", "out.csv", "--manifest"],
                                         environment: overridden).0, 0)
            let record = try XCTUnwrap(JSONSerialization.jsonObject(with: XCTUnwrap(read("out.csv.manifest.json")?.data(using: .utf8)))
                as? [String: Any])
            let recorded = try XCTUnwrap(record["arithmetic"] as? [String: Any])
            XCTAssertEqual(recorded["environment"] as? [String: String], overridden)
            XCTAssertEqual((recorded["blasCore"] as? String)?.lowercased(), "prescott")
        }
        let (s2, _, e2) = try workforce(["run", "s.yaml", "--manifest"])
        XCTAssertEqual(s2, 64)
        XCTAssert(e2.contains("--manifest needs --out"), e2)
        // A manifest that cannot be written leaves the CSV and manifest of the earlier run.
        let before = (read("out.csv"), read("out.csv.manifest.json"))
        try FileManager.default.removeItem(atPath: directory + "/out.csv.manifest.json")
        try FileManager.default.createDirectory(atPath: directory + "/out.csv.manifest.json", withIntermediateDirectories: false)
        let (s3, _, e3) = try workforce(["run", "s.yaml", "--paths", "10", "--seed", "10", "--out", "out.csv", "--manifest"])
        XCTAssertEqual(s3, 1)
        XCTAssertEqual(e3, "error: out.csv.manifest.json: cannot be opened for writing: Is a directory\n")
        XCTAssertEqual(read("out.csv"), before.0)
        try FileManager.default.removeItem(atPath: directory + "/out.csv.manifest.json")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.contains(".tmp-") }, [])
        // The manifest's hash is the hash of the file beside it.
        XCTAssertEqual(try workforce(["run", "s.yaml", "--paths", "10", "--seed", "10", "--out", "out.csv", "--manifest"]).0, 0)
        XCTAssertNotEqual(read("out.csv"), before.0)
        let again = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(try XCTUnwrap(read("out.csv.manifest.json")).utf8)) as? [String: Any])
        let sum = Process(), pipe = Pipe()
        sum.executableURL = URL(fileURLWithPath: "/usr/bin/sha256sum")
        sum.arguments = [directory + "/out.csv"]
        sum.standardOutput = pipe
        try sum.run()
        let hash = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).prefix(64)
        sum.waitUntilExit()
        XCTAssertEqual((again["output"] as? [String: Any])?["sha256"] as? String, String(hash))
    }

    /// Mistakes a sweep must refuse before it writes anything: periods that differ between
    /// combinations in wide format, a path varied twice, a value listed twice.
    func testSweepRefusesAmbiguousTables() throws {
        let (s1, out1, e1) = try workforce(["sweep", "s.yaml", "--paths", "5", "--format", "wide", "--vary", "horizon=2026-03,2027-03"])
        XCTAssertEqual(s1, 1)
        XCTAssertEqual(out1, "")
        XCTAssertEqual(e1, "error: --format wide: 'horizon=2027-03' reports other periods than the first combination, so they cannot share the period columns; use --format long\n")
        let (s2, _, e2) = try workforce(["sweep", "s.yaml", "--vary", "seed=1,2", "--vary", "seed=3"])
        XCTAssertEqual(s2, 64)
        XCTAssert(e2.contains("--vary seed is given twice; list all its values in one --vary"), e2)
        let seeds = (1...40).map(String.init).joined(separator: ","), paths = (1...30).map(String.init).joined(separator: ",")
        let (s5, _, e5) = try workforce(["sweep", "s.yaml", "--vary", "seed=\(seeds)", "--vary", "paths=\(paths)"])
        XCTAssertEqual(s5, 64)
        XCTAssert(e5.contains("--vary lists make more than 1000 runs (40 for seed x 30 for paths); a sweep makes at most 1000: split it into several, or use --zip"), e5)
        let (s3, _, e3) = try workforce(["sweep", "s.yaml", "--vary", "seed=1,1"])
        XCTAssertEqual(s3, 64)
        XCTAssert(e3.contains("--vary seed lists '1' twice"), e3)
        let (s4, _, e4) = try workforce(["sweep", "s.yaml", "--paths", "5", "--vary", "roles.carr.turnover=0.2"])
        XCTAssertEqual(s4, 1)
        XCTAssert(e4.hasPrefix("error: --vary: roles.carr: no 'carr' in the scenario; did you mean 'carer'?"), e4)
    }

    /// The output never replaces an input; a manifest left from an earlier run is removed when
    /// its CSV is replaced without --manifest; a metric that is not reported is an error.
    func testOutputGuards() throws {
        let (s1, _, e1) = try workforce(["run", "s.yaml", "--paths", "5", "--out", "s.yaml"])
        XCTAssertEqual(s1, 1)
        XCTAssertEqual(e1, "error: s.yaml: is an input of the run (s.yaml); write the output to another file\n")
        XCTAssert(read("s.yaml")?.contains("name: cli") ?? false)
        XCTAssertEqual(try workforce(["run", "s.yaml", "--paths", "5", "--out", "o.csv", "--manifest"]).0, 0)
        XCTAssertNotNil(read("o.csv.manifest.json"))
        XCTAssertEqual(try workforce(["run", "s.yaml", "--paths", "5", "--seed", "2", "--out", "o.csv"]).0, 0)
        XCTAssertNil(read("o.csv.manifest.json"))
        write("nopay.yaml", try XCTUnwrap(read("s.yaml")).replacingOccurrences(of: ", pay: 30000", with: ""))
        let (s2, _, e2) = try workforce(["run", "nopay.yaml", "--paths", "5", "--metrics", "pay_bill"])
        XCTAssertEqual(s2, 1)
        XCTAssert(e2.hasPrefix("error: --metrics: 'pay_bill' is not in the output: no role gives pay;"), e2)
    }

    func testSchemaCommandMatchesTheShippedSchema() throws {
        let (status, schema, _) = try workforce(["schema"])
        XCTAssertEqual(status, 0)
        let shipped = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Scenarios/scenario.schema.json")
        XCTAssertEqual(schema, try String(contentsOf: shipped, encoding: .utf8),
                       "Scenarios/scenario.schema.json is out of date: regenerate it with 'workforce schema'")
        let object = try JSONSerialization.jsonObject(with: Data(schema.utf8)) as? [String: Any]
        let properties = try XCTUnwrap(object?["properties"] as? [String: Any])
        XCTAssertEqual(Set(properties.keys), ["name", "description", "start", "horizon", "periods", "paths", "seed", "noise", "quantiles", "levels", "units", "roles", "baseline", "progression", "programmes", "demand", "overrides", "extends"])
    }
}
