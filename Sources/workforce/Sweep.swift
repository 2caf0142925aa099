import ArgumentParser
import Foundation
import WorkforceCore
import WorkforceScenario
import WorkforceWriters

struct Sweep: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sweep",
        abstract: "Run a scenario over combinations of parameter values into one CSV.",
        discussion: "Each --vary PATH=V1,V2,... lists values for one parameter path (as in --set; a value holding a comma is written in brackets or braces, e.g. '{dist: beta, mean: 0.25, sd: 0.02}'). The combinations are the cartesian product, or with --zip the lists taken side by side. Every combination runs with the same seed, so they share their random numbers, and the scenario column names the combination.")

    @OptionGroup var scenario: ScenarioOptions
    @OptionGroup var simulation: SimulationFlags
    @OptionGroup var output: OutputOptions

    @Option(help: ArgumentHelp("A parameter path and its values: PATH=V1,V2,... (repeatable).", valueName: "path=values"))
    var vary: [String] = []

    @Flag(help: "Pair the --vary lists element by element instead of taking every combination.")
    var zip = false

    /// The most combinations one sweep runs.
    static let maximumRuns = 1_000

    func validate() throws {
        if vary.isEmpty { throw ValidationError("give at least one --vary PATH=V1,V2,...") }
        let lists = try parsedVaries()
        for (i, list) in lists.enumerated() {
            if lists[..<i].contains(where: { $0.path == list.path }) {
                throw ValidationError("--vary \(list.path) is given twice; list all its values in one --vary")
            }
            if let repeated = list.values.first(where: { v in list.values.filter { $0 == v }.count > 1 }) {
                throw ValidationError("--vary \(list.path) lists '\(repeated)' twice")
            }
        }
        if zip, Set(lists.map(\.values.count)).count > 1 {
            throw ValidationError("--zip needs lists of the same length; got \(lists.map { "\($0.path): \($0.values.count)" }.joined(separator: ", "))")
        }
        // Every combination's table is held until the CSV is written, so a sweep is bounded.
        let runs = zip ? lists[0].values.count : lists.reduce(1) { Swift.min($0 * $1.values.count, Sweep.maximumRuns + 1) }
        if runs > Sweep.maximumRuns {
            throw ValidationError("--vary lists make more than \(Sweep.maximumRuns) runs (\(lists.map { "\($0.values.count) for \($0.path)" }.joined(separator: " x "))); a sweep makes at most \(Sweep.maximumRuns): split it into several\(zip ? "" : ", or use --zip")")
        }
    }

    func parsedVaries() throws -> [(path: String, values: [String])] {
        try vary.map { text in
            guard let eq = text.firstIndex(of: "="), eq != text.startIndex else {
                throw ValidationError("--vary '\(text)': expected PATH=V1,V2,...")
            }
            let values = SweepValues.split(String(text[text.index(after: eq)...]))
            guard !values.isEmpty, !values.contains(where: \.isEmpty) else {
                throw ValidationError("--vary '\(text)': give one or more values separated by commas")
            }
            return (String(text[..<eq]), values)
        }
    }

    func run() throws {
        try reportingErrors {
            let lists = try parsedVaries()
            let combinations = zip ? SweepValues.zipped(lists.map(\.values)) : SweepValues.product(lists.map(\.values))
            let base = try simulation.apply(to: scenario.load.settings())
            var csv = ""
            var models: [Model] = []
            var inputs: [String] = []
            try simulation.simulate { options in
                for (n, combination) in combinations.enumerated() {
                    var settings = base
                    let texts = zip2(lists.map(\.path), combination).map { "\($0)=\($1)" }
                    settings.assignments += try texts.map { try Assignment(parsing: $0, origin: "--vary") }
                    let loaded = try ScenarioLoader.read(path: scenario.scenario, settings: settings)
                    var model = loaded.model
                    try simulation.checkMemory(model)
                    model.name = ([model.name] + texts).joined(separator: " ")
                    let table = Simulator.run(model, options: options)
                    try table.checkFinite()
                    if output.format == .wide, let first = models.first, first.timeline.periods != model.timeline.periods {
                        throw OutputError(file: "--format wide", message: "'\(texts.joined(separator: " "))' reports other periods than the first combination, so they cannot share the period columns; use --format long")
                    }
                    var csvOptions = try output.csvOptions(for: table)
                    csvOptions.header = n == 0
                    csv += CSVWriter.string(table, options: csvOptions, threads: options.threads)
                    models.append(model)
                    for f in loaded.inputs where !inputs.contains(f) { inputs.append(f) }
                }
            }
            try output.write(csv, models: models, inputs: inputs, deterministic: simulation.deterministic)
        }
    }
}

private func zip2<A, B>(_ a: [A], _ b: [B]) -> Zip2Sequence<[A], [B]> { Swift.zip(a, b) }

/// Splitting and combining the value lists of a sweep.
enum SweepValues {
    /// Splits on commas that are not inside brackets or braces.
    static func split(_ text: String) -> [String] {
        var out: [String] = []
        var current = ""
        var depth = 0
        for c in text {
            switch c {
            case "[", "{": depth += 1; current.append(c)
            case "]", "}": depth -= 1; current.append(c)
            case "," where depth == 0: out.append(current.trimmingCharacters(in: .whitespaces)); current = ""
            default: current.append(c)
            }
        }
        out.append(current.trimmingCharacters(in: .whitespaces))
        return out
    }

    /// Every combination, the last list varying fastest.
    static func product(_ lists: [[String]]) -> [[String]] {
        lists.reduce([[]]) { partial, list in partial.flatMap { p in list.map { p + [$0] } } }
    }

    static func zipped(_ lists: [[String]]) -> [[String]] {
        (0..<(lists.first?.count ?? 0)).map { i in lists.map { $0[i] } }
    }
}
