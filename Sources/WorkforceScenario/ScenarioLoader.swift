import Foundation
import WorkforceCore

/// Reads a scenario file (and the files it names) into a resolved `Model`, checking everything
/// and reporting the first problem as a `ScenarioError` that names the file, line and field.
public enum ScenarioLoader {
    /// Settings given on the command line, which take the place of the scenario's own.
    public struct Settings: Sendable {
        public var start: Month?
        public var horizon: Month?
        public var periods: PeriodKind?
        public var paths: Int?
        public var seed: UInt64?
        public var quantiles: [Double]?
        /// `--set PATH=VALUE` changes, applied in order after `extends` is merged.
        public var assignments: [Assignment]

        public init(start: Month? = nil, horizon: Month? = nil, periods: PeriodKind? = nil,
                    paths: Int? = nil, seed: UInt64? = nil, quantiles: [Double]? = nil,
                    assignments: [Assignment] = []) {
            self.start = start
            self.horizon = horizon
            self.periods = periods
            self.paths = paths
            self.seed = seed
            self.quantiles = quantiles
            self.assignments = assignments
        }
    }

    /// A loaded scenario and every file read to make it (the scenario, the files it extends,
    /// its CSV tables), in the order they were read.
    public struct Loaded: Sendable {
        public var model: Model
        public var inputs: [String]
    }

    public static func load(path: String, settings: Settings = .init()) throws -> Model {
        try read(path: path, settings: settings).model
    }

    public static func read(path: String, settings: Settings = .init()) throws -> Loaded {
        let inputs = InputLog()
        var root = try ScenarioDocument.load(path: path, log: inputs)
        for assignment in settings.assignments { root = try assignment.apply(to: root) }
        let model = try ModelBuilder(root: root, path: path, settings: settings, inputs: inputs).build()
        return Loaded(model: model, inputs: inputs.files)
    }
}

/// The files a load reads, each once, in order.
final class InputLog {
    private(set) var files: [String] = []

    func record(_ path: String) {
        if !files.contains(path) { files.append(path) }
    }
}

/// The parameters of a role in a unit while the scenario is being read, before every default
/// and override is known.
struct RoleDraft {
    var filled: Double?
    var vacancies: Double?
    var turnover: Quantity?
    var retainedInSector: Quantity = .constant(0)
    var timeToFill: Quantity?
    var internationalShare: Quantity = .constant(0)
    var internationalCap: Quantity?
    var pay: Quantity?
    var mix: Quantity = .constant(1)
}

struct ModelBuilder {
    let root: ScenarioNode
    let path: String
    let settings: ScenarioLoader.Settings
    let inputs: InputLog
    let areaNames = AreaNames()

    static let topKeys = ["name", "description", "start", "horizon", "periods", "paths", "seed", "noise",
                          "quantiles", "levels", "units", "roles", "baseline", "progression",
                          "programmes", "demand", "overrides", "extends"]
    static let roleKeys = ["turnover", "retained_in_sector", "time_to_fill", "international_share",
                           "international_cap", "pay", "mix"]
    static let programmeKeys = ["to", "from", "duration", "completion", "starts", "intake_profile",
                                "in_post_share", "dropouts_return"]

    // MARK: - Assembly

