import COpenBLAS
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The state of a block of units on a range of paths, stepped month by month in the order of
/// MODEL.md section 5. Columns are (unit, path) pairs, unit-major: column = unit * paths + path.
/// Per-role arrays are role-major, role * columns + column (`at(_:_:)`), so that the month's
/// loops over one role run along contiguous columns.
final class Chunk {
    let model: Model
    let units: [UnitPlan]
    let sampler: ParameterSampler
    let firstPath: Int
    let pathCount: Int
    let noise: Bool

    let R: Int
    let A: Int
    let C: Int
    /// Offset of each programme's stages in a column's trainee array, and their total.
    let stageOffset: [Int]
    let S: Int
    let roleHash: [UInt64]
    let programmeHash: [UInt64]
    /// Each unit's draw key, and its established posts E0 at unit * R + role, held apart from
    /// the plans so that the month step reads them without copying a plan.
    let unitKeys: [Philox]
    let established: UnsafeMutablePointer<Double>

    // Stocks.
    let F: UnsafeMutablePointer<Double>
    let F1: UnsafeMutablePointer<Double>
    let F2: UnsafeMutablePointer<Double>
    let T: UnsafeMutablePointer<Double>
    let startCarry: UnsafeMutablePointer<Double>
    let growthIndex: UnsafeMutablePointer<Double>
    // Monthly rates, refreshed when their parameters change.
    let exitRate: UnsafeMutablePointer<Double>
    let moveRate: UnsafeMutablePointer<Double>
    /// Noise mode: ln(1 - x) of the exit rate, the conditional move probability v / (1 - x) of
    /// those who did not exit, and its ln(1 - .), made with the rates so that the binomial draws
    /// need not take a logarithm every month.
    let exitLogStay: UnsafeMutablePointer<Double>
    let moveGivenStay: UnsafeMutablePointer<Double>
    let moveLogStay: UnsafeMutablePointer<Double>
    let fillRate: UnsafeMutablePointer<Double>
    let share: UnsafeMutablePointer<Double>
    let monthlyCap: UnsafeMutablePointer<Double>
    let pay: UnsafeMutablePointer<Double>
    let mix: UnsafeMutablePointer<Double>
    let growthFactor: UnsafeMutablePointer<Double>
    let dropoutRate: UnsafeMutablePointer<Double>
    let annualStarts: UnsafeMutablePointer<Double>
    /// Trainees of each programme summed over its stages. This and the other per-programme
    /// arrays are programme-major: programme * C + column.
    let traineeTotal: UnsafeMutablePointer<Double>
    /// Each programme's stages are a ring of d slots shared in position by every column, stored
    /// slot-major (T[(stageOffset[a] + slot) * C + column]) so that a month's work on one slot runs
    /// along contiguous columns. Stage k is in slot (ringHead[a] + k) mod d; advancing every stage
    /// is one move of the head, not a pass over the stages. In fluid mode a slot holds
    /// T / ringScale, so that survival by (1 - q) is one multiply of the scale; `ringSum` is the
    /// sum of a column's slots (whole numbers in noise mode, where the scale stays 1).
    var ringHead: [Int]
    let ringScale: UnsafeMutablePointer<Double>
    let ringSum: UnsafeMutablePointer<Double>
    /// Fluid mode: a ring's sum made afresh once a lap, per column (scratch).
    let ringFresh: UnsafeMutablePointer<Double>
    /// Demand events in force: posts added and the factor, per column and role.
    let eventAdd: UnsafeMutablePointer<Double>
    let eventMultiply: UnsafeMutablePointer<Double>
    /// Column-major R x R progression matrix K per column, and mu_r per column and role.
    let K: UnsafeMutablePointer<Double>
    let mu: UnsafeMutablePointer<Double>
    /// Noise mode: ln(1 - mu_r), made with mu for the draws of movers.
    let muLogStay: UnsafeMutablePointer<Double>
    /// Whether every column of a unit shares one K (so that one matrix product serves them).
    var kShared: [Bool]
    // Scratch for one month.
    let exits: UnsafeMutablePointer<Double>
    let moves: UnsafeMutablePointer<Double>
    /// Noise mode: the first blocks of the streams of one unit's draws, made together for its
    /// paths: for two kinds of draw of every role (R * pathCount blocks each), or of a programme.
    let firstBlocks: UnsafeMutablePointer<UInt32>
    /// Running sums of the current period, metric by metric (`sums(_:)`), each a per-role array:
    /// acc[metric * C * R + role * C + column].
    let acc: UnsafeMutablePointer<Double>
    /// The roles programmes train for, each once, and each programme's index among them.
    let trainedRoles: [Int]
    let trainedSlot: [Int]
    /// Running sums of the period's starts, completions and dropouts of each trained role at
    /// (3 slot + flow) * C + column, one row per trained role whatever the roles; moved into `acc`
    /// when the period ends.
    let trainingFlows: UnsafeMutablePointer<Double>
    /// Trainees counted in post: each such programme's trainee totals, its in-post share and the
    /// role they count toward.
    let inPost: [(total: UnsafeMutablePointer<Double>, share: Double, role: Int)]
    /// The month's effective workforce per column and role (scratch of the recruitment step).
    let effective: UnsafeMutablePointer<Double>
    /// Noise mode: draws of one role along one unit's paths (scratch: movers out in the
    /// progression step; demand, whole vacancies and hires in the recruitment step).
    let drawScratch: UnsafeMutablePointer<Double>

