import COpenBLAS
import XCTest
@testable import WorkforceCore

/// Analytic cases of MODEL.md: each has a closed form the simulation must reproduce.
final class SimulationTests: XCTestCase {
    let start = Month(year: 2024, month: 4)

    /// One unit ("U" under "All") with the given roles; monthly periods so that every month is
    /// visible in the output.
    func model(months: Int = 36, roles: [RoleParameters], names: [String]? = nil,
               progression: [Transition] = [], programmes: [Programme] = [],
               programmeParameters: [ProgrammeParameters] = [], growth: Quantity = .constant(0),
               events: [DemandEvent] = [], paths: Int = 1, noise: Noise = .none) -> Model {
        let names = names ?? roles.indices.map { "r\($0)" }
        let timeline = Timeline(start: start, horizon: start + (months - 1), periodKind: .monthly)
        let areas = [Area(name: "All", level: "total", parent: nil, children: [1]),
                     Area(name: "U", level: "unit", parent: 0, leaf: 0)]
        let leaf = Leaf(area: 1, roles: roles, progression: progression, programmes: programmeParameters,
                        growth: growth, events: events)
        return Model(name: "test", timeline: timeline, paths: paths, seed: 11, noise: noise,
                     roles: names, programmes: programmes, areas: areas, leaves: [leaf])
    }

    func role(filled: Double, vacancies: Double = 0, turnover: Double = 0, timeToFill: Double = 2,
              share: Double = 0, cap: Double? = nil) -> RoleParameters {
        RoleParameters(filled: filled, vacancies: vacancies, turnover: .constant(turnover),
                       timeToFill: .constant(timeToFill), internationalShare: .constant(share),
                       internationalCap: cap.map { .constant($0) })
    }

    /// No demand: every post is abolished, so nobody is hired.
    let noDemand = DemandEvent(role: nil, from: Month(year: 2000, month: 1), kind: .multiply, value: .constant(0))

    func mean(_ t: SummaryTable, _ step: Int, _ metric: Metric, role: String? = "r0", area: String = "U") -> Double {
        t.values(area: area, role: role, period: (start + step).description, metric: metric)!.first!
    }

    func testPureAttritionFollowsTheAnnualTurnover() {
        let m = model(roles: [role(filled: 1000, turnover: 0.3)], events: [noDemand])
        let t = Simulator.run(m)
        for step in 0..<36 {
            // Staff at the end of month `step` = F0 (1 - tau)^((step + 1) / 12).
            let expected = 1000 * pow(0.7, Double(step + 1) / 12)
            XCTAssertEqual(mean(t, step, .staffInPost), expected, accuracy: 1e-9 * expected)
        }
        // A year's leavers are F0 tau, and its turnover rate is leavers over mean staff.
        let yearLeavers = (0..<12).map { mean(t, $0, .leavers) }.reduce(0, +)
        XCTAssertEqual(yearLeavers, 300, accuracy: 1e-9)
        XCTAssertEqual(mean(t, 0, .hires), 0)
        XCTAssertEqual(mean(t, 0, .vacancies), 0)
    }

    func testRetainedLeaversCountAsLeaversAndHiresWithoutChangingStaff() {
        var r = role(filled: 1000, turnover: 0.3)
        r.retainedInSector = .constant(0.25)
        let t = Simulator.run(model(months: 12, roles: [r], events: [noDemand]))
        let h = 1 - pow(0.7, 1.0 / 12)
        XCTAssertEqual(mean(t, 0, .leavers), 1000 * h, accuracy: 1e-9)
        XCTAssertEqual(mean(t, 0, .hires), 1000 * h * 0.25, accuracy: 1e-9)
        XCTAssertEqual(mean(t, 0, .staffInPost), 1000 * (1 - h * 0.75), accuracy: 1e-9)
    }

