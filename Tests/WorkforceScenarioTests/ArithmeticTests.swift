import XCTest
import WorkforceWriters

/// The run manifest's record of what decides the last bits of a run's numbers.
final class ArithmeticTests: XCTestCase {
    func testProcessorFeaturesAreReadFromTheFirstFlagsLine() {
        let x86 = """
            processor\t: 0
            vendor_id\t: AuthenticAMD
            flags\t\t: fpu sse2 avx fma avx2 avx512f avx512bw xfma4
            vmx flags\t: ept fma4

            processor\t: 1
            flags\t\t: fpu sse2 fma4
            """
        XCTAssertEqual(Arithmetic.processorFeatures(cpuinfo: x86), ["avx", "avx2", "avx512f", "fma"])
        XCTAssertEqual(Arithmetic.processorFeatures(cpuinfo: "flags\t\t: sse2 fma4 avx\n"), ["avx", "fma4"])
        XCTAssertEqual(Arithmetic.processorFeatures(cpuinfo: "processor\t: 0\nFeatures\t: fp asimd fma\n"), [])
        XCTAssertEqual(Arithmetic.processorFeatures(cpuinfo: ""), [])
    }

    func testCurrentRecordsTheOverridesAndNothingElseOfTheEnvironment() {
        let environment = ["OPENBLAS_CORETYPE": "Prescott", "GLIBC_TUNABLES": "glibc.cpu.hwcaps=-FMA", "HOME": "/nowhere"]
        let arithmetic = Arithmetic.current(environment: environment)
        XCTAssertEqual(arithmetic.environment, environment.filter { $0.key != "HOME" })
        XCTAssert(arithmetic.blas.contains("OpenBLAS"), arithmetic.blas)
        XCTAssertFalse(arithmetic.blasCore.isEmpty)
        #if os(Linux)
        XCTAssert(arithmetic.libc.hasPrefix("glibc "), arithmetic.libc)
        XCTAssertNotNil(arithmetic.processorFeatures)
        #endif
        #if arch(x86_64)
        XCTAssertEqual(arithmetic.machine, "x86_64")
        #endif
    }
}
