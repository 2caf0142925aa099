import COpenBLAS
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The state of a block of units on a range of paths, stepped month by month in the order of
/// MODEL.md section 5. Columns are (unit, path) pairs, unit-major: column = unit * paths + path.
/// Per-role arrays hold column * roles + role.
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
    let fillRate: UnsafeMutablePointer<Double>
    let share: UnsafeMutablePointer<Double>
    let monthlyCap: UnsafeMutablePointer<Double>
    let pay: UnsafeMutablePointer<Double>
    let mix: UnsafeMutablePointer<Double>
    let growthFactor: UnsafeMutablePointer<Double>
    let dropoutRate: UnsafeMutablePointer<Double>
    let annualStarts: UnsafeMutablePointer<Double>
    /// Trainees of each programme summed over its stages, at column * A + programme.
    let traineeTotal: UnsafeMutablePointer<Double>
    /// Fluid mode keeps each programme's stages as a ring with a common survival factor: stage k
    /// holds scale * T[(head + k) mod d], so that advancing every stage by (1 - q) is one multiply
    /// and one move of `head`, not a pass over the stages. `ringSum` is the sum of the ring.
    let ringHead: UnsafeMutablePointer<Double>
    let ringScale: UnsafeMutablePointer<Double>
    let ringSum: UnsafeMutablePointer<Double>
    /// Demand events in force: posts added and the factor, per column and role.
    let eventAdd: UnsafeMutablePointer<Double>
    let eventMultiply: UnsafeMutablePointer<Double>
    /// Column-major R x R progression matrix K per column, and mu_r per column and role.
    let K: UnsafeMutablePointer<Double>
    let mu: UnsafeMutablePointer<Double>
    /// Whether every column of a unit shares one K (so that one matrix product serves them).
    var kShared: [Bool]
    // Scratch for one month.
    let demand: UnsafeMutablePointer<Double>
    let exits: UnsafeMutablePointer<Double>
    let moves: UnsafeMutablePointer<Double>
    let effective: UnsafeMutablePointer<Double>
    /// Running sums of the current period at (column * R + role) * StoredMetric.count + metric.
    let acc: UnsafeMutablePointer<Double>

    private var allocations: [UnsafeMutablePointer<Double>] = []

    init(model: Model, units: [UnitPlan], sampler: ParameterSampler, firstPath: Int, pathCount: Int) {
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

        var list: [UnsafeMutablePointer<Double>] = []
        func buffer(_ n: Int, _ value: Double = 0) -> UnsafeMutablePointer<Double> {
            let p = UnsafeMutablePointer<Double>.allocate(capacity: Swift.max(1, n))
            p.initialize(repeating: value, count: Swift.max(1, n))
            list.append(p)
            return p
        }
        let cr = C * R
        F = buffer(cr); F1 = buffer(cr); F2 = buffer(cr)
        T = buffer(C * S); startCarry = buffer(C * A); growthIndex = buffer(C, 1)
        exitRate = buffer(cr); moveRate = buffer(cr); fillRate = buffer(cr); share = buffer(cr)
        monthlyCap = buffer(cr, .infinity); pay = buffer(cr); mix = buffer(cr, 1)
        growthFactor = buffer(C, 1); dropoutRate = buffer(C * A); annualStarts = buffer(C * A)
        traineeTotal = buffer(C * A)
        ringHead = buffer(C * A); ringScale = buffer(C * A, 1); ringSum = buffer(C * A)
        eventAdd = buffer(cr); eventMultiply = buffer(cr, 1)
        K = buffer(C * R * R); mu = buffer(cr)
        demand = buffer(cr); exits = buffer(cr); moves = buffer(cr); effective = buffer(cr)
        acc = buffer(cr * StoredMetric.count)
        allocations = list

        for (u, plan) in units.enumerated() {
            for p in 0..<pathCount {
                let col = u * pathCount + p
                for r in 0..<R { F[col * R + r] = plan.filled[r] }
            }
        }
    }

    deinit { for p in allocations { p.deallocate() } }

    /// Steps through every month, writing each period's values for these paths into `out`.
    func run(into out: PathValues, slotOffset: Int) {
        let timeline = model.timeline
        for step in 0..<timeline.months {
            monthStep(step)
            let period = timeline.periodOfStep[step]
            if step == timeline.periods[period].lastStep {
                flush(period: period, months: timeline.periods[period].months,
                      into: out, slotOffset: slotOffset)
            }
        }
    }

    // MARK: - Parameters

    private func refresh(_ step: Int) {
        let month = model.timeline.start + step
        for (u, plan) in units.enumerated() {
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
        for path in 0..<pathCount {
            let col = u * pathCount + path
            let i = col * R + r
            if path > 0 && !plan.roleVaries[r] {
                let j = (u * pathCount) * R + r
                exitRate[i] = exitRate[j]; moveRate[i] = moveRate[j]; fillRate[i] = fillRate[j]
                share[i] = share[j]; monthlyCap[i] = monthlyCap[j]; pay[i] = pay[j]; mix[i] = mix[j]
                continue
            }
            let global = firstPath + path
            func v(_ q: Quantity) -> Double { sampler.value(q, at: month, path: global, unitKey: plan.unitKey) }
            let tau = v(p.turnover)
            let rho = v(p.retainedInSector)
            // h = 1 - (1 - tau)^(1/12); exits x = h (1 - rho), moves v = h rho.
            let h = -expm1(log1p(-tau) / 12)
            exitRate[i] = h * (1 - rho)
            moveRate[i] = h * rho
            // f = 1 - exp(-1 / t_f).
            fillRate[i] = -expm1(-1 / v(p.timeToFill))
            share[i] = v(p.internationalShare)
            monthlyCap[i] = p.internationalCap.map { v($0) / 12 } ?? .infinity
            pay[i] = p.pay.map(v) ?? 0
            mix[i] = v(p.mix)
        }
    }

    private func refreshGrowth(_ u: Int, _ month: Month, _ plan: UnitPlan) {
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
        kShared[u] = !plan.progressionVaries
        var annual = [Double](repeating: 0, count: R * R)  // annual[r * R + s] = pi[r -> s]
        for path in 0..<pathCount {
            let col = u * pathCount + path
            let k = K + col * R * R
            if path > 0 && !plan.progressionVaries {
                let k0 = K + (u * pathCount) * R * R
                k.update(from: k0, count: R * R)
                (mu + col * R).update(from: mu + (u * pathCount) * R, count: R)
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
                mu[col * R + r] = m
                for s in 0..<R {
                    k[s + r * R] = s == r ? 1 - m : (total > 0 ? m * annual[r * R + s] / total : 0)
                }
            }
        }
    }

    private func refreshProgramme(_ u: Int, _ a: Int, _ month: Month, _ plan: UnitPlan) {
        let p = plan.leaf.programmes[a]
        let d = Double(model.programmes[a].duration)
        for path in 0..<pathCount {
            let col = u * pathCount + path
            if path > 0 && !plan.programmeVaries[a] {
                dropoutRate[col * A + a] = dropoutRate[(u * pathCount) * A + a]
                annualStarts[col * A + a] = annualStarts[(u * pathCount) * A + a]
                continue
            }
            let global = firstPath + path
            let completion = sampler.value(p.completion, at: month, path: global, unitKey: plan.unitKey)
            // q_a = 1 - c_a^(1/d_a).
            dropoutRate[col * A + a] = -expm1(log(completion) / d)
            annualStarts[col * A + a] = sampler.value(p.starts, at: month, path: global, unitKey: plan.unitKey)
        }
    }

    private func refreshEvents(_ u: Int, _ month: Month, _ plan: UnitPlan) {
        for path in 0..<pathCount {
            let col = u * pathCount + path
            let add = eventAdd + col * R
            let multiply = eventMultiply + col * R
            if path > 0 && !plan.eventsVary {
                add.update(from: eventAdd + (u * pathCount) * R, count: R)
                multiply.update(from: eventMultiply + (u * pathCount) * R, count: R)
                continue
            }
            for r in 0..<R { add[r] = 0; multiply[r] = 1 }
            for event in plan.leaf.events where event.from <= month {
                let v = sampler.value(event.value, at: month, path: firstPath + path, unitKey: plan.unitKey)
                for r in 0..<R where event.role == nil || event.role == r {
                    switch event.kind {
                    case .add: add[r] += v
                    case .multiply: multiply[r] *= v
                    }
                }
            }
        }
    }

    // MARK: - One month

    private func monthStep(_ step: Int) {
        refresh(step)
        let month = model.timeline.start + step
        let calendarMonth = month.month - 1
        let M = StoredMetric.count

        // 1. Demand D_t = (E0 g_t mix_t + additive events) * multiplicative events.
        for (u, plan) in units.enumerated() {
            for path in 0..<pathCount {
                let col = u * pathCount + path
                growthIndex[col] *= growthFactor[col]
                let g = growthIndex[col]
                for r in 0..<R {
                    let i = col * R + r
                    demand[i] = (plan.established[r] * g * mix[i] + eventAdd[i]) * eventMultiply[i]
                }
            }
        }

        // 2. Leaving: exits X = x F, moves M = v F; F1 = F - X.
        if noise {
            for u in 0..<units.count {
                let key = units[u].unitKey
                for path in 0..<pathCount {
                    let col = u * pathCount + path
                    for r in 0..<R {
                        let i = col * R + r
                        let x = exitRate[i]
                        var s = RandomStream(key: key, what: DrawKind.exits.code(roleHash[r]),
                                             month: month.index, path: firstPath + path)
                        let X = Binomial.sample(n: F[i], p: x, stream: &s)
                        var sm = RandomStream(key: key, what: DrawKind.moves.code(roleHash[r]),
                                              month: month.index, path: firstPath + path)
                        let Mv = x < 1 ? Binomial.sample(n: F[i] - X, p: moveRate[i] / (1 - x), stream: &sm) : 0
                        exits[i] = X
                        moves[i] = Mv
                        F1[i] = F[i] - X
                    }
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

        // 5. Recruitment and 6. end of month.
        for i in 0..<(C * R) { effective[i] = F2[i] }
        for (a, programme) in model.programmes.enumerated() where programme.inPostShare > 0 {
            let w = programme.inPostShare
            let target = programme.countsToward
            for col in 0..<C { effective[col * R + target] += w * traineeTotal[col * A + a] }
        }
        for u in 0..<units.count {
            let key = units[u].unitKey
            for path in 0..<pathCount {
                let col = u * pathCount + path
                for r in 0..<R {
                    let i = col * R + r
                    let vacancies = Swift.max(0, demand[i] - effective[i])
                    var international: Double
                    var domestic: Double
                    if noise {
                        var s = RandomStream(key: key, what: DrawKind.hires.code(roleHash[r]),
                                             month: month.index, path: firstPath + path)
                        let hires = Binomial.sample(n: vacancies.rounded(.down), p: fillRate[i], stream: &s)
                        var si = RandomStream(key: key, what: DrawKind.internationalHires.code(roleHash[r]),
                                              month: month.index, path: firstPath + path)
                        let drawn = Binomial.sample(n: hires, p: share[i], stream: &si)
                        international = Swift.min(drawn, monthlyCap[i].rounded(.down))
                        domestic = hires - drawn
                    } else {
                        let hires = fillRate[i] * vacancies
                        international = Swift.min(hires * share[i], monthlyCap[i])
                        domestic = hires * (1 - share[i])
                    }
                    let hired = international + domestic
                    let staff = F2[i] + hired
                    F[i] = staff
                    let a = acc + i * M
                    a[StoredMetric.demand.rawValue] = demand[i]
                    a[StoredMetric.staffInPost.rawValue] = staff
                    a[StoredMetric.vacancies.rawValue] = Swift.max(0, demand[i] - (effective[i] + hired))
                    a[StoredMetric.leavers.rawValue] += exits[i] + moves[i]
                    a[StoredMetric.hires.rawValue] += hired + moves[i]
                    a[StoredMetric.internationalHires.rawValue] += international
                    a[StoredMetric.payBill.rawValue] += staff * pay[i] / 12
                    a[StoredMetric.staffMean.rawValue] += staff
                }
            }
        }
        // Trainee stocks, reported under each programme's `to` role.
        for col in 0..<C {
            for r in 0..<R { acc[(col * R + r) * M + StoredMetric.trainees.rawValue] = 0 }
            for (a, programme) in model.programmes.enumerated() {
                acc[(col * R + programme.to) * M + StoredMetric.trainees.rawValue] += traineeTotal[col * A + a]
            }
        }
    }

    private func progression(_ month: Month) {
        let M = StoredMetric.count
        if noise {
            for u in 0..<units.count {
                let key = units[u].unitKey
                for path in 0..<pathCount {
                    let col = u * pathCount + path
                    let k = K + col * R * R
                    let f1 = F1 + col * R
                    let f2 = F2 + col * R
                    for r in 0..<R { f2[r] = f1[r] }
                    for r in 0..<R {
                        let m = mu[col * R + r]
                        guard m > 0, f1[r] > 0 else { continue }
                        // Movers out ~ Bin(F1[r], mu_r), split over destinations by a multinomial
                        // with weights m[r -> s] / mu_r, as a chain of conditional binomials.
                        var s = RandomStream(key: key, what: DrawKind.progression.code(roleHash[r]),
                                             month: month.index, path: firstPath + path)
                        var remaining = Binomial.sample(n: f1[r], p: m, stream: &s)
                        let movers = remaining
                        var weightLeft = 1.0
                        f2[r] -= movers
                        for dest in 0..<R where dest != r && remaining > 0 {
                            let w = k[dest + r * R] / m
                            guard w > 0 else { continue }
                            var sd = RandomStream(key: key, what: DrawKind.progression.code(roleHash[r]),
                                                  month: month.index, path: firstPath + path,
                                                  sub: UInt32(truncatingIfNeeded: roleHash[dest] & 0x7FFF) | 0x8000)
                            let n = weightLeft - w <= 1e-12 ? remaining
                                : Binomial.sample(n: remaining, p: Swift.min(1, w / weightLeft), stream: &sd)
                            f2[dest] += n
                            remaining -= n
                            weightLeft -= w
                            acc[(col * R + dest) * M + StoredMetric.progressionIn.rawValue] += n
                        }
                        acc[(col * R + r) * M + StoredMetric.progressionOut.rawValue] += movers - remaining
                        f2[r] += remaining  // rounding left nobody unassigned in practice
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
            Kernels.progression(K, F1, into: F2, roles: R, columns: C)
        } else {
            for u in 0..<units.count {
                if kShared[u] {
                    let first = u * pathCount
                    Kernels.progression(K + first * R * R, F1 + first * R, into: F2 + first * R, roles: R, columns: pathCount)
                } else {
                    for path in 0..<pathCount {
                        let col = u * pathCount + path
                        cblas_dgemv(CblasColMajor, CblasNoTrans, r32, r32, 1, K + col * R * R, r32,
                                    F1 + col * R, 1, 0, F2 + col * R, 1)
                    }
                }
            }
        }
        // Flows: out_r = mu_r F1[r]; in_s = sum over r of m[r -> s] F1[r].
        for i in 0..<(C * R) { acc[i * M + StoredMetric.progressionOut.rawValue] += mu[i] * F1[i] }
        for u in 0..<units.count {
            for (from, to) in units[u].transitionPairs {
                for path in 0..<pathCount {
                    let col = u * pathCount + path
                    acc[(col * R + to) * M + StoredMetric.progressionIn.rawValue] += K[col * R * R + to + from * R] * F1[col * R + from]
                }
            }
        }
    }

    private func train(_ a: Int, _ programme: Programme, month: Month, calendarMonth: Int) {
        let M = StoredMetric.count
        let d = programme.duration
        let profile = programme.intakeProfile[calendarMonth]
        for u in 0..<units.count {
            let key = units[u].unitKey
            for path in 0..<pathCount {
                let col = u * pathCount + path
                let t = T + col * S + stageOffset[a]
                let q = dropoutRate[col * A + a]
                var dropouts = 0.0
                var completers: Double
                var survivors = 0.0  // trainees still in training after this month, before starts
                if noise {
                    // Dropouts at each stage ~ Bin(T[k], q); survivors advance.
                    var s = RandomStream(key: key, what: DrawKind.dropouts.code(programmeHash[a]),
                                         month: month.index, path: firstPath + path, sub: UInt32(d - 1))
                    let lastOut = Binomial.sample(n: t[d - 1], p: q, stream: &s)
                    dropouts = lastOut
                    completers = t[d - 1] - lastOut
                    for k in stride(from: d - 1, through: 1, by: -1) {
                        var sk = RandomStream(key: key, what: DrawKind.dropouts.code(programmeHash[a]),
                                              month: month.index, path: firstPath + path, sub: UInt32(k - 1))
                        let out = Binomial.sample(n: t[k - 1], p: q, stream: &sk)
                        dropouts += out
                        t[k] = t[k - 1] - out
                        survivors += t[k]
                    }
                } else {
                    // O_k = q T[k]; C = (1 - q) T[d-1]; T[k] <- (1 - q) T[k-1]: on the ring, the
                    // last stage's slot is emptied and becomes stage 0, and the scale takes (1 - q).
                    let ca = col * A + a
                    let head = Int(ringHead[ca])
                    let last = head == 0 ? d - 1 : head - 1
                    let scale = ringScale[ca]
                    dropouts = q * scale * ringSum[ca]
                    completers = (1 - q) * scale * t[last]
                    ringSum[ca] -= t[last]
                    t[last] = 0
                    ringHead[ca] = Double(last)
                    ringScale[ca] = scale * (1 - q)
                    if last == 0 {
                        // Once a lap, sum the ring afresh so that rounding cannot accumulate.
                        var sum = 0.0
                        for k in 0..<d { sum += t[k] }
                        ringSum[ca] = sum
                    }
                    ringSum[ca] = Swift.max(0, ringSum[ca])
                    survivors = ringScale[ca] * ringSum[ca]
                }
                var starts = annualStarts[col * A + a] * profile
                if noise {
                    let total = startCarry[col * A + a] + starts
                    starts = total.rounded(.toNearestOrEven)
                    startCarry[col * A + a] = total - starts
                }
                let f2 = F2 + col * R
                if let from = programme.from {
                    starts = Swift.min(starts, f2[from])
                    f2[from] -= starts
                }
                if noise {
                    t[0] = starts
                } else {
                    let ca = col * A + a
                    if !(ringScale[ca] > 1e-150) {
                        // Fold the scale into the ring before it underflows.
                        let scale = ringScale[ca]
                        for k in 0..<d { t[k] *= scale }
                        ringSum[ca] *= scale
                        ringScale[ca] = 1
                    }
                    let stored = starts / ringScale[ca]
                    t[Int(ringHead[ca])] = stored
                    ringSum[ca] += stored
                }
                traineeTotal[col * A + a] = survivors + starts
                f2[programme.to] += completers
                if let from = programme.from, programme.dropoutsReturn { f2[from] += dropouts }
                let accTo = acc + (col * R + programme.to) * M
                accTo[StoredMetric.starts.rawValue] += starts
                accTo[StoredMetric.completions.rawValue] += completers
                accTo[StoredMetric.dropouts.rawValue] += dropouts
            }
        }
    }

    // MARK: - Output

    private func flush(period: Int, months: Int, into out: PathValues, slotOffset: Int) {
        let M = StoredMetric.count
        let mean = StoredMetric.staffMean.rawValue
        for u in 0..<units.count {
            for r in 0..<R {
                // Writes run along paths, where the output is contiguous.
                for m in 0..<M {
                    let cell = out.cell(slot: slotOffset + u, role: r, period: period, metric: m) + firstPath
                    let divisor = m == mean ? Double(months) : 1
                    for path in 0..<pathCount {
                        let a = acc + ((u * pathCount + path) * R + r) * M
                        cell[path] = a[m] / divisor
                    }
                }
            }
        }
        (acc).update(repeating: 0, count: C * R * M)
    }
}
