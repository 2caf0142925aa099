import Crypto
import Foundation
import WorkforceCore

/// The record written beside a run's CSV so that any published figure can be traced and rerun:
/// the tool version, the command line, the seed and paths, a SHA-256 hash of every input file
/// and of the output, and the machine's arithmetic (`Arithmetic`).
public struct RunManifest: Encodable {
    public struct File: Encodable {
        public var path: String
        public var sha256: String
        public var bytes: Int
    }

    public var format = "workforce-manifest/1"
    public var tool = "workforce"
    public var version: String
    public var command: [String]
    public var scenarios: [String]
    public var seed: UInt64
    public var paths: Int
    public var deterministic: Bool
    public var noise: String
    public var inputs: [File]
    public var output: File
    public var arithmetic: Arithmetic
    public var created: String

    /// Hashes `inputs` and `outputText`, the text written to `output`; `arithmetic` is this
    /// process's unless given.
    public init(version: String, command: [String], models: [Model], deterministic: Bool,
                inputs: [String], output: String, outputText: String, arithmetic: Arithmetic = .current()) throws {
        self.version = version
        self.command = command
        scenarios = models.map(\.name)
        seed = models.first?.seed ?? 0
        paths = deterministic ? 1 : models.first?.paths ?? 0
        self.deterministic = deterministic
        noise = models.first?.noise.rawValue ?? "none"
        self.inputs = try inputs.map(RunManifest.hash)
        self.output = RunManifest.hash(Data(outputText.utf8), path: output)
        self.arithmetic = arithmetic
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        created = formatter.string(from: Date())
    }

    static func hash(_ path: String) throws -> File {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw OutputError(file: path, message: "cannot be read to record its hash in the manifest")
        }
        return hash(data, path: path)
    }

    static func hash(_ data: Data, path: String) -> File {
        let digest = SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
        return File(path: path, sha256: digest, bytes: data.count)
    }

    /// The manifest's path for an output file: `OUT.manifest.json`.
    public static func path(for output: String) -> String { output + ".manifest.json" }

    public func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(self), as: UTF8.self) + "\n"
    }
}