    /// Progression drawn with a rate that differs per path: each path's movers follow its own
    /// K (the noise step reads one shared K only where every path has the same). The mean over
    /// 400 paths of the movers drawn in the first month matches the mean of mu_r F1 on the same
    /// paths in fluid mode within 2% (binomial noise in the mean is about 0.2%); movers sent
    /// with another path's K would fall short by about a quarter.
    func testProgressionRateDrawnPerPathMovesEachPathsOwnShare() {
        let rate = Quantity.random(Distribution(kind: .uniform, a: 0.05, b: 0.6, scope: .path), key: 31)
        let progression = [Transition(from: 0, to: 1, rate: rate)]
        func run(_ noise: Noise) -> (out: Double, into: Double) {
            let m = model(months: 2, roles: [role(filled: 20_000), role(filled: 100)], progression: progression,
                          events: [noDemand], paths: 400, noise: noise)
            let t = Simulator.run(m, options: SimulationOptions(threads: 2))
            return (mean(t, 0, .progressionOut, role: "r0"), mean(t, 0, .progressionIn, role: "r1"))
        }
        let fluid = run(.none), noise = run(.binomial)
        XCTAssertGreaterThan(fluid.out, 100)
        XCTAssertEqual(noise.out, fluid.out, accuracy: 0.02 * fluid.out)
        XCTAssertEqual(noise.into, noise.out)
    }

    /// Pure progression: F_t = K^t F0, checked against an eigendecomposition from LAPACK
    /// (K = V diag(lambda) V^-1), which shares nothing with the month-by-month product.
    func testPureProgressionMatchesAMatrixPower() {
        let pi01 = 0.10, pi02 = 0.05, pi12 = 0.08
        let progression = [
            Transition(from: 0, to: 1, rate: .constant(pi01)),
            Transition(from: 0, to: 2, rate: .constant(pi02)),
            Transition(from: 1, to: 2, rate: .constant(pi12)),
        ]
        let f0 = [1000.0, 300, 50]
        let m = model(months: 60, roles: f0.map { role(filled: $0) }, progression: progression, events: [noDemand])
        let t = Simulator.run(m)

        // K, column-major: K[s + r * 3] = m[r -> s], K[r + r * 3] = 1 - mu_r.
        var k = [Double](repeating: 0, count: 9)
        for (r, rates) in [[(1, pi01), (2, pi02)], [(2, pi12)], []].enumerated() {
            let total = rates.map(\.1).reduce(0, +)
            let mu = total > 0 ? 1 - pow(1 - total, 1.0 / 12) : 0
            k[r + r * 3] = 1 - mu
            for (s, rate) in rates { k[s + r * 3] = mu * rate / total }
        }
        var a = k
        var wr = [Double](repeating: 0, count: 3), wi = wr
        var vr = [Double](repeating: 0, count: 9), vl = [Double](repeating: 0, count: 1)
        XCTAssertEqual(LAPACKE_dgeev(LAPACK_COL_MAJOR, Int8(UInt8(ascii: "N")), Int8(UInt8(ascii: "V")), 3,
                                     &a, 3, &wr, &wi, &vl, 1, &vr, 3), 0)
        // Coefficients c = V^-1 F0.
        var lu = vr
        var c = f0
        var pivots = [Int32](repeating: 0, count: 3)
        XCTAssertEqual(LAPACKE_dgesv(LAPACK_COL_MAJOR, 3, 1, &lu, 3, &pivots, &c, 3), 0)
        for step in [0, 11, 35, 59] {
            let n = Double(step + 1)
            for r in 0..<3 {
                var expected = 0.0
                for j in 0..<3 { expected += vr[r + j * 3] * pow(wr[j], n) * c[j] }
                XCTAssertEqual(mean(t, step, .staffInPost, role: "r\(r)"), expected, accuracy: 1e-9 * 1000)
            }
        }
        // Progression moves staff between roles without losing anyone.
        XCTAssertEqual(mean(t, 59, .staffInPost, role: nil), 1350, accuracy: 1e-9)
        XCTAssertEqual(mean(t, 5, .progressionIn, role: nil), mean(t, 5, .progressionOut, role: nil), accuracy: 1e-9)
    }

