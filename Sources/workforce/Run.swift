import ArgumentParser
import Dispatch
import Foundation
import Synchronization
import WorkforceCore
import WorkforceScenario
import WorkforceWriters

struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the projection and write the CSV.",
        discussion: "Writes to standard output unless --out is given. The output file is written atomically: a failed or interrupted run leaves no file and never overwrites a good one.")

    @OptionGroup var scenario: ScenarioOptions
    @OptionGroup var simulation: SimulationFlags
    @OptionGroup var output: OutputOptions

    func run() throws {
        try reportingErrors {
            let loaded = try ScenarioLoader.read(path: scenario.scenario, settings: try simulation.apply(to: scenario.load.settings()))
            try simulation.checkMemory(loaded.model)
            let table = simulation.simulate { options in Simulator.run(loaded.model, options: options) }
            try table.checkFinite()
            try output.write(CSVWriter.string(table, options: try output.csvOptions(for: table), threads: simulation.threadCount),
                             models: [loaded.model], inputs: loaded.inputs, deterministic: simulation.deterministic)
        }
    }
}

/// How to simulate: paths, seed, quantiles, threads, the expected-value run.
///
/// The numbers are read `.unconditional`ly, so that a negative one (`--paths -1`) is read as the
/// value and refused as such, rather than reported missing (a leading dash would otherwise read
/// as a flag).
struct SimulationFlags: ParsableArguments {
    @Option(parsing: .unconditional, help: "Monte Carlo paths (default: the scenario's, else 1000).")
    var paths: Int?

    @Option(parsing: .unconditional, help: "Random seed (default: the scenario's, else 1).")
    var seed: UInt64?

    @Option(parsing: .unconditional, help: "Quantiles to report, in percent, comma-separated (e.g. 5,25,50,75,95).")
    var quantiles: String?

    @Option(parsing: .unconditional, help: "Worker threads (default: all cores). The output does not depend on it.")
    var threads: Int?

    @Flag(help: "Expected-value run: one path, distributions at their means, no noise.")
    var deterministic = false

    func validate() throws {
        if let paths, !(1...10_000_000).contains(paths) { throw ValidationError("--paths must be from 1 to 10000000") }
        if let threads, !(1...1024).contains(threads) { throw ValidationError("--threads must be from 1 to 1024") }
        if let seed, seed > (1 << 53) { throw ValidationError("--seed must be from 0 to 9007199254740992") }
        _ = try parsedQuantiles()
    }

    func parsedQuantiles() throws -> [Double]? {
        guard let quantiles else { return nil }
        var out: [Double] = []
        for part in quantiles.split(separator: ",", omittingEmptySubsequences: false) {
            guard let q = Double(part.trimmingCharacters(in: .whitespaces)), q.isFinite, (0...100).contains(q) else {
                throw ValidationError("--quantiles '\(quantiles)': each entry must be a percentage from 0 to 100, for example 5,50,95")
            }
            guard !out.contains(q) else { throw ValidationError("--quantiles lists \(part) twice") }
            out.append(q)
        }
        return out
    }

    func apply(to settings: ScenarioLoader.Settings) throws -> ScenarioLoader.Settings {
        var s = settings
        s.paths = paths
        s.seed = seed
        s.quantiles = try parsedQuantiles()
        return s
    }

    /// Refuses a run whose per-path values would not fit in the memory it may use (see
    /// `memoryAvailable`), before it starts, instead of letting the system kill it part way.
    func checkMemory(_ model: Model, models: Int = 1) throws {
        let (needed, parents) = Simulator.memoryNeeded(model, models: models,
                                                       options: SimulationOptions(deterministic: deterministic))
        let (available, whose) = SimulationFlags.memoryAvailable(threads: threadCount)
        if UInt64(needed) > available / 10 * 9 {
            let gib = { (bytes: Double) in String(format: "%.1f GiB", bytes / Double(1 << 30)) }
            throw OutputError(file: "--paths", message: "\(model.paths) paths need about \(gib(Double(needed))) for the per-path values of \(parents) parent area\(parents == 1 ? "" : "s") held at once and a block of units, more than \(whose.replacingOccurrences(of: "{}", with: gib(Double(available)))); use fewer paths (memory grows in proportion)")
        }
    }

