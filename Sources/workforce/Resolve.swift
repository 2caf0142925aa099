import ArgumentParser
import WorkforceScenario
import WorkforceWriters

struct Resolve: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resolve",
        abstract: "Print the fully resolved model (every default and override applied).")

    @OptionGroup var scenario: ScenarioOptions

    @Flag(help: "Print JSON (the only format at present).")
    var json = false

    func run() throws {
        try reportingErrors {
            let model = try ScenarioLoader.load(path: scenario.scenario, settings: try scenario.load.settings())
            try writeStandardOutput(try ResolvedJSON.string(model))
        }
    }
}
