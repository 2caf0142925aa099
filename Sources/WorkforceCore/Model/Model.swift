/// How flows are computed (MODEL.md sections 5 and 7).
public enum Noise: String, Codable, Sendable, CaseIterable {
    /// Expected flows on real-valued stocks.
    case none
    /// Integer stocks; every flow is a binomial or multinomial draw.
    case binomial
}

/// A node of the unit tree: a leaf unit that is simulated, or a parent that only aggregates.
public struct Area: Codable, Sendable, Equatable {
    public var name: String
    /// The name of this area's level in the tree (for example `region`), reported in the CSV.
    public var level: String
    public var parent: Int?
    public var children: [Int]
    /// Index into `Model.leaves` when this area is a leaf.
    public var leaf: Int?

    public init(name: String, level: String, parent: Int?, children: [Int] = [], leaf: Int? = nil) {
        self.name = name
        self.level = level
        self.parent = parent
        self.children = children
        self.leaf = leaf
    }
}

/// Parameters of one role in one unit (MODEL.md section 4). Rates are annual.
public struct RoleParameters: Codable, Sendable, Equatable {
    /// Staff in post F0 at the start (FTE or head count).
    public var filled: Double
    /// Vacancies V0 at the start; established posts E0 = F0 + V0.
    public var vacancies: Double
    /// tau in [0, 1): leavers per year over average staff in post.
    public var turnover: Quantity
    /// rho in [0, 1]: share of leavers who take another job in the same role and unit.
    public var retainedInSector: Quantity
    /// t_f > 0, months: a vacancy is filled with probability 1 - exp(-1 / t_f) each month.
    public var timeToFill: Quantity
    /// Share in [0, 1] of external hires recruited from abroad.
    public var internationalShare: Quantity
    /// Most international hires per year; nil for no cap.
    public var internationalCap: Quantity?
    /// Pay per FTE per year; nil when not given.
    public var pay: Quantity?
    /// Demand multiplier for shifts in role mix (1 by default).
    public var mix: Quantity

    public init(filled: Double, vacancies: Double, turnover: Quantity,
                retainedInSector: Quantity = .constant(0), timeToFill: Quantity,
                internationalShare: Quantity = .constant(0), internationalCap: Quantity? = nil,
                pay: Quantity? = nil, mix: Quantity = .constant(1)) {
        self.filled = filled
        self.vacancies = vacancies
        self.turnover = turnover
        self.retainedInSector = retainedInSector
        self.timeToFill = timeToFill
        self.internationalShare = internationalShare
        self.internationalCap = internationalCap
        self.pay = pay
        self.mix = mix
    }
}

/// An annual progression rate pi[from -> to].
public struct Transition: Codable, Sendable, Equatable {
    public var from: Int
    public var to: Int
    public var rate: Quantity

    public init(from: Int, to: Int, rate: Quantity) {
        self.from = from
        self.to = to
        self.rate = rate
    }
}

/// A training pipeline (MODEL.md section 4, per programme).
public struct Programme: Codable, Sendable, Equatable {
    public var name: String
    /// The role trainees join on completion.
    public var to: Int
    /// The role trainees are drawn from (upskilling), or nil for external recruits.
    public var from: Int?
    /// d_a, months of training.
    public var duration: Int
    /// Twelve weights for January ... December, summing to 1.
    public var intakeProfile: [Double]
    /// w_a in [0, 1]: how much of a trainee counts as staff in post while training.
    public var inPostShare: Double
    /// Whether upskilling dropouts return to the `from` role.
    public var dropoutsReturn: Bool

    public init(name: String, to: Int, from: Int?, duration: Int,
                intakeProfile: [Double] = Array(repeating: 1.0 / 12, count: 12),
                inPostShare: Double? = nil, dropoutsReturn: Bool? = nil) {
        self.name = name
        self.to = to
        self.from = from
        self.duration = duration
        self.intakeProfile = intakeProfile
        self.inPostShare = inPostShare ?? (from == nil ? 0 : 0.8)
        self.dropoutsReturn = dropoutsReturn ?? (from != nil)
    }

