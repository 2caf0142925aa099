import Foundation
import XCTest
import WorkforceCore
@testable import WorkforceScenario

/// Invariants that must hold for any valid scenario, checked over generated ones of varied size
/// and shape, in both noise modes.
final class PropertyTests: XCTestCase {
    /// (model, table) for generated scenarios: 1-6 units under 1-3 regions, 1-8 roles, 0-4
    /// programmes, fluid and binomial, monthly periods over two years.
    func generated(_ body: (String, Model, SummaryTable) throws -> Void) throws {
        for seed in UInt64(1)...12 {
            let roles = 1 + Int(seed % 8)
            let units = 1 + Int(seed * 7 % 6)
            var spec = SyntheticScenario(units: units, regions: 1 + Int(seed % 3) % units, roles: roles,
                                         programmes: roles >= 2 ? Int(seed % 5) : 0, seed: seed)
            spec.paths = 24
            spec.noise = seed % 2 == 0 ? .binomial : .none
            spec.horizon = spec.start + 23
            let fixture = ScenarioFixture()
            defer { fixture.remove() }
            for (name, text) in spec.files() { fixture.write(name, text) }
            var model = try ScenarioLoader.load(path: fixture.directory + "/scenario.yaml",
                                                settings: .init(periods: .monthly))
            model.name = "seed \(seed), \(model.noise)"
            let table = Simulator.run(model, options: SimulationOptions(threads: 2))
            try body(model.name, model, table)
        }
    }

    func mean(_ t: SummaryTable, _ area: String, _ role: String?, _ period: String, _ m: Metric) -> Double {
        t.values(area: area, role: role, period: period, metric: m)![0]
    }

    /// staff(t) - staff(t-1) = hires - leavers + completions - upskilling starts + returning
    /// dropouts, for each unit's total over roles (progression moves staff between roles only).
    /// It holds on every path, so it holds for the means.
    func testStocksAndFlowsBalanceMonthByMonth() throws {
        var checked: Set<String> = []
        try generated { name, model, t in
            let upskilling = model.programmes.filter { $0.from != nil }
            // Programme flows are reported under the `to` role; separate them only where each
            // programme has a role of its own.
            let tos = model.programmes.map(\.to)
            guard Set(tos).count == tos.count else { return }
            checked.insert(name)
            for leaf in model.leaves {
                let area = model.areas[leaf.area].name
                var previous = leaf.roles.map(\.filled).reduce(0, +)
                if model.noise == .binomial { previous = leaf.roles.map { $0.filled.rounded(.toNearestOrEven) }.reduce(0, +) }
                for period in t.periods {
                    let staff = mean(t, area, nil, period.label, .staffInPost)
                    var flows = mean(t, area, nil, period.label, .hires) - mean(t, area, nil, period.label, .leavers)
                        + mean(t, area, nil, period.label, .completions)
                    for p in upskilling {
                        let role = model.roles[p.to]
                        flows -= mean(t, area, role, period.label, .starts)
                        if p.dropoutsReturn { flows += mean(t, area, role, period.label, .dropouts) }
                    }
                    XCTAssertEqual(staff - previous, flows, accuracy: 1e-7 * Swift.max(1, staff), "\(name) \(area) \(period.label)")
                    previous = staff
                }
            }
        }
        XCTAssertGreaterThanOrEqual(checked.count, 8, "\(checked)")
        XCTAssert(checked.contains { $0.hasSuffix("binomial") } && checked.contains { $0.hasSuffix("none") })
    }

    func testStocksAreNonNegativeAndRatesInRange() throws {
        try generated { name, _, t in
            for i in 0..<t.rowCount {
                let row = t.row(i)
                let v = t.values(i)
                XCTAssert(v.allSatisfy(\.isFinite), "\(name) \(row)")
                switch row.metric {
                case .vacancyRate:
                    XCTAssert(v.dropFirst(2).allSatisfy { $0 >= 0 && $0 <= 1 }, "\(name) \(row) \(v)")
                case .progressionIn, .progressionOut, .turnoverRate:
                    XCTAssert(v.dropFirst(2).allSatisfy { $0 >= 0 }, "\(name) \(row) \(v)")
                default:
                    XCTAssert(v.dropFirst(2).allSatisfy { $0 >= -1e-9 }, "\(name) \(row) \(v)")
                }
            }
        }
    }

    /// Totals are sums per path, so their means are sums of the parts' means (up to rounding):
    /// over roles for `all`, and over child areas for every parent.
    func testMeansOfTotalsAddUp() throws {
        try generated { name, model, t in
            let additive = t.metrics.filter { !$0.isRatio }
            for area in model.areas {
                for period in t.periods.prefix(3) {
                    for m in additive {
                        let all = mean(t, area.name, nil, period.label, m)
                        let byRole = model.roles.map { mean(t, area.name, $0, period.label, m) }.reduce(0, +)
                        XCTAssertEqual(all, byRole, accuracy: 1e-9 * Swift.max(1, abs(all)), "\(name) \(area.name) \(m)")
                        guard !area.children.isEmpty else { continue }
                        let children = area.children.map { mean(t, model.areas[$0].name, nil, period.label, m) }.reduce(0, +)
                        XCTAssertEqual(all, children, accuracy: 1e-9 * Swift.max(1, abs(all)), "\(name) \(area.name) \(m)")
                    }
                }
            }
        }
    }

    func testResultsDoNotDependOnThreadsOrRepetition() throws {
        try generated { name, model, t in
            let again = Simulator.run(model, options: SimulationOptions(threads: 2))
            let single = Simulator.run(model, options: SimulationOptions(threads: 1, blockBytes: 1))
            XCTAssertEqual(t.stats, again.stats, name)
            XCTAssertEqual(t.stats, single.stats, name)
        }
    }

    /// 10,000 units under 50 regions: the numbers stay finite and sensible, and the national
    /// total is the sum of the regions.
    func testTenThousandUnitsStayFiniteAndSensible() throws {
        var spec = SyntheticScenario(units: 10_000, regions: 50, roles: 8, programmes: 4, seed: 3)
        spec.horizon = spec.start + 11
        let fixture = ScenarioFixture()
        defer { fixture.remove() }
        for (name, text) in spec.files() { fixture.write(name, text) }
        let model = try ScenarioLoader.load(path: fixture.directory + "/scenario.yaml")
        XCTAssertEqual(model.leaves.count, 10_000)
        let t = Simulator.run(model, options: SimulationOptions(threads: 2, deterministic: true))
        let staff = mean(t, "England", nil, "2024/25", .staffInPost)
        let rate = mean(t, "England", nil, "2024/25", .vacancyRate)
        XCTAssert(staff.isFinite && staff > 1e7, "\(staff)")
        XCTAssert(rate > 0.02 && rate < 0.15, "\(rate)")
        let regions = (1...50).map { mean(t, "Region \($0)", nil, "2024/25", .staffInPost) }.reduce(0, +)
        XCTAssertEqual(staff, regions, accuracy: 1e-9 * staff)
        for i in 0..<t.rowCount { XCTAssert(t.values(i).allSatisfy { $0.isFinite && $0 >= -1e-9 }) }
    }
}
