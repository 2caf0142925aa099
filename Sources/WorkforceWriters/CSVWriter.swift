import Dispatch
import Synchronization
import WorkforceCore

/// Writes a summary table as the long-form CSV of the README: RFC 4180, UTF-8, `.` decimals,
/// no thousands separators.
public enum CSVWriter {
    /// Long: one row per area, role, period and metric. Wide: one row per area, role, metric and
    /// statistic, with the periods as columns (the table a planner pastes into a report).
    public enum Format: String, CaseIterable, Sendable { case long, wide }

    /// Which rows to write, and how.
    public struct Options: Sendable {
        public var format: Format = .long
        /// Only these metrics, levels and roles (`all` for the total over roles); nil for every one.
        public var metrics: Set<Metric>? = nil
        public var levels: Set<String>? = nil
        public var roles: Set<String>? = nil
        /// Whether to write the header line (a sweep writes it once for all its scenarios).
        public var header = true

        public init() {}
    }

    /// Writes the table, each line ended by `\n`.
    public static func write(_ table: SummaryTable, options: Options = .init(), to output: inout some TextOutputStream) {
        write(table, options: options, blocks: 0..<blockCount(table), header: options.header, to: &output)
    }

    /// The table as one string, the same text as `write`. Its (area, role) blocks are formatted
    /// in `threads` pieces at once (one per thread, so no more threads run than asked for) and
    /// joined in order: formatting is about 3 us a row, and W2's 154,000 rows took half a second
    /// on one thread.
    public static func string(_ table: SummaryTable, options: Options = .init(), threads: Int = 1) -> String {
        let blocks = blockCount(table)
        let pieces = Swift.max(1, Swift.min(blocks, threads))
        if pieces == 1 {
            var text = ""
            text.reserveCapacity(bytesExpected(table, blocks: blocks))
            write(table, options: options, to: &text)
            return text
        }
        let parts = Mutex([String](repeating: "", count: pieces))
        DispatchQueue.concurrentPerform(iterations: pieces) { k in
            let range = (k * blocks / pieces)..<((k + 1) * blocks / pieces)
            var text = ""
            text.reserveCapacity(bytesExpected(table, blocks: range.count))
            write(table, options: options, blocks: range, header: k == 0 && options.header, to: &text)
            parts.withLock { $0[k] = text }
        }
        return parts.withLock { $0.joined() }
    }

    /// An upper estimate of the bytes of `blocks` (area, role) blocks in either format: 20 a value
    /// (most print 17 to 19 characters) and 160 a row for its names, with every row counted
    /// whatever the filters (about twice the text for the England scenario's long format).
    /// Reserved up front, the text is not copied into a larger buffer each time it outgrows one
    /// (W2's CSV is tens of megabytes); what is reserved and never written is never touched, so
    /// it takes no memory, though the returned text keeps that capacity. An estimate too low only
    /// means that the text grows as before.
    private static func bytesExpected(_ table: SummaryTable, blocks: Int) -> Int {
        let rows = blocks * table.periods.count * table.metrics.count
        return rows * (20 * table.statCount + 160 + table.scenario.utf8.count)
    }

    /// Rows are ordered area, role, period, metric: an (area, role) block is periods x metrics rows.
    private static func blockCount(_ table: SummaryTable) -> Int {
        table.rowCount / Swift.max(1, table.periods.count * table.metrics.count)
    }

    private static func write(_ table: SummaryTable, options: Options, blocks: Range<Int>, header: Bool,
                              to output: inout some TextOutputStream) {
        let statistics = ["mean", "sd"] + table.quantiles.map(quantileLabel)
        if header {
            switch options.format {
            case .long:
                output.write("scenario,level,area,role,period,months,metric," + statistics.joined(separator: ",") + "\n")
            case .wide:
                output.write("scenario,level,area,role,metric,statistic," + table.periods.map { field($0.label) }.joined(separator: ",") + "\n")
            }
        }
        let scenario = field(table.scenario)
        let width = table.statCount
        let periods = table.periods.count
        let metrics = table.metrics.count
        var line = ""
        line.reserveCapacity(256)
        for block in blocks {
            let first = table.row(block * periods * metrics)
            let area = table.areas[first.area]
            let role = first.role.map { table.roles[$0] } ?? "all"
            if let levels = options.levels, !levels.contains(area.level) { continue }
            if let roles = options.roles, !roles.contains(role) { continue }
            let prefix = scenario + "," + field(area.level) + "," + field(area.name) + "," + field(role) + ","
            switch options.format {
            case .long:
                for period in 0..<periods {
                    for (mi, metric) in table.metrics.enumerated() where options.metrics?.contains(metric) ?? true {
                        let index = block * periods * metrics + period * metrics + mi
                        line.removeAll(keepingCapacity: true)
                        line += prefix
                        line += table.periods[period].label; line += ","
                        line += String(table.periods[period].months); line += ","
                        line += metric.rawValue
                        for si in 0..<width { line += ","; append(table.stats[index * width + si], to: &line) }
                        line += "\n"
                        output.write(line)
                    }
                }
            case .wide:
                for (mi, metric) in table.metrics.enumerated() where options.metrics?.contains(metric) ?? true {
                    for (si, statistic) in statistics.enumerated() {
                        line.removeAll(keepingCapacity: true)
                        line += prefix + metric.rawValue + "," + statistic
                        for period in 0..<periods {
                            let index = block * periods * metrics + period * metrics + mi
                            line += ","
                            append(table.stats[index * width + si], to: &line)
                        }
                        line += "\n"
                        output.write(line)
                    }
                }
            }
        }
    }

    /// `p05`, `p50`, `p97.5`: the percentage, two digits at least.
    public static func quantileLabel(_ q: Double) -> String {
        if q == q.rounded() {
            let i = Int(q)
            return i < 10 ? "p0\(i)" : "p\(i)"
        }
        return q < 10 ? "p0\(q)" : "p\(q)"
    }

    /// The shortest decimal that reads back as the same double; `-0` as `0`.
    public static func number(_ x: Double) -> String {
        var text = ""
        append(x, to: &text)
        return text
    }

    /// `number(x)` added to the end of `line`. Most values have 16 or more characters, so as a
    /// String of their own each would be a heap allocation; written into the line they are not.
    static func append(_ x: Double, to line: inout String) {
        if x == 0 {
            line += "0"
        } else if x == x.rounded(), abs(x) < 1e15 {
            line += String(Int64(x))
        } else if x.isFinite {
            x.write(to: &line)
        } else {
            line += x.description  // `write(to:)` prints a NaN's sign and payload ("-nan"); this, "nan"
        }
    }

    /// A text field, quoted when it holds a comma, quote or line break.
    public static func field(_ s: String) -> String {
        guard s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return s }
        return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}

extension String {
    fileprivate func replacingOccurrences(of target: String, with replacement: String) -> String {
        split(separator: Character(target), omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
