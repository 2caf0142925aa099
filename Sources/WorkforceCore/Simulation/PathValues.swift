/// Per-path stored metrics for a set of areas: the raw material of the summaries.
///
/// Role slots 0 ..< roles are the roles and slot `roles` their total (summed path by path, role
/// by role in order). Value (slot, role, period, metric, path) is at
/// ((((slot * (roles + 1) + role) * periods + period) * StoredMetric.count + metric) * paths + path),
/// so that the paths of one cell are contiguous.
final class PathValues: @unchecked Sendable {
    let slots: Int
    let roles: Int
    let periods: Int
    let paths: Int
    let data: UnsafeMutablePointer<Double>
    let count: Int

    init(slots: Int, roles: Int, periods: Int, paths: Int) {
        self.slots = slots
        self.roles = roles
        self.periods = periods
        self.paths = paths
        count = slots * (roles + 1) * periods * StoredMetric.count * paths
        data = .allocate(capacity: Swift.max(1, count))
        data.initialize(repeating: 0, count: Swift.max(1, count))
    }

    deinit { data.deallocate() }

    /// The first of the `paths` values of one cell.
    @inline(__always)
    func cell(slot: Int, role: Int, period: Int, metric: Int) -> UnsafeMutablePointer<Double> {
        data + (((slot * (roles + 1) + role) * periods + period) * StoredMetric.count + metric) * paths
    }

    static func bytes(slots: Int, roles: Int, periods: Int, paths: Int) -> Int {
        slots * (roles + 1) * periods * StoredMetric.count * paths * MemoryLayout<Double>.stride
    }
}
