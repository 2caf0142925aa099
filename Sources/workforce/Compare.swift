import ArgumentParser
import WorkforceCore
import WorkforceScenario
import WorkforceWriters

struct Compare: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Report what-if minus base, path by path, for each what-if.",
        discussion: "Both scenarios run on the same paths with the same seed, so they share their random numbers wherever they share a parameter: the interval of the difference shows the effect of the change, not sampling noise. The scenario column reads 'WHATIF - BASE'.")

    @Argument(help: "The base scenario, then one or more what-ifs.")
    var scenarios: [String]

    @OptionGroup var load: LoadOptions
    @OptionGroup var simulation: SimulationFlags
    @OptionGroup var output: OutputOptions

    @Flag(help: "Give each what-if a different seed (seed + 1), to see how much wider an unpaired comparison is.")
    var unpaired = false

    func validate() throws {
        if scenarios.count < 2 { throw ValidationError("give a base scenario and at least one what-if") }
    }

    func run() throws {
        try reportingErrors {
            let settings = try simulation.apply(to: load.settings())
            let loaded = try scenarios.map { try ScenarioLoader.read(path: $0, settings: settings) }
            let base = loaded[0].model
            for whatIf in loaded.dropFirst() where !unpaired && !simulation.deterministic && whatIf.model.seed != base.seed {
                throw ComparisonError(message: "'\(whatIf.model.name)' cannot be compared with '\(base.name)': the seeds differ (\(whatIf.model.seed) in the what-if, \(base.seed) in the base), so the two would not share their random numbers; remove the what-if's seed, give --seed, or pass --unpaired")
            }
            try simulation.checkMemory(base, models: 2)
            var csv = ""
            try simulation.simulate { options in
                for (i, whatIf) in loaded.dropFirst().enumerated() {
                    var model = whatIf.model
                    if unpaired { model.seed = base.seed &+ 1 }
                    let table = try Simulator.compare(base: base, whatIf: model, options: options)
                    try table.checkFinite()
                    var csvOptions = try output.csvOptions(for: table)
                    csvOptions.header = i == 0
                    csv += CSVWriter.string(table, options: csvOptions, threads: options.threads)
                }
            }
            var inputs: [String] = []
            for l in loaded { for f in l.inputs where !inputs.contains(f) { inputs.append(f) } }
            try output.write(csv, models: loaded.map(\.model), inputs: inputs, deterministic: simulation.deterministic)
        }
    }
}