    /// The memory a run on `threads` threads may take, in bytes, and whose limit that is ({}
    /// for the figure): the machine's, or less where the process is limited: by the memory.max
    /// (cgroup v2) or memory.limit_in_bytes (v1) of its own cgroup or any above it (a container,
    /// a systemd unit), or by its address space (ulimit -v), less what is mapped already and
    /// what each thread will reserve (its stack and a malloc arena of 64 MiB).
    static func memoryAvailable(threads: Int) -> (bytes: UInt64, whose: String) {
        var best = (ProcessInfo.processInfo.physicalMemory, "this machine's {} of memory")
        for limit in cgroupLimits() where limit < best.0 { best = (limit, "this process's cgroup limit of {}") }
        var limit = rlimit()
        if getrlimit(__rlimit_resource_t(RLIMIT_AS.rawValue), &limit) == 0 && limit.rlim_cur != rlim_t.max,
           let statm = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8),
           let pages = statm.split(separator: " ").first.flatMap({ UInt64($0) }) {
            let arenas = Swift.min(threads, 8 * ProcessInfo.processInfo.activeProcessorCount)  // glibc's most
            let taken = pages * UInt64(sysconf(Int32(_SC_PAGESIZE))) + UInt64(threads) * (8 << 20) + UInt64(arenas) * (64 << 20)
            let allowed = UInt64(limit.rlim_cur)
            let free = allowed > taken ? allowed - taken : 0
            if free < best.0 { best = (free, "the {} of address space left under this process's limit (ulimit -v)") }
        }
        return best
    }

    /// The memory limits of this process's cgroups, from its own up to the root, as listed in
    /// /proc/self/cgroup ("0::/path" for v2, "N:memory:/path" for v1); "max" and v1's
    /// near-2^63 "unlimited" are left out.
    static func cgroupLimits() -> [UInt64] {
        guard let text = try? String(contentsOfFile: "/proc/self/cgroup", encoding: .utf8) else { return [] }
        var limits: [UInt64] = []
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
            guard parts.count == 3 else { continue }
            let (root, file): (String, String)
            if parts[0] == "0" && parts[1].isEmpty {
                (root, file) = ("/sys/fs/cgroup", "memory.max")
            } else if parts[1].split(separator: ",").contains("memory") {
                (root, file) = ("/sys/fs/cgroup/memory", "memory.limit_in_bytes")
            } else {
                continue
            }
            var path = String(parts[2])
            while true {
                if let value = try? String(contentsOfFile: root + (path == "/" ? "" : path) + "/" + file, encoding: .utf8),
                   let limit = UInt64(value.trimmingCharacters(in: .whitespacesAndNewlines)), limit < 1 << 62 {
                    limits.append(limit)
                }
                if path == "/" || path.isEmpty { break }
                path = String(path[..<(path.lastIndex(of: "/") ?? path.startIndex)])
                if path.isEmpty { path = "/" }
            }
        }
        return limits
    }

    /// --threads, else every core.
    var threadCount: Int { threads ?? ProcessInfo.processInfo.activeProcessorCount }

    /// Runs `body` with simulation options and a progress line on a terminal.
    func simulate<T>(_ body: (SimulationOptions) throws -> T) rethrows -> T {
        SignalCleanup.install()
        let progress = ProgressLine()
        var options = SimulationOptions(threads: threadCount, deterministic: deterministic)
        if let progress { options.progress = { @Sendable fraction in progress.update(fraction) } }
        defer { progress?.finish() }
        return try body(options)
    }
}

/// Where and how to write the CSV.
struct OutputOptions: ParsableArguments {
    @Option(help: "Write the CSV to this file instead of standard output.")
    var out: String?

    @Option(help: "long (one row per period) or wide (periods as columns).")
    var format: CSVWriter.Format = .long

    @Option(help: "Only these metrics, comma-separated (e.g. staff_in_post,vacancies).")
    var metrics: String?

    @Option(help: "Only these levels of the unit tree, comma-separated.")
    var levels: String?

    @Option(help: "Only these roles, comma-separated ('all' for the total over roles).")
    var roles: String?

    @Flag(help: "Also write OUT.manifest.json: version, command line, seed, paths and SHA-256 of every input and of the output.")
    var manifest = false

    func validate() throws {
        if manifest && out == nil { throw ValidationError("--manifest needs --out (the manifest is written beside the CSV)") }
        if let metrics {
            for name in list(metrics) where Metric(rawValue: name) == nil {
                throw ValidationError("--metrics: unknown metric '\(name)'; valid: \(Metric.allCases.map(\.rawValue).joined(separator: ", "))")
            }
        }
    }

