import XCTest
@testable import WorkforceScenario

final class AliasScanTests: XCTestCase {
    func testAliasesAreFoundWhereANodeStarts() {
        XCTAssertEqual(AliasScan.firstAlias(in: "a: &x 1\nb: *x\n"), 2)
        XCTAssertEqual(AliasScan.firstAlias(in: "a: [1, 2]\nb: [*x, 3]\n"), 2)
        XCTAssertEqual(AliasScan.firstAlias(in: "a: {k: 1,  m: *x}\n"), 1)
        XCTAssertEqual(AliasScan.firstAlias(in: "list:\n  - 1\n  - *x\n"), 3)
        XCTAssertEqual(AliasScan.firstAlias(in: "? *k\n: 1\n"), 1)
        XCTAssertEqual(AliasScan.firstAlias(in: "m: [*a7:, 1]\n"), 1)
        XCTAssertEqual(AliasScan.firstAlias(in: "*a: 1\n"), 1)
    }

    func testStarsInTextAreNotAliases() {
        XCTAssertNil(AliasScan.firstAlias(in: "a: 5 * 3\nb: x*y\n"))
        XCTAssertNil(AliasScan.firstAlias(in: "a: '*not'\nb: \"*nor\" # *this\n"))
        XCTAssertNil(AliasScan.firstAlias(in: "description: |\n  * a bullet\n  * another\nname: x\n"))
        XCTAssertNil(AliasScan.firstAlias(in: "a: 'it''s *'\nb: \"esc \\\" *\"\n"))
        XCTAssertNil(AliasScan.firstAlias(in: "a: [1, 2] # *\n- *\n"))
        XCTAssertEqual(AliasScan.firstAlias(in: "description: >\n  * text\nb: *x\n"), 3)
    }
}
