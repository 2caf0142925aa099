import COpenBLAS
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// What a run's numbers depend on besides its inputs, seed and build: the C library's maths
/// functions and OpenBLAS's kernels are chosen by processor when the program starts, and with
/// and without FMA they round some results differently in the last bit (README, "Randomness and
/// reproducibility"). Recorded in the run manifest, so that two runs whose bytes differ can be
/// told apart.
public struct Arithmetic: Encodable {
    /// The processor architecture, as `uname -m` names it (x86_64, aarch64).
    public var machine: String
    /// Of the processor features that choose glibc's and OpenBLAS's code (`features`), those that
    /// the kernel lists for the first processor; nil (left out of the manifest) where
    /// /proc/cpuinfo cannot be read.
    public var processorFeatures: [String]?
    /// The C library and its version ("glibc 2.36"), or "unknown".
    public var libc: String
    /// OpenBLAS's version and build options ("OpenBLAS 0.3.21 NO_LAPACKE DYNAMIC_ARCH ...").
    public var blas: String
    /// The name of the kernels OpenBLAS chose for this processor, or was told to choose
    /// ("Haswell"; in capitals from a build for one processor).
    public var blasCore: String
    /// Those of `overrides` that are set in the environment.
    public var environment: [String: String]

    /// The x86-64 features that glibc's maths functions and OpenBLAS choose their code by.
    static let features: Set<String> = ["avx", "avx2", "fma", "fma4", "avx512f"]

    /// The environment variables that override those choices: glibc's tunables (for example
    /// `glibc.cpu.hwcaps=-FMA`) and OpenBLAS's kernels (for example `Prescott`).
    static let overrides: Set<String> = ["GLIBC_TUNABLES", "OPENBLAS_CORETYPE"]

    /// The arithmetic of this process, whose environment is `environment`.
    public static func current(environment: [String: String] = ProcessInfo.processInfo.environment) -> Arithmetic {
        var system = utsname()
        let machine = uname(&system) == 0
            ? withUnsafeBytes(of: system.machine) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) } : ""
        return Arithmetic(machine: machine,
                          processorFeatures: (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8))
                              .map(processorFeatures(cpuinfo:)),
                          libc: libc(), blas: String(cString: openblas_get_config()),
                          blasCore: String(cString: openblas_get_corename()),
                          environment: environment.filter { overrides.contains($0.key) })
    }

    /// The members of `features` on the first line of `cpuinfo` (the text of /proc/cpuinfo)
    /// whose name is "flags", sorted; none where there is no such line (as on aarch64, whose
    /// line is "Features").
    public static func processorFeatures(cpuinfo: String) -> [String] {
        guard let line = cpuinfo.split(separator: "\n").first(where: {
            $0.split(separator: ":", maxSplits: 1).first?.trimmingCharacters(in: .whitespaces) == "flags"
        }) else { return [] }
        return Set(line.split(separator: " ").map(String.init)).intersection(features).sorted()
    }

    /// The C library and its version, from confstr(_CS_GNU_LIBC_VERSION) where that is glibc.
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
