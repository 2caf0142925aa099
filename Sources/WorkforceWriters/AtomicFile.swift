#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An error writing output, turned into a message at the command-line edge.
public struct OutputError: Error, CustomStringConvertible {
    public var file: String
    public var message: String
    public var description: String { "\(file): \(message)" }

    public init(file: String, message: String) {
        self.file = file
        self.message = message
    }
}

/// Writes a file so that readers see either the old file or the whole new one: the bytes go to a
/// temporary file in the same directory, are flushed to disk, and the temporary file is renamed
/// over the target. On any failure the temporary file is removed and the target is untouched.
///
/// Two files that belong together (an output and its manifest) are each `stage`d first and
/// `commit`ted only when both are written, so that a failure to write the second leaves both
/// old files as they were.
public enum AtomicFile {
    /// The temporary files being written, at most two, as C strings that a signal handler can
    /// pass to unlink without allocating. Two plain variables with a constant initial value: the
    /// compiler lays them out statically, so reading them runs no lazy set-up (which could
    /// allocate, or wait on a lock, inside a signal handler).
    nonisolated(unsafe) private static var pending0: UnsafeMutablePointer<CChar>? = nil
    nonisolated(unsafe) private static var pending1: UnsafeMutablePointer<CChar>? = nil

    private static func pending(_ slot: Int) -> UnsafeMutablePointer<CChar>? { slot == 0 ? pending0 : pending1 }

    private static func setPending(_ slot: Int, _ value: UnsafeMutablePointer<CChar>?) {
        if slot == 0 { pending0 = value } else { pending1 = value }
    }

    /// Removes the temporary files being written, if any. Async-signal-safe.
    public static func removePendingTemporary() {
        if let p = pending0 { unlink(p) }
        if let p = pending1 { unlink(p) }
    }

    /// A new file written to a temporary file beside its target, not yet renamed over it.
    public struct Staged {
        /// The target.
        public let path: String
        /// The temporary file, or nil where the target is a device or pipe written directly.
        let temporary: String?
        /// Its slot: pending0 or pending1.
        let slot: Int
    }

    public static func write(_ text: String, to path: String) throws {
        try commit(try stage(text, for: path))
    }

    /// Writes `text` beside `path` and flushes it to disk; `path` itself is not touched until
    /// `commit`. A device or pipe (/dev/stdout, /dev/full) cannot be replaced, only written, so
    /// it is written here.
    public static func stage(_ text: String, for path: String) throws -> Staged {
        var info = stat()
        if stat(path, &info) == 0 && (info.st_mode & S_IFMT) != S_IFREG {
            try writeDirect(text, to: path)
            return Staged(path: path, temporary: nil, slot: -1)
        }
        guard let slot = [0, 1].first(where: { pending($0) == nil }) else {
            throw OutputError(file: path, message: "cannot be written while two other files are being written")
        }
        let directory = path.contains("/") ? String(path[..<path.lastIndex(of: "/")!]) : "."
        let name = path.split(separator: "/").last.map(String.init) ?? path
        let temporary = (directory == "." && !path.hasPrefix("./") ? "" : directory + "/") + ".\(name).tmp-\(getpid())"
        setPending(slot, strdup(temporary))  // before the file exists, so that a signal never misses it
        let staged = Staged(path: path, temporary: temporary, slot: slot)
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL, 0o644)
        guard fd >= 0 else {
            let failure = String(cString: strerror(errno))
            release(staged)
            throw OutputError(file: path, message: "cannot create a file in '\(directory)': \(failure)")
        }
        var failure = writeAll(text, to: fd)
        if failure == nil && fsync(fd) != 0 && errno != EINVAL { failure = String(cString: strerror(errno)) }
        if close(fd) != 0 && failure == nil { failure = String(cString: strerror(errno)) }
        if let failure {
            discard(staged)
            throw OutputError(file: path, message: "could not be written (\(failure)); no output was left")
        }
        return staged
    }

    /// Renames a staged file over its target.
    public static func commit(_ staged: Staged) throws {
        guard let temporary = staged.temporary else { return }
        if rename(temporary, staged.path) != 0 {
            let failure = String(cString: strerror(errno))
            discard(staged)
            throw OutputError(file: staged.path, message: "could not be written (\(failure)); no output was left")
        }
        release(staged)
    }

    /// Removes a staged file; its target stays as it was.
    public static func discard(_ staged: Staged) {
        guard let temporary = staged.temporary else { return }
        unlink(temporary)
        release(staged)
    }

    private static func release(_ staged: Staged) {
        let p = pending(staged.slot)
        setPending(staged.slot, nil)
        free(p)
    }

    private static func writeDirect(_ text: String, to path: String) throws {
        let fd = open(path, O_WRONLY)
        guard fd >= 0 else { throw OutputError(file: path, message: "cannot be opened for writing: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        let failure = writeAll(text, to: fd)
        if let failure { throw OutputError(file: path, message: "could not be written (\(failure))") }
    }

    /// Writes every byte of `text` to `fd`, again after an interrupted write; returns the
    /// system's message on failure.
    public static func writeAll(_ text: String, to fd: Int32) -> String? {
        var text = text
        return text.withUTF8 { buffer -> String? in
            var offset = 0
            while offset < buffer.count {
                let n = Glibc.write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    return String(cString: strerror(errno))
                }
                offset += n
            }
            return nil
        }
    }
}