    func testPipelineCompletesStartsTimesCompletionAfterExactlyTheDuration() {
        let programme = Programme(name: "l2", to: 0, from: nil, duration: 12)
        let parameters = ProgrammeParameters(completion: .constant(0.6), starts: .constant(1200))
        let m = model(months: 30, roles: [role(filled: 0)], programmes: [programme],
                      programmeParameters: [parameters], events: [noDemand])
        let t = Simulator.run(m)
        for step in 0..<30 {
            XCTAssertEqual(mean(t, step, .starts), 100, accuracy: 1e-9)
            // A cohort starting in month s completes in month s + 12 with survival 0.6.
            XCTAssertEqual(mean(t, step, .completions), step < 12 ? 0 : 60, accuracy: 1e-9)
        }
        // In steady state the pipeline holds sum_k 100 (1 - q)^k over 12 stages.
        let q = 1 - pow(0.6, 1.0 / 12)
        let held = (0..<12).map { 100 * pow(1 - q, Double($0)) }.reduce(0, +)
        XCTAssertEqual(mean(t, 20, .trainees), held, accuracy: 1e-9)
        XCTAssertEqual(mean(t, 29, .staffInPost), 18 * 60, accuracy: 1e-9)
    }

    /// With nearly everyone dropping out, the ring's common survival factor (1 - q)^t falls below
    /// 1e-150 within 50 months and is folded into the stages; the pipeline must hold its steady
    /// state across the folds, on every path (three paths: two in SIMD lanes, one alone).
    func testPipelineHoldsItsSteadyStateWhenTheSurvivalScaleIsFolded() {
        let programme = Programme(name: "l2", to: 0, from: nil, duration: 3)
        let parameters = ProgrammeParameters(completion: .constant(1e-9), starts: .constant(1200))
        let m = model(months: 150, roles: [role(filled: 0)], programmes: [programme],
                      programmeParameters: [parameters], events: [noDemand], paths: 3)
        let t = Simulator.run(m)
        let keep = pow(1e-9, 1.0 / 3)  // 1 - q = 0.001
        let held = 100 * (1 + keep + keep * keep)
        for step in [10, 60, 100, 149] {
            let trainees = t.values(area: "U", role: "r0", period: (start + step).description, metric: .trainees)!
            let completions = t.values(area: "U", role: "r0", period: (start + step).description, metric: .completions)!
            // The mean and every quantile over the three paths (values[1] is the sd).
            for value in [trainees[0]] + trainees.dropFirst(2) {
                XCTAssertEqual(value, held, accuracy: 1e-9 * held)
            }
            XCTAssertEqual(trainees[1], 0, accuracy: 1e-9)
            XCTAssertEqual(completions[0], 100 * keep * keep * keep, accuracy: 1e-9 * 100 * keep * keep * keep)
        }
    }

    func testVacanciesAreFilledAtTheMonthlyRate() {
        let m = model(months: 24, roles: [role(filled: 0, vacancies: 1000, timeToFill: 3)])
        let t = Simulator.run(m)
        for step in 0..<24 {
            // f = 1 - exp(-1 / t_f): vacancies after month t are V0 exp(-(t + 1) / t_f).
            let expected = 1000 * exp(-Double(step + 1) / 3)
            XCTAssertEqual(mean(t, step, .vacancies), expected, accuracy: 1e-9 * 1000)
            XCTAssertEqual(mean(t, step, .staffInPost) + mean(t, step, .vacancies), 1000, accuracy: 1e-9)
        }
    }

    func testInternationalHiresAreCappedMonthly() {
        let m = model(months: 12, roles: [role(filled: 0, vacancies: 1200, timeToFill: 1, share: 0.5, cap: 60)])
        let t = Simulator.run(m)
        let f = 1 - exp(-1.0)
        XCTAssertEqual(mean(t, 0, .internationalHires), 5)            // min(0.5 f 1200, 60 / 12)
        XCTAssertEqual(mean(t, 0, .hires), 5 + 0.5 * f * 1200, accuracy: 1e-9)  // the capped part is lost
    }