    func build() throws -> Model {
        try root.checkKeys("", allowed: ModelBuilder.topKeys)
        let name = try root["name"]?.string("name")
            ?? ((path as NSString).lastPathComponent as NSString).deletingPathExtension
        guard let startNode = root["start"] else {
            throw ScenarioError(file: path, line: nil, field: "start", message: "missing; give the month the baseline describes, as YYYY-MM (for example 2024-04)")
        }
        // Every value in the file is checked, even where the command line overrides it.
        let fileStart = try startNode.month("start")
        let fileHorizon = try root["horizon"]?.month("horizon")
        let filePeriods = try root["periods"]?.choice("periods", PeriodKind.self)
        let filePaths = try root["paths"]?.integer("paths", in: 1...10_000_000)
        let fileSeed = try root["seed"].map { UInt64(try $0.integer("seed", in: 0...(1 << 53))) }
        let fileQuantiles = try readQuantiles()
        let start = settings.start ?? fileStart
        let horizon = settings.horizon ?? fileHorizon ?? Month(year: 2030, month: 12)
        // A value given on the command line is blamed on its option, not on a line of the file.
        let horizonOrigin = settings.horizon != nil ? "--horizon" : settings.start != nil ? "--start" : nil
        guard horizon >= start else {
            let message = "\(horizon) is before start \(start); the horizon is the last simulated month and must be on or after start"
            if let horizonOrigin { throw ScenarioError(file: horizonOrigin, line: nil, field: "horizon", message: message) }
            throw (root["horizon"] ?? startNode).error("horizon", message)
        }
        guard horizon - start < 1200 else {
            let message = "the run would be \(horizon - start + 1) months; at most 1200 (100 years)"
            if let horizonOrigin { throw ScenarioError(file: horizonOrigin, line: nil, field: "horizon", message: message) }
            throw (root["horizon"] ?? startNode).error("horizon", message)
        }
        let periods = settings.periods ?? filePeriods ?? .financial
        let paths = settings.paths ?? filePaths ?? 1000
        let seed = settings.seed ?? fileSeed ?? 1
        let noise = try root["noise"]?.choice("noise", Noise.self) ?? .none
        let quantiles = settings.quantiles ?? fileQuantiles
        var levelNames: [String] = []
        for (i, item) in try root["levels"]?.sequence("levels", expected: "a list of level names from the root").enumerated().map({ $0 }) ?? [] {
            let name = try item.string("levels[\(i + 1)]")
            if levelNames.contains(name) { throw item.error("levels[\(i + 1)]", "'\(name)' is listed twice; each level of the unit tree needs its own name") }
            levelNames.append(name)
        }

        let (roles, roleDefaults) = try readRoles()
        var areas = try readUnits(levelNames: levelNames)
        var depth = 0  // levels of the unit tree, from its root to its deepest unit
        for area in areas {
            var levels = 1, p = area.parent
            while let q = p { levels += 1; p = areas[q].parent }
            depth = Swift.max(depth, levels)
        }
        if let node = root["levels"], levelNames.count > depth {
            throw node.error("levels", "names \(levelNames.count) levels, but the unit tree has \(depth) (from its root to its deepest unit); give at most \(depth) names")
        }
        var leafAreas: [Int] = []
        for i in areas.indices where areas[i].children.isEmpty {
            areas[i].leaf = leafAreas.count
            leafAreas.append(i)
        }
        var drafts = leafAreas.map { _ in roleDefaults }
        let timeline = Timeline(start: start, horizon: horizon, periodKind: periods)

        let baselineColumns = try readBaseline(areas: areas, roles: roles, drafts: &drafts)
        let transitions = try readProgression(roles: roles, node: root["progression"], field: "progression")
        var progression = leafAreas.map { _ in transitions }
        let (programmes, programmeDefaults) = try readProgrammes(roles: roles)
        var programmeParameters = leafAreas.map { _ in programmeDefaults }
        var growth = try readGrowth(areas: areas, leafAreas: leafAreas, timeline: timeline)
        let events = try readEvents(areas: areas, roles: roles, leafAreas: leafAreas)

        try applyOverrides(areas: areas, roles: roles, programmes: programmes, drafts: &drafts,
                           progression: &progression, programmeParameters: &programmeParameters,
                           growth: &growth, leafAreas: leafAreas, timeline: timeline, baselineColumns: baselineColumns)
        for (leaf, columns) in baselineColumns {
            for (role, draft) in columns { drafts[leaf][role].apply(draft) }
        }
        try checkAssignmentsTakeEffect(roles: roles, leafCount: leafAreas.count, baselineColumns: baselineColumns)

        var leaves: [Leaf] = []
        for (l, area) in leafAreas.enumerated() {
            var roleParameters: [RoleParameters] = []
            for (r, d) in drafts[l].enumerated() {
                let field = "roles.\(roles[r])"
                let roleNode = root["roles"]?[roles[r]] ?? root["roles"] ?? root  // where the role is declared
                guard let turnover = d.turnover else {
                    throw roleNode.error("\(field).turnover", "missing for unit '\(areas[area].name)'; give it for the role or per unit")
                }
                guard let timeToFill = d.timeToFill else {
                    throw roleNode.error("\(field).time_to_fill", "missing for unit '\(areas[area].name)'; give it for the role or per unit")
                }
                roleParameters.append(RoleParameters(
                    filled: d.filled ?? 0, vacancies: d.vacancies ?? 0, turnover: turnover,
                    retainedInSector: d.retainedInSector, timeToFill: timeToFill,
                    internationalShare: d.internationalShare, internationalCap: d.internationalCap,
                    pay: d.pay, mix: d.mix))
            }
            leaves.append(Leaf(area: area, roles: roleParameters, progression: progression[l],
                               programmes: programmeParameters[l], growth: growth[l].growth,
                               elasticity: growth[l].elasticity, events: events[l]))
        }
        return Model(name: name, timeline: timeline, paths: paths, seed: seed, noise: noise,
                     quantiles: quantiles, roles: roles, programmes: programmes, areas: areas, leaves: leaves)
    }

    /// A `--set` of a role-level parameter that every unit sets in the baseline CSV (whose
    /// values win) would change nothing: say so rather than run a silent no-op.
    private func checkAssignmentsTakeEffect(roles: [String], leafCount: Int, baselineColumns: [Int: [Int: RoleDraft]]) throws {
        for a in settings.assignments where a.path.count == 3 && a.path[0] == "roles" {
            guard let r = roles.firstIndex(of: a.path[1]) else { continue }
            let key = a.path[2]
            let setEverywhere = (0..<leafCount).allSatisfy { leaf in
                guard let d = baselineColumns[leaf]?[r] else { return false }
                return d.sets(key)
            }
            if setEverywhere && leafCount > 0 {
                throw a.location.error(a.pathText, "has no effect: every unit sets \(key) for \(a.path[1]) in the baseline table, whose per-unit values take precedence; change the table, or use overrides.UNIT.roles... only where the table leaves it empty")
            }
        }
    }

    private func readQuantiles() throws -> [Double] {
        guard let node = root["quantiles"] else { return [5, 25, 50, 75, 95] }
        let items = try node.sequence("quantiles", expected: "a list of percentages such as [5, 50, 95]")
        var out: [Double] = []
        for (i, item) in items.enumerated() {
            let q = try item.number("quantiles[\(i + 1)]")
            guard (0...100).contains(q) else { throw item.error("quantiles[\(i + 1)]", "\(formatNumber(q)) must be a percentage from 0 to 100") }
            guard !out.contains(q) else { throw item.error("quantiles[\(i + 1)]", "\(formatNumber(q)) is listed twice") }
            out.append(q)
        }
        return out
    }

