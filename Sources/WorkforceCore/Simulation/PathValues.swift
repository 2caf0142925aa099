#if canImport(Glibc)
import Glibc
#endif

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

    /// - Parameters:
    ///   - threads: the values are zeroed in pieces shared out between this many threads (for
    ///     hundreds of MiB most of that time is the kernel clearing pages on first touch). A
    ///     piece is 2 MiB, one huge page: with pieces of 8 MiB, W1's 22 MiB made two, and a
    ///     worker that woke late found both taken, so one thread zeroed it all.
    ///   - zeroed: false for values that are written before they are read (a block of leaves,
    ///     every cell of which each chunk writes), which are then left as allocated.
    init(slots: Int, roles: Int, periods: Int, paths: Int, segmentPaths: Int, threads: Int = 1, zeroed: Bool = true) {
        self.slots = slots
        self.roles = roles
        self.periods = periods
        self.paths = paths
        self.segmentPaths = segmentPaths
        segments = (paths + segmentPaths - 1) / segmentPaths
        slotStride = PathValues.slotStride(roles: roles, periods: periods, paths: paths, segmentPaths: segmentPaths)
        let count = Swift.max(1, slots * slotStride)
        data = PathValues.allocate(count)
        guard zeroed else { return }
        let start = UncheckedBox(data)
        PathValues.inPieces(count, of: 1 << 18, threads: threads) { range in
            (start.value + range.lowerBound).initialize(repeating: 0, count: range.count)
        }
    }

    /// Runs `body` over 0 ..< count cut into pieces of about `size` values, shared out between
    /// `threads` threads.
    private static func inPieces(_ count: Int, of size: Int, threads: Int, _ body: (Range<Int>) -> Void) {
        let pieces = Swift.max(1, count / size)
        parallelFor(pieces, threads: threads) { piece, _ in
            body((piece * count / pieces)..<((piece + 1) * count / pieces))
        }
    }

    deinit { data.deallocate() }

    /// `count` values. From 2 MiB up they are whole 2 MiB pages on 2 MiB boundaries, and the
    /// kernel is asked to back them with 2 MiB pages where it can: on first touch one page fault
    /// per 2 MiB in place of 512 (W1: 7,560 page faults -> 2,040, about 10 ms less CPU time).
    private static func allocate(_ count: Int) -> UnsafeMutablePointer<Double> {
        let huge = 1 << 21, needed = count * MemoryLayout<Double>.stride
        guard needed >= huge else { return .allocate(capacity: count) }
        let bytes = (needed + huge - 1) / huge * huge
        let raw = UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: huge)
        #if canImport(Glibc)
        _ = madvise(raw, bytes, MADV_HUGEPAGE)  // advice only: without it the pages are 4 KiB
        #endif
        return raw.bindMemory(to: Double.self, capacity: count)
    }

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
        let src = UncheckedBox(from.data + source * slotStride)
        let dst = UncheckedBox(data + target * slotStride)
        PathValues.inPieces(slotStride, of: 65_536, threads: threads) { range in
            for i in range { dst.value[i] += src.value[i] }
        }
    }

    /// Sets every value of `slot` to zero, the range shared out between threads.
    func clear(slot: Int, threads: Int) {
        let start = UncheckedBox(data + slot * slotStride)
        PathValues.inPieces(slotStride, of: 65_536, threads: threads) { range in
            (start.value + range.lowerBound).update(repeating: 0, count: range.count)
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