    func testDemandGrowsMonthlyAndEventsApply() {
        let events = [DemandEvent(role: 0, from: start + 6, kind: .add, value: .constant(50)),
                      DemandEvent(role: nil, from: start + 9, kind: .multiply, value: .constant(1.1))]
        let m = model(months: 12, roles: [role(filled: 900, vacancies: 100)], growth: .constant(0.05), events: events)
        let t = Simulator.run(m)
        for step in 0..<12 {
            let g = pow(1.05, Double(step + 1) / 12)
            let expected = (1000 * g + (step >= 6 ? 50 : 0)) * (step >= 9 ? 1.1 : 1)
            XCTAssertEqual(mean(t, step, .demand), expected, accuracy: 1e-9)
        }
    }

    /// Stock-flow balance every month, on one path of the binomial (integer) and fluid modes:
    /// staff(t) - staff(t-1) = hires - leavers + progression in - out + completions
    ///                         - upskilling starts + returning dropouts.
    func testStocksAndFlowsBalanceEveryMonth() {
        for noise in [Noise.none, .binomial] {
            let programmes = [Programme(name: "up", to: 1, from: 0, duration: 6),
                              Programme(name: "ext", to: 0, from: nil, duration: 3)]
            let parameters = [ProgrammeParameters(completion: .constant(0.7), starts: .constant(240)),
                              ProgrammeParameters(completion: .constant(0.9), starts: .constant(120))]
            let m = model(months: 24, roles: [role(filled: 5000, vacancies: 400, turnover: 0.3, timeToFill: 2),
                                              role(filled: 800, vacancies: 50, turnover: 0.15, timeToFill: 4)],
                          progression: [Transition(from: 0, to: 1, rate: .constant(0.05))],
                          programmes: programmes, programmeParameters: parameters,
                          growth: .constant(0.03), noise: noise)
            let t = Simulator.run(m)
            // Upskilling starts come out of r0 and its dropouts return there (dropouts_return),
            // both reported under the `to` role r1; external completions join r0.
            var previous = [5000.0, 800.0]
            for step in 0..<24 {
                var total = 0.0, previousTotal = 0.0
                for r in 0..<2 {
                    let staff = mean(t, step, .staffInPost, role: "r\(r)")
                    XCTAssertGreaterThanOrEqual(staff, 0)
                    XCTAssertGreaterThanOrEqual(mean(t, step, .vacancies, role: "r\(r)"), 0)
                    XCTAssertGreaterThanOrEqual(mean(t, step, .trainees, role: "r\(r)"), 0)
                    if noise == .binomial { XCTAssertEqual(staff, staff.rounded()) }
                    total += staff
                    previousTotal += previous[r]
                    previous[r] = staff
                }
                let flows = mean(t, step, .hires, role: nil) - mean(t, step, .leavers, role: nil)
                    + mean(t, step, .completions, role: "r0")   // external programme
                    + mean(t, step, .completions, role: "r1")   // upskilling completes into r1
                    - mean(t, step, .starts, role: "r1")        // upskilling starts leave r0
                    + mean(t, step, .dropouts, role: "r1")      // and their dropouts return
                XCTAssertEqual(total - previousTotal, flows, accuracy: 1e-7, "\(noise) month \(step)")
                XCTAssertEqual(mean(t, step, .progressionIn, role: nil), mean(t, step, .progressionOut, role: nil), accuracy: 1e-7)
            }
        }
    }

