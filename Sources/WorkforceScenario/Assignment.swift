import WorkforceCore

/// A command-line change to a scenario, `PATH=VALUE`: `roles.care_worker.turnover=0.22`,
/// `overrides.Leeds.growth=0.03`, `roles.care_worker.turnover={dist: beta, mean: 0.25, sd: 0.02}`.
///
/// PATH is a dot-separated chain of keys (a key holding a dot or an equals sign is written in
/// double quotes: `overrides."St. Helens".growth=0.01`); VALUE is YAML. Every key but the last
/// must already exist, except below `overrides` and `demand`, where new entries are made; the
/// last key is checked like any key in a file.
public struct Assignment: Sendable, Equatable {
    public var path: [String]
    public var value: String
    /// The text as given, for messages and the scenario column of a sweep.
    public var text: String

    /// Where the assignment came from (`--set`, or `--vary` in a sweep), which every message
    /// about it names.
    public var origin: String

    var location: Location { Location(file: origin, line: nil) }

    public init(parsing text: String, origin: String = "--set") throws {
        self.text = text
        self.origin = origin
        var keys: [String] = []
        var current = ""
        var quoted = false
        var index = text.startIndex
        while index < text.endIndex {
            let c = text[index]
            if c == "\"" {
                quoted.toggle()
            } else if !quoted && c == "." {
                keys.append(current)
                current = ""
            } else if !quoted && c == "=" {
                break
            } else {
                current.append(c)
            }
            index = text.index(after: index)
        }
        keys.append(current)
        guard index < text.endIndex, !keys.contains(where: \.isEmpty) else {
            throw ScenarioError(file: origin, line: nil, field: text,
                                message: "expected PATH=VALUE, for example roles.care_worker.turnover=0.22")
        }
        if keys[0] == "extends" {
            throw ScenarioError(file: origin, line: nil, field: "extends",
                                message: "cannot be set here: a scenario's chain of files is read before any change applies; write a what-if file whose extends: names this scenario")
        }
        path = keys
        value = String(text[text.index(after: index)...])
    }

    public var pathText: String { path.joined(separator: ".") }

    /// The document with this assignment applied.
    func apply(to root: ScenarioNode) throws -> ScenarioNode {
        let parsed = try ScenarioNode.parse(value.isEmpty ? "\"\"" : value, file: origin)
        let value = ScenarioNode(kind: parsed.kind, location: location)
        return try set(root, at: path[...], value: value, trail: [])
    }

    private func set(_ node: ScenarioNode, at keys: ArraySlice<String>, value: ScenarioNode, trail: [String]) throws -> ScenarioNode {
        guard let key = keys.first else { return value }
        let field = (trail + [key]).joined(separator: ".")
        var entries: [ScenarioNode.Entry]
        switch node.kind {
        case .mapping(let e): entries = e
        case .null: entries = []
        default:
            throw location.error(field, "'\(trail.joined(separator: "."))' is \(node.kindName), not a mapping, so it has no '\(key)'")
        }
        if let i = entries.firstIndex(where: { $0.key == key }) {
            entries[i].value = try set(entries[i].value, at: keys.dropFirst(), value: value, trail: trail + [key])
        } else {
            let creatable = keys.count == 1 || ["overrides", "demand"].contains(trail.first ?? key)
            guard creatable else {
                throw location.error(field, "no '\(key)' in the scenario" + Suggestions.hint(for: key, in: entries.map(\.key)))
            }
            let empty = ScenarioNode(kind: .mapping([]), location: location)
            entries.append(.init(key: key, value: try set(empty, at: keys.dropFirst(), value: value, trail: trail + [key])))
        }
        return ScenarioNode(kind: .mapping(entries), location: node.location)
    }
}
