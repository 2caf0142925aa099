import Foundation
import WorkforceCore

/// The fully resolved model as JSON, for auditing and reproducing a run (see the README,
/// "Resolved JSON"). Keys are sorted so that the same model always gives the same bytes.
public enum ResolvedJSON {
    public static let format = "workforce-resolved/1"

    private struct Document: Encodable {
        var format: String
        var model: Model
    }

    public static func string(_ model: Model) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let data = try encoder.encode(Document(format: format, model: model))
        return String(decoding: data, as: UTF8.self) + "\n"
    }
}
