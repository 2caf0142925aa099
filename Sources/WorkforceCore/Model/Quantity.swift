/// A numeric parameter that may be uncertain and may change over time: a schedule of dated
/// values, each a number or a distribution.
///
/// Before the first dated point the first value holds. With `step` interpolation the value of the
/// latest point at or before the month holds; with `linear` interpolation the value is
/// interpolated by month between neighbouring points and held flat outside them.
public struct Quantity: Codable, Sendable, Equatable {
    public enum Interpolation: String, Codable, Sendable { case step, linear }

    public enum Value: Sendable, Equatable {
        case constant(Double)
        case random(Distribution)
    }

    public struct Point: Codable, Sendable, Equatable {
        /// The month from which the value holds; nil for the first point means "from the start".
        public var from: Month?
        public var value: Value

        public init(from: Month?, value: Value) {
            self.from = from
            self.value = value
        }
    }

    public var points: [Point]
    public var interpolation: Interpolation
    /// Identifies the parameter (a hash of its path in the scenario file) so that two scenarios
    /// with the same seed draw the same random numbers for it.
    public var key: UInt64

    public init(points: [Point], interpolation: Interpolation = .step, key: UInt64 = 0) {
        precondition(!points.isEmpty)
        self.points = points
        self.interpolation = interpolation
        self.key = key
    }

    public static func constant(_ x: Double) -> Quantity {
        Quantity(points: [Point(from: nil, value: .constant(x))])
    }

    public static func random(_ d: Distribution, key: UInt64) -> Quantity {
        Quantity(points: [Point(from: nil, value: .random(d))], key: key)
    }

    public var isRandom: Bool {
        points.contains { if case .random = $0.value { return true } else { return false } }
    }

    public var hasYearScope: Bool {
        points.contains { if case .random(let d) = $0.value { return d.scope == .year } else { return false } }
    }

    public var hasUnitScope: Bool {
        points.contains { if case .random(let d) = $0.value { return d.scope == .unit } else { return false } }
    }

    /// The single value when the quantity is a plain constant number.
    public var constantValue: Double? {
        if points.count == 1, case .constant(let x) = points[0].value { return x }
        return nil
    }

    /// Every value this quantity can take lies in the union of these ranges.
    public var valueRanges: [ClosedRange<Double>] {
        points.map {
            switch $0.value {
            case .constant(let x): return x...x
            case .random(let d): return d.support
            }
        }
    }

    /// The value at `month`, with `resolve` turning each point's value into a number (a constant
    /// as is; a distribution by a draw or its mean). `resolve` receives the point's index.
    @inlinable
    public func value(at month: Month, resolve: (Int, Value) -> Double) -> Double {
        if points.count == 1 { return resolve(0, points[0].value) }
        // Index of the last point that has started at `month`.
        var i = 0
        for j in 1..<points.count {
            if let from = points[j].from, from <= month { i = j } else { break }
        }
        let here = resolve(i, points[i].value)
        guard interpolation == .linear, i + 1 < points.count,
              let from = points[i].from, let to = points[i + 1].from, month > from else { return here }
        let there = resolve(i + 1, points[i + 1].value)
        let w = Double(month - from) / Double(to - from)
        return here + w * (there - here)
    }

    /// The simulation steps (0 ..< months from `start`) at which the value may differ from the
    /// month before. Step 0 is always included.
    public func changeSteps(start: Month, months: Int) -> [Int] {
        var steps: Set<Int> = [0]
        for point in points.dropFirst() {
            if let from = point.from {
                let s = from - start
                if s > 0 && s < months { steps.insert(s) }
            }
        }
        if interpolation == .linear, points.count > 1 {
            let first = points.first!.from ?? start
            let last = points.last!.from ?? start
            let lo = Swift.max(1, first - start + 1)
            let hi = Swift.min(months - 1, last - start)
            if lo <= hi { for s in lo...hi { steps.insert(s) } }
        }
        if hasYearScope {
            for s in 1..<Swift.max(1, months) where (start + s).month == 4 { steps.insert(s) }
        }
        return steps.sorted()
    }
}

extension Quantity.Value: Codable {
    private enum CodingKeys: String, CodingKey { case constant, distribution }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        if let x = try c.decodeIfPresent(Double.self, forKey: .constant) {
            self = .constant(x)
        } else {
            self = .random(try c.decode(Distribution.self, forKey: .distribution))
        }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .constant(let x): try c.encode(x, forKey: .constant)
        case .random(let d): try c.encode(d, forKey: .distribution)
        }
    }
}
