import XCTest
import WorkforceCore
@testable import WorkforceScenario

/// Noise mode's draws pinned: every summary of a small synthetic scenario, hashed. A change to
/// how draws are made (a sampler, the streams, which draws are taken in SIMD lanes, the order of
/// the draws) changes the hash, even when every statistical test still passes; when such a
/// change is meant, the new hash goes here and the commit says why.
///
/// Each value is hashed as a Float, so that a last-bit difference in a libm function between
/// machines does not count, while one trainee or leaver more on one path does (the sums here
/// stay far below 2^24).
final class PinnedDrawsTests: XCTestCase {
    func testNoiseModeDrawsArePinned() throws {
        var spec = SyntheticScenario(units: 6, regions: 2, roles: 8, programmes: 4, seed: 11)
        spec.noise = .binomial
        spec.horizon = spec.start + 23
        // Two chunks of 64 paths and a chunk of 2: runs of four in lanes, and one by one.
        spec.paths = 130
        let fixture = ScenarioFixture()
        defer { fixture.remove() }
        for (name, text) in spec.files() { fixture.write(name, text) }
        let model = try ScenarioLoader.load(path: fixture.directory + "/scenario.yaml")
        let table = Simulator.run(model, options: SimulationOptions(threads: 2))
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for x in table.stats { hash = (hash ^ UInt64(Float(x).bitPattern)) &* 0x100_0000_01B3 }
        XCTAssertGreaterThan(table.stats.count, 10_000)
        XCTAssertEqual(String(hash, radix: 16), "d628753dd1dc312d")
    }
}
