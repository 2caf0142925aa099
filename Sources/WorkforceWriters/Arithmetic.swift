import COpenBLAS
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// What a run's numbers depend on besides its inputs, seed and build: the C library's maths
/// functions and OpenBLAS's kernels are chosen by processor when the program starts, and with
/// and without FMA they round a few results differently in the last bit (README, "Randomness and
/// reproducibility"). Recorded in the run manifest, so that two runs whose bytes differ can be
/// told apart.
public struct Arithmetic: Encodable, Equatable {
    /// The processor architecture, as `uname -m` names it (x86_64, aarch64).
    public var machine: String
    /// Of the processor features that pick the C library's and OpenBLAS's code (avx, avx2, fma,
    /// avx512f), those that the kernel lists for the first processor; empty where it lists none.
    public var processorFeatures: [String]
    /// The C library and its version ("glibc 2.36"), or "unknown".
    public var libc: String
    /// OpenBLAS's version, build options and the kernels it chose ("OpenBLAS 0.3.21 ...
    /// DYNAMIC_ARCH ... Haswell ...").
    public var blas: String
    /// Those of GLIBC_TUNABLES and OPENBLAS_CORETYPE that are set: they override the choices.
    public var environment: [String: String]

    /// The features that choose between code paths of glibc's maths functions and OpenBLAS.
    static let features: Set<String> = ["avx", "avx2", "fma", "avx512f"]

    /// The arithmetic of this process; `environment` is the process's environment, given for tests.
    public static func current(environment: [String: String] = ProcessInfo.processInfo.environment) -> Arithmetic {
        var system = utsname()
        uname(&system)
        let machine = withUnsafeBytes(of: &system.machine) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        return Arithmetic(machine: machine, processorFeatures: processorFeatures(), libc: libc(),
                          blas: String(cString: openblas_get_config()),
                          environment: environment.filter { ["GLIBC_TUNABLES", "OPENBLAS_CORETYPE"].contains($0.key) })
    }

    /// The features in `features` on the first "flags" line of /proc/cpuinfo, sorted.
    static func processorFeatures() -> [String] {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("flags") }) else { return [] }
        return Set(line.split(separator: " ").map(String.init)).intersection(features).sorted()
    }

    static func libc() -> String {
        #if canImport(Glibc)
        var buffer = [CChar](repeating: 0, count: 64)
        if confstr(Int32(_CS_GNU_LIBC_VERSION), &buffer, buffer.count) > 0 {
            return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }
        #endif
        return "unknown"
    }
}