    /// - Parameter memory: where the chunk's arrays are kept; they are valid while the chunk is
    ///   in use and until `memory` serves another chunk.
    init(model: Model, units: [UnitPlan], sampler: ParameterSampler, firstPath: Int, pathCount: Int,
         memory: ChunkMemory) {
        self.model = model
        self.units = units
        self.sampler = sampler
        self.firstPath = firstPath
        self.pathCount = pathCount
        noise = model.noise == .binomial && !sampler.deterministic
        R = model.roles.count
        A = model.programmes.count
        C = units.count * pathCount
        var offsets: [Int] = []
        var total = 0
        for p in model.programmes {
            offsets.append(total)
            total += p.duration
        }
        stageOffset = offsets
        S = total
        roleHash = model.roles.map(stableHash)
        programmeHash = model.programmes.map { stableHash($0.name) }
        kShared = Array(repeating: true, count: units.count)

        memory.reset()
        func buffer(_ n: Int, _ value: Double = 0) -> UnsafeMutablePointer<Double> { memory.take(n, value) }
        let cr = C * R
        F = buffer(cr); F1 = buffer(cr); F2 = buffer(cr)
        T = buffer(C * S); startCarry = buffer(C * A); growthIndex = buffer(C, 1)
        exitRate = buffer(cr); moveRate = buffer(cr); fillRate = buffer(cr); share = buffer(cr)
        exitLogStay = buffer(cr); moveGivenStay = buffer(cr); moveLogStay = buffer(cr)
        monthlyCap = buffer(cr, .infinity); pay = buffer(cr); mix = buffer(cr, 1)
        growthFactor = buffer(C, 1); dropoutRate = buffer(C * A); annualStarts = buffer(C * A)
        traineeTotal = buffer(C * A)
        ringHead = Array(repeating: 0, count: A); ringScale = buffer(C * A, 1); ringSum = buffer(C * A)
        ringFresh = buffer(C)
        effective = buffer(cr)
        drawScratch = buffer(3 * pathCount)
        eventAdd = buffer(cr); eventMultiply = buffer(cr, 1)
        K = buffer(C * R * R); mu = buffer(cr); muLogStay = buffer(cr)
        exits = buffer(cr); moves = buffer(cr)
        established = buffer(units.count * R)
        firstBlocks = memory.take(2 * R * pathCount * 4, 0)
        acc = buffer(cr * StoredMetric.count)
        var trained: [Int] = []
        trainedSlot = model.programmes.map { p in
            if let i = trained.firstIndex(of: p.to) { return i }
            trained.append(p.to)
            return trained.count - 1
        }
        trainedRoles = trained
        trainingFlows = buffer(3 * trained.count * C)
        inPost = model.programmes.enumerated().filter { $0.element.inPostShare > 0 }.map { [traineeTotal, C] a, p in
            (traineeTotal + a * C, p.inPostShare, p.countsToward)
        }

        unitKeys = units.map(\.unitKey)
        for (u, plan) in units.enumerated() {
            for r in 0..<R { established[u * R + r] = plan.established[r] }
            for p in 0..<pathCount {
                let col = u * pathCount + p
                for r in 0..<R { F[r * C + col] = plan.filled[r] }
            }
        }
    }

    /// Where (column, role) is in the per-role arrays.
    @inline(__always)
    func at(_ column: Int, _ role: Int) -> Int { role * C + column }

    /// The period's running sums of one metric, a per-role array.
    @inline(__always)
    func sums(_ metric: StoredMetric) -> UnsafeMutablePointer<Double> { acc + metric.rawValue * C * R }

    /// Steps through every month, writing each period's values for these paths into `out` (slot
    /// u for unit u) and adding them into slot `parentSlots[u]` of `parents` where there is one.
    func run(into out: PathValues, parents: PathValues, parentSlots: [Int?]) {
        let timeline = model.timeline
        // Each parent with its leaves among these units, in unit order.
        var groups: [(parent: Int, leaves: [Int])] = []
        for (u, parent) in parentSlots.enumerated() {
            guard let parent else { continue }
            if let g = groups.firstIndex(where: { $0.parent == parent }) { groups[g].leaves.append(u) } else { groups.append((parent, [u])) }
        }
        for step in 0..<timeline.months {
            let period = timeline.periodOfStep[step]
            let periodEnds = step == timeline.periods[period].lastStep
            monthStep(step, periodEnds: periodEnds)
            if periodEnds {
                flush(period: period, months: timeline.periods[period].months, into: out, parents: parents, groups: groups)
            }
        }
    }

    // MARK: - Parameters

    private func refresh(_ step: Int) {
        let month = model.timeline.start + step
        for u in 0..<units.count where !units[u].refreshes[step].isEmpty {
            let plan = units[u]
            for item in plan.refreshes[step] {
                switch item {
                case .role(let r): refreshRole(u, r, month, plan)
                case .growth: refreshGrowth(u, month, plan)
                case .progression: refreshProgression(u, month, plan)
                case .programme(let a): refreshProgramme(u, a, month, plan)
                case .events: refreshEvents(u, month, plan)
                }
            }
        }
    }