    // MARK: - Roles

    private func readRoles() throws -> ([String], [RoleDraft]) {
        guard let node = root["roles"] else {
            throw ScenarioError(file: path, line: nil, field: "roles", message: "missing; give a mapping of role names to their parameters (turnover, time_to_fill, ...)")
        }
        let entries = try node.mapping("roles", expected: "a mapping of role names to parameters")
        guard !entries.isEmpty else { throw node.error("roles", "no roles; give at least one") }
        var names: [String] = []
        var drafts: [RoleDraft] = []
        for e in entries {
            guard e.key != "all" else { throw e.value.error("roles.all", "'all' is reserved for the total over roles; choose another name") }
            guard e.key != "external" else {
                throw e.value.error("roles.external", "'external' is reserved: a programme's from: external means trainees recruited from outside the workforce; choose another name")
            }
            var draft = RoleDraft()
            if !e.value.isNull {
                _ = try e.value.mapping("roles.\(e.key)", expected: "a mapping of parameters (\(ModelBuilder.roleKeys.joined(separator: ", ")))")
                try readRoleParameters(e.value, field: "roles.\(e.key)", into: &draft)
            }
            names.append(e.key)
            drafts.append(draft)
        }
        return (names, drafts)
    }

    private func readRoleParameters(_ node: ScenarioNode, field: String, into draft: inout RoleDraft) throws {
        try node.checkKeys(field, allowed: ModelBuilder.roleKeys)
        func q(_ key: String, _ valid: ValidRange) throws -> Quantity? {
            try node[key].map { try QuantityReader.read($0, field: "\(field).\(key)", valid: valid) }
        }
        if let v = try q("turnover", .turnover) { draft.turnover = v }
        if let v = try q("retained_in_sector", .fraction) { draft.retainedInSector = v }
        if let v = try q("time_to_fill", .positive) { draft.timeToFill = v }
        if let v = try q("international_share", .fraction) { draft.internationalShare = v }
        if let v = try q("international_cap", .nonNegative) { draft.internationalCap = v }
        if let v = try q("pay", .nonNegative) { draft.pay = v }
        if let v = try node["mix"].map({ try QuantityReader.read($0, field: "\(field).mix", valid: .nonNegative, interpolation: .linear) }) {
            draft.mix = v
        }
    }

    // MARK: - Units

    private func readUnits(levelNames: [String]) throws -> [Area] {
        guard let node = root["units"] else {
            throw ScenarioError(file: path, line: nil, field: "units", message: "missing; give a list of units ({name, parent}) or {file: units.csv}")
        }
        var declared: [(name: String, parent: String?, location: Location)] = []
        if node.entries != nil {  // a mapping: only {file: ...}, and a misspelt key is named
            try node.checkKeys("units", allowed: ["file"])
            let (filePath, display) = try fileReference(node, field: "units.file")
            let table = try CSVTable(path: filePath, file: display, required: ["unit"], optional: ["parent"])
            for row in table.rows {
                let name = table.text(row, "unit")
                guard !name.isEmpty else { throw ScenarioError(file: display, line: row.line, field: "unit", message: "empty; every row names a unit") }
                let parent = table.text(row, table.column("parent") == nil ? "" : "parent")
                declared.append((name, parent.isEmpty ? nil : parent, Location(file: display, line: row.line)))
            }
        } else {
            let items = try node.sequence("units", expected: "a list of units ({name, parent}) or {file: units.csv}")
            for (i, item) in items.enumerated() {
                let field = "units[\(i + 1)]"
                if case .scalar = item.kind {
                    declared.append((try item.string(field), nil, item.location))
                    continue
                }
                _ = try item.mapping(field, expected: "{name: ..., parent: ...}")
                try item.checkKeys(field, allowed: ["name", "parent"])
                guard let nameNode = item["name"] else { throw item.error("\(field).name", "missing; every unit has a name") }
                declared.append((try nameNode.string("\(field).name"), try item["parent"].flatMap { $0.isNull ? nil : try $0.string("\(field).parent") }, item.location))
            }
        }
        guard !declared.isEmpty else { throw node.error("units", "no units; give at least one") }

        var index: [String: Int] = [:]
        var areas: [Area] = []
        for d in declared {
            if d.name == "all" { throw d.location.error("units", "'all' is reserved; choose another unit name") }
            if index[d.name] != nil { throw d.location.error("units", "unit '\(d.name)' is declared twice; unit names must be unique") }
            index[d.name] = areas.count
            areas.append(Area(name: d.name, level: "", parent: nil))
        }
        for d in declared {
            guard let parentName = d.parent else { continue }
            if parentName == d.name { throw d.location.error("units", "unit '\(d.name)' is its own parent") }
            let p: Int
            if let existing = index[parentName] {
                p = existing
            } else {
                p = areas.count
                index[parentName] = p
                areas.append(Area(name: parentName, level: "", parent: nil))
            }
            areas[index[d.name]!].parent = p
        }
        // Cycles: follow each unit's parents; a chain longer than the number of areas loops.
        for (i, a) in areas.enumerated() {
            var chain = [a.name]
            var p = a.parent
            while let q = p {
                if q == i {
                    let location = declared.first { $0.name == a.name }?.location ?? node.location
                    throw location.error("units", "the parents form a cycle: \((chain + [a.name]).joined(separator: " -> ")); the units must form a tree")
                }
                if chain.count > areas.count { break }
                chain.append(areas[q].name)
                p = areas[q].parent
            }
        }
        for i in areas.indices { if let p = areas[i].parent { areas[p].children.append(i) } }
        for i in areas.indices {
            var depth = 0
            var p = areas[i].parent
            while let q = p { depth += 1; p = areas[q].parent }
            areas[i].level = depth < levelNames.count ? levelNames[depth] : "level\(depth + 1)"
        }
        return areas
    }

