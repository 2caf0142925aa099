/// The summarised result of a run: one row per area, role (or all roles), period and metric, in
/// output order, each with mean, sd and the model's quantiles over paths.
public struct SummaryTable: Sendable {
    public struct Row: Sendable, Equatable {
        public var area: Int
        /// Index into `roles`, or nil for the total over all roles.
        public var role: Int?
        public var period: Int
        public var metric: Metric
    }

    public internal(set) var scenario: String
    public let areas: [Area]
    public let roles: [String]
    public let periods: [Period]
    public let metrics: [Metric]
    /// Quantiles in percent, in column order.
    public let quantiles: [Double]
    /// Area indices in output order (tree pre-order).
    public let areaOrder: [Int]
    /// mean, sd, then one value per quantile, for each row in order.
    public internal(set) var stats: [Double]

    public var statCount: Int { 2 + quantiles.count }
    public var rowCount: Int { areaOrder.count * (roles.count + 1) * periods.count * metrics.count }

    init(model: Model, metrics: [Metric]) {
        scenario = model.name
        areas = model.areas
        roles = model.roles
        periods = model.timeline.periods
        self.metrics = metrics
        quantiles = model.quantiles
        areaOrder = model.areasInTreeOrder
        stats = []
    }

    /// The row at `index` (0 ..< rowCount).
    public func row(_ index: Int) -> Row {
        let m = index % metrics.count
        var rest = index / metrics.count
        let period = rest % periods.count
        rest /= periods.count
        let roleSlot = rest % (roles.count + 1)
        let areaPosition = rest / (roles.count + 1)
        return Row(area: areaOrder[areaPosition], role: roleSlot == roles.count ? nil : roleSlot,
                   period: period, metric: metrics[m])
    }

    /// Index of the first row of (area position, role slot, period); metrics follow in order.
    func firstRow(areaPosition: Int, roleSlot: Int, period: Int) -> Int {
        ((areaPosition * (roles.count + 1) + roleSlot) * periods.count + period) * metrics.count
    }

    /// Statistics of a row: mean, sd, quantiles.
    public func values(_ index: Int) -> [Double] {
        Array(stats[(index * statCount)..<((index + 1) * statCount)])
    }

    /// Looks up a row's statistics by names (for tests and tools).
    public func values(area: String, role: String?, period: String, metric: Metric) -> [Double]? {
        guard let a = areas.firstIndex(where: { $0.name == area }),
              let position = areaOrder.firstIndex(of: a),
              let p = periods.firstIndex(where: { $0.label == period }),
              let m = metrics.firstIndex(of: metric) else { return nil }
        let slot: Int
        if let role {
            guard let r = roles.firstIndex(of: role) else { return nil }
            slot = r
        } else {
            slot = roles.count
        }
        return values(firstRow(areaPosition: position, roleSlot: slot, period: p) + m)
    }
}
