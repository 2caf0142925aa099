/// Draws of every parameter whose randomness is shared between units (scope `path` or `year`),
/// made once per run before the units are simulated: each unit that uses the parameter reads the
/// same number, and the cost of inverting a distribution is paid once per path (and year), not
/// once per unit.
struct DrawTable: Sendable {
    struct ID: Hashable, Sendable {
        var key: UInt64
        var point: Int
    }

    /// Where each ID's draws start in `values`, and how many it holds per path (1 for scope
    /// `path`, `years` for scope `year`): open addressing with linear probing over a
    /// power-of-two table at most half full, entered at the ID's own bits (the quantity key is
    /// already a well-mixed 64-bit hash), so a lookup is a multiply and a compare or two where a
    /// Dictionary hashed the ID with SipHash on every parameter of every path.
    private var index: [(id: ID, offset: Int, perPath: Int)] = []
    private var mask = 0
    private(set) var values: [Double] = []
    let firstYear: Int
    let years: Int
    let paths: Int

    /// Collects the shared random points of `model` and draws them for every path (and every
    /// financial year the run touches, for scope `year`).
    init(model: Model, seed: UInt64, threads: Int) {
        firstYear = model.timeline.start.financialYear
        years = model.timeline.horizon.financialYear - firstYear + 1
        paths = model.paths
        var found: [(ID, Distribution)] = []
        var seen = Set<ID>()
        func collect(_ q: Quantity) {
            for (i, point) in q.points.enumerated() {
                guard case .random(let d) = point.value, d.scope != .unit else { continue }
                let id = ID(key: q.key, point: i)
                if seen.insert(id).inserted { found.append((id, d)) }
            }
        }
        for leaf in model.leaves {
            for r in leaf.roles { UnitPlan.quantities(of: r).forEach(collect) }
            collect(leaf.growth)
            collect(leaf.elasticity)
            leaf.progression.forEach { collect($0.rate) }
            leaf.programmes.forEach { collect($0.completion); collect($0.starts) }
        }
        // A point of scope `path` holds one draw per path, one of scope `year` one per path and
        // year: stored for every year, W1's eleven points of scope path took 14 times the memory
        // and about 1.5 ms of page faults more.
        let (firstYear, years, paths) = (firstYear, years, paths)
        let perPath = found.map { $0.1.scope == .year ? years : 1 }
        var offsets: [Int] = []
        var count = 0
        for k in perPath {
            offsets.append(count)
            count += paths * k
        }
        var size = 2
        while size < 2 * found.count { size *= 2 }
        index = Array(repeating: (ID(key: 0, point: 0), -1, 0), count: size)
        mask = size - 1
        for (n, (id, _)) in found.enumerated() {
            var h = DrawTable.home(id, mask)
            while index[h].offset >= 0 { h = (h + 1) & mask }
            index[h] = (id, offsets[n], perPath[n])
        }
        var values = [Double](repeating: 0, count: count)
        let shared = streamKey(seed: seed, unitHash: 0)
        // A task per point and run of 64 paths: a task per path was a few quantiles' work, and
        // the threads took turns at the shared counter for every one.
        let run = 64, runs = (paths + run - 1) / run
        values.withUnsafeMutableBufferPointer { buffer in
            let out = UncheckedBox(buffer.baseAddress!)
            parallelFor(found.count * runs, threads: threads) { task, _ in
                let n = task / runs, first = task % runs * run
                let (id, d) = found[n]
                let k = perPath[n], truncation = d.truncation
                for path in first..<Swift.min(paths, first + run) {
                    for y in 0..<k {
                        let u = ParameterSampler.uniform(key: shared, quantityKey: id.key,
                                                         yearWord: d.scope == .year ? firstYear + y : 0, path: path)
                        out.value[offsets[n] + path * k + y] = d.quantile(u, truncation: truncation)
                    }
                }
            }
        }
        self.values = values
    }

    /// The draw of a shared random point on a path in the financial year of `month`.
    @inline(__always)
    func value(_ id: ID, path: Int, month: Month) -> Double? {
        var h = DrawTable.home(id, mask)
        while index[h].offset >= 0 && index[h].id != id { h = (h + 1) & mask }
        let (offset, perPath) = (index[h].offset, index[h].perPath)
        guard offset >= 0 else { return nil }
        guard perPath > 1 else { return values[offset + path] }
        let y = Swift.min(Swift.max(month.financialYear - firstYear, 0), years - 1)
        return values[offset + path * perPath + y]
    }

    /// The first slot tried for `id`.
    @inline(__always)
    private static func home(_ id: ID, _ mask: Int) -> Int {
        Int(truncatingIfNeeded: (id.key &+ UInt64(truncatingIfNeeded: id.point) &* 0x9E37_79B9_7F4A_7C15) >> 17) & mask
    }
}