    private func refreshRole(_ u: Int, _ r: Int, _ month: Month, _ plan: UnitPlan) {
        let p = plan.leaf.roles[r]
        let sampler = self.sampler  // one copy for the loop, not one (with its retains) per value
        let j = at(u * pathCount, r)  // the unit's first column
        // A quantity that is not random has one value for every path: past the first column
        // it is copied from there.
        let fixed = (fill: !p.timeToFill.isRandom, share: !p.internationalShare.isRandom,
                     cap: !(p.internationalCap?.isRandom ?? false), pay: !(p.pay?.isRandom ?? false),
                     mix: !p.mix.isRandom)
        for path in 0..<pathCount {
            let col = u * pathCount + path
            let i = at(col, r)
            if path > 0 && !plan.roleVaries[r] {
                exitRate[i] = exitRate[j]; moveRate[i] = moveRate[j]; fillRate[i] = fillRate[j]
                exitLogStay[i] = exitLogStay[j]; moveGivenStay[i] = moveGivenStay[j]; moveLogStay[i] = moveLogStay[j]
                share[i] = share[j]; monthlyCap[i] = monthlyCap[j]; pay[i] = pay[j]; mix[i] = mix[j]
                continue
            }
            let global = firstPath + path
            func v(_ q: Quantity) -> Double { sampler.value(q, at: month, path: global, unitKey: plan.unitKey) }
            let copied = path > 0
            let tau = v(p.turnover)
            let rho = v(p.retainedInSector)
            // h = 1 - (1 - tau)^(1/12); exits x = h (1 - rho), moves v = h rho.
            let h = -expm1(log1p(-tau) / 12)
            exitRate[i] = h * (1 - rho)
            moveRate[i] = h * rho
            if noise {
                exitLogStay[i] = log1p(-exitRate[i])
                moveGivenStay[i] = exitRate[i] < 1 ? moveRate[i] / (1 - exitRate[i]) : 0
                moveLogStay[i] = log1p(-moveGivenStay[i])
            }
            // f = 1 - exp(-1 / t_f).
            fillRate[i] = copied && fixed.fill ? fillRate[j] : -expm1(-1 / v(p.timeToFill))
            share[i] = copied && fixed.share ? share[j] : v(p.internationalShare)
            monthlyCap[i] = copied && fixed.cap ? monthlyCap[j] : p.internationalCap.map { v($0) / 12 } ?? .infinity
            pay[i] = copied && fixed.pay ? pay[j] : p.pay.map(v) ?? 0
            mix[i] = copied && fixed.mix ? mix[j] : v(p.mix)
        }
    }

    private func refreshGrowth(_ u: Int, _ month: Month, _ plan: UnitPlan) {
        let sampler = self.sampler  // as in refreshRole
        for path in 0..<pathCount {
            let col = u * pathCount + path
            if path > 0 && !plan.growthVaries {
                growthFactor[col] = growthFactor[u * pathCount]
                continue
            }
            let global = firstPath + path
            let gamma = sampler.value(plan.leaf.growth, at: month, path: global, unitKey: plan.unitKey)
                * sampler.value(plan.leaf.elasticity, at: month, path: global, unitKey: plan.unitKey)
            // Monthly factor (1 + gamma)^(1/12).
            growthFactor[col] = exp(log1p(gamma) / 12)
        }
    }

    private func refreshProgression(_ u: Int, _ month: Month, _ plan: UnitPlan) {
        let sampler = self.sampler  // as in refreshRole
        kShared[u] = !plan.progressionVaries
        var annual = [Double](repeating: 0, count: R * R)  // annual[r * R + s] = pi[r -> s]
        for path in 0..<pathCount {
            let col = u * pathCount + path
            let k = K + col * R * R
            if path > 0 && !plan.progressionVaries {
                let k0 = K + (u * pathCount) * R * R
                k.update(from: k0, count: R * R)
                for r in 0..<R {
                    mu[at(col, r)] = mu[at(u * pathCount, r)]
                    if noise { muLogStay[at(col, r)] = muLogStay[at(u * pathCount, r)] }
                }
                continue
            }
            for i in 0..<(R * R) { annual[i] = 0 }
            for t in plan.leaf.progression {
                annual[t.from * R + t.to] += sampler.value(t.rate, at: month, path: firstPath + path,
                                                           unitKey: plan.unitKey)
            }
            // mu_r = 1 - (1 - P_r)^(1/12); m[r -> s] = mu_r pi[r -> s] / P_r.
            // K is column-major: K[s + r * R] = m[r -> s], K[r + r * R] = 1 - mu_r.
            for r in 0..<R {
                var total = 0.0
                for s in 0..<R { total += annual[r * R + s] }
                let m = total > 0 ? -expm1(log1p(-total) / 12) : 0
                mu[at(col, r)] = m
                if noise { muLogStay[at(col, r)] = log1p(-m) }
                for s in 0..<R {
                    k[s + r * R] = s == r ? 1 - m : (total > 0 ? m * annual[r * R + s] / total : 0)
                }
            }
        }
    }

    private func refreshProgramme(_ u: Int, _ a: Int, _ month: Month, _ plan: UnitPlan) {
        let sampler = self.sampler  // as in refreshRole
        let p = plan.leaf.programmes[a]
        let d = Double(model.programmes[a].duration)
        for path in 0..<pathCount {
            let col = u * pathCount + path
            if path > 0 && !plan.programmeVaries[a] {
                dropoutRate[a * C + col] = dropoutRate[a * C + u * pathCount]
                annualStarts[a * C + col] = annualStarts[a * C + u * pathCount]
                continue
            }
            let global = firstPath + path
            let completion = sampler.value(p.completion, at: month, path: global, unitKey: plan.unitKey)
            // q_a = 1 - c_a^(1/d_a).
            dropoutRate[a * C + col] = -expm1(log(completion) / d)
            annualStarts[a * C + col] = sampler.value(p.starts, at: month, path: global, unitKey: plan.unitKey)
        }
    }

