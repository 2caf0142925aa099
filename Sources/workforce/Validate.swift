import ArgumentParser
import WorkforceCore
import WorkforceScenario
import WorkforceWriters

struct Validate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check a scenario and print a summary of what was read.")

    @OptionGroup var scenario: ScenarioOptions

    func run() throws {
        try reportingErrors {
            let model = try ScenarioLoader.load(path: scenario.scenario, settings: try scenario.load.settings())
            try writeStandardOutput(summary(model) + "\n")
        }
    }

    func summary(_ model: Model) -> String {
        let leaves = model.leaves.count
        let levels = Set(model.areas.map(\.level)).count
        var filled = 0.0, vacancies = 0.0
        for leaf in model.leaves { for r in leaf.roles { filled += r.filled; vacancies += r.vacancies } }
        let uncertain = model.leaves.first.map { leaf in
            leaf.roles.contains(where: \.isUncertain) || leaf.growth.isRandom || leaf.elasticity.isRandom
                || leaf.programmes.contains { $0.completion.isRandom || $0.starts.isRandom }
                || leaf.progression.contains { $0.rate.isRandom }
        } ?? false
        var lines = [
            "\(scenario.scenario): ok",
            "  scenario    \(model.name)",
            "  calendar    \(model.timeline.start) to \(model.timeline.horizon), \(model.timeline.months) months, \(model.timeline.periods.count) \(model.timeline.periodKind.rawValue) periods",
            "  units       \(leaves) simulated, \(model.areas.count - leaves) parents, \(levels) levels",
            "  roles       \(model.roles.joined(separator: ", "))",
            "  programmes  \(model.programmes.isEmpty ? "none" : model.programmes.map(\.name).joined(separator: ", "))",
            "  baseline    \(CSVWriter.number(filled.rounded())) staff in post, \(CSVWriter.number(vacancies.rounded())) vacancies (\(String(format: "%.1f", filled + vacancies > 0 ? 100 * vacancies / (filled + vacancies) : 0))%)",
            "  paths       \(model.paths), seed \(model.seed), noise \(model.noise.rawValue), \(uncertain ? "with" : "no") uncertain parameters",
        ]
        if !model.hasPay { lines.append("  pay         not given (no pay_bill)") }
        return lines.joined(separator: "\n")
    }
}

extension RoleParameters {
    /// Whether any of the role's parameters is drawn from a distribution.
    var isUncertain: Bool {
        [turnover, retainedInSector, timeToFill, internationalShare, mix].contains { $0.isRandom }
            || (internationalCap?.isRandom ?? false) || (pay?.isRandom ?? false)
    }
}