    /// Noise mode's training pipeline against its exact distribution. Each starter survives a
    /// month with probability 1 - q independently, so once the pipeline is full a month's
    /// completers are Bin(S, c) and the trainees in the ring are a sum over stages k of
    /// independent Bin(S, (1 - q)^k). Checked with few expected dropouts (the total is drawn and
    /// shared out among the stages) and with many (a binomial per stage).
    func testBinomialTrainingMatchesItsExactDistribution() {
        for monthlyStarts in [2.0, 400.0] {
            let (d, c, paths) = (12, 0.5, 4000)
            let q = 1 - pow(c, 1 / Double(d))
            let m = model(months: 20, roles: [role(filled: 0)],
                          programmes: [Programme(name: "p", to: 0, from: nil, duration: d)],
                          programmeParameters: [ProgrammeParameters(completion: .constant(c),
                                                                    starts: .constant(12 * monthlyStarts))],
                          events: [noDemand], paths: paths, noise: .binomial)
            let t = Simulator.run(m)
            let stageSurvival = (0..<d).map { pow(1 - q, Double($0)) }
            let traineeMean = stageSurvival.reduce(0) { $0 + monthlyStarts * $1 }
            let traineeSD = stageSurvival.reduce(0) { $0 + monthlyStarts * $1 * (1 - $1) }.squareRoot()
            let completionSD = (monthlyStarts * c * (1 - c)).squareRoot()
            for step in [14, 19] {
                let completions = t.values(area: "U", role: "r0", period: (start + step).description, metric: .completions)!
                let trainees = t.values(area: "U", role: "r0", period: (start + step).description, metric: .trainees)!
                let label = "starts \(monthlyStarts), month \(step)"
                // Means within 4 standard errors; sds within 5% (their sampling error is about 1.1%).
                XCTAssertEqual(completions[0], monthlyStarts * c, accuracy: 4 * completionSD / Double(paths).squareRoot(), label)
                XCTAssertEqual(trainees[0], traineeMean, accuracy: 4 * traineeSD / Double(paths).squareRoot(), label)
                XCTAssertEqual(completions[1], completionSD, accuracy: 0.05 * completionSD, label)
                XCTAssertEqual(trainees[1], traineeSD, accuracy: 0.05 * traineeSD, label)
            }
        }
    }

    func testDeterministicRunEqualsTheMeanOfAFluidRunWithoutUncertainty() {
        let m = model(months: 18, roles: [role(filled: 1000, vacancies: 80, turnover: 0.25, timeToFill: 2.5)],
                      growth: .constant(0.02), paths: 7)
        let many = Simulator.run(m)
        let one = Simulator.run(m, options: SimulationOptions(deterministic: true))
        for i in 0..<one.rowCount {
            XCTAssertEqual(many.values(i).first!, one.values(i).first!)
            XCTAssertEqual(many.values(i).dropFirst().first!, 0)  // sd: every path is the same
        }
    }

    func testOutputIsIdenticalForAnyThreadCount() {
        var r = role(filled: 2000, vacancies: 100, turnover: 0.3, timeToFill: 2)
        r.turnover = .random(Distribution(kind: .beta, a: 0.3, b: 0.03, scope: .unit), key: 5)
        let m = model(months: 24, roles: [r], growth: .random(Distribution(kind: .normal, a: 0.02, b: 0.01, scope: .year), key: 9),
                      paths: 300, noise: .binomial)
        let a = Simulator.run(m, options: SimulationOptions(threads: 1))
        let b = Simulator.run(m, options: SimulationOptions(threads: 2))
        let c = Simulator.run(m, options: SimulationOptions(threads: 2, blockBytes: 1))
        XCTAssertEqual(a.stats, b.stats)
        XCTAssertEqual(a.stats, c.stats)
        XCTAssertGreaterThan(a.values(area: "U", role: "r0", period: "2025-03", metric: .staffInPost)![1], 0)
    }

