import CSV
import Foundation

/// A CSV file read whole: its header and rows, each row with its line number.
struct CSVTable {
    struct Row {
        var line: Int
        var fields: [String]
    }

    let file: String
    let header: [String]
    let rows: [Row]
    /// Whether the file separates fields with `;` and so writes decimals with `,`.
    let semicolons: Bool

    /// Largest table read, in bytes.
    static let maxBytes = 256 << 20

    /// Reads `path` (shown as `file` in messages), checking that it has every column in
    /// `required` and no column outside `required + optional`.
    init(path: String, file: String, required: [String], optional: [String] = []) throws {
        self.file = file
        let text = try CSVTable.readText(path: path, file: file)
        var body = text
        if body.hasPrefix("\u{FEFF}") { body.removeFirst() }
        let firstLine = body.prefix { $0 != "\n" && $0 != "\r\n" && $0 != "\r" }
        guard !firstLine.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw ScenarioError(file: file, line: 1, field: "", message: "the file is empty; expected a header row naming \(required.joined(separator: ","))")
        }
        semicolons = firstLine.contains(";") && !firstLine.contains(",")
        var rows: [Row] = []
        var header: [String] = []
        do {
            let reader = try CSVReader(string: body, hasHeaderRow: true, trimFields: false,
                                       delimiter: semicolons ? ";" : ",")
            header = (reader.headerRow ?? []).map { $0.trimmingSpaces }
            var line = 1
            while let fields = reader.next() {
                line += 1
                if fields.count == 1 && fields[0].isEmpty { continue }  // blank line
                rows.append(Row(line: line, fields: fields))
            }
            if let error = reader.error { throw error }
        } catch let error as ScenarioError {
            throw error
        } catch {
            throw ScenarioError(file: file, line: rows.last.map { $0.line + 1 }, field: "",
                                message: "malformed CSV (\(error)); check for an unclosed quote")
        }
        if header.count == 1 && header[0].contains("\t") {
            throw ScenarioError(file: file, line: 1, field: "",
                                message: "the header is separated by tabs; give the table as CSV, with commas (or semicolons) between the columns \(required.joined(separator: ","))")
        }
        // Unknown names first: a misspelt column ('Filled') is named, with the nearest valid one.
        let allowed = required + optional
        var seen = Set<String>()
        for name in header {
            if !allowed.contains(name) {
                throw ScenarioError(file: file, line: 1, field: name, message: "unknown column '\(name)'" + Suggestions.hint(for: name, in: allowed))
            }
            if !seen.insert(name).inserted {
                throw ScenarioError(file: file, line: 1, field: name, message: "the column appears twice in the header")
            }
        }
        for name in required where !header.contains(name) {
            throw ScenarioError(file: file, line: 1, field: name,
                                message: "missing column; the header must name \(required.joined(separator: ","))" +
                                (optional.isEmpty ? "" : " and may add \(optional.joined(separator: ","))"))
        }
        for row in rows where row.fields.count != header.count {
            if row.fields.contains(where: { $0.contains("\n") || $0.contains("\r") }) {
                throw ScenarioError(file: file, line: row.line, field: "",
                                    message: "a quoted field that starts on this line is never closed; check for a stray '\"'")
            }
            var hint = ""
            if row.fields.count > header.count {
                hint = " (a number written with a thousands separator, like 2,000, must be quoted or written 2000)"
            }
            throw ScenarioError(file: file, line: row.line, field: "",
                                message: "the row has \(row.fields.count) fields but the header has \(header.count); every row needs one value per column" + hint)
        }
        self.header = header
        self.rows = rows
    }

    static func readText(path: String, file: String) throws -> String {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw ScenarioError(file: file, line: nil, field: "", message: "no such file")
        }
        if isDirectory.boolValue {
            throw ScenarioError(file: file, line: nil, field: "", message: "is a directory; expected a file")
        }
        if !FilePaths.isRegularFile(path) {
            throw ScenarioError(file: file, line: nil, field: "", message: "is not a regular file (a device, pipe or socket); expected a CSV file")
        }
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        if size > maxBytes {
            throw ScenarioError(file: file, line: nil, field: "", message: "the file is \(size >> 20) MiB; files over \(maxBytes >> 20) MiB are refused")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ScenarioError(file: file, line: nil, field: "", message: "cannot be read (permission denied?)")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ScenarioError(file: file, line: nil, field: "", message: "is not UTF-8 text; save it as CSV UTF-8")
        }
        return text
    }

    func column(_ name: String) -> Int? { header.firstIndex(of: name) }

    /// The text of a column in a row, trimmed.
    func text(_ row: Row, _ column: String) -> String {
        column.isEmpty ? "" : self.column(column).map { row.fields[$0].trimmingSpaces } ?? ""
    }

    /// A number in a row; `name` is the column.
    func number(_ row: Row, _ name: String) throws -> Double {
        let raw = text(row, name)
        if raw.isEmpty {
            throw ScenarioError(file: file, line: row.line, field: name, message: "empty; a number is required")
        }
        let value = semicolons ? NumberParser.parseDecimalComma(raw) : NumberParser.parse(raw)
        guard let value else {
            if raw.hasSuffix("%"), NumberParser.parse(String(raw.dropLast()).trimmingSpaces) != nil {
                throw ScenarioError(file: file, line: row.line, field: name,
                                    message: "'\(raw)' is a percentage; numbers here are plain decimals (a rate of 2% is 0.02)")
            }
            let hint = semicolons && raw.contains(",")
                ? "it could be read with ',' as decimal or as thousands separator; write it without ambiguity (for example 0.259 or 259)"
                : semicolons && raw.contains(".")
                ? "in a semicolon-separated file '.' may be a thousands separator; write it without ambiguity (for example 1500 or 1,5)"
                : "write a plain decimal such as 0.25 or 1200"
            throw ScenarioError(file: file, line: row.line, field: name, message: "'\(raw)' is not a number; \(hint)")
        }
        return value
    }
}