    // MARK: - Baseline

    /// Reads the baseline into `drafts`; returns the per-unit parameter columns, applied last.
    private func readBaseline(areas: [Area], roles: [String], drafts: inout [[RoleDraft]]) throws -> [Int: [Int: RoleDraft]] {
        guard let node = root["baseline"] else {
            throw ScenarioError(file: path, line: nil, field: "baseline", message: "missing; give rows {unit, role, filled, vacancies} or {file: baseline.csv}")
        }
        let byName = Dictionary(areas.enumerated().map { ($0.element.name, $0.offset) }, uniquingKeysWith: { a, _ in a })
        var seen: [Int: [Int: Location]] = [:]
        var columns: [Int: [Int: RoleDraft]] = [:]
        let optional = ModelBuilder.roleKeys.filter { $0 != "mix" }

        func record(unit: String, role: String, location: Location, unitField: String, roleField: String,
                    fieldPrefix: String = "", values: (String) throws -> Double?) throws {
            guard let a = byName[unit] else {
                throw location.error(unitField, "unknown unit '\(unit)'" + Suggestions.hint(for: unit, in: areas.map(\.name)))
            }
            guard let leaf = areas[a].leaf else {
                throw location.error(unitField, "'\(unit)' has units below it; baseline rows are for units without children (parents are their sums)")
            }
            guard let r = roles.firstIndex(of: role) else {
                throw location.error(roleField, "unknown role '\(role)'" + Suggestions.hint(for: role, in: roles))
            }
            if let first = seen[leaf]?[r] {
                throw location.error(unitField, "a second row for unit '\(unit)', role '\(role)' (the first is at line \(first.line ?? 0)); give one row per unit and role")
            }
            seen[leaf, default: [:]][r] = location
            guard let filled = try values("filled") else { throw location.error(fieldPrefix + "filled", "missing; give staff in post (0 if none)") }
            guard filled >= 0 else { throw location.error(fieldPrefix + "filled", "\(formatNumber(filled)) is negative; staff in post must be >= 0") }
            guard let vacancies = try values("vacancies") else { throw location.error(fieldPrefix + "vacancies", "missing; give vacancies (0 if none)") }
            guard vacancies >= 0 else { throw location.error(fieldPrefix + "vacancies", "\(formatNumber(vacancies)) is negative; vacancies must be >= 0") }
            drafts[leaf][r].filled = filled
            drafts[leaf][r].vacancies = vacancies
            var extra = RoleDraft()
            extra.retainedInSector = .constant(.nan)
            extra.internationalShare = .constant(.nan)
            extra.mix = .constant(.nan)
            for key in optional {
                guard let x = try values(key) else { continue }
                let valid: ValidRange = key == "turnover" ? .turnover : key == "time_to_fill" ? .positive
                    : (key == "retained_in_sector" || key == "international_share") ? .fraction : .nonNegative
                guard valid.contains(x) else { throw location.error(fieldPrefix + key, "\(formatNumber(x)) is out of range; it \(valid.requirement)") }
                switch key {
                case "turnover": extra.turnover = .constant(x)
                case "retained_in_sector": extra.retainedInSector = .constant(x)
                case "time_to_fill": extra.timeToFill = .constant(x)
                case "international_share": extra.internationalShare = .constant(x)
                case "international_cap": extra.internationalCap = .constant(x)
                default: extra.pay = .constant(x)
                }
            }
            columns[leaf, default: [:]][r] = extra
        }

        if node.entries != nil {  // a mapping: only {file: ...}, and a misspelt key is named
            try node.checkKeys("baseline", allowed: ["file"])
            let (filePath, display) = try fileReference(node, field: "baseline.file")
            let table = try CSVTable(path: filePath, file: display, required: ["unit", "role", "filled", "vacancies"], optional: optional)
            for row in table.rows {
                try record(unit: table.text(row, "unit"), role: table.text(row, "role"),
                           location: Location(file: display, line: row.line), unitField: "unit", roleField: "role") { key in
                    guard table.column(key) != nil else { return nil }
                    if table.text(row, key).isEmpty && key != "filled" && key != "vacancies" { return nil }
                    return try table.number(row, key)
                }
            }
        } else {
            let items = try node.sequence("baseline", expected: "a list of rows {unit, role, filled, vacancies} or {file: baseline.csv}")
            for (i, item) in items.enumerated() {
                let field = "baseline[\(i + 1)]"
                _ = try item.mapping(field, expected: "{unit, role, filled, vacancies}")
                try item.checkKeys(field, allowed: ["unit", "role", "filled", "vacancies"] + optional)
                guard let unit = item["unit"] else { throw item.error("\(field).unit", "missing") }
                guard let role = item["role"] else { throw item.error("\(field).role", "missing") }
                try record(unit: try unit.string("\(field).unit"), role: try role.string("\(field).role"),
                           location: item.location, unitField: "\(field).unit", roleField: "\(field).role",
                           fieldPrefix: "\(field).") { key in
                    try item[key].map { try $0.number("\(field).\(key)") }
                }
            }
        }
        for a in areas.indices {
            guard let leaf = areas[a].leaf else { continue }
            for (r, role) in roles.enumerated() where seen[leaf]?[r] == nil {
                throw node.error("baseline", "no row for unit '\(areas[a].name)', role '\(role)'; every unit needs a row per role (use filled 0, vacancies 0 for none)")
            }
        }
        return columns
    }