    private func refreshEvents(_ u: Int, _ month: Month, _ plan: UnitPlan) {
        let sampler = self.sampler  // as in refreshRole
        for path in 0..<pathCount {
            let col = u * pathCount + path
            if path > 0 && !plan.eventsVary {
                for r in 0..<R {
                    eventAdd[at(col, r)] = eventAdd[at(u * pathCount, r)]
                    eventMultiply[at(col, r)] = eventMultiply[at(u * pathCount, r)]
                }
                continue
            }
            for r in 0..<R { eventAdd[at(col, r)] = 0; eventMultiply[at(col, r)] = 1 }
            for event in plan.leaf.events where event.from <= month {
                let v = sampler.value(event.value, at: month, path: firstPath + path, unitKey: plan.unitKey)
                for r in 0..<R where event.role == nil || event.role == r {
                    switch event.kind {
                    case .add: eventAdd[at(col, r)] += v
                    case .multiply: eventMultiply[at(col, r)] *= v
                    }
                }
            }
        }
    }

    // MARK: - One month

    /// One month of MODEL.md section 5. Stocks are recorded only in the last month of a period,
    /// the only one reported; flows are summed every month.
    private func monthStep(_ step: Int, periodEnds: Bool) {
        refresh(step)
        let month = model.timeline.start + step
        let calendarMonth = month.month - 1

        // 2. Leaving: exits X = x F, moves M = v F; F1 = F - X.
        if noise {
            let exitBlocks = firstBlocks, moveBlocks = firstBlocks + pathCount * 4
            // Role by role, and unit by unit along the role's row, so that each array is read
            // front to back (each draw has its own stream, so the order of the draws does not
            // matter). M ~ Bin(F - X, v / (1 - x)); where x = 1, F - X = 0 and no one moves.
            for r in 0..<R {
                for u in 0..<units.count {
                    let key = unitKeys[u], i = at(u * pathCount, r)
                    makeFirstBlocks(u, .exits, role: r, month: month, into: exitBlocks)
                    makeFirstBlocks(u, .moves, role: r, month: month, into: moveBlocks)
                    Binomial.sample(count: pathCount, n: F + i, p: exitRate + i, logQ: exitLogStay + i, key: key,
                                    what: DrawKind.exits.code(roleHash[r]), month: month.index, firstPath: firstPath,
                                    blocks: exitBlocks, into: exits + i)
                    for j in i..<(i + pathCount) { F1[j] = F[j] - exits[j] }
                    Binomial.sample(count: pathCount, n: F1 + i, p: moveGivenStay + i, logQ: moveLogStay + i, key: key,
                                    what: DrawKind.moves.code(roleHash[r]), month: month.index, firstPath: firstPath,
                                    blocks: moveBlocks, into: moves + i)
                }
            }
        } else {
            for i in 0..<(C * R) {
                exits[i] = exitRate[i] * F[i]
                moves[i] = moveRate[i] * F[i]
                F1[i] = F[i] - exits[i]
            }
        }

        // 3. Progression F2 = K F1, recording flows out and in per role.
        progression(month)

        // 4. Training, programme by programme in the order declared.
        for (a, programme) in model.programmes.enumerated() {
            train(a, programme, month: month, calendarMonth: calendarMonth)
        }

        // 1. Demand D_t = (E0 g_t mix_t + additive events) * multiplicative events, made here
        // (nothing in steps 2-4 reads it) so that it never goes through memory; and 5.
        // Recruitment against the effective workforce F2 + in-post share * trainees (the
        // programmes' trainees added in the programmes' order), and 6. end of month.
        for col in 0..<C { growthIndex[col] *= growthFactor[col] }
        effective.update(from: F2, count: C * R)
        for trainees in inPost {
            let row = effective + trainees.role * C
            for col in 0..<C { row[col] += trainees.share * trainees.total[col] }
        }
        if noise {
            for r in 0..<R {
                for u in 0..<units.count {
                    let key = unitKeys[u]
                    makeFirstBlocks(u, .hires, role: r, month: month, into: firstBlocks)
                    let first = at(u * pathCount, r)
                    let demands = drawScratch, whole = drawScratch + pathCount, hires = drawScratch + 2 * pathCount
                    for path in 0..<pathCount {
                        demands[path] = demand(first + path, unit: u, role: r, column: u * pathCount + path)
                        whole[path] = Swift.max(0, demands[path] - effective[first + path]).rounded(.down)
                    }
                    Binomial.sample(count: pathCount, n: whole, p: fillRate + first, logQ: nil, key: key,
                                    what: DrawKind.hires.code(roleHash[r]), month: month.index, firstPath: firstPath,
                                    blocks: firstBlocks, into: hires)
                    let international = DrawKind.internationalHires.code(roleHash[r])
                    for path in 0..<pathCount {
                        let i = first + path
                        var si = RandomStream(key: key, what: international, month: month.index, path: firstPath + path)
                        let drawn = share[i] > 0 ? Binomial.sample(n: hires[path], p: share[i], stream: &si) : 0
                        record(i, demand: demands[path], international: Swift.min(drawn, monthlyCap[i].rounded(.down)),
                               domestic: hires[path] - drawn, periodEnds: periodEnds)
                    }
                }
            }
        } else {
            for r in 0..<R {
                for u in 0..<units.count {
                    let e0 = established[u * R + r]
                    let first = at(u * pathCount, r)
                    let pairs = pathCount / 2
                    recruitPairs(from: first, count: pairs, established: e0, growth: growthIndex + u * pathCount,
                                 periodEnds: periodEnds)
                    for path in (2 * pairs)..<pathCount {
                        let i = first + path
                        let demand = demand(i, unit: u, role: r, column: u * pathCount + path)
                        let hires = fillRate[i] * Swift.max(0, demand - effective[i])
                        record(i, demand: demand, international: Swift.min(hires * share[i], monthlyCap[i]),
                               domestic: hires * (1 - share[i]), periodEnds: periodEnds)
                    }
                }
            }
        }
        // Trainee stocks, reported under each programme's `to` role.
        guard periodEnds else { return }
        for (t, r) in trainedRoles.enumerated() {
            for (f, metric) in [StoredMetric.starts, .completions, .dropouts].enumerated() {
                let flow = trainingFlows + (3 * t + f) * C
                let sum = sums(metric) + at(0, r)
                for col in 0..<C { sum[col] += flow[col] }
                flow.update(repeating: 0, count: C)
            }
        }
        let trainees = sums(.trainees)
        trainees.update(repeating: 0, count: C * R)
        for (a, programme) in model.programmes.enumerated() {
            let row = trainees + at(0, programme.to)
            for col in 0..<C { row[col] += traineeTotal[a * C + col] }
        }
    }

