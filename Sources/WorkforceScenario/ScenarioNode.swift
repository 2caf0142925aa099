import Foundation
import Yams
import WorkforceCore

/// A YAML value with the file and line it came from, so that a message about it can point at
/// it even after files have been merged.
struct ScenarioNode {
    enum Kind {
        case scalar(String, plain: Bool)
        case mapping([Entry])
        case sequence([ScenarioNode])
        case null
    }

    struct Entry {
        var key: String
        var value: ScenarioNode
    }

    var kind: Kind
    var location: Location

    /// Limits that keep hostile documents (alias bombs, deep nesting) cheap to reject.
    static let maxNodes = 1_000_000
    static let maxDepth = 64

    /// Parses YAML text. `file` names it in messages.
    static func parse(_ text: String, file: String) throws -> ScenarioNode {
        if let line = AliasScan.firstAlias(in: text) {
            throw ScenarioError(file: file, line: line, field: "", message: "YAML aliases (*name) are not allowed in scenario files, since a few of them can expand without bound; write the values out, or put shared settings in a base file and use extends")
        }
        let root: Yams.Node?
        do {
            root = try Yams.compose(yaml: text, .basic)
        } catch let error as YamlError {
            throw yamlError(error, file: file)
        }
        guard let root else {
            throw ScenarioError(file: file, line: nil, field: "", message: "the file is empty; expected a YAML mapping of scenario keys such as start, units, roles, baseline")
        }
        var budget = maxNodes
        return try convert(root, file: file, depth: 0, budget: &budget)
    }

    private static func yamlError(_ error: YamlError, file: String) -> ScenarioError {
        switch error {
        case let .scanner(context, problem, mark, _), let .parser(context, problem, mark, _),
             let .composer(context, problem, mark, _):
            if problem.contains("nesting level") {
                return ScenarioError(file: file, line: mark.line, field: "", message: "values are nested too deeply; scenario files are plain data a few levels deep")
            }
            var message = "malformed YAML: \(problem)"
            if let context { message += " (\(context.text) at line \(context.mark.line))" }
            return ScenarioError(file: file, line: mark.line, field: "", message: message)
        case let .reader(problem, _, _, _):
            return ScenarioError(file: file, line: nil, field: "", message: "unreadable YAML: \(problem); files must be UTF-8 text")
        case let .duplicatedKeysInMapping(duplicates, context):
            return ScenarioError(file: file, line: context.mark.line, field: duplicates.joined(separator: ", "),
                                 message: "duplicate key; each key may appear once in a mapping")
        default:
            return ScenarioError(file: file, line: nil, field: "", message: "malformed YAML: \(error)")
        }
    }

    private static func convert(_ node: Yams.Node, file: String, depth: Int, budget: inout Int) throws -> ScenarioNode {
        let location = Location(file: file, line: node.mark?.line)
        budget -= 1
        if budget < 0 {
            throw location.error("", "the document expands to more than \(maxNodes) values (are aliases repeating each other?); scenario files must be plain data")
        }
        if depth > maxDepth {
            throw location.error("", "values are nested more than \(maxDepth) levels deep; scenario files are at most a few levels deep")
        }
        switch node {
        case .scalar(let s):
            if s.tag.description == Tag.Name.null.rawValue || (s.style == .plain && ["", "~", "null", "Null", "NULL"].contains(s.string)) {
                return ScenarioNode(kind: .null, location: location)
            }
            return ScenarioNode(kind: .scalar(s.string, plain: s.style == .plain), location: location)
        case .mapping(let m):
            var entries: [Entry] = []
            var seen: [String: Int] = [:]
            for (k, v) in m {
                guard case .scalar(let ks) = k else {
                    throw Location(file: file, line: k.mark?.line).error("", "a mapping key must be a plain name, not a list or mapping")
                }
                if let first = seen[ks.string] {
                    throw Location(file: file, line: k.mark?.line).error(ks.string, "duplicate key (first given at line \(first)); each key may appear once")
                }
                seen[ks.string] = k.mark?.line ?? 0
                entries.append(Entry(key: ks.string, value: try convert(v, file: file, depth: depth + 1, budget: &budget)))
            }
            return ScenarioNode(kind: .mapping(entries), location: location)
        case .sequence(let s):
            var items: [ScenarioNode] = []
            for v in s { items.append(try convert(v, file: file, depth: depth + 1, budget: &budget)) }
            return ScenarioNode(kind: .sequence(items), location: location)
        case .alias(let a):
            return ScenarioNode(kind: .null, location: Location(file: file, line: a.mark?.line))
        }
    }

