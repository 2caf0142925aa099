/// Turns quantities into numbers for one path: constants as they are, distributions by a draw
/// (or by their mean in the expected-value run).
///
/// A draw is the distribution's quantile at a uniform number from the stream
/// (seed, scope key, path, parameter key): scope `path` shares the draw between units, `unit`
/// keys it by the unit's name, `year` by the financial year of the month. Every point of a
/// schedule uses the same uniform number, so a path that draws high on one date draws high on
/// the next (a phased change moves each path's value, it does not reshuffle them). Shared draws
/// are read from a `DrawTable` made once per run.
struct ParameterSampler: Sendable {
    let seed: UInt64
    let deterministic: Bool
    let table: DrawTable?
    private let sharedKey: Philox

    init(seed: UInt64, deterministic: Bool, table: DrawTable? = nil) {
        self.seed = seed
        self.deterministic = deterministic
        self.table = table
        self.sharedKey = streamKey(seed: seed, unitHash: 0)
    }

    func value(_ q: Quantity, at month: Month, path: Int, unitKey: Philox) -> Double {
        q.value(at: month) { point, value in
            switch value {
            case .constant(let x):
                return x
            case .random(let d):
                if deterministic { return d.mean }
                if d.scope != .unit, let x = table?.value(.init(key: q.key, point: point), path: path, month: month) {
                    return x
                }
                let key = d.scope == .unit ? unitKey : sharedKey
                let yearWord = d.scope == .year ? month.financialYear : 0
                return d.quantile(ParameterSampler.uniform(key: key, quantityKey: q.key, yearWord: yearWord, path: path))
            }
        }
    }

    /// The uniform number behind a parameter draw.
    static func uniform(key: Philox, quantityKey: UInt64, yearWord: Int, path: Int) -> Double {
        var stream = RandomStream(key: key, what: DrawKind.parameter.code(quantityKey),
                                  month: yearWord, path: path)
        return stream.uniform()
    }
}
