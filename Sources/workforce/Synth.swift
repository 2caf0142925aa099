import ArgumentParser
import Foundation
import WorkforceCore
import WorkforceScenario
import WorkforceWriters

struct Synth: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "synth",
        abstract: "Write a synthetic scenario of any size, for benchmarking and testing at scale.",
        discussion: "Writes scenario.yaml, units.csv, baseline.csv and population.csv into the directory. The figures are realistic in range, not real. The same options always give the same files.")

    @Option(help: "Units (simulated leaves).") var units: Int
    @Option(help: "Regions the units are spread over, under one England.") var regions: Int
    @Option(help: "Roles.") var roles: Int
    @Option(help: "Training programmes.") var programmes: Int
    @Option(help: "Seed for the synthetic figures (and the scenario's seed).") var seed: UInt64 = 1
    @Option(help: "Paths the scenario asks for.") var paths: Int = 1000
    @Option(help: "none or binomial.") var noise: Noise = .none
    @Option(help: "Directory to write into (created if missing).") var out: String

    func validate() throws {
        if let problem = spec.problem { throw ValidationError(problem) }
        if !(1...10_000_000).contains(paths) { throw ValidationError("--paths must be from 1 to 10000000") }
    }

    var spec: SyntheticScenario {
        var s = SyntheticScenario(units: units, regions: regions, roles: roles, programmes: programmes, seed: seed)
        s.paths = paths
        s.noise = noise
        return s
    }

    func run() throws {
        try reportingErrors {
            do {
                try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
            } catch {
                throw OutputError(file: out, message: "cannot create the directory (\(error.localizedDescription))")
            }
            for (name, text) in spec.files() { try AtomicFile.write(text, to: out + "/" + name) }
            try writeStandardOutput("wrote \(out)/scenario.yaml (\(units) units, \(regions) regions, \(roles) roles, \(programmes) programmes)\n")
        }
    }
}

extension Noise: ExpressibleByArgument {}