    // MARK: - Progression

    private func readProgression(roles: [String], node: ScenarioNode?, field: String) throws -> [Transition] {
        guard let node, !node.isNull else { return [] }
        var out: [Transition] = []
        for e in try node.mapping(field, expected: "a mapping from role to {other_role: annual rate}") {
            let rowField = "\(field).\(e.key)"
            guard let from = roles.firstIndex(of: e.key) else {
                throw e.value.error(rowField, "unknown role '\(e.key)'" + Suggestions.hint(for: e.key, in: roles))
            }
            var maxTotal = 0.0
            for t in try e.value.mapping(rowField, expected: "a mapping {other_role: annual rate}") {
                let tField = "\(rowField).\(t.key)"
                guard let to = roles.firstIndex(of: t.key) else {
                    throw t.value.error(tField, "unknown role '\(t.key)'" + Suggestions.hint(for: t.key, in: roles))
                }
                guard to != from else { throw t.value.error(tField, "progression from a role to itself; list other roles only") }
                let rate = try QuantityReader.read(t.value, field: tField, valid: .turnover)
                maxTotal += rate.valueRanges.map(\.upperBound).max() ?? 0
                out.append(Transition(from: from, to: to, rate: rate))
            }
            if maxTotal >= 1 {
                throw e.value.error(rowField, "the annual rates out of '\(e.key)' sum to \(formatNumber(maxTotal)) (at their largest); the sum must be below 1")
            }
        }
        return out
    }

    // MARK: - Programmes

    private func readProgrammes(roles: [String]) throws -> ([Programme], [ProgrammeParameters]) {
        guard let node = root["programmes"], !node.isNull else { return ([], []) }
        var programmes: [Programme] = []
        var parameters: [ProgrammeParameters] = []
        for e in try node.mapping("programmes", expected: "a mapping of programme names to {to, from, duration, completion, starts, ...}") {
            let field = "programmes.\(e.key)"
            let p = e.value
            _ = try p.mapping(field, expected: "{to, from, duration, completion, starts, ...}")
            try p.checkKeys(field, allowed: ModelBuilder.programmeKeys)
            func role(_ key: String) throws -> Int {
                let name = try p[key]!.string("\(field).\(key)")
                guard let r = roles.firstIndex(of: name) else {
                    throw p[key]!.error("\(field).\(key)", "unknown role '\(name)'" + Suggestions.hint(for: name, in: roles + (key == "from" ? ["external"] : [])))
                }
                return r
            }
            for key in ["to", "duration", "completion", "starts"] where p[key] == nil {
                throw p.error("\(field).\(key)", "missing; a programme needs to, duration, completion and starts")
            }
            let to = try role("to")
            var from: Int? = nil
            if let f = p["from"], try f.string("\(field).from") != "external" { from = try role("from") }
            if from == to { throw p["from"]!.error("\(field).from", "is the same role as 'to'; upskilling moves staff between different roles") }
            let duration = try p["duration"]!.integer("\(field).duration", in: 1...600)
            var profile = Array(repeating: 1.0 / 12, count: 12)
            if let node = p["intake_profile"] {
                let items = try node.sequence("\(field).intake_profile", expected: "12 weights for January ... December")
                guard items.count == 12 else { throw node.error("\(field).intake_profile", "has \(items.count) weights; give 12, for January ... December") }
                profile = try items.enumerated().map { try QuantityReader.number($0.element, field: "\(field).intake_profile[\($0.offset + 1)]", valid: .nonNegative) }
                let total = profile.reduce(0, +)
                guard abs(total - 1) <= 1e-6 else { throw node.error("\(field).intake_profile", "the weights sum to \(total); they must sum to 1") }
            }
            let inPostShare = try p["in_post_share"].map { try QuantityReader.number($0, field: "\(field).in_post_share", valid: .fraction) }
            let dropoutsReturn = try p["dropouts_return"].map { try $0.bool("\(field).dropouts_return") }
            programmes.append(Programme(name: e.key, to: to, from: from, duration: duration, intakeProfile: profile,
                                        inPostShare: inPostShare, dropoutsReturn: dropoutsReturn))
            parameters.append(ProgrammeParameters(
                completion: try QuantityReader.read(p["completion"]!, field: "\(field).completion", valid: .completion),
                starts: try QuantityReader.read(p["starts"]!, field: "\(field).starts", valid: .nonNegative)))
        }
        return (programmes, parameters)
    }

    // MARK: - Demand

    /// Growth and elasticity per leaf from `demand.growth` (growth 0, elasticity 1 without it).
    private func readGrowth(areas: [Area], leafAreas: [Int], timeline: Timeline) throws -> [(growth: Quantity, elasticity: Quantity)] {
        let demand = root["demand"]
        if let demand {
            _ = try demand.mapping("demand", expected: "a mapping {growth, events}")
            try demand.checkKeys("demand", allowed: ["growth", "events"])
        }
        guard let node = demand?["growth"] else {
            return leafAreas.map { _ in (.constant(0), .constant(1)) }
        }
        return try growthForm(node, field: "demand.growth", areas: areas, leafAreas: leafAreas, timeline: timeline)
    }

