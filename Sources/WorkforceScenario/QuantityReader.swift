import WorkforceCore

/// The values a parameter may take, for checking and for messages: `[0, 1)` and the like.
struct ValidRange {
    var lower: Double
    var lowerOpen: Bool
    var upper: Double
    var upperOpen: Bool

    static let fraction = ValidRange(lower: 0, lowerOpen: false, upper: 1, upperOpen: false)
    static let turnover = ValidRange(lower: 0, lowerOpen: false, upper: 1, upperOpen: true)
    static let completion = ValidRange(lower: 0, lowerOpen: true, upper: 1, upperOpen: false)
    static let positive = ValidRange(lower: 0, lowerOpen: true, upper: .infinity, upperOpen: true)
    static let nonNegative = ValidRange(lower: 0, lowerOpen: false, upper: .infinity, upperOpen: true)
    static let growth = ValidRange(lower: -1, lowerOpen: true, upper: .infinity, upperOpen: true)
    static let any = ValidRange(lower: -.infinity, lowerOpen: true, upper: .infinity, upperOpen: true)

    func contains(_ x: Double) -> Bool {
        (lowerOpen ? x > lower : x >= lower) && (upperOpen ? x < upper : x <= upper)
    }

    func contains(_ r: ClosedRange<Double>) -> Bool {
        contains(r.lowerBound) && contains(r.upperBound)
    }

    /// Whether every value of a distribution's support lies in the range, where an open end of
    /// the support is only approached, never taken.
    func contains(_ r: ClosedRange<Double>, openEnds: (lower: Bool, upper: Bool)) -> Bool {
        let lowOK = contains(r.lowerBound) || (openEnds.lower && r.lowerBound == lower && r.lowerBound < r.upperBound)
        let highOK = contains(r.upperBound) || (openEnds.upper && r.upperBound == upper && r.lowerBound < r.upperBound)
        return lowOK && highOK
    }

    /// "must be in [0, 1)", "must be >= 0".
    var requirement: String {
        let t = text
        return t.hasPrefix("[") || t.hasPrefix("(") ? "must be in \(t)" : "must be \(t)"
    }

    var text: String {
        let lo = lower.isFinite ? formatNumber(lower) : "-inf"
        let hi = upper.isFinite ? formatNumber(upper) : "inf"
        if lower == 0 && !lowerOpen && upper == .infinity { return ">= 0" }
        if lower == 0 && lowerOpen && upper == .infinity { return "> 0" }
        if lower == -1 && lowerOpen && upper == .infinity { return "> -1" }
        return "\(lowerOpen ? "(" : "[")\(lo), \(hi)\(upperOpen ? ")" : "]")"
    }
}

/// Reads a parameter written as a number, a distribution, a schedule or a table by year (see
/// the README, "Numbers").
enum QuantityReader {
    /// `interpolation` is the default for schedules (`step`, except for the role mix, which
    /// MODEL.md defines as piecewise-linear).
    static func read(_ node: ScenarioNode, field: String, valid: ValidRange,
                     interpolation: Quantity.Interpolation = .step) throws -> Quantity {
        var q = try readUnchecked(node, field: field, valid: valid, interpolation: interpolation)
        q.key = stableHash(field)
        return q
    }

    private static func readUnchecked(_ node: ScenarioNode, field: String, valid: ValidRange,
                                      interpolation: Quantity.Interpolation) throws -> Quantity {
        switch node.kind {
        case .scalar:
            return .constant(try number(node, field: field, valid: valid))
        case .mapping(let entries):
            if node["dist"] != nil {
                return Quantity(points: [.init(from: nil, value: .random(try distribution(node, field: field, valid: valid)))])
            }
            if node["schedule"] != nil {
                return try schedule(node, field: field, valid: valid, defaultInterpolation: interpolation)
            }
            if let first = entries.first, YearKey(first.key) != nil {
                return try yearTable(entries, node: node, field: field, valid: valid)
            }
            throw node.error(field, "expected a number, a distribution {dist: ...}, a schedule {schedule: [[YYYY-MM, value], ...]} or a table by year {2024/25: value, ...}")
        default:
            throw node.error(field, "expected a number, a distribution, a schedule or a table by year, got \(node.kindName)")
        }
    }

    static func number(_ node: ScenarioNode, field: String, valid: ValidRange) throws -> Double {
        if case .scalar(let s, _) = node.kind, s.hasSuffix("%") {
            throw node.error(field, "'\(s)' is a percentage; write it as a fraction (for example 0.259 for 25.9%)")
        }
        let x = try node.number(field)
        guard valid.contains(x) else {
            throw node.error(field, "\(formatNumber(x)) is out of range; it \(valid.requirement)")
        }
        return x
    }

    static func value(_ node: ScenarioNode, field: String, valid: ValidRange) throws -> Quantity.Value {
        if node["dist"] != nil { return .random(try distribution(node, field: field, valid: valid)) }
        return .constant(try number(node, field: field, valid: valid))
    }

