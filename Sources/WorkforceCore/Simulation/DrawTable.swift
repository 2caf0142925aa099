/// Draws of every parameter whose randomness is shared between units (scope `path` or `year`),
/// made once per run before the units are simulated: each unit that uses the parameter reads the
/// same number, and the cost of inverting a distribution is paid once per path (and year), not
/// once per unit.
struct DrawTable: Sendable {
    struct ID: Hashable, Sendable {
        var key: UInt64
        var point: Int
    }

    private(set) var offsets: [ID: Int] = [:]
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
        let stride = paths * years
        for (n, (id, _)) in found.enumerated() { offsets[id] = n * stride }
        var values = [Double](repeating: 0, count: found.count * stride)
        let shared = streamKey(seed: seed, unitHash: 0)
        let (firstYear, years, paths) = (firstYear, years, paths)
        values.withUnsafeMutableBufferPointer { buffer in
            let out = UncheckedBox(buffer.baseAddress!)
            parallelFor(found.count * paths, threads: threads) { task, _ in
                let (n, path) = (task / paths, task % paths)
                let (id, d) = found[n]
                for y in 0..<(d.scope == .year ? years : 1) {
                    let u = ParameterSampler.uniform(key: shared, quantityKey: id.key,
                                                     yearWord: d.scope == .year ? firstYear + y : 0, path: path)
                    let x = d.quantile(u)
                    for yy in (d.scope == .year ? y...y : 0...(years - 1)) {
                        out.value[n * stride + path * years + yy] = x
                    }
                }
            }
        }
        self.values = values
    }

    /// The draw of a shared random point on a path in the financial year of `month`.
    @inline(__always)
    func value(_ id: ID, path: Int, month: Month) -> Double? {
        guard let offset = offsets[id] else { return nil }
        let y = Swift.min(Swift.max(month.financialYear - firstYear, 0), years - 1)
        return values[offset + path * years + y]
    }
}