    /// Reads growth in any of its forms (a quantity, a CSV by unit and year, a population driver)
    /// for the given leaf areas: gamma and the elasticity that multiplies it (1 except for a
    /// population driver).
    private func growthForm(_ node: ScenarioNode, field: String, areas: [Area], leafAreas: [Int],
                            timeline: Timeline) throws -> [(growth: Quantity, elasticity: Quantity)] {
        if node["file"] != nil {
            try node.checkKeys(field, allowed: ["file"])
            let (filePath, display) = try fileReference(node, field: "\(field).file")
            let table = try CSVTable(path: filePath, file: display, required: ["unit", "year", "growth"])
            var byArea: [Int: [(YearKey, Double, Int)]] = [:]
            for row in table.rows {
                let a = try areaIndex(table.text(row, "unit"), areas: areas, location: Location(file: display, line: row.line), field: "unit")
                let yearText = table.text(row, "year")
                guard let year = YearKey(yearText) else {
                    throw ScenarioError(file: display, line: row.line, field: "year", message: "'\(yearText)' is not a year; write 2024 (calendar) or 2024/25 (financial)")
                }
                let g = try table.number(row, "growth")
                guard ValidRange.growth.contains(g) else {
                    throw ScenarioError(file: display, line: row.line, field: "growth", message: "\(formatNumber(g)) is out of range; annual growth must be > -1")
                }
                if let rows = byArea[a] {
                    if rows.contains(where: { $0.0.year == year.year && $0.0.financial == year.financial }) {
                        throw ScenarioError(file: display, line: row.line, field: "year", message: "a second row for unit '\(areas[a].name)', year \(yearText)")
                    }
                    if rows[0].0.financial != year.financial {
                        throw ScenarioError(file: display, line: row.line, field: "year", message: "mixes calendar and financial years for unit '\(areas[a].name)'; use one kind per unit")
                    }
                }
                byArea[a, default: []].append((year, g, row.line))
            }
            let tables = byArea.mapValues { rows -> Quantity in
                let sorted = rows.sorted { $0.0.firstMonth < $1.0.firstMonth }
                return Quantity(points: sorted.map { .init(from: $0.0.firstMonth, value: .constant($0.1)) })
            }
            return try leafAreas.map { a in
                guard let q = nearest(a, areas: areas, in: tables) else {
                    throw ScenarioError(file: display, line: nil, field: "unit", message: "no rows apply to unit '\(areas[a].name)'; add rows for it or for a unit above it")
                }
                return (q, .constant(1))
            }
        }
        if let population = node["population"] {
            try node.checkKeys(field, allowed: ["population", "elasticity"])
            _ = try population.mapping("\(field).population", expected: "{file: population.csv}")
            try population.checkKeys("\(field).population", allowed: ["file"])
            let (filePath, display) = try fileReference(population, field: "\(field).population.file")
            let table = try CSVTable(path: filePath, file: display, required: ["unit", "year", "population"])
            var byArea: [Int: [(Int, Double)]] = [:]
            for row in table.rows {
                let a = try areaIndex(table.text(row, "unit"), areas: areas, location: Location(file: display, line: row.line), field: "unit")
                let yearText = table.text(row, "year")
                guard let year = Int(yearText), yearText.count == 4 else {
                    throw ScenarioError(file: display, line: row.line, field: "year", message: "'\(yearText)' is not a calendar year such as 2020")
                }
                let value = try table.number(row, "population")
                guard value > 0 else {
                    throw ScenarioError(file: display, line: row.line, field: "population", message: "\(formatNumber(value)) must be > 0")
                }
                if byArea[a]?.contains(where: { $0.0 == year }) == true {
                    throw ScenarioError(file: display, line: row.line, field: "year", message: "a second row for unit '\(areas[a].name)', year \(year)")
                }
                byArea[a, default: []].append((year, value))
            }
            let elasticity = try node["elasticity"].map { try QuantityReader.read($0, field: "\(field).elasticity", valid: .any) } ?? .constant(1)
            let tables = byArea.mapValues { populationGrowth($0.sorted { $0.0 < $1.0 }, timeline: timeline) }
            let growth = try leafAreas.map { a -> Quantity in
                guard let q = nearest(a, areas: areas, in: tables) else {
                    throw ScenarioError(file: display, line: nil, field: "unit", message: "no population rows apply to unit '\(areas[a].name)'; add rows for it or for a unit above it")
                }
                return q
            }
            try checkGrowthWithElasticity(growth, elasticity: elasticity, node: node, field: field)
            return growth.map { ($0, elasticity) }
        }
        let q = try QuantityReader.read(node, field: field, valid: .growth)
        return leafAreas.map { _ in (q, .constant(1)) }
    }

