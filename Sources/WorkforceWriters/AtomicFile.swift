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
public enum AtomicFile {
    /// The temporary file being written, if any, as a C string that a signal handler can pass to
    /// unlink without allocating.
    nonisolated(unsafe) private static var pendingTemporary: UnsafeMutablePointer<CChar>? = nil

    private static func setPending(_ path: String?) {
        let old = pendingTemporary
        pendingTemporary = path.map { strdup($0) }
        free(old)
    }

    /// Removes the temporary file being written, if any. Async-signal-safe.
    public static func removePendingTemporary() {
        if let p = pendingTemporary { unlink(p) }
    }

    public static func write(_ text: String, to path: String) throws {
        var info = stat()
        if stat(path, &info) == 0 && (info.st_mode & S_IFMT) != S_IFREG {
            // A device or pipe (/dev/stdout, /dev/full): it cannot be replaced, only written.
            try writeDirect(text, to: path)
            return
        }
        let directory = path.contains("/") ? String(path[..<path.lastIndex(of: "/")!]) : "."
        let name = path.split(separator: "/").last.map(String.init) ?? path
        let temporary = (directory == "." && !path.hasPrefix("./") ? "" : directory + "/") + ".\(name).tmp-\(getpid())"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL, 0o644)
        guard fd >= 0 else {
            throw OutputError(file: path, message: "cannot create a file in '\(directory)': \(String(cString: strerror(errno)))")
        }
        setPending(temporary)
        var failure = writeAll(text, to: fd)
        if failure == nil && fsync(fd) != 0 && errno != EINVAL { failure = String(cString: strerror(errno)) }
        if close(fd) != 0 && failure == nil { failure = String(cString: strerror(errno)) }
        if failure == nil && rename(temporary, path) != 0 { failure = String(cString: strerror(errno)) }
        if let failure {
            unlink(temporary)
            setPending(nil)
            throw OutputError(file: path, message: "could not be written (\(failure)); no output was left")
        }
        setPending(nil)
    }

    private static func writeDirect(_ text: String, to path: String) throws {
        let fd = open(path, O_WRONLY)
        guard fd >= 0 else { throw OutputError(file: path, message: "cannot be opened for writing: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        let failure = writeAll(text, to: fd)
        if let failure { throw OutputError(file: path, message: "could not be written (\(failure))") }
    }

    /// Writes every byte of `text` to `fd`; returns the system's message on failure.
    private static func writeAll(_ text: String, to fd: Int32) -> String? {
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