    /// The quantile of a total is the quantile of per-path sums: two units with a demand growth
    /// drawn per unit give totals that can be computed path by path from the same draws. With
    /// 130 paths the leaves reach their parent in three chunks, the last of two paths.
    func testQuantilesOfATotalAreQuantilesOfPerPathSums() {
        for paths in [9, 130] {
            let growth = Quantity.random(Distribution(kind: .uniform, a: 0, b: 0.2, scope: .unit), key: 77)
            let timeline = Timeline(start: start, horizon: start + 11, periodKind: .financial)
            let areas = [Area(name: "All", level: "total", parent: nil, children: [1, 2]),
                         Area(name: "A", level: "unit", parent: 0, leaf: 0),
                         Area(name: "B", level: "unit", parent: 0, leaf: 1)]
            let leaves = [1, 2].map { Leaf(area: $0, roles: [role(filled: 1000)], growth: growth) }
            let m = Model(name: "t", timeline: timeline, paths: paths, seed: 3, quantiles: [10, 50, 90],
                          roles: ["r0"], areas: areas, leaves: leaves)
            let t = Simulator.run(m)
            let sampler = ParameterSampler(seed: 3, deterministic: false)
            var totals: [Double] = []
            var sumOfUnitMedians = 0.0
            for unit in ["A", "B"] {
                let key = streamKey(seed: 3, unitHash: stableHash(unit))
                let demand = (0..<paths).map { 1000 * (1 + sampler.value(growth, at: start, path: $0, unitKey: key)) }
                totals = totals.isEmpty ? demand : zip(totals, demand).map(+)
                sumOfUnitMedians += quantile(demand.sorted(), 0.5)
            }
            totals.sort()
            let row = t.values(area: "All", role: nil, period: "2024/25", metric: .demand)!
            XCTAssertEqual(row[0], totals.reduce(0, +) / Double(paths), accuracy: 1e-9, "\(paths) paths")
            XCTAssertEqual(row[2], quantile(totals, 0.1), accuracy: 1e-9, "\(paths) paths")
            XCTAssertEqual(row[3], quantile(totals, 0.5), accuracy: 1e-9, "\(paths) paths")
            XCTAssertEqual(row[4], quantile(totals, 0.9), accuracy: 1e-9, "\(paths) paths")
            XCTAssertNotEqual(row[3], sumOfUnitMedians, accuracy: 1e-6)
        }
    }

    /// Leaves of two parents interleaved in unit order (X holds A, C and D; Y holds B): each
    /// parent's values are the per-path sums of its own leaves, and the root's of all four.
    func testParentsSumTheirOwnLeavesWhenLeavesInterleave() {
        let growth = Quantity.random(Distribution(kind: .uniform, a: 0, b: 0.2, scope: .unit), key: 78)
        let timeline = Timeline(start: start, horizon: start + 11, periodKind: .financial)
        let areas = [Area(name: "All", level: "total", parent: nil, children: [1, 2]),
                     Area(name: "X", level: "region", parent: 0, children: [3, 5, 6]),
                     Area(name: "Y", level: "region", parent: 0, children: [4]),
                     Area(name: "A", level: "unit", parent: 1, leaf: 0),
                     Area(name: "B", level: "unit", parent: 2, leaf: 1),
                     Area(name: "C", level: "unit", parent: 1, leaf: 2),
                     Area(name: "D", level: "unit", parent: 1, leaf: 3)]
        let leaves = [3, 4, 5, 6].map { Leaf(area: $0, roles: [role(filled: 1000)], growth: growth) }
        let paths = 70
        let m = Model(name: "t", timeline: timeline, paths: paths, seed: 5, quantiles: [50],
                      roles: ["r0"], areas: areas, leaves: leaves)
        let t = Simulator.run(m, options: .init(threads: 2))
        let sampler = ParameterSampler(seed: 5, deterministic: false)
        func demand(_ unit: String) -> [Double] {
            let key = streamKey(seed: 5, unitHash: stableHash(unit))
            return (0..<paths).map { 1000 * (1 + sampler.value(growth, at: start, path: $0, unitKey: key)) }
        }
        func sum(_ units: [String]) -> [Double] {
            units.map(demand).dropFirst().reduce(demand(units[0])) { zip($0, $1).map(+) }
        }
        for (area, units) in [("X", ["A", "C", "D"]), ("Y", ["B"]), ("All", ["A", "B", "C", "D"])] {
            let totals = sum(units).sorted()
            let row = t.values(area: area, role: nil, period: "2024/25", metric: .demand)!
            XCTAssertEqual(row[0], totals.reduce(0, +) / Double(paths), accuracy: 1e-9, area)
            XCTAssertEqual(row[2], quantile(totals, 0.5), accuracy: 1e-9, area)
        }
    }

