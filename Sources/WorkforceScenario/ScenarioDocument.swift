import Foundation

/// Reads a scenario file and the chain of files it `extends`, merged into one tree.
///
/// Merging (the child over its base): mappings merge key by key, recursively; lists whose items
/// are all mappings with a `name` merge item by item on the name (new names are appended); any
/// other value in the child replaces the base's. A value written as a mapping (a distribution,
/// a schedule, a table by year, a `file:` reference) replaces the base's value whole. Relative `file:` paths keep pointing next to the
/// file that wrote them.
enum ScenarioDocument {
    /// Largest scenario YAML file read, in bytes.
    static let maxBytes = 16 << 20

    static func load(path: String, log: InputLog) throws -> ScenarioNode {
        try load(path: path, chain: [], log: log)
    }

    private static func load(path: String, chain: [String], log: InputLog) throws -> ScenarioNode {
        let text = try readYAML(path: path)
        log.record(path)
        var node = try ScenarioNode.parse(text, file: path)
        guard node.entries != nil else {
            throw node.error("", "expected a mapping of scenario keys (start, units, roles, baseline, ...), got \(node.kindName)")
        }
        guard let extends = node["extends"] else { return node }
        let relative = try extends.string("extends")
        let basePath = FilePaths.resolve(relative, nextTo: path)
        let identity = FilePaths.identity(basePath)
        let chainHere = chain + [path]
        if chainHere.contains(where: { FilePaths.identity($0) == identity }) {
            throw extends.error("extends", "'\(relative)' is already in the chain \(chainHere.map { FilePaths.display($0) }.joined(separator: " -> ")) -> \(basePath); extends must not form a cycle")
        }
        let base: ScenarioNode
        do {
            base = try load(path: basePath, chain: chainHere, log: log)
        } catch let error as ScenarioError where error.message == "no such file" && error.file == basePath {
            throw extends.error("extends", "'\(relative)' does not exist (looked for \(basePath))")
        } catch let error as ScenarioError where error.file == basePath && error.line == nil {
            // About the file itself (a directory, a device, too large): said where it is named.
            throw extends.error("extends", "'\(relative)': \(error.message)")
        }
        node.remove("extends")
        try checkNames(in: node, against: base, baseName: relative)
        return merge(base: base, over: node)
    }

    /// A role or programme that a file adds on top of the one it extends, but whose name is a
    /// near miss of one already there, is almost always a typo: without this check it would
    /// surface as a confusing error about the new item (no baseline, no `to`) in another file.
    static func checkNames(in child: ScenarioNode, against base: ScenarioNode, baseName: String) throws {
        for section in ["roles", "programmes"] {
            guard let known = base[section]?.entries?.map(\.key), let added = child[section]?.entries else { continue }
            for entry in added where !known.contains(entry.key) {
                guard let near = Suggestions.closest(to: entry.key, in: known) else { continue }
                throw entry.value.error("\(section).\(entry.key)", "not in '\(baseName)', which this file extends; did you mean '\(near)'? (A new \(section == "roles" ? "role" : "programme") needs a name that is not a near miss of an existing one.)")
            }
        }
    }

    static func readYAML(path: String) throws -> String {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw ScenarioError(file: path, line: nil, field: "", message: "no such file")
        }
        if isDirectory.boolValue {
            throw ScenarioError(file: path, line: nil, field: "", message: "is a directory; expected a scenario YAML file")
        }
        if !FilePaths.isRegularFile(path) {
            throw ScenarioError(file: path, line: nil, field: "", message: "is not a regular file (a device, pipe or socket); expected a scenario YAML file")
        }
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        if size > maxBytes {
            throw ScenarioError(file: path, line: nil, field: "", message: "the file is \(size >> 20) MiB; scenario files over \(maxBytes >> 20) MiB are refused (put large tables in CSV files)")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ScenarioError(file: path, line: nil, field: "", message: "cannot be read (permission denied?)")
        }
        guard var text = String(data: data, encoding: .utf8) else {
            throw ScenarioError(file: path, line: nil, field: "", message: "is not UTF-8 text")
        }
        if text.hasPrefix("\u{FEFF}") { text.removeFirst() }
        return text
    }

    static func merge(base: ScenarioNode, over child: ScenarioNode) -> ScenarioNode {
        if isValueForm(base) || isValueForm(child) { return child }
        switch (base.kind, child.kind) {
        case (.mapping(var entries), .mapping(let childEntries)):
            for e in childEntries {
                if let i = entries.firstIndex(where: { $0.key == e.key }) {
                    entries[i].value = merge(base: entries[i].value, over: e.value)
                } else {
                    entries.append(e)
                }
            }
            return ScenarioNode(kind: .mapping(entries), location: child.location)
        case (.sequence(var items), .sequence(let childItems)):
            guard let baseNames = names(items), let childNames = names(childItems) else { return child }
            for (item, name) in zip(childItems, childNames) {
                if let i = baseNames.firstIndex(of: name) {
                    items[i] = merge(base: items[i], over: item)
                } else {
                    items.append(item)
                }
            }
            return ScenarioNode(kind: .sequence(items), location: child.location)
        default:
            return child
        }
    }

    /// A mapping that is one value rather than a set of settings: a distribution, a schedule, a
    /// table by year or a file reference. It replaces whatever it meets, whole. (A population
    /// driver `{population, elasticity}` is settings: a what-if may change just its elasticity.)
    static func isValueForm(_ node: ScenarioNode) -> Bool {
        guard let entries = node.entries, let first = entries.first else { return false }
        if entries.contains(where: { ["dist", "schedule", "file"].contains($0.key) }) { return true }
        return YearKey(first.key) != nil
    }

    private static func names(_ items: [ScenarioNode]) -> [String]? {
        var out: [String] = []
        for item in items {
            guard case .scalar(let name, _)? = item["name"]?.kind else { return nil }
            out.append(name)
        }
        return out
    }
}

extension ScenarioNode {
    mutating func remove(_ key: String) {
        if case .mapping(let entries) = kind {
            kind = .mapping(entries.filter { $0.key != key })
        }
    }
}

/// File paths as the user wrote them, resolved next to the file that names them.
enum FilePaths {
    /// `relative` resolved against the directory of `file`, with `.` and `..` folded where possible.
    static func resolve(_ relative: String, nextTo file: String) -> String {
        if relative.hasPrefix("/") { return relative }
        let directory = (file as NSString).deletingLastPathComponent
        return normalise(directory.isEmpty ? relative : directory + "/" + relative)
    }

    static func normalise(_ path: String) -> String {
        let absolute = path.hasPrefix("/")
        var parts: [Substring] = []
        for part in path.split(separator: "/") where part != "." && !part.isEmpty {
            if part == "..", let last = parts.last, last != ".." {
                parts.removeLast()
            } else if part == ".." && absolute && parts.isEmpty {
                continue
            } else {
                parts.append(part)
            }
        }
        let joined = parts.joined(separator: "/")
        return absolute ? "/" + joined : (joined.isEmpty ? "." : joined)
    }

    static func display(_ path: String) -> String { normalise(path) }

    /// Whether `path` (after symbolic links) is a regular file: not a device, pipe or socket,
    /// whose reading could block or never end (/dev/zero, a FIFO).
    static func isRegularFile(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG
    }

    /// A canonical form for detecting cycles.
    static func identity(_ path: String) -> String {
        URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath().path
    }
}