    private func list(_ text: String) -> [String] {
        text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
    }

    /// Writer options, checking level and role names against the table.
    func csvOptions(for table: SummaryTable) throws -> CSVWriter.Options {
        var o = CSVWriter.Options()
        o.format = format
        o.metrics = metrics.map { Set(list($0).compactMap(Metric.init(rawValue:))) }
        for metric in o.metrics ?? [] where !table.metrics.contains(metric) {
            let reason = metric == .payBill ? "no role gives pay" : "the scenario does not report it"
            throw OutputError(file: "--metrics", message: "'\(metric.rawValue)' is not in the output: \(reason); reported: \(table.metrics.map(\.rawValue).joined(separator: ", "))")
        }
        if let levels {
            let valid = Set(table.areas.map(\.level))
            for name in list(levels) where !valid.contains(name) {
                throw OutputError(file: "--levels", message: "unknown level '\(name)'; valid: \(valid.sorted().joined(separator: ", "))")
            }
            o.levels = Set(list(levels))
        }
        if let roles {
            let valid = table.roles + ["all"]
            for name in list(roles) where !valid.contains(name) {
                throw OutputError(file: "--roles", message: "unknown role '\(name)'; valid: \(valid.joined(separator: ", "))")
            }
            o.roles = Set(list(roles))
        }
        return o
    }

    /// Writes the CSV (atomically to --out, or to standard output) and, with --manifest, the
    /// manifest beside it.
    func write(_ csv: String, models: [Model], inputs: [String], deterministic: Bool) throws {
        guard let out else {
            try writeStandardOutput(csv)
            return
        }
        let target = URL(fileURLWithPath: out).resolvingSymlinksInPath().standardized.path
        for input in inputs where URL(fileURLWithPath: input).resolvingSymlinksInPath().standardized.path == target {
            throw OutputError(file: out, message: "is an input of the run (\(input)); write the output to another file")
        }
        let manifestPath = RunManifest.path(for: out)
        guard manifest else {
            try AtomicFile.write(csv, to: out)
            // The old manifest describes the file just replaced; left behind, it would mislead.
            // (unlink removes a file or link, never a directory of that name.)
            _ = unlink(manifestPath)
            return
        }
        // Both files are written before either replaces its old one, so that a failure leaves
        // the old pair as it was.
        let record = try RunManifest(version: Workforce.version, command: CommandLine.arguments, models: models,
                                     deterministic: deterministic, inputs: inputs, output: out, outputText: csv)
        let stagedCSV = try AtomicFile.stage(csv, for: out)
        let stagedManifest: AtomicFile.Staged
        do {
            stagedManifest = try AtomicFile.stage(try record.json(), for: manifestPath)
        } catch {
            AtomicFile.discard(stagedCSV)
            throw error
        }
        do {
            try AtomicFile.commit(stagedCSV)
        } catch {
            AtomicFile.discard(stagedManifest)
            throw error
        }
        do {
            try AtomicFile.commit(stagedManifest)
        } catch {
            // The new CSV is in place; an old manifest beside it would describe another file.
            _ = unlink(manifestPath)
            let reason = (error as? OutputError)?.message ?? "\(error)"
            throw OutputError(file: manifestPath, message: "was not put in place (\(reason)), so \(out) is the new CSV without a manifest")
        }
    }
}

extension CSVWriter.Format: ExpressibleByArgument {}

/// A one-line progress display on standard error, shown only on a terminal and only once a run
/// has taken more than a second.
final class ProgressLine: Sendable {
    private let started = DispatchTime.now()
    private let state = Mutex<(shown: Bool, last: UInt64)>((false, 0))

    init?() {
        guard isatty(2) == 1 else { return nil }
    }

    func update(_ fraction: Double) {
        let now = DispatchTime.now().uptimeNanoseconds
        let elapsed = now - started.uptimeNanoseconds
        guard elapsed > 1_000_000_000 else { return }
        state.withLock { s in
            guard now - s.last > 200_000_000 else { return }
            s.last = now
            s.shown = true
            printErrorInline(String(format: "\rworkforce: %3.0f%% (%.1f s)", fraction * 100, Double(elapsed) / 1e9))
        }
    }

    func finish() {
        state.withLock { s in if s.shown { printErrorInline("\r\u{1B}[K") } }
    }
}

func printErrorInline(_ text: String) {
    var stderr = StandardError()
    stderr.write(text)
}
