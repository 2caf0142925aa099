/// A run whose results overflowed: an input too large for the arithmetic (a pay of 1e308, say)
/// made a statistic infinite or not a number. Every ratio of MODEL.md section 6 is 0 where its
/// denominator is, so a valid model's results are always finite. Turned into a message at the
/// command line, before any output is written.
public struct OverflowError: Error, CustomStringConvertible, Sendable {
    /// The scenario's name (in a sweep or comparison, the combination's or the difference's).
    public var scenario: String
    /// The row that overflowed: the first in output order in a unit without children where
    /// there is one, as "pay_bill of 'Leeds', care_worker, 2025/26".
    public var row: String

    public var description: String {
        "the results of '\(scenario)' overflowed: \(row) is not a finite number, so an input is too large to compute with (look at that area's staff, pay, mix, training starts and demand growth and events); no output was written"
    }
}

extension SummaryTable {
    /// Throws `OverflowError` for the first row with a statistic that is not finite, in a unit
    /// without children where there is one (where the input that overflowed is).
    public func checkFinite() throws {
        guard stats.contains(where: { !$0.isFinite }) else { return }
        var first: Row?
        for i in stride(from: 0, to: stats.count, by: statCount) where stats[i..<(i + statCount)].contains(where: { !$0.isFinite }) {
            let candidate = row(i / statCount)
            if first == nil { first = candidate }
            if areas[candidate.area].children.isEmpty { first = candidate; break }
        }
        guard let row = first else { return }
        throw OverflowError(scenario: scenario, row: "\(row.metric.rawValue) of '\(areas[row.area].name)', \(row.role.map { roles[$0] } ?? "all roles"), \(periods[row.period].label)")
    }
}