    /// Growth in calendar year y = P(y + 1) / P(y) - 1, with P interpolated linearly between the
    /// given years and held flat outside them.
    private func populationGrowth(_ points: [(Int, Double)], timeline: Timeline) -> Quantity {
        func population(_ year: Int) -> Double {
            if year <= points[0].0 { return points[0].1 }
            if year >= points[points.count - 1].0 { return points[points.count - 1].1 }
            let i = points.lastIndex { $0.0 <= year }!
            let (y0, p0) = points[i]
            let (y1, p1) = points[i + 1]
            return p0 + (p1 - p0) * Double(year - y0) / Double(y1 - y0)
        }
        let years = timeline.start.year...timeline.horizon.year
        return Quantity(points: years.map { y in
            .init(from: Month(year: y, month: 1), value: .constant(population(y + 1) / population(y) - 1))
        })
    }

    private func checkGrowthWithElasticity(_ growth: [Quantity], elasticity: Quantity, node: ScenarioNode, field: String) throws {
        let e = elasticity.valueRanges
        for q in growth {
            for g in q.valueRanges {
                for er in e {
                    let extremes = [g.lowerBound * er.lowerBound, g.lowerBound * er.upperBound,
                                    g.upperBound * er.lowerBound, g.upperBound * er.upperBound]
                    if extremes.contains(where: { !($0 > -1) }) {
                        throw node.error("\(field).elasticity", "population growth times this elasticity can reach -100% or less; narrow the elasticity")
                    }
                }
            }
        }
    }

    private func readEvents(areas: [Area], roles: [String], leafAreas: [Int]) throws -> [[DemandEvent]] {
        var out = leafAreas.map { _ in [DemandEvent]() }
        guard let node = root["demand"]?["events"], !node.isNull else { return out }
        for (i, item) in try node.sequence("demand.events", expected: "a list of {from, unit, role, add or multiply}").enumerated() {
            let field = "demand.events[\(i + 1)]"
            _ = try item.mapping(field, expected: "{from, unit, role, add or multiply}")
            try item.checkKeys(field, allowed: ["from", "unit", "role", "add", "multiply"])
            guard let fromNode = item["from"] else { throw item.error("\(field).from", "missing; give the month the change starts, YYYY-MM") }
            let from = try fromNode.month("\(field).from")
            let role = try item["role"].map { n -> Int in
                let name = try n.string("\(field).role")
                guard let r = roles.firstIndex(of: name) else { throw n.error("\(field).role", "unknown role '\(name)'" + Suggestions.hint(for: name, in: roles)) }
                return r
            }
            let area = try item["unit"].map { try areaIndex(try $0.string("\(field).unit"), areas: areas, location: $0.location, field: "\(field).unit") }
            let event: DemandEvent
            switch (item["add"], item["multiply"]) {
            case (let add?, nil):
                guard let area, areas[area].leaf != nil, role != nil else {
                    throw add.error(field, "an additive event needs a unit without children and a role (posts are added there)")
                }
                event = DemandEvent(role: role, from: from, kind: .add, value: try eventValue(add, field: "\(field).add", valid: .any))
            case (nil, let multiply?):
                event = DemandEvent(role: role, from: from, kind: .multiply, value: try eventValue(multiply, field: "\(field).multiply", valid: .nonNegative))
            default:
                throw item.error(field, "give exactly one of add (posts) or multiply (a factor)")
            }
            for (l, a) in leafAreas.enumerated() where area == nil || a == area! || isBelow(a, area!, areas: areas) {
                out[l].append(event)
            }
        }
        return out
    }

    /// An event's size: a number or a distribution (drawn once per path, or per unit and path).
    private func eventValue(_ node: ScenarioNode, field: String, valid: ValidRange) throws -> Quantity {
        if node.entries != nil && node["dist"] == nil {
            throw node.error(field, "expected a number or a distribution {dist: ...}")
        }
        return Quantity(points: [.init(from: nil, value: try QuantityReader.value(node, field: field, valid: valid))],
                        key: stableHash(field))
    }

    // MARK: - Overrides

