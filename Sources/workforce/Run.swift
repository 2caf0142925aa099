import ArgumentParser
import Dispatch
import Foundation
import Synchronization
import WorkforceCore
import WorkforceScenario
import WorkforceWriters

struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the projection and write the CSV.",
        discussion: "Writes to standard output unless --out is given. The output file is written atomically: a failed or interrupted run leaves no file and never overwrites a good one.")

    @OptionGroup var scenario: ScenarioOptions

    @Option(help: "Monte Carlo paths (default: the scenario's, else 1000).")
    var paths: Int?

    @Option(help: "Random seed (default: the scenario's, else 1).")
    var seed: UInt64?

    @Option(help: "Quantiles to report, in percent, comma-separated (e.g. 5,25,50,75,95).")
    var quantiles: String?

    @Option(help: "Worker threads (default: all cores). The output does not depend on it.")
    var threads: Int?

    @Flag(help: "Expected-value run: one path, distributions at their means, no noise.")
    var deterministic = false

    @Option(help: "Write the CSV to this file instead of standard output.")
    var out: String?

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

    func run() throws {
        try reportingErrors {
            var settings = try scenario.settings()
            settings.paths = paths
            settings.seed = seed
            settings.quantiles = try parsedQuantiles()
            let model = try ScenarioLoader.load(path: scenario.scenario, settings: settings)
            SignalCleanup.install()
            let progress = ProgressLine()
            var options = SimulationOptions(threads: threads ?? ProcessInfo.processInfo.activeProcessorCount,
                                            deterministic: deterministic)
            if let progress {
                options.progress = { @Sendable fraction in progress.update(fraction) }
            }
            let table = Simulator.run(model, options: options)
            progress?.finish()
            let csv = CSVWriter.string(table)
            if let out {
                try AtomicFile.write(csv, to: out)
            } else {
                FileHandle.standardOutput.write(Data(csv.utf8))
            }
        }
    }
}

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
