#if canImport(Glibc)
import Glibc
#endif
import WorkforceWriters

/// On SIGINT or SIGTERM, removes a half-written output file and exits with 128 + the signal
/// number, so that an interrupted run leaves nothing behind.
enum SignalCleanup {
    static func install() {
        signal(SIGINT, handler)
        signal(SIGTERM, handler)
    }
}

private func handler(_ signal: Int32) {
    AtomicFile.removePendingTemporary()
    let message: StaticString = "\nworkforce: interrupted; no output was written\n"
    _ = message.withUTF8Buffer { write(2, $0.baseAddress, $0.count) }
    _exit(128 + signal)
}