    /// Two programmes training for one role: its starts, completions and dropouts are the sums
    /// of both programmes' flows.
    func testProgrammesTrainingForOneRoleAddTheirFlows() {
        let programmes = [Programme(name: "a", to: 0, from: nil, duration: 6),
                          Programme(name: "b", to: 0, from: nil, duration: 12)]
        let parameters = [ProgrammeParameters(completion: .constant(0.5), starts: .constant(120)),
                          ProgrammeParameters(completion: .constant(0.8), starts: .constant(240))]
        let m = model(months: 24, roles: [role(filled: 0)], programmes: programmes,
                      programmeParameters: parameters, events: [noDemand])
        let t = Simulator.run(m)
        let qa = 1 - pow(0.5, 1.0 / 6), qb = 1 - pow(0.8, 1.0 / 12)
        for step in [0, 5, 6, 11, 12, 20] {
            XCTAssertEqual(mean(t, step, .starts), 30, accuracy: 1e-9)
            let completions = (step >= 6 ? 10 * 0.5 : 0) + (step >= 12 ? 20 * 0.8 : 0)
            XCTAssertEqual(mean(t, step, .completions), completions, accuracy: 1e-9, "month \(step)")
            // Dropouts O = q sum_k T[k]: stages 0 ... min(step, d) - 1 hold s (1 - q)^k.
            func dropouts(_ s: Double, _ q: Double, _ d: Int) -> Double {
                (0..<min(step, d)).map { q * s * pow(1 - q, Double($0)) }.reduce(0, +)
            }
            XCTAssertEqual(mean(t, step, .dropouts), dropouts(10, qa, 6) + dropouts(20, qb, 12), accuracy: 1e-9,
                           "month \(step)")
        }
    }

    /// Arrays taken for one chunk are initialised, aligned and do not overlap, also when a chunk
    /// needs more than the memory holds; after a reset the memory serves the next chunk.
    func testChunkMemoryGivesSeparateInitialisedArrays() {
        let memory = ChunkMemory()
        for round in 0..<3 {
            memory.reset()
            let sizes = [1, 512, 70_000, 3, 200_000]  // more than the first block of 64 KiB
            var arrays: [UnsafeMutablePointer<Double>] = []
            for (i, n) in sizes.enumerated() {
                let a = memory.take(n, Double(round * 10 + i))
                XCTAssertEqual(Int(bitPattern: a) % 64, 0)
                XCTAssertTrue((0..<n).allSatisfy { a[$0] == Double(round * 10 + i) })
                arrays.append(a)
            }
            for (i, a) in arrays.enumerated() { for j in 0..<sizes[i] { a[j] = Double(i) } }
            for (i, a) in arrays.enumerated() {
                XCTAssertTrue((0..<sizes[i]).allSatisfy { a[$0] == Double(i) }, "round \(round), array \(i)")
            }
            let words = memory.take(5, UInt32(7))
            XCTAssertEqual((0..<5).map { words[$0] }, [7, 7, 7, 7, 7])
        }
    }

    /// R's type 7 quantile of sorted values: x[floor(h)] + (h - floor(h)) (x[floor(h) + 1] - x[floor(h)]), h = (n - 1) q.
    func quantile(_ x: [Double], _ q: Double) -> Double {
        let h = Double(x.count - 1) * q
        let i = Int(h)
        return i + 1 < x.count ? x[i] + (h - Double(i)) * (x[i + 1] - x[i]) : x[i]
    }

