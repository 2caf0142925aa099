import COpenBLAS
import Synchronization

/// How to run a model.
public struct SimulationOptions: Sendable {
    /// Worker threads. Results are byte-identical for any number.
    public var threads: Int
    /// The expected-value run: one path, distributions at their means, no noise.
    public var deterministic: Bool
    /// Upper bound in bytes on the per-path values held for one block of units; the unit list is
    /// processed in blocks so that memory does not grow with the number of units.
    public var blockBytes: Int
    /// Called with the fraction done (0 ... 1) from worker threads.
    public var progress: (@Sendable (Double) -> Void)?

    public init(threads: Int = 1, deterministic: Bool = false, blockBytes: Int = 256 << 20,
                progress: (@Sendable (Double) -> Void)? = nil) {
        self.threads = threads
        self.deterministic = deterministic
        self.blockBytes = blockBytes
        self.progress = progress
    }
}

/// Two models that cannot be compared path by path.
public struct ComparisonError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public var description: String { message }

    public init(message: String) { self.message = message }
}

/// Runs the Monte Carlo projection of a resolved model and summarises it.
///
/// Leaves are simulated in blocks, in the order of `AreaSchedule`, and each parent area is
/// summarised, and its storage reused, as soon as its subtree is done; within a block, paths are
/// cut into chunks of `chunkPaths` that threads take in turn. A chunk's results depend only on
/// its paths, never on the thread that ran it, and sums over units are always made in the same
/// order, so the output is the same whatever the thread count or block size.
public enum Simulator {
    /// Paths per chunk: fixed, so that the work split never depends on the thread count.
    static let chunkPaths = 64

    /// Paths per chunk, and per segment of the stored values, for a run of `paths` paths.
    static func segmentPaths(_ paths: Int) -> Int { Swift.min(paths, chunkPaths) }

    public static func run(_ input: Model, options: SimulationOptions = .init()) -> SummaryTable {
        execute([input], name: input.name, options: options)
    }

    /// The paired difference `whatIf - base`, path by path, summarised like any metric. Both models
    /// are run on the same paths; with the same seed they share their random numbers wherever
    /// they share a parameter, unit and month, so the spread of the difference is the spread of
    /// the effect, not of two independent samples. Ratios (vacancy and turnover rates) are
    /// computed on each path before differencing.
    public static func compare(base: Model, whatIf: Model, options: SimulationOptions = .init()) throws -> SummaryTable {
        if let problem = shapeProblem(base, whatIf) {
            throw ComparisonError(message: "'\(whatIf.name)' cannot be compared with '\(base.name)': \(problem); a what-if must keep its base's units, roles, calendar and paths")
        }
        return execute([base, whatIf], name: "\(whatIf.name) - \(base.name)", options: options)
    }

    static func shapeProblem(_ a: Model, _ b: Model) -> String? {
        if a.roles != b.roles { return "the roles differ (\(difference(a.roles, b.roles)))" }
        let names = (a.areas.map(\.name), b.areas.map(\.name))
        if names.0 != names.1 { return "the units differ (\(difference(names.0, names.1)))" }
        if a.areas.map(\.parent) != b.areas.map(\.parent) {
            let i = a.areas.indices.first { a.areas[$0].parent != b.areas[$0].parent }!
            return "the units differ ('\(a.areas[i].name)' sits under another parent)"
        }
        if a.timeline != b.timeline { return "the calendar differs" }
        if a.paths != b.paths { return "the number of paths differs" }
        if a.hasPay != b.hasPay { return "one gives pay and the other does not" }
        return nil
    }

    /// How two lists of names differ, for a message: the first few names only in one of them,
    /// or, where both hold the same names, the first place where their order differs.
    static func difference(_ base: [String], _ whatIf: [String]) -> String {
        func some(_ names: [String]) -> String {
            names.prefix(3).map { "'\($0)'" }.joined(separator: ", ") + (names.count > 3 ? " and \(names.count - 3) more" : "")
        }
        let inBase = Set(base), inWhatIf = Set(whatIf)
        let onlyBase = base.filter { !inWhatIf.contains($0) }, onlyWhatIf = whatIf.filter { !inBase.contains($0) }
        var parts: [String] = []
        if !onlyBase.isEmpty { parts.append("only in the base: \(some(onlyBase))") }
        if !onlyWhatIf.isEmpty { parts.append("only in the what-if: \(some(onlyWhatIf))") }
        if parts.isEmpty, let i = (0..<Swift.min(base.count, whatIf.count)).first(where: { base[$0] != whatIf[$0] }) {
            parts.append("the same names in another order: number \(i + 1) is '\(base[i])' in the base and '\(whatIf[i])' in the what-if")
        }
        return parts.isEmpty ? "a name is listed twice in one of them" : parts.joined(separator: "; ")
    }

