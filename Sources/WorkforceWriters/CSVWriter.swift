import WorkforceCore

/// Writes a summary table as the long-form CSV of the README: RFC 4180, UTF-8, `.` decimals,
/// no thousands separators.
public enum CSVWriter {
    /// The header and every row, each line ended by `\n`.
    public static func write(_ table: SummaryTable, to output: inout some TextOutputStream) {
        var header = "scenario,level,area,role,period,months,metric,mean,sd"
        for q in table.quantiles { header += "," + quantileLabel(q) }
        output.write(header + "\n")
        let scenario = field(table.scenario)
        var line = ""
        line.reserveCapacity(256)
        for i in 0..<table.rowCount {
            let row = table.row(i)
            let area = table.areas[row.area]
            let period = table.periods[row.period]
            line.removeAll(keepingCapacity: true)
            line += scenario; line += ","
            line += field(area.level); line += ","
            line += field(area.name); line += ","
            line += row.role.map { field(table.roles[$0]) } ?? "all"; line += ","
            line += period.label; line += ","
            line += String(period.months); line += ","
            line += row.metric.rawValue
            for v in table.values(i) {
                line += ","
                line += number(v)
            }
            line += "\n"
            output.write(line)
        }
    }

    public static func string(_ table: SummaryTable) -> String {
        var s = ""
        write(table, to: &s)
        return s
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
        if x == 0 { return "0" }
        if x == x.rounded(), abs(x) < 1e15 { return String(Int64(x)) }
        return x.description
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
