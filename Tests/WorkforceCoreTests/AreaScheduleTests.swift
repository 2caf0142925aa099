import XCTest
@testable import WorkforceCore

/// The order of leaves and parents, and the reuse of parents' storage (`AreaSchedule`).
final class AreaScheduleTests: XCTestCase {
    let start = Month(year: 2024, month: 4)

    /// E has leaves f and a (children in that order, leaf indices 5 and 0) and parents N and S;
    /// N has leaf b and parents R1 (leaves d, e) and R2 (leaf g); S has leaf c; X is a second
    /// root that is itself a leaf (h). Leaf indices follow the letters: a 0, b 1, c 2, d 3, e 4,
    /// f 5, g 6, h 7. Staff in post are 1, 2, 4, ..., 128, so every sum of leaves is a different
    /// number.
    func tree(paths: Int = 1, noise: Noise = .none) -> Model {
        let areas = [
            Area(name: "E", level: "country", parent: nil, children: [9, 1, 2, 3]),  // 0
            Area(name: "N", level: "region", parent: 0, children: [4, 5, 6]),  // 1
            Area(name: "S", level: "region", parent: 0, children: [7]),  // 2
            Area(name: "a", level: "unit", parent: 0, leaf: 0),  // 3
            Area(name: "R1", level: "area", parent: 1, children: [8, 10]),  // 4
            Area(name: "b", level: "unit", parent: 1, leaf: 1),  // 5
            Area(name: "R2", level: "area", parent: 1, children: [11]),  // 6
            Area(name: "c", level: "unit", parent: 2, leaf: 2),  // 7
            Area(name: "d", level: "unit", parent: 4, leaf: 3),  // 8
            Area(name: "f", level: "unit", parent: 0, leaf: 5),  // 9
            Area(name: "e", level: "unit", parent: 4, leaf: 4),  // 10
            Area(name: "g", level: "unit", parent: 6, leaf: 6),  // 11
            Area(name: "X", level: "unit", parent: nil, leaf: 7),  // 12
        ]
        let leafAreas = [3, 5, 7, 8, 10, 9, 11, 12]
        let leaves = leafAreas.enumerated().map { i, area in
            Leaf(area: area, roles: [RoleParameters(filled: Double(1 << i), vacancies: Double(i), turnover: .constant(0.2),
                                                    timeToFill: .constant(3), internationalShare: .constant(0))])
        }
        let timeline = Timeline(start: start, horizon: start + 5, periodKind: .monthly)
        return Model(name: "tree", timeline: timeline, paths: paths, seed: 5, noise: noise, roles: ["r0"],
                     areas: areas, leaves: leaves)
    }

    func testLeavesComeBeforeChildParentsTakenInReverse() {
        let s = AreaSchedule(model: tree(), blockSize: 1)
        // E: a, f (own leaves in leaf order, not children order); then S (c), then N: b, then
        // R2 (g), then R1 (d, e); then X's leaf h.
        XCTAssertEqual(s.blocks.map(\.leaves), [[0], [5], [2], [1], [6], [3], [4], [7]])
        XCTAssertEqual(s.blocks.map(\.completed), [[], [], [2], [], [6], [], [4, 1, 0], []])
        // E takes slot 0 for the whole run; S slot 1, given back and reused by N; R2 slot 2,
        // reused by R1.
        XCTAssertEqual(s.slot[0], 0)
        XCTAssertEqual([s.slot[2], s.slot[1]], [1, 1])
        XCTAssertEqual([s.slot[6], s.slot[4]], [2, 2])
        XCTAssertEqual(s.slotCount, 3)
        XCTAssertEqual(s.blocks.map(\.reused), [[], [], [], [1], [], [2], [], []])
        XCTAssertEqual(s.slot[3], -1)
    }

    func testOneBlockHoldsEveryParent() {
        let s = AreaSchedule(model: tree(), blockSize: 100)
        XCTAssertEqual(s.blocks.count, 1)
        XCTAssertEqual(s.blocks[0].leaves, [0, 5, 2, 1, 6, 3, 4, 7])
        XCTAssertEqual(s.blocks[0].completed, [2, 6, 4, 1, 0])
        XCTAssertEqual(s.slotCount, 5)
        XCTAssertEqual(Set(s.blocks[0].completed.map { s.slot[$0] }).count, 5)
    }

