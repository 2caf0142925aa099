/// Per-path stored metrics for a set of areas: the raw material of the summaries.
///
/// Role slots 0 ..< roles are the roles and slot `roles` their total (summed path by path, role
/// by role in order). Paths are kept in segments of `segmentPaths`, the simulation's chunks:
/// value (slot, role, period, metric, path) is at
/// (((((slot * segments + s) * (roles + 1) + role) * periods + period) * StoredMetric.count + metric) * segmentPaths + j),
/// s = path / segmentPaths, j = path % segmentPaths. So everything one chunk writes for one area
/// is contiguous, and a chunk adds its leaves into their parent as it writes them with both sides
/// read in order; the paths of one cell are `segments` runs of `segmentPaths` values.
final class PathValues: @unchecked Sendable {
    let slots: Int
    let roles: Int
    let periods: Int
    let paths: Int
    let segmentPaths: Int
    let segments: Int
    /// Values per slot (the last segment is padded to `segmentPaths`).
    let slotStride: Int
    let data: UnsafeMutablePointer<Double>

    /// - Parameter threads: the values are zeroed in pieces shared out between this many threads
    ///   (for hundreds of MiB most of that time is the kernel clearing pages on first touch).
    init(slots: Int, roles: Int, periods: Int, paths: Int, segmentPaths: Int, threads: Int = 1) {
        self.slots = slots
        self.roles = roles
        self.periods = periods
        self.paths = paths
        self.segmentPaths = segmentPaths
        segments = (paths + segmentPaths - 1) / segmentPaths
        slotStride = PathValues.slotStride(roles: roles, periods: periods, paths: paths, segmentPaths: segmentPaths)
        let count = Swift.max(1, slots * slotStride)
        data = .allocate(capacity: count)
        let pieces = Swift.max(1, count / (1 << 20))
        let start = UncheckedBox(data)
        parallelFor(pieces, threads: threads) { piece, _ in
            let lo = piece * count / pieces, hi = (piece + 1) * count / pieces
            (start.value + lo).initialize(repeating: 0, count: hi - lo)
        }
    }

    deinit { data.deallocate() }

    /// The first of the `segmentPaths` values of one cell in segment `segment`.
    @inline(__always)
    func segment(slot: Int, _ segment: Int, role: Int, period: Int, metric: Int) -> UnsafeMutablePointer<Double> {
        data + slot * slotStride
            + ((((segment * (roles + 1) + role) * periods + period) * StoredMetric.count + metric) * segmentPaths)
    }

    /// Copies the values of every stored metric of one (slot, role, period), path by path: metric
    /// m into out[m * paths ..< (m + 1) * paths]. The metrics of a segment are contiguous, so the
    /// values are read in runs of StoredMetric.count * segmentPaths.
    func gather(slot: Int, role: Int, period: Int, into out: UnsafeMutablePointer<Double>) {
        for s in 0..<segments {
            let first = s * segmentPaths
            let count = Swift.min(segmentPaths, paths - first)
            let source = segment(slot: slot, s, role: role, period: period, metric: 0)
            for m in 0..<StoredMetric.count {
                (out + m * paths + first).update(from: source + m * segmentPaths, count: count)
            }
        }
    }

    /// Adds every value of slot `source` of `from` (of the same shape) into slot `target`, the
    /// range shared out between threads.
    func add(_ from: PathValues, slot source: Int, into target: Int, threads: Int) {
        let pieces = Swift.max(1, slotStride / 65_536)
        let src = UncheckedBox(from.data + source * slotStride)
        let dst = UncheckedBox(data + target * slotStride)
        let stride = slotStride
        parallelFor(pieces, threads: threads) { piece, _ in
            let lo = piece * stride / pieces, hi = (piece + 1) * stride / pieces
            for i in lo..<hi { dst.value[i] += src.value[i] }
        }
    }

    /// Sets every value of `slot` to zero, the range shared out between threads.
    func clear(slot: Int, threads: Int) {
        let pieces = Swift.max(1, slotStride / 65_536)
        let start = UncheckedBox(data + slot * slotStride)
        let stride = slotStride
        parallelFor(pieces, threads: threads) { piece, _ in
            let lo = piece * stride / pieces, hi = (piece + 1) * stride / pieces
            (start.value + lo).update(repeating: 0, count: hi - lo)
        }
    }

    /// Bytes held for `slots` areas.
    static func bytes(slots: Int, roles: Int, periods: Int, paths: Int, segmentPaths: Int) -> Int {
        slots * slotStride(roles: roles, periods: periods, paths: paths, segmentPaths: segmentPaths)
            * MemoryLayout<Double>.stride
    }

    /// Values held per area: every role slot, period and metric for the paths rounded up to
    /// whole segments.
    static func slotStride(roles: Int, periods: Int, paths: Int, segmentPaths: Int) -> Int {
        (paths + segmentPaths - 1) / segmentPaths * segmentPaths * (roles + 1) * periods * StoredMetric.count
    }
}