    /// Step 1 for element i, (unit, role, column): D_t = (E0 g_t mix_t + additive events) *
    /// multiplicative events.
    @inline(__always)
    private func demand(_ i: Int, unit u: Int, role r: Int, column col: Int) -> Double {
        (established[u * R + r] * growthIndex[col] * mix[i] + eventAdd[i]) * eventMultiply[i]
    }

    /// Fluid mode: steps 1, 5 and 6 for the elements first ..< first + 2 count of one role's row,
    /// two at a time in SIMD lanes: the same operations as `record` and the scalar loop, element
    /// by element (max(0, x) and min(x, cap) keep Swift.max's and Swift.min's choice of operand),
    /// so the results are the same bits.
    @inline(__always)
    private func recruitPairs(from first: Int, count: Int, established e0: Double,
                              growth: UnsafeMutablePointer<Double>, periodEnds: Bool) {
        let demandSum = sums(.demand), staffSum = sums(.staffInPost), vacancySum = sums(.vacancies)
        let leaverSum = sums(.leavers), hireSum = sums(.hires), internationalSum = sums(.internationalHires)
        let paySum = sums(.payBill), staffMeanSum = sums(.staffMean)
        let established = SIMD2(repeating: e0)
        for k in 0..<count {
            let i = first + 2 * k
            let demand = (established * growth.pair(2 * k) * mix.pair(i) + eventAdd.pair(i)) * eventMultiply.pair(i)
            let effectiveNow = effective.pair(i)
            let hires = fillRate.pair(i) * (demand - effectiveNow).nonNegative
            let shareNow = share.pair(i), cap = monthlyCap.pair(i)
            let wanted = hires * shareNow
            let international = wanted.replacing(with: cap, where: cap .< wanted)
            let hired = international + hires * (1 - shareNow)
            let staff = F2.pair(i) + hired
            F.setPair(i, staff)
            if periodEnds {
                demandSum.setPair(i, demand)
                staffSum.setPair(i, staff)
                vacancySum.setPair(i, (demand - (effectiveNow + hired)).nonNegative)
            }
            let movesNow = moves.pair(i)
            leaverSum.setPair(i, leaverSum.pair(i) + (exits.pair(i) + movesNow))
            hireSum.setPair(i, hireSum.pair(i) + (hired + movesNow))
            internationalSum.setPair(i, internationalSum.pair(i) + international)
            paySum.setPair(i, paySum.pair(i) + staff * pay.pair(i) / 12)
            staffMeanSum.setPair(i, staffMeanSum.pair(i) + staff)
        }
    }

    /// Hiring and the end of the month for element i (step 5 and 6): staff F = F2 + hired, and the
    /// period's sums; stocks and vacancies after hiring are recorded in a period's last month.
    @inline(__always)
    private func record(_ i: Int, demand: Double, international: Double, domestic: Double, periodEnds: Bool) {
        let hired = international + domestic
        let staff = F2[i] + hired
        F[i] = staff
        if periodEnds {
            sums(.demand)[i] = demand
            sums(.staffInPost)[i] = staff
            sums(.vacancies)[i] = Swift.max(0, demand - (effective[i] + hired))
        }
        sums(.leavers)[i] += exits[i] + moves[i]
        sums(.hires)[i] += hired + moves[i]
        sums(.internationalHires)[i] += international
        sums(.payBill)[i] += staff * pay[i] / 12
        sums(.staffMean)[i] += staff
    }

    /// The first blocks of unit u's streams of `kind` for `roles` and every path, the block of
    /// (role r, path) at out[4 (r pathCount + path)].
    private func makeFirstBlocks(_ u: Int, _ kind: DrawKind, roles: some Sequence<Int>, month: Month,
                                 into out: UnsafeMutablePointer<UInt32>) {
        for r in roles { makeFirstBlocks(u, kind, role: r, month: month, into: out + 4 * r * pathCount) }
    }

    /// The first blocks of unit u's streams of `kind` for role r and every path, the block of
    /// path j at out[4 j].
    private func makeFirstBlocks(_ u: Int, _ kind: DrawKind, role r: Int, month: Month,
                                 into out: UnsafeMutablePointer<UInt32>) {
        unitKeys[u].firstBlocks(what: kind.code(roleHash[r]), month: month.index, firstPath: firstPath,
                                count: pathCount, into: out)
    }

