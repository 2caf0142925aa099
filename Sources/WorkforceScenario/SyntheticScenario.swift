import Foundation
import WorkforceCore

/// A valid, realistic synthetic scenario of any size, for benchmarking and testing at scale:
/// units under regions under England, roles with turnover and vacancy rates in the ranges Skills
/// for Care publishes, a progression ladder, apprenticeship-like programmes, demand driven by a
/// population table with an uncertain elasticity, and uncertainty on turnover and completion.
/// The same parameters and seed always give the same files.
public struct SyntheticScenario: Sendable {
    public var units: Int
    public var regions: Int
    public var roles: Int
    public var programmes: Int
    public var seed: UInt64
    public var paths = 1000
    public var noise: Noise = .none
    public var start = Month(year: 2024, month: 4)
    public var horizon = Month(year: 2030, month: 12)

    public init(units: Int, regions: Int, roles: Int, programmes: Int, seed: UInt64 = 1) {
        self.units = units
        self.regions = regions
        self.roles = roles
        self.programmes = programmes
        self.seed = seed
    }

    /// Why these sizes cannot make a scenario, or nil.
    public var problem: String? {
        if units < 1 || units > 100_000 { return "--units must be from 1 to 100000" }
        if regions < 1 || regions > units { return "--regions must be from 1 to the number of units" }
        if roles < 1 || roles > 200 { return "--roles must be from 1 to 200" }
        if programmes < 0 || programmes > 50 { return "--programmes must be from 0 to 50" }
        if programmes > 0 && roles < 2 { return "programmes need at least 2 roles" }
        if units * roles > 1_000_000 { return "--units times --roles must be at most 1000000 (the rows of baseline.csv)" }
        return nil
    }

    /// Role templates: name, share of posts, annual turnover, vacancy rate, months to fill, pay.
    static let roleTemplates: [(String, Double, Double, Double, Double, Double)] = [
        ("care_worker", 0.50, 0.30, 0.095, 3.5, 23_500),
        ("senior_care_worker", 0.07, 0.16, 0.06, 4.0, 26_500),
        ("registered_nurse", 0.03, 0.28, 0.11, 4.5, 39_000),
        ("manager", 0.07, 0.17, 0.04, 3.0, 36_000),
        ("social_worker", 0.02, 0.16, 0.07, 4.0, 38_000),
        ("occupational_therapist", 0.01, 0.12, 0.08, 4.5, 36_000),
        ("activities_worker", 0.05, 0.25, 0.05, 2.5, 22_000),
        ("other", 0.25, 0.22, 0.04, 2.0, 22_500),
    ]

    var roleNames: [String] {
        (0..<roles).map { $0 < SyntheticScenario.roleTemplates.count ? SyntheticScenario.roleTemplates[$0].0 : "role_\($0 + 1)" }
    }