    // MARK: - Typed access; `field` names the value in messages.

    func error(_ field: String, _ message: String) -> ScenarioError { location.error(field, message) }

    var kindName: String {
        switch kind {
        case .scalar(let s, _):
            // A long text (a CSV file named where a scenario was expected, say) is not echoed
            // whole: its first line, cut at 40 characters.
            let line = s.prefix { $0 != "\n" && $0 != "\r" }
            if line.count == s.count && s.count <= 60 { return "'\(s)'" }
            var start = String(line.prefix(40))
            while start.last == " " { start.removeLast() }
            return "a text of \(s.count) characters starting '\(start)...'"
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .null: return "nothing"
        }
    }

    var isNull: Bool { if case .null = kind { return true } else { return false } }

    var entries: [Entry]? { if case .mapping(let e) = kind { return e } else { return nil } }

    func mapping(_ field: String, expected: String) throws -> [Entry] {
        guard let e = entries else { throw error(field, "expected \(expected), got \(kindName)") }
        return e
    }

    func sequence(_ field: String, expected: String) throws -> [ScenarioNode] {
        guard case .sequence(let items) = kind else { throw error(field, "expected \(expected), got \(kindName)") }
        return items
    }

    subscript(key: String) -> ScenarioNode? {
        entries?.first { $0.key == key }?.value
    }

    /// Rejects keys not in `allowed`, suggesting the nearest.
    func checkKeys(_ field: String, allowed: [String]) throws {
        for e in entries ?? [] where !allowed.contains(e.key) {
            let name = field.isEmpty ? e.key : "\(field).\(e.key)"
            throw e.value.error(name, "unknown key '\(e.key)'" + Suggestions.hint(for: e.key, in: allowed))
        }
    }

    func string(_ field: String) throws -> String {
        guard case .scalar(let s, _) = kind, !s.isEmpty else {
            throw error(field, "expected a name, got \(kindName)")
        }
        return s
    }

    func number(_ field: String) throws -> Double {
        guard case .scalar(let s, _) = kind else {
            throw error(field, "expected a number, got \(kindName)")
        }
        guard let x = NumberParser.parse(s) else {
            throw error(field, "'\(s)' is not a number; write a plain decimal such as 0.25 or 1200")
        }
        return x
    }

    func integer(_ field: String, in range: ClosedRange<Int>) throws -> Int {
        if case .scalar(let s, _) = kind, NumberParser.parse(s) == nil {
            throw error(field, "'\(s)' is not a whole number; give one from \(range.lowerBound) to \(range.upperBound)")
        }
        let x = try number(field)
        guard x == x.rounded(), x >= Double(range.lowerBound), x <= Double(range.upperBound) else {
            throw error(field, "\(formatNumber(x)) must be a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        return Int(x)
    }

    func bool(_ field: String) throws -> Bool {
        guard case .scalar(let s, _) = kind else { throw error(field, "expected true or false, got \(kindName)") }
        switch s.lowercased() {
        case "true", "yes": return true
        case "false", "no": return false
        default: throw error(field, "'\(s)' must be true or false")
        }
    }

    func month(_ field: String) throws -> Month {
        let s = try string(field)
        guard let m = Month(parsing: s) else {
            throw error(field, "'\(s)' is not a month; write YYYY-MM, for example 2024-04")
        }
        return m
    }

    func choice<T: RawRepresentable & CaseIterable>(_ field: String, _ type: T.Type) throws -> T where T.RawValue == String {
        let s = try string(field)
        guard let v = T(rawValue: s) else {
            let names = T.allCases.map(\.rawValue)
            throw error(field, "'\(s)' is not valid" + Suggestions.hint(for: s, in: names))
        }
        return v
    }
}

/// Formats a number for a message: integers without a decimal point.
func formatNumber(_ x: Double) -> String {
    if x.isFinite, x == x.rounded(), abs(x) < 1e15 { return String(Int(x)) }
    return String(x)
}