    private func progression(_ month: Month) {
        let flowOut = sums(.progressionOut), flowIn = sums(.progressionIn)
        if noise {
            for u in 0..<units.count {
                let key = unitKeys[u]
                makeFirstBlocks(u, .progression, roles: units[u].progressionSources, month: month, into: firstBlocks)
                let first = u * pathCount
                for r in 0..<R { (F2 + at(first, r)).update(from: F1 + at(first, r), count: pathCount) }
                // Source role by source role along the unit's columns: a column's stocks still
                // change in the order of the source roles.
                // The unit's first column's K when its columns share one (the copies beside it
                // are the same numbers, but 64 of them do not stay in cache).
                let shared = kShared[u]
                let drawn = drawScratch
                for r in units[u].progressionSources {
                    // Movers out ~ Bin(F1[r], mu_r), split over destinations by a multinomial
                    // with weights m[r -> s] / mu_r, as a chain of conditional binomials.
                    let i = at(first, r)
                    Binomial.sample(count: pathCount, n: F1 + i, p: mu + i, logQ: muLogStay + i, key: key,
                                    what: DrawKind.progression.code(roleHash[r]), month: month.index, firstPath: firstPath,
                                    blocks: firstBlocks + 4 * r * pathCount, into: drawn)
                    for path in 0..<pathCount {
                        let col = first + path
                        let k = K + (shared ? first : col) * R * R
                        let m = mu[at(col, r)]
                        guard m > 0, F1[at(col, r)] > 0 else { continue }
                        var remaining = drawn[path]
                        let movers = remaining
                        var weightLeft = 1.0
                        F2[at(col, r)] -= movers
                        for dest in 0..<R where dest != r && remaining > 0 {
                            // Most roles are no destination: skip them before the division.
                            guard k[dest + r * R] > 0 else { continue }
                            let w = k[dest + r * R] / m
                            guard w > 0 else { continue }
                            var sd = RandomStream(key: key, what: DrawKind.progression.code(roleHash[r]),
                                                  month: month.index, path: firstPath + path,
                                                  sub: UInt32(truncatingIfNeeded: roleHash[dest] & 0x7FFF) | 0x8000)
                            let n = weightLeft - w <= 1e-12 ? remaining
                                : Binomial.sample(n: remaining, p: Swift.min(1, w / weightLeft), stream: &sd)
                            F2[at(col, dest)] += n
                            remaining -= n
                            weightLeft -= w
                            flowIn[at(col, dest)] += n
                        }
                        flowOut[at(col, r)] += movers - remaining
                        F2[at(col, r)] += remaining  // rounding left nobody unassigned in practice
                    }
                }
            }
            return
        }
        // Fluid: one matrix product over every column that shares K.
        let allShared = kShared.allSatisfy { $0 }
        var oneK = allShared
        if allShared && units.count > 1 {
            let k0 = K
            outer: for u in 1..<units.count {
                let ku = K + (u * pathCount) * R * R
                for i in 0..<(R * R) where ku[i] != k0[i] { oneK = false; break outer }
            }
        }
        let r32 = Int32(R)
        if oneK {
            Kernels.progression(K, F1, into: F2, roles: R, columns: C, stride: C)
        } else {
            for u in 0..<units.count {
                if kShared[u] {
                    let first = u * pathCount
                    Kernels.progression(K + first * R * R, F1 + first, into: F2 + first, roles: R, columns: pathCount,
                                        stride: C)
                } else {
                    for path in 0..<pathCount {
                        let col = u * pathCount + path
                        cblas_dgemv(CblasColMajor, CblasNoTrans, r32, r32, 1, K + col * R * R, r32,
                                    F1 + col, Int32(C), 0, F2 + col, Int32(C))
                    }
                }
            }
        }
        // Flows: out_r = mu_r F1[r]; in_s = sum over r of m[r -> s] F1[r].
        for i in 0..<(C * R) { flowOut[i] += mu[i] * F1[i] }
        for u in 0..<units.count {
            for (from, to) in units[u].transitionPairs {
                // m[from -> to] of the unit's first column serves every column when K is shared.
                let shared = kShared[u]
                for path in 0..<pathCount {
                    let col = u * pathCount + path
                    let kColumn = shared ? u * pathCount : col
                    flowIn[at(col, to)] += K[kColumn * R * R + to + from * R] * F1[at(col, from)]
                }
            }
        }
    }