    /// Leaves simulated together: as many as fit in `blockBytes` of per-path values (at least
    /// one), and at most 4,096 unit-and-path columns per chunk.
    static func leavesPerBlock(_ model: Model, models: Int, blockBytes: Int) -> Int {
        let perLeaf = Swift.max(1, models * PathValues.bytes(slots: 1, roles: model.roles.count,
                                                             periods: model.timeline.periods.count, paths: model.paths,
                                                             segmentPaths: segmentPaths(model.paths)))
        return Swift.max(1, Swift.min(blockBytes / perLeaf, Swift.max(1, 4096 / segmentPaths(model.paths))))
    }

    /// Bytes of memory a run needs for its per-path values, which grow with the paths: those of
    /// the parent areas held at once (`parentsHeld`, the ancestors of a block of leaves:
    /// `AreaSchedule`) and of one block of leaves (for `models` = 2 in a comparison, twice).
    /// Everything else a run holds is small beside them.
    public static func memoryNeeded(_ model: Model, models: Int = 1,
                                    options: SimulationOptions = .init()) -> (bytes: Int, parentsHeld: Int) {
        let paths = options.deterministic ? 1 : model.paths
        var m = model
        m.paths = paths
        let blockSize = leavesPerBlock(m, models: models, blockBytes: options.blockBytes)
        let leaves = Swift.min(model.leaves.count, blockSize)
        let parents = AreaSchedule(model: model, blockSize: blockSize).slotCount
        let bytes = models * PathValues.bytes(slots: parents + leaves, roles: model.roles.count,
                                              periods: model.timeline.periods.count, paths: paths,
                                              segmentPaths: segmentPaths(paths))
        return (bytes, parents)
    }

    /// Runs one model (its summaries) or two of the same shape (the summaries of the second minus
    /// the first, path by path).
    private static func execute(_ inputs: [Model], name: String, options: SimulationOptions) -> SummaryTable {
        let models = inputs.map { options.deterministic ? $0.deterministic : $0 }
        let model = models[0]
        Kernels.singleThreadedBLAS()
        let samplers = models.map { m in
            ParameterSampler(seed: m.seed, deterministic: options.deterministic,
                             table: options.deterministic ? nil : DrawTable(model: m, seed: m.seed, threads: options.threads))
        }
        var table = SummaryTable(model: model, metrics: Metric.reported(for: model))
        table.scenario = name
        let R = model.roles.count
        let periods = model.timeline.periods.count
        let P = model.paths

        var position = [Int](repeating: 0, count: model.areas.count)
        for (i, a) in table.areaOrder.enumerated() { position[a] = i }
        let chunkPaths = segmentPaths(P)
        let blockSize = leavesPerBlock(model, models: models.count, blockBytes: options.blockBytes)
        let schedule = AreaSchedule(model: model, blockSize: blockSize)
        let parentValues = models.map { _ in
            PathValues(slots: schedule.slotCount, roles: R, periods: periods, paths: P, segmentPaths: chunkPaths,
                       threads: options.threads)
        }
        let leafCount = model.leaves.count
        let chunks = (P + chunkPaths - 1) / chunkPaths
        let done = Atomic<Int>(0)
        let total = Swift.max(1, schedule.blocks.count * chunks * models.count)

        // Storage for one block of leaves per model, reused from block to block: every chunk
        // writes every cell of its paths, so nothing needs clearing in between.
        let blockValues = models.map { _ in
            PathValues(slots: Swift.min(blockSize, leafCount), roles: R, periods: periods, paths: P, segmentPaths: chunkPaths,
                       threads: options.threads, zeroed: false)
        }
        let memories = (0..<Swift.max(1, options.threads)).map { _ in ChunkMemory() }
        var stats = [Double](repeating: 0, count: table.rowCount * table.statCount)
        let layout = table
        stats.withUnsafeMutableBufferPointer { stats in
            let statsOut = UncheckedBox(stats.baseAddress!)
            for block in schedule.blocks {
                let leaves = block.leaves
                for values in parentValues {
                    for slot in block.reused { values.clear(slot: slot, threads: options.threads) }
                }
                if !leaves.isEmpty {
                    for (m, current) in models.enumerated() {
                        let plans = leaves.map { UnitPlan(model: current, leafIndex: $0, seed: current.seed) }
                        let values = blockValues[m]
                        let parentsOut = parentValues[m]
                        let parentOf = leaves.map { model.areas[model.leaves[$0].area].parent.map { schedule.slot[$0] } }
                        parallelFor(chunks, threads: options.threads) { c, worker in
                            let first = c * chunkPaths
                            let chunk = Chunk(model: current, units: plans, sampler: samplers[m], firstPath: first,
                                              pathCount: Swift.min(chunkPaths, P - first), memory: memories[worker])
                            // Each leaf is added into its parent as it is written, in unit order.
                            chunk.run(into: values, parents: parentsOut, parentSlots: parentOf)
                            let n = done.wrappingAdd(1, ordering: .relaxed).newValue
                            options.progress?(Double(n) / Double(total))
                        }
                    }
                    summarise(blockValues, cells: leaves.enumerated().map { ($0.offset, model.leaves[$0.element].area) },
                              position: position, table: layout, stats: statsOut.value, threads: options.threads)
                }
                // Parents completed by this block: each into its own parent, then summarised.
                guard !block.completed.isEmpty else { continue }
                for area in block.completed {
                    guard let up = model.areas[area].parent else { continue }
                    for values in parentValues {
                        values.add(values, slot: schedule.slot[area], into: schedule.slot[up], threads: options.threads)
                    }
                }
                summarise(parentValues, cells: block.completed.map { (schedule.slot[$0], $0) }, position: position,
                          table: layout, stats: statsOut.value, threads: options.threads)
            }
        }
        table.stats = stats
        return table
    }