    private func applyOverrides(areas: [Area], roles: [String], programmes: [Programme], drafts: inout [[RoleDraft]],
                                progression: inout [[Transition]], programmeParameters: inout [[ProgrammeParameters]],
                                growth: inout [(growth: Quantity, elasticity: Quantity)], leafAreas: [Int],
                                timeline: Timeline, baselineColumns: [Int: [Int: RoleDraft]]) throws {
        guard let node = root["overrides"], !node.isNull else { return }
        var items: [(area: Int, depth: Int, node: ScenarioNode, name: String)] = []
        for e in try node.mapping("overrides", expected: "a mapping of unit names to overrides") {
            let a = try areaIndex(e.key, areas: areas, location: e.value.location, field: "overrides.\(e.key)")
            var depth = 0
            var p = areas[a].parent
            while let q = p { depth += 1; p = areas[q].parent }
            items.append((a, depth, e.value, e.key))
        }
        // Shallower first, so that the override closest to a unit wins.
        for item in items.sorted(by: { $0.depth < $1.depth }) {
            let field = "overrides.\(item.name)"
            let o = item.node
            _ = try o.mapping(field, expected: "{roles, growth, programmes, progression}")
            try o.checkKeys(field, allowed: ["roles", "growth", "programmes", "progression"])
            let leaves = areas.indices.filter { areas[$0].leaf != nil && ($0 == item.area || isBelow($0, item.area, areas: areas)) }.map { areas[$0].leaf! }
            if let rolesNode = o["roles"] {
                for e in try rolesNode.mapping("\(field).roles", expected: "a mapping of role names to parameters") {
                    guard let r = roles.firstIndex(of: e.key) else {
                        throw e.value.error("\(field).roles.\(e.key)", "unknown role '\(e.key)'" + Suggestions.hint(for: e.key, in: roles))
                    }
                    let parameters = try e.value.mapping("\(field).roles.\(e.key)", expected: "a mapping of parameters")
                    for l in leaves { try readRoleParameters(e.value, field: "\(field).roles.\(e.key)", into: &drafts[l][r]) }
                    // The baseline table's per-unit values are applied after, and win.
                    for p in parameters where !leaves.isEmpty && leaves.allSatisfy({ baselineColumns[$0]?[r]?.sets(p.key) ?? false }) {
                        throw p.value.error("\(field).roles.\(e.key).\(p.key)", "has no effect: the baseline table sets \(p.key) for \(e.key) in every unit this override covers, and the table's per-unit values take precedence; change the table, or leave its cells empty where the override should apply")
                    }
                }
            }
            if let g = o["growth"] {
                let forms = try growthForm(g, field: "\(field).growth", areas: areas,
                                           leafAreas: leaves.map { leafAreas[$0] }, timeline: timeline)
                for (l, form) in zip(leaves, forms) { growth[l] = form }
            }
            if let p = o["progression"] {
                let transitions = try readProgression(roles: roles, node: p, field: "\(field).progression")
                let fromRoles = Set(transitions.map(\.from))
                for l in leaves {
                    progression[l] = progression[l].filter { !fromRoles.contains($0.from) } + transitions
                }
            }
            if let pr = o["programmes"] {
                for e in try pr.mapping("\(field).programmes", expected: "a mapping of programme names to {starts, completion}") {
                    let pField = "\(field).programmes.\(e.key)"
                    guard let a = programmes.firstIndex(where: { $0.name == e.key }) else {
                        throw e.value.error(pField, "unknown programme '\(e.key)'" + Suggestions.hint(for: e.key, in: programmes.map(\.name)))
                    }
                    _ = try e.value.mapping(pField, expected: "{starts, completion}")
                    try e.value.checkKeys(pField, allowed: ["starts", "completion"])
                    let starts = try e.value["starts"].map { try QuantityReader.read($0, field: "\(pField).starts", valid: .nonNegative) }
                    let completion = try e.value["completion"].map { try QuantityReader.read($0, field: "\(pField).completion", valid: .completion) }
                    for l in leaves {
                        if let starts { programmeParameters[l][a].starts = starts }
                        if let completion { programmeParameters[l][a].completion = completion }
                    }
                }
            }
        }
    }

    // MARK: - Helpers

    private func fileReference(_ node: ScenarioNode, field: String) throws -> (path: String, display: String) {
        guard let fileNode = node["file"] else { throw node.error(field, "missing; give the table as {file: NAME.csv}") }
        let relative = try fileNode.string(field)
        let resolved = FilePaths.resolve(relative, nextTo: node.location.file)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: resolved, isDirectory: &isDirectory) else {
            throw fileNode.error(field, "'\(relative)' does not exist (looked for \(resolved)); paths are relative to the file that names them")
        }
        if isDirectory.boolValue {
            throw fileNode.error(field, "'\(relative)' is a directory; name a CSV file")
        }
        inputs.record(resolved)
        return (resolved, resolved)
    }

    /// Area indices by name, made once per area list (tables name units row by row).
    final class AreaNames {
        var count = -1
        var index: [String: Int] = [:]
    }

    private func areaIndex(_ name: String, areas: [Area], location: Location, field: String) throws -> Int {
        if areaNames.count != areas.count {
            areaNames.index = Dictionary(areas.enumerated().map { ($0.element.name, $0.offset) }, uniquingKeysWith: { a, _ in a })
            areaNames.count = areas.count
        }
        guard let a = areaNames.index[name] else {
            throw location.error(field, "unknown unit '\(name)'" + Suggestions.hint(for: name, in: areas.map(\.name)))
        }
        return a
    }

    private func isBelow(_ a: Int, _ ancestor: Int, areas: [Area]) -> Bool {
        var p = areas[a].parent
        while let q = p {
            if q == ancestor { return true }
            p = areas[q].parent
        }
        return false
    }

    private func nearest<T>(_ a: Int, areas: [Area], in table: [Int: T]) -> T? {
        var p: Int? = a
        while let q = p {
            if let v = table[q] { return v }
            p = areas[q].parent
        }
        return nil
    }
}

extension RoleDraft {
    /// Whether a baseline row gives the parameter named `key` (NaN marks "not given").
    func sets(_ key: String) -> Bool {
        switch key {
        case "turnover": return turnover != nil
        case "time_to_fill": return timeToFill != nil
        case "international_cap": return internationalCap != nil
        case "pay": return pay != nil
        case "retained_in_sector": return !(retainedInSector.constantValue?.isNaN ?? false)
        case "international_share": return !(internationalShare.constantValue?.isNaN ?? false)
        default: return false
        }
    }

    /// Applies the per-unit values of a baseline row (NaN marks "not given").
    mutating func apply(_ row: RoleDraft) {
        if let t = row.turnover { turnover = t }
        if let t = row.timeToFill { timeToFill = t }
        if let c = row.internationalCap { internationalCap = c }
        if let p = row.pay { pay = p }
        if let x = row.retainedInSector.constantValue, !x.isNaN { retainedInSector = row.retainedInSector }
        if let x = row.internationalShare.constantValue, !x.isNaN { internationalShare = row.internationalShare }
    }
}