    /// Step 4 of MODEL.md section 5 for one programme, on every column, in one pass over the
    /// columns. The ring is advanced once for all columns: the slot of stage d - 1 gives its
    /// completers, is emptied and becomes stage 0 for this month's starts.
    private func train(_ a: Int, _ programme: Programme, month: Month, calendarMonth: Int) {
        let d = programme.duration
        let last = ringHead[a] == 0 ? d - 1 : ringHead[a] - 1
        ringHead[a] = last
        let slots = T + stageOffset[a] * C  // slot s of a column at slots[s * C + column]
        let lastSlot = slots + last * C
        let q = dropoutRate + a * C
        let sum = ringSum + a * C
        let scale = ringScale + a * C
        let profile = programme.intakeProfile[calendarMonth]
        let annual = annualStarts + a * C
        let carry = startCarry + a * C
        let total = traineeTotal + a * C
        let flows = trainingFlows + 3 * trainedSlot[a] * C
        let from = programme.from, to = programme.to
        let dropoutsReturn = from != nil && programme.dropoutsReturn

        if !noise {
            // O_k = q T[k] summed over k, C = (1 - q) T[d - 1], and T[k] <- (1 - q) T[k - 1] as
            // one multiply of the scale; one flat pass over the columns with each column's state
            // in registers.
            let hasFrom = from != nil
            let fromRow = F2 + at(0, from ?? 0), toRow = F2 + at(0, to)
            if last == 0 {
                // Once a lap, sum the ring afresh so that rounding cannot accumulate: slot by slot
                // along the columns, in the slots' order, slot 0 (emptied below) counting as 0.
                ringFresh.update(repeating: 0, count: C)
                for s in 1..<Swift.max(1, d) {
                    let row = slots + s * C
                    for col in 0..<C { ringFresh[col] += row[col] }
                }
            }
            func column(_ col: Int) {
                let qc = q[col]
                var sc = scale[col], sm = sum[col]
                let leaving = lastSlot[col]
                let dropouts = qc * sc * sm
                let completers = (1 - qc) * sc * leaving
                sm -= leaving
                lastSlot[col] = 0
                sc *= 1 - qc
                if last == 0 { sm = ringFresh[col] }
                // Starts, completers joining and dropouts returning, then the ring's new stage 0.
                sm = Swift.max(0, sm)
                let survivors = sc * sm
                var starts = annual[col] * profile
                if hasFrom {
                    starts = Swift.min(starts, fromRow[col])
                    fromRow[col] -= starts
                }
                if !(sc > 1e-150) {
                    // Fold the scale into the ring before it underflows.
                    for s in 0..<d { slots[s * C + col] *= sc }
                    sm *= sc
                    sc = 1
                }
                let stored = starts / sc
                lastSlot[col] = stored
                sum[col] = sm + stored
                scale[col] = sc
                total[col] = survivors + starts
                toRow[col] += completers
                if dropoutsReturn { fromRow[col] += dropouts }
                flows[col] += starts
                flows[C + col] += completers
                flows[2 * C + col] += dropouts
            }
            // Two columns at a time in SIMD lanes, the same operations lane by lane; a pair where
            // either column's scale needs folding goes column by column.
            var col = 0
            while col + 2 <= C {
                let qc = q.pair(col), oldScale = scale.pair(col)
                let sc = oldScale * (1 - qc)
                guard all(sc .> 1e-150) else {
                    column(col)
                    column(col + 1)
                    col += 2
                    continue
                }
                let leaving = lastSlot.pair(col)
                let dropouts = qc * oldScale * sum.pair(col)
                let completers = (1 - qc) * oldScale * leaving
                let sm = (last == 0 ? ringFresh.pair(col) : sum.pair(col) - leaving).nonNegative
                let survivors = sc * sm
                var starts = annual.pair(col) * profile
                if hasFrom {
                    let available = fromRow.pair(col)
                    starts = starts.replacing(with: available, where: available .< starts)
                    fromRow.setPair(col, available - starts)
                }
                let stored = starts / sc
                lastSlot.setPair(col, stored)
                sum.setPair(col, sm + stored)
                scale.setPair(col, sc)
                total.setPair(col, survivors + starts)
                toRow.setPair(col, toRow.pair(col) + completers)
                if dropoutsReturn { fromRow.setPair(col, fromRow.pair(col) + dropouts) }
                flows.setPair(col, flows.pair(col) + starts)
                flows.setPair(C + col, flows.pair(C + col) + completers)
                flows.setPair(2 * C + col, flows.pair(2 * C + col) + dropouts)
                col += 2
            }
            while col < C {
                column(col)
                col += 1
            }
            return
        }

        // Noise mode: the same steps with drawn dropouts and whole starts.
        for u in 0..<units.count {
            unitKeys[u].firstBlocks(what: DrawKind.dropouts.code(programmeHash[a]), month: month.index,
                                    firstPath: firstPath, count: pathCount, into: firstBlocks)
            // The dropouts of runs of four paths that all fall in the SIMD inversion's range,
            // ahead of the picks (NaN: drawn by `drawTraining`).
            let first = a * C + u * pathCount
            let drawn = drawScratch
            for path in 0..<pathCount { drawn[path] = .nan }
            for path in stride(from: 0, to: pathCount - 3, by: 4) {
                let n = ringSum.lanes(first + path), q = dropoutRate.lanes(first + path)
                guard Binomial.invertsInLanes(n: n, p: q) else { continue }
                let out = Binomial.inversion(n: n, p: q, logQ: .init(repeating: .nan),
                                             u: Binomial.firstUniforms(firstBlocks + 4 * path))
                for lane in 0..<4 { drawn[path + lane] = out[lane] }
            }
            for path in 0..<pathCount {
                let col = u * pathCount + path
                let (dropouts, completers) = drawTraining(a, slots: slots, column: col, stages: d, lastSlot: last,
                                                          unit: u, path: path, month: month, drawn: drawn[path])
                sum[col] = Swift.max(0, sum[col] - (dropouts + completers))
                lastSlot[col] = 0
                let due = carry[col] + annual[col] * profile
                var starts = due.rounded(.toNearestOrEven)
                carry[col] = due - starts
                if let from {
                    starts = Swift.min(starts, F2[at(col, from)])
                    F2[at(col, from)] -= starts
                }
                // The scale stays 1 in noise mode: slots hold whole trainees.
                lastSlot[col] = starts
                sum[col] += starts
                total[col] = sum[col]
                F2[at(col, to)] += completers
                if let from, dropoutsReturn { F2[at(col, from)] += dropouts }
                flows[col] += starts
                flows[C + col] += completers
                flows[2 * C + col] += dropouts
            }
        }
    }