    /// The role whose effective staff a trainee counts toward: `from` when there is one.
    public var countsToward: Int { from ?? to }
}

/// A programme's parameters in one unit.
public struct ProgrammeParameters: Codable, Sendable, Equatable {
    /// c_a in (0, 1]: share of starters who complete.
    public var completion: Quantity
    /// Starts per year in this unit.
    public var starts: Quantity

    public init(completion: Quantity, starts: Quantity) {
        self.completion = completion
        self.starts = starts
    }
}

/// A step change in demand from a month on.
public struct DemandEvent: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable { case add, multiply }
    /// The role affected, or nil for every role (multiplicative events only).
    public var role: Int?
    public var from: Month
    public var kind: Kind
    /// Posts added, or the factor; may be uncertain (drawn once per path, or per unit and path).
    public var value: Quantity

    public init(role: Int?, from: Month, kind: Kind, value: Quantity) {
        self.role = role
        self.from = from
        self.kind = kind
        self.value = value
    }
}

/// Everything about one simulated unit.
public struct Leaf: Codable, Sendable, Equatable {
    /// Index into `Model.areas`.
    public var area: Int
    /// One entry per role, in `Model.roles` order.
    public var roles: [RoleParameters]
    public var progression: [Transition]
    /// One entry per programme, in `Model.programmes` order.
    public var programmes: [ProgrammeParameters]
    /// gamma: annual growth of established posts (before the elasticity).
    public var growth: Quantity
    /// Multiplies `growth` (the elasticity of demand to a population driver; 1 otherwise).
    public var elasticity: Quantity
    public var events: [DemandEvent]

    public init(area: Int, roles: [RoleParameters], progression: [Transition] = [],
                programmes: [ProgrammeParameters] = [], growth: Quantity = .constant(0),
                elasticity: Quantity = .constant(1), events: [DemandEvent] = []) {
        self.area = area
        self.roles = roles
        self.progression = progression
        self.programmes = programmes
        self.growth = growth
        self.elasticity = elasticity
        self.events = events
    }
}

/// The fully resolved model: every default applied and every override merged. The simulation
/// reads nothing else.
public struct Model: Codable, Sendable, Equatable {
    public var name: String
    public var timeline: Timeline
    public var paths: Int
    public var seed: UInt64
    public var noise: Noise
    /// Quantiles to report, in percent (for example 5, 25, 50, 75, 95).
    public var quantiles: [Double]
    public var roles: [String]
    public var programmes: [Programme]
    public var areas: [Area]
    public var leaves: [Leaf]

    public init(name: String, timeline: Timeline, paths: Int = 1000, seed: UInt64 = 1,
                noise: Noise = .none, quantiles: [Double] = [5, 25, 50, 75, 95],
                roles: [String], programmes: [Programme] = [], areas: [Area], leaves: [Leaf]) {
        self.name = name
        self.timeline = timeline
        self.paths = paths
        self.seed = seed
        self.noise = noise
        self.quantiles = quantiles
        self.roles = roles
        self.programmes = programmes
        self.areas = areas
        self.leaves = leaves
    }

    /// Whether any role in any unit has a pay figure (the `pay_bill` metric is reported then).
    public var hasPay: Bool { leaves.contains { $0.roles.contains { $0.pay != nil } } }

    /// The expected-value version of this model: one path, no noise; distributions are replaced
    /// by their means when the simulation runs.
    public var deterministic: Model {
        var m = self
        m.paths = 1
        m.noise = .none
        return m
    }

    /// Area indices in tree pre-order (each root, then its children depth first, in the order
    /// they were declared): the order of the output rows.
    public var areasInTreeOrder: [Int] {
        var order: [Int] = []
        func visit(_ i: Int) {
            order.append(i)
            for c in areas[i].children { visit(c) }
        }
        for (i, a) in areas.enumerated() where a.parent == nil { visit(i) }
        return order
    }

    /// Ancestors of an area, nearest first.
    public func ancestors(of area: Int) -> [Int] {
        var out: [Int] = []
        var p = areas[area].parent
        while let q = p {
            out.append(q)
            p = areas[q].parent
        }
        return out
    }
}