    /// Fifty regions of three units each hold at most three parents at once (the country and
    /// the regions a block spans), not 51.
    func testParentsHeldDoNotGrowWithTheRegions() {
        var areas = [Area(name: "England", level: "country", parent: nil, children: Array(1...50))]
        var leaves: [Leaf] = []
        for r in 0..<50 { areas.append(Area(name: "R\(r)", level: "region", parent: 0, children: [])) }
        for u in 0..<150 {
            areas[1 + u % 50].children.append(areas.count)
            areas.append(Area(name: "U\(u)", level: "unit", parent: 1 + u % 50, leaf: leaves.count))
            leaves.append(Leaf(area: areas.count - 1, roles: [RoleParameters(filled: 10, vacancies: 0, turnover: .constant(0.2),
                                                                              timeToFill: .constant(3))]))
        }
        let m = Model(name: "wide", timeline: Timeline(start: start, horizon: start + 11, periodKind: .financial),
                      paths: 1_000, roles: ["r0"], areas: areas, leaves: leaves)
        for size in [1, 2, 4] {
            let s = AreaSchedule(model: m, blockSize: size)
            XCTAssertLessThanOrEqual(s.slotCount, 3, "block of \(size)")
            XCTAssertEqual(s.blocks.flatMap(\.completed).count, 51)
            XCTAssertEqual(s.blocks.flatMap(\.leaves).sorted(), Array(0..<150))
        }
    }

    /// Every parent's staff in post is the sum of the leaves below it, with storage reused
    /// between parents (a slot not cleared would add one parent's staff into the next).
    func testParentsSumTheirSubtreesWithReusedStorage() {
        let m = tree()
        let t = Simulator.run(m, options: SimulationOptions(deterministic: true, blockBytes: 1))
        func staff(_ area: String) -> Double {
            t.values(area: area, role: nil, period: start.description, metric: .staffInPost)![0]
        }
        let leaf = Dictionary(uniqueKeysWithValues: ["a", "b", "c", "d", "e", "f", "g", "X"].map { ($0, staff($0)) })
        XCTAssertEqual(staff("R1"), leaf["d"]! + leaf["e"]!)
        XCTAssertEqual(staff("R2"), leaf["g"]!)
        XCTAssertEqual(staff("N"), leaf["b"]! + staff("R2") + staff("R1"))
        XCTAssertEqual(staff("S"), leaf["c"]!)
        XCTAssertEqual(staff("E"), leaf["a"]! + leaf["f"]! + staff("S") + staff("N"))
        XCTAssertGreaterThan(leaf["g"]!, 0)
    }

    /// With noise and many paths, the summaries are the same for one block per leaf (storage
    /// reused) and one block for all, on one thread or two.
    func testBlocksAndThreadsDoNotChangeTheOutput() {
        let m = tree(paths: 150, noise: .binomial)
        let one = Simulator.run(m, options: SimulationOptions(threads: 1))
        let blocks = Simulator.run(m, options: SimulationOptions(threads: 2, blockBytes: 1))
        XCTAssert(one.stats == blocks.stats, "the summaries differ")  // (not printed: thousands of numbers)
        XCTAssertGreaterThan(one.values(area: "N", role: nil, period: start.description, metric: .hires)![0], 0)
    }

    /// A parent with no units below it (which a scenario file cannot make, but a model built in
    /// code can) is summarised as zeros, beside a tree that has units.
    func testAParentWithNoUnitsHoldsZeros() {
        let areas = [Area(name: "Empty", level: "region", parent: nil),
                     Area(name: "All", level: "region", parent: nil, children: [2]),
                     Area(name: "U", level: "unit", parent: 1, leaf: 0)]
        let leaves = [Leaf(area: 2, roles: [RoleParameters(filled: 10, vacancies: 0, turnover: .constant(0.2),
                                                           timeToFill: .constant(3))])]
        let m = Model(name: "empty", timeline: Timeline(start: start, horizon: start + 2, periodKind: .monthly),
                      paths: 20, roles: ["r0"], areas: areas, leaves: leaves)
        let s = AreaSchedule(model: m, blockSize: 1)
        XCTAssertEqual(s.blocks.map(\.completed), [[0, 1]])
        let t = Simulator.run(m)
        XCTAssertEqual(t.values(area: "Empty", role: nil, period: start.description, metric: .staffInPost)!, [0, 0, 0, 0, 0, 0, 0])
        XCTAssertEqual(t.values(area: "All", role: nil, period: start.description, metric: .staffInPost)!,
                       t.values(area: "U", role: nil, period: start.description, metric: .staffInPost)!)
    }
}