    /// Noise mode: dropouts at each stage ~ Bin(T[k], q) and completers T[d - 1] - O[d - 1],
    /// taken out of the ring in place. Returns (dropouts, completers).
    ///
    /// Independent binomials with a common q, conditioned on their total D, share it out like D
    /// trainees picked at random without replacement (a multivariate hypergeometric). So when
    /// few dropouts are expected (N q <= 16, N the trainees in the ring) the draw is
    /// D ~ Bin(N, q) and then D picks: one binomial per programme and column in place of one per
    /// stage, with the same joint distribution. With more expected, it is a binomial per stage.
    ///
    /// `drawn`, when not NaN, is D as drawn from the same stream in SIMD lanes (one uniform).
    private func drawTraining(_ a: Int, slots: UnsafeMutablePointer<Double>, column col: Int, stages d: Int,
                              lastSlot: Int, unit u: Int, path: Int, month: Month, drawn: Double) -> (Double, Double) {
        let n = ringSum[a * C + col]
        let q = dropoutRate[a * C + col]
        var dropouts = 0.0
        if n > 0 && q > 0 {
            let key = unitKeys[u]
            let what = DrawKind.dropouts.code(programmeHash[a])
            if n * q <= 16 {
                // Block 0 of this stream was made with the unit's other paths in `train`.
                var stream = RandomStream(key: key, what: what, month: month.index, path: firstPath + path,
                                          firstBlock: firstBlocks + 4 * path)
                if drawn.isNaN {
                    dropouts = Binomial.sample(n: n, p: q, stream: &stream)
                } else {
                    _ = stream.uniform()  // the one the lanes' inversion used
                    dropouts = drawn
                }
                var remaining = n
                for _ in 0..<Int(dropouts) {
                    // The pick-th trainee, counting slot by slot.
                    var pick = Swift.min((stream.uniform() * remaining).rounded(.down), remaining - 1)
                    var s = 0
                    while s < d - 1 && pick >= slots[s * C + col] {
                        pick -= slots[s * C + col]
                        s += 1
                    }
                    slots[s * C + col] -= 1
                    remaining -= 1
                }
            } else {
                for s in 0..<d {
                    var stream = RandomStream(key: key, what: what, month: month.index, path: firstPath + path,
                                              sub: UInt32(s + 1))
                    let out = Binomial.sample(n: slots[s * C + col], p: q, stream: &stream)
                    slots[s * C + col] -= out
                    dropouts += out
                }
            }
        }
        return (dropouts, slots[lastSlot * C + col])
    }

    // MARK: - Output

    /// Writes the period's sums of every unit and role, and their total over roles (summed role
    /// by role in order), into slot u of `out` (staff in post averaged over the period's months),
    /// and adds each into its parent's slot of `parents` (`groups`: each parent slot with its
    /// leaves among these units, in unit order). A parent receives its leaves in unit
    /// order, summed into a copy of its values that stays in cache, so that its values (far too
    /// many to stay cached) are read and written once per chunk, not once per leaf; the sums are
    /// the same, addition for addition, as adding leaf after leaf in place.
    private func flush(period: Int, months: Int, into out: PathValues, parents: PathValues,
                       groups: [(parent: Int, leaves: [Int])]) {
        let M = StoredMetric.count
        let segment = firstPath / out.segmentPaths
        for u in 0..<units.count {
            for r in 0..<R {
                for metric in StoredMetric.allCases {
                    let cell = out.segment(slot: u, segment, role: r, period: period, metric: metric.rawValue)
                    let a = sums(metric) + at(u * pathCount, r)
                    if metric == .staffMean {
                        let divisor = Double(months)
                        for path in 0..<pathCount { cell[path] = a[path] / divisor }
                    } else {
                        cell.update(from: a, count: pathCount)
                    }
                }
            }
            for m in 0..<M {
                let total = out.segment(slot: u, segment, role: R, period: period, metric: m)
                for path in 0..<pathCount { total[path] = 0 }
                for r in 0..<R {
                    let cell = out.segment(slot: u, segment, role: r, period: period, metric: m)
                    for path in 0..<pathCount { total[path] += cell[path] }
                }
            }
        }
        let partial = UnsafeMutablePointer<Double>.allocate(capacity: pathCount)
        defer { partial.deallocate() }
        for (parent, leaves) in groups {
            for r in 0...R {
                for m in 0..<M {
                    let sum = parents.segment(slot: parent, segment, role: r, period: period, metric: m)
                    func cell(_ i: Int) -> UnsafeMutablePointer<Double> {
                        out.segment(slot: leaves[i], segment, role: r, period: period, metric: m)
                    }
                    if leaves.count == 1 {
                        let only = cell(0)
                        for path in 0..<pathCount { sum[path] += only[path] }
                        continue
                    }
                    let head = cell(0)
                    for path in 0..<pathCount { partial[path] = sum[path] + head[path] }
                    for i in 1..<(leaves.count - 1) {
                        let next = cell(i)
                        for path in 0..<pathCount { partial[path] += next[path] }
                    }
                    let last = cell(leaves.count - 1)
                    for path in 0..<pathCount { sum[path] = partial[path] + last[path] }
                }
            }
        }
        acc.update(repeating: 0, count: C * R * M)
    }
}

extension UnsafeMutablePointer where Pointee == Double {
    /// Elements i and i + 1 as SIMD lanes.
    @inline(__always)
    func pair(_ i: Int) -> SIMD2<Double> { UnsafeRawPointer(self + i).loadUnaligned(as: SIMD2<Double>.self) }

    /// Elements i ..< i + 4 as SIMD lanes.
    @inline(__always)
    func lanes(_ i: Int) -> Binomial.Lanes { UnsafeRawPointer(self + i).loadUnaligned(as: Binomial.Lanes.self) }

    @inline(__always)
    func setPair(_ i: Int, _ value: SIMD2<Double>) {
        UnsafeMutableRawPointer(self + i).storeBytes(of: value, as: SIMD2<Double>.self)
    }
}

extension SIMD2 where Scalar == Double {
    /// Lane by lane Swift.max(0, x): x where x >= 0, else 0 (also for NaN, and -0 stays -0).
    @inline(__always)
    var nonNegative: Self { replacing(with: 0, where: .!(self .>= 0)) }
}