    /// Summarises each cell's slot, holding that cell's area, into `stats`: of `values[0]`, or of
    /// `values[1] - values[0]` path by path when there are two.
    static func summarise(_ values: [PathValues], cells: [(slot: Int, area: Int)], position: [Int], table: SummaryTable,
                          stats: UnsafeMutablePointer<Double>, threads: Int) {
        let R = values[0].roles
        let periods = values[0].periods
        let P = values[0].paths
        let width = table.statCount
        let tasks = cells.count * (R + 1) * periods
        let workers = Swift.max(1, Swift.min(threads, tasks))
        let M = StoredMetric.count
        // Per worker: every stored metric of the cell for each model, then two series for ratios
        // and differences.
        let perWorker = (values.count * M + 2) * P
        let scratch = UnsafeMutablePointer<Double>.allocate(capacity: workers * perWorker)
        defer { scratch.deallocate() }
        let scratchBox = UncheckedBox(scratch)
        let statsBox = UncheckedBox(stats)
        let workspaces = (0..<workers).map { _ in SummaryWorkspace(capacity: P) }
        parallelFor(tasks, threads: workers) { task, worker in
            let (slot, area) = cells[task / ((R + 1) * periods)]
            let roleSlot = (task / periods) % (R + 1)
            let period = task % periods
            let stored = scratchBox.value + worker * perWorker
            for (m, v) in values.enumerated() {
                v.gather(slot: slot, role: roleSlot, period: period, into: stored + m * M * P)
            }
            let ratios = stored + values.count * M * P
            let difference = ratios + P
            let first = table.firstRow(areaPosition: position[area], roleSlot: roleSlot, period: period)
            for (mi, metric) in table.metrics.enumerated() {
                let (num, den) = metric.source
                // Model m's values of the metric: as stored, or the ratio made path by path.
                func series(_ m: Int, into out: UnsafeMutablePointer<Double>) -> UnsafeMutablePointer<Double> {
                    let numerator = stored + (m * M + num.rawValue) * P
                    guard let den else { return numerator }
                    let denominator = stored + (m * M + den.rawValue) * P
                    // numerator / denominator where the denominator is positive, else 0; the
                    // divisions two paths at a time (a lane's division is the scalar one).
                    var i = 0
                    while i + 2 <= P {
                        let ratio = numerator.pair(i) / denominator.pair(i)
                        out[i] = denominator[i] > 0 ? ratio[0] : 0
                        out[i + 1] = denominator[i + 1] > 0 ? ratio[1] : 0
                        i += 2
                    }
                    for j in i..<P { out[j] = denominator[j] > 0 ? numerator[j] / denominator[j] : 0 }
                    return out
                }
                var result = series(0, into: ratios)
                if values.count == 2 {
                    let other = series(1, into: difference)
                    for i in 0..<P { difference[i] = other[i] - result[i] }
                    result = difference
                }
                Statistics.summarise(result, count: P, quantiles: table.quantiles,
                                     into: statsBox.value + (first + mi) * width, workspace: workspaces[worker])
            }
        }
    }
}
