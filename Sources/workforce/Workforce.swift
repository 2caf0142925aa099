import ArgumentParser
import Dispatch
import Foundation
import WorkforceCore
import WorkforceScenario
import WorkforceWriters
#if canImport(Glibc)
import Glibc
#endif

@main
struct Workforce: ParsableCommand {
    static let version = "0.1.0"

    static let configuration = CommandConfiguration(
        commandName: "workforce",
        abstract: "Project workforce demand and supply under scenario files.",
        discussion: "Runs Monte Carlo projections of the workforce pipeline (turnover, vacancies, recruitment, training, progression) and writes a tidy CSV.",
        version: version,
        subcommands: [Run.self, Sweep.self, Compare.self, Validate.self, Resolve.self, Schema.self, Synth.self]
    )
    // Each subcommand names itself in its configuration: left out, ArgumentParser derives every
    // subcommand's name from its type with String(describing:) on each start (a few ms).

    static func main() {
        // OpenBLAS's threads spin from the moment the library is loaded; stop them first.
        Kernels.singleThreadedBLAS()
        // Dispatch starts its worker threads on first use. Woken here, one is up by the time the
        // run's first parallel loop starts, instead of arriving part way through it (on a run
        // of W1, a worker took none of the shared draws' tasks, 3 ms of work).
        DispatchQueue.global().async {}
        main(nil)
    }
}

/// Options shared by the commands that read a scenario.
struct ScenarioOptions: ParsableArguments {
    @Argument(help: "The scenario YAML file.")
    var scenario: String

    @OptionGroup var load: LoadOptions
}

/// How a scenario is read: calendar overrides and `--set` changes.
struct LoadOptions: ParsableArguments {
    @Option(help: "Override the scenario's start month (YYYY-MM).")
    var start: String?

    @Option(help: "Override the last simulated month (YYYY-MM).")
    var horizon: String?

    @Option(help: "Reporting periods: financial, calendar or monthly.")
    var periods: PeriodKind?

    @Option(name: .customLong("set"), help: ArgumentHelp("Change a parameter: PATH=VALUE, e.g. roles.care_worker.turnover=0.22 (repeatable; VALUE is YAML, so a distribution or schedule works too).", valueName: "path=value"))
    var assignments: [String] = []

    /// Checked here, not only in `settings()`, so that the message comes with the usage of the
    /// command given rather than of `workforce` as a whole.
    func validate() throws {
        _ = try months()
    }

    private func months() throws -> (start: Month?, horizon: Month?) {
        var out: (start: Month?, horizon: Month?) = (nil, nil)
        if let start {
            guard let m = Month(parsing: start) else { throw ValidationError("--start '\(start)' is not a month; write YYYY-MM, for example 2024-04") }
            out.start = m
        }
        if let horizon {
            guard let m = Month(parsing: horizon) else { throw ValidationError("--horizon '\(horizon)' is not a month; write YYYY-MM, for example 2030-12") }
            out.horizon = m
        }
        return out
    }

    func settings() throws -> ScenarioLoader.Settings {
        var s = ScenarioLoader.Settings()
        (s.start, s.horizon) = try months()
        s.periods = periods
        s.assignments = try assignments.map { try Assignment(parsing: $0) }
        return s
    }
}

extension PeriodKind: ExpressibleByArgument {}

/// Runs `body`, turning input and output errors into a message on standard error and exit 1.
func reportingErrors(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch let error as ScenarioError {
        printError("error: \(error)")
        throw ExitCode(1)
    } catch let error as OutputError {
        printError("error: \(error)")
        throw ExitCode(1)
    } catch let error as ComparisonError {
        printError("error: \(error)")
        throw ExitCode(1)
    } catch let error as OverflowError {
        printError("error: \(error)")
        throw ExitCode(1)
    }
}

/// Writes `text` to standard output (file descriptor 1, unbuffered), so that a full disk is an
/// error with a message (exit 1), never a crash or a silent success. (A pipe whose reader has
/// gone ends the process with SIGPIPE, as for other command-line tools: `run | head`.)
func writeStandardOutput(_ text: String) throws {
    if let failure = AtomicFile.writeAll(text, to: 1) {
        throw OutputError(file: "standard output", message: "cannot write: \(failure)")
    }
}

func printError(_ message: String) {
    var stderr = StandardError()
    print(message, to: &stderr)
}

/// Standard error (file descriptor 2). A message that cannot be written (stderr closed, or a
/// full disk behind it) is dropped: the exit status still tells what happened, where
/// FileHandle's `write` stopped the process. (A pipe whose reader has gone raises SIGPIPE.)
struct StandardError: TextOutputStream {
    mutating func write(_ string: String) { _ = AtomicFile.writeAll(string, to: 2) }
}