    /// Values written segment by segment come back path by path, the last segment short, and a
    /// slot added into another adds every value.
    func testPathValuesKeepEveryPathOfEveryCell() {
        let v = PathValues(slots: 2, roles: 2, periods: 3, paths: 150, segmentPaths: 64)
        func value(_ slot: Int, _ role: Int, _ period: Int, _ metric: Int, _ path: Int) -> Double {
            Double(((slot * 3 + role) * 3 + period) * 100 + metric) * 1000 + Double(path)
        }
        for slot in 0..<2 { for role in 0...2 { for period in 0..<3 { for metric in 0..<StoredMetric.count {
            for s in 0..<v.segments {
                let cell = v.segment(slot: slot, s, role: role, period: period, metric: metric)
                for j in 0..<Swift.min(64, 150 - s * 64) { cell[j] = value(slot, role, period, metric, s * 64 + j) }
            }
        } } } }
        v.add(v, slot: 0, into: 1, threads: 2)
        var zero = [Double](repeating: 0, count: StoredMetric.count * 150), one = zero
        for role in 0...2 { for period in 0..<3 {
            v.gather(slot: 0, role: role, period: period, into: &zero)
            v.gather(slot: 1, role: role, period: period, into: &one)
            for metric in 0..<StoredMetric.count {
                let paths = (metric * 150)..<((metric + 1) * 150)
                XCTAssertEqual(Array(zero[paths]), (0..<150).map { value(0, role, period, metric, $0) })
                XCTAssertEqual(Array(one[paths]), (0..<150).map { value(0, role, period, metric, $0) + value(1, role, period, metric, $0) })
            }
        } }
        XCTAssertEqual(PathValues.bytes(slots: 2, roles: 2, periods: 3, paths: 150, segmentPaths: 64),
                       2 * 3 * 64 * 3 * 3 * StoredMetric.count * 8)
    }

    /// The table of shared draws holds, for every shared parameter of the model, the number the
    /// sampler would draw itself: 40 parameters (so that lookups collide in the table and probe
    /// on), scope `path` and `year`, over three financial years, a third of them truncated
    /// normals (whose truncation the table makes once); a parameter of scope `unit` is not in it.
    func testDrawTableHoldsEverySharedDrawUnderItsOwnParameter() {
        let timeline = Timeline(start: start, horizon: start + 30, periodKind: .financial)
        let roles = (0..<40).map { r -> RoleParameters in
            var p = role(filled: 100)
            let scope: Scope = r % 2 == 0 ? .path : .year
            let d = r % 3 == 0
                ? Distribution(kind: .normal, a: 0.2, b: 0.05, lower: 0.15, upper: 0.3 + Double(r) / 100, scope: scope)
                : Distribution(kind: .uniform, a: 0.1, b: 0.2 + Double(r) / 100, scope: scope)
            p.turnover = .random(d, key: stableHash("turnover \(r)"))
            return p
        }
        var unitScoped = roles[0]
        unitScoped.turnover = .random(Distribution(kind: .uniform, a: 0, b: 1, scope: .unit), key: stableHash("own"))
        let areas = [Area(name: "All", level: "total", parent: nil, children: [1]),
                     Area(name: "U", level: "unit", parent: 0, leaf: 0)]
        let m = Model(name: "t", timeline: timeline, paths: 5, seed: 9, roles: roles.indices.map { "r\($0)" } + ["own"],
                      areas: areas, leaves: [Leaf(area: 1, roles: roles + [unitScoped])])
        let table = DrawTable(model: m, seed: 9, threads: 2)
        let shared = streamKey(seed: 9, unitHash: 0)
        for (r, p) in roles.enumerated() {
            guard case .random(let d) = p.turnover.points[0].value else { return XCTFail() }
            for path in 0..<5 {
                for month in [start, start + 12, start + 30] {
                    let year = d.scope == .year ? month.financialYear : 0
                    let expected = d.quantile(ParameterSampler.uniform(key: shared, quantityKey: p.turnover.key,
                                                                       yearWord: year, path: path))
                    XCTAssertEqual(table.value(.init(key: p.turnover.key, point: 0), path: path, month: month),
                                   expected, "role \(r), path \(path), \(month)")
                }
            }
        }
        XCTAssertNil(table.value(.init(key: unitScoped.turnover.key, point: 0), path: 0, month: start))
        XCTAssertNil(table.value(.init(key: roles[1].turnover.key, point: 1), path: 0, month: start))
    }
}