    static func distribution(_ node: ScenarioNode, field: String, valid: ValidRange) throws -> Distribution {
        let kindNode = node["dist"]!
        let kind = try kindNode.choice("\(field).dist", Distribution.Kind.self)
        var keys = ["dist", "scope", "min", "max"]
        switch kind {
        case .normal, .lognormal, .beta: keys += ["mean", "sd"]
        case .triangular: keys += ["mode"]
        case .uniform: break
        }
        try node.checkKeys(field, allowed: keys)
        func required(_ key: String) throws -> Double {
            guard let v = node[key] else {
                throw node.error(field, "a \(kind.rawValue) distribution needs '\(key)' (it takes \(keys.filter { $0 != "dist" && $0 != "scope" }.joined(separator: ", ")))")
            }
            return try v.number("\(field).\(key)")
        }
        func optional(_ key: String) throws -> Double? {
            try node[key].map { try $0.number("\(field).\(key)") }
        }
        let scope = try node["scope"].map { try $0.choice("\(field).scope", Scope.self) } ?? .path
        var d: Distribution
        switch kind {
        case .normal, .lognormal, .beta:
            d = Distribution(kind: kind, a: try required("mean"), b: try required("sd"),
                             lower: try optional("min"), upper: try optional("max"), scope: scope)
        case .triangular:
            d = Distribution(kind: kind, a: try required("min"), b: try required("mode"), c: try required("max"), scope: scope)
        case .uniform:
            d = Distribution(kind: kind, a: try required("min"), b: try required("max"), scope: scope)
        }
        if let problem = d.problem { throw node.error(field, "invalid \(kind.rawValue) distribution: \(problem)") }
        if !valid.contains(d.support, openEnds: d.openEnds) {
            let s = d.support
            throw node.error(field, "this \(kind.rawValue) distribution can take values from \(s.lowerBound.isFinite ? formatNumber(s.lowerBound) : "-inf") to \(s.upperBound.isFinite ? formatNumber(s.upperBound) : "inf"), outside the valid range \(valid.text); set min and max inside it")
        }
        return d
    }

    private static func schedule(_ node: ScenarioNode, field: String, valid: ValidRange,
                                 defaultInterpolation: Quantity.Interpolation) throws -> Quantity {
        try node.checkKeys(field, allowed: ["schedule", "interpolate"])
        let interpolation = try node["interpolate"].map { try $0.choice("\(field).interpolate", InterpolationName.self) }
            ?? (defaultInterpolation == .linear ? .linear : .step)
        let items = try node["schedule"]!.sequence("\(field).schedule", expected: "a list of [YYYY-MM, value] pairs")
        guard !items.isEmpty else { throw node.error("\(field).schedule", "the schedule is empty; give at least one [YYYY-MM, value] pair") }
        var points: [Quantity.Point] = []
        for (i, item) in items.enumerated() {
            let itemField = "\(field).schedule[\(i + 1)]"
            let dateNode: ScenarioNode
            let valueNode: ScenarioNode
            if case .sequence(let pair) = item.kind, pair.count == 2 {
                (dateNode, valueNode) = (pair[0], pair[1])
            } else if let from = item["from"], let v = item["value"] {
                try item.checkKeys(itemField, allowed: ["from", "value"])
                (dateNode, valueNode) = (from, v)
            } else {
                throw item.error(itemField, "each schedule entry is [YYYY-MM, value] or {from: YYYY-MM, value: ...}")
            }
            let month = try dateNode.month(itemField)
            if let last = points.last?.from, month <= last {
                throw dateNode.error(itemField, "dates must increase; \(month) does not come after \(last)")
            }
            points.append(.init(from: month, value: try value(valueNode, field: itemField, valid: valid)))
        }
        return Quantity(points: points, interpolation: interpolation == .linear ? .linear : .step)
    }

    private static func yearTable(_ entries: [ScenarioNode.Entry], node: ScenarioNode, field: String, valid: ValidRange) throws -> Quantity {
        var points: [(YearKey, Quantity.Point)] = []
        for e in entries {
            let entryField = "\(field).\(e.key)"
            guard let year = YearKey(e.key) else {
                throw e.value.error(entryField, "'\(e.key)' is not a year; write 2024 (calendar, from January) or 2024/25 (financial, from April)")
            }
            if let first = points.first, first.0.financial != year.financial {
                throw e.value.error(entryField, "mixes calendar and financial years; use one kind in a table")
            }
            points.append((year, .init(from: year.firstMonth, value: try value(e.value, field: entryField, valid: valid))))
        }
        // A YAML mapping has no order (and a what-if may add years to its base's table).
        return Quantity(points: points.sorted { $0.0.year < $1.0.year }.map(\.1), interpolation: .step)
    }

    private enum InterpolationName: String, CaseIterable { case step, linear }
}

/// A year written as `2024` (calendar year, from January) or `2024/25` (financial year, from April).
struct YearKey {
    var year: Int
    var financial: Bool

    init?(_ text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts[0].count == 4, let y = Int(parts[0]), y >= 1000 else { return nil }
        if parts.count == 1 {
            (year, financial) = (y, false)
        } else if parts.count == 2, parts[1].count == 2, let next = Int(parts[1]), next == (y + 1) % 100 {
            (year, financial) = (y, true)
        } else {
            return nil
        }
    }

    var firstMonth: Month { Month(year: year, month: financial ? 4 : 1) }
}