    /// File name -> contents: `scenario.yaml`, `units.csv`, `baseline.csv`, `population.csv`.
    public func files() -> [(name: String, text: String)] {
        let key = streamKey(seed: seed, unitHash: stableHash("synthetic"))
        var counter = 0
        func uniform() -> Double {
            counter += 1
            var s = RandomStream(key: key, what: 0, month: 0, path: counter)
            return s.uniform()
        }
        let names = roleNames
        func template(_ r: Int) -> (String, Double, Double, Double, Double, Double) {
            r < SyntheticScenario.roleTemplates.count ? SyntheticScenario.roleTemplates[r]
                : ("role_\(r + 1)", 0.02, 0.2, 0.06, 3, 25_000)
        }
        let shareTotal = (0..<roles).map { template($0).1 }.reduce(0, +)
        let unitNames = (0..<units).map { String(format: "Unit %05d", $0 + 1) }
        let regionNames = (0..<regions).map { "Region \($0 + 1)" }

        var unitsCSV = "unit,parent\n"
        for r in regionNames { unitsCSV += "\(r),England\n" }
        for (i, u) in unitNames.enumerated() { unitsCSV += "\(u),\(regionNames[i % regions])\n" }

        var baseline = "unit,role,filled,vacancies,time_to_fill\n"
        var population = "unit,year,population\n"
        for u in unitNames {
            // Posts per unit: lognormal around 5,000 (councils range from about 1,000 to 30,000).
            let posts = Distribution(kind: .lognormal, a: 5000, b: 3300).quantile(uniform())
            for r in 0..<roles {
                let t = template(r)
                let established = (posts * t.1 / shareTotal * (0.8 + 0.4 * uniform())).rounded()
                let vacancies = (established * t.3 * (0.7 + 0.6 * uniform())).rounded()
                let fill = t.4 * (0.8 + 0.4 * uniform())
                baseline += "\(u),\(names[r]),\(Int(established - vacancies)),\(Int(vacancies)),\(rounded(fill))\n"
            }
            // 65+ population, thousands: grows 1.5% to 3% a year.
            let p2020 = posts / 40 * (0.9 + 0.2 * uniform())
            let g = 0.015 + 0.015 * uniform()
            for year in stride(from: 2020, through: 2035, by: 5) {
                population += "\(u),\(year),\(rounded(p2020 * pow(1 + g, Double(year - 2020))))\n"
            }
        }

        var yaml = """
            # Synthetic scenario: \(units) units under \(regions) regions, \(roles) roles, \(programmes) programmes, seed \(seed).
            # Made by `workforce synth`; the figures are realistic in range, not real.
            name: synthetic-\(units)u-\(regions)r-\(roles)x-\(programmes)p
            start: \(start)
            horizon: \(horizon)
            paths: \(paths)
            seed: \(seed)
            noise: \(noise.rawValue)
            levels: [country, region, unit]
            units: {file: units.csv}
            baseline: {file: baseline.csv}
            roles:

            """
        for r in 0..<roles {
            let t = template(r)
            // Turnover differs by unit and is uncertain: a triangular draw per unit and path
            // (triangular, whose quantile is closed-form, keeps a draw per unit cheap).
            yaml += "  \(names[r]): {turnover: {dist: triangular, min: \(rounded(0.8 * t.2)), mode: \(rounded(t.2)), max: \(rounded(1.2 * t.2)), scope: unit}, retained_in_sector: 0.1, pay: \(Int(t.5))}\n"
        }
        if roles >= 2 {
            // The care ladder: care worker -> senior care worker (3% a year) -> manager (4%).
            yaml += "progression:\n  \(names[0]): {\(names[1]): 0.03}\n"
            if roles >= 4 { yaml += "  \(names[1]): {\(names[3]): 0.04}\n" }
        }
        if programmes > 0 {
            yaml += "programmes:\n"
            let templates: [(String, Int?, Int, Int, Double, Double)] = [
                ("care_l2", nil, 0, 12, 0.55, 40),
                ("lead_care_l3", 0, 1, 16, 0.6, 15),
                ("nursing_degree", nil, 2, 48, 0.75, 3),
                ("social_work_degree", nil, 4, 36, 0.8, 2),
            ]
            for a in 0..<programmes {
                var t = templates[a % templates.count]
                let to = Swift.min(t.2, roles - 1)
                let from = t.1.map { Swift.min($0, roles - 1) }.flatMap { $0 == to ? nil : $0 }
                t.0 += a >= templates.count ? "_\(a / templates.count + 1)" : ""
                yaml += "  \(t.0):\n    to: \(names[to])\n    from: \(from.map { names[$0] } ?? "external")\n"
                yaml += "    duration: \(t.3)\n"
                yaml += "    completion: {dist: beta, mean: \(t.4), sd: 0.05, scope: path}\n"
                yaml += "    starts: \(Int(t.5))\n"
            }
        }
        yaml += """
            demand:
              growth:
                population: {file: population.csv}
                elasticity: {dist: triangular, min: 0.7, mode: 1.0, max: 1.3, scope: path}

            """
        return [("scenario.yaml", yaml), ("units.csv", unitsCSV), ("baseline.csv", baseline), ("population.csv", population)]
    }

    private func rounded(_ x: Double) -> String {
        let r = (x * 10_000).rounded() / 10_000
        return r == r.rounded() ? String(Int(r)) : String(r)
    }
}

