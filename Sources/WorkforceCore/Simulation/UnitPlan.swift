/// What the simulation precomputes for one leaf unit before stepping through the months: its
/// starting stocks, its demand events month by month, and the months at which each group of its
/// parameters must be evaluated again.
struct UnitPlan {
    /// A group of parameters evaluated together.
    enum Refresh {
        /// turnover, retained_in_sector, time_to_fill, international share and cap, pay, mix.
        case role(Int)
        /// growth times elasticity.
        case growth
        /// every progression rate of the unit.
        case progression
        /// completion and starts of a programme.
        case programme(Int)
        /// the demand events in force.
        case events
    }

    let leaf: Leaf
    let unitKey: Philox
    /// F0 per role (rounded half to even in noise mode).
    let filled: [Double]
    /// E0 = F0 + V0 per role.
    let established: [Double]
    /// Progression transitions as (from, to) role pairs, each once.
    let transitionPairs: [(from: Int, to: Int)]
    /// The roles that progression leaves (the `from` of some transition), each once, in order.
    let progressionSources: [Int]
    /// Refreshes due at each step.
    let refreshes: [[Refresh]]
    /// Whether each refresh group draws per path (otherwise one evaluation serves every path).
    let roleVaries: [Bool]
    let growthVaries: Bool
    let progressionVaries: Bool
    let programmeVaries: [Bool]
    let eventsVary: Bool

    init(model: Model, leafIndex: Int, seed: UInt64) {
        let leaf = model.leaves[leafIndex]
        self.leaf = leaf
        let name = model.areas[leaf.area].name
        unitKey = streamKey(seed: seed, unitHash: stableHash(name))
        let noise = model.noise == .binomial
        let round: (Double) -> Double = { noise ? $0.rounded(.toNearestOrEven) : $0 }
        filled = leaf.roles.map { round($0.filled) }
        established = leaf.roles.map { round($0.filled) + round($0.vacancies) }

        let start = model.timeline.start
        let months = model.timeline.months
        var pairs: [(from: Int, to: Int)] = []
        for t in leaf.progression where !pairs.contains(where: { $0.from == t.from && $0.to == t.to }) {
            pairs.append((t.from, t.to))
        }
        transitionPairs = pairs
        progressionSources = Set(pairs.map(\.from)).sorted()

        var due = [[Refresh]](repeating: [], count: months)
        func schedule(_ quantities: [Quantity], _ refresh: Refresh) {
            var steps: Set<Int> = [0]  // every group is evaluated once at the start
            for q in quantities { steps.formUnion(q.changeSteps(start: start, months: months)) }
            for s in steps.sorted() { due[s].append(refresh) }
        }
        for (r, p) in leaf.roles.enumerated() {
            schedule(UnitPlan.quantities(of: p), .role(r))
        }
        schedule([leaf.growth, leaf.elasticity], .growth)
        schedule(leaf.progression.map(\.rate), .progression)
        for (a, p) in leaf.programmes.enumerated() {
            schedule([p.completion, p.starts], .programme(a))
        }
        schedule(leaf.events.map(\.value), .events)
        for event in leaf.events {
            let s = event.from - start
            if s > 0 && s < months && !due[s].contains(where: { if case .events = $0 { return true } else { return false } }) {
                due[s].append(.events)
            }
        }
        refreshes = due
        roleVaries = leaf.roles.map { UnitPlan.quantities(of: $0).contains(where: \.isRandom) }
        growthVaries = leaf.growth.isRandom || leaf.elasticity.isRandom
        progressionVaries = leaf.progression.contains { $0.rate.isRandom }
        programmeVaries = leaf.programmes.map { $0.completion.isRandom || $0.starts.isRandom }
        eventsVary = leaf.events.contains { $0.value.isRandom }
    }

    static func quantities(of p: RoleParameters) -> [Quantity] {
        var qs = [p.turnover, p.retainedInSector, p.timeToFill, p.internationalShare, p.mix]
        if let cap = p.internationalCap { qs.append(cap) }
        if let pay = p.pay { qs.append(pay) }
        return qs
    }
}
