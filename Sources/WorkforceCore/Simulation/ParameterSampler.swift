/// Turns quantities into numbers for one path: constants as they are, distributions by a draw
/// (or by their mean in the expected-value run).
///
/// A draw is the distribution's quantile at a uniform number from the stream
/// (seed, scope key, path, parameter key, point index): scope `path` shares the draw between
/// units, `unit` keys it by the unit's name, `year` by the financial year of the month.
struct ParameterSampler: Sendable {
    let seed: UInt64
    let deterministic: Bool
    private let sharedKey: Philox

    init(seed: UInt64, deterministic: Bool) {
        self.seed = seed
        self.deterministic = deterministic
        self.sharedKey = streamKey(seed: seed, unitHash: 0)
    }

    func value(_ q: Quantity, at month: Month, path: Int, unitKey: Philox) -> Double {
        q.value(at: month) { point, value in
            switch value {
            case .constant(let x):
                return x
            case .random(let d):
                if deterministic { return d.mean }
                let key = d.scope == .unit ? unitKey : sharedKey
                let yearWord = d.scope == .year ? month.financialYear : 0
                var stream = RandomStream(key: key, what: DrawKind.parameter.code(q.key),
                                          month: yearWord, path: path, sub: UInt32(point & 0xFFFF))
                return d.quantile(stream.uniform())
            }
        }
    }
}
