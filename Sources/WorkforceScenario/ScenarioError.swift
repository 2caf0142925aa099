/// A problem with a scenario or one of its tables, located for the user: the file, the line
/// (when known), the field, what is wrong and what would be valid.
public struct ScenarioError: Error, CustomStringConvertible, Equatable, Sendable {
    public var file: String
    public var line: Int?
    public var field: String
    public var message: String

    public init(file: String, line: Int?, field: String, message: String) {
        self.file = file
        self.line = line
        self.field = field
        self.message = message
    }

    /// `FILE:LINE: FIELD: MESSAGE`, the line and field left out when not known.
    public var description: String {
        var s = file
        if let line { s += ":\(line)" }
        s += ": "
        if !field.isEmpty { s += "\(field): " }
        return s + message
    }
}

/// Where a value was written: a file and a line (1-based), or a command-line option.
public struct Location: Equatable, Sendable {
    public var file: String
    public var line: Int?

    public init(file: String, line: Int?) {
        self.file = file
        self.line = line
    }

    func error(_ field: String, _ message: String) -> ScenarioError {
        ScenarioError(file: file, line: line, field: field, message: message)
    }
}
