import ArgumentParser
import WorkforceScenario

struct Schema: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schema",
        abstract: "Print the JSON Schema of scenario files (for editor completion and checking).",
        discussion: "The schema is made from the same key lists the loader checks against; Scenarios/scenario.schema.json is a copy of it.")

    func run() throws {
        try reportingErrors { try writeStandardOutput(ScenarioSchema.json()) }
    }
}
