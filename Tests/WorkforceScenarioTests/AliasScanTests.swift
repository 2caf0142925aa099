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

    /// The scan reads bytes: text in other scripts before or around a star changes nothing.
    func testTextBeyondASCIIIsReadAsText() {
        XCTAssertEqual(AliasScan.firstAlias(in: "café: 1\nnaïve: *x\n"), 2)
        XCTAssertEqual(AliasScan.firstAlias(in: "a: ['€5', *x]\n"), 1)
        XCTAssertNil(AliasScan.firstAlias(in: "a: é*x\nb: 'ü *x' # 📈 *x\n"))
        XCTAssertNil(AliasScan.firstAlias(in: "a: |\n  Ünïcödé *x\nb: 1\r\n"))
    }

    /// Windows line ends: a comment ends at its line, and lines are counted as in the editor.
    func testCRLFLinesAreLines() {
        XCTAssertEqual(AliasScan.firstAlias(in: "# note\r\na: 1\r\nb: *x\r\n"), 3)
        XCTAssertEqual(AliasScan.firstAlias(in: "a: |\r\n  *text\r\nb: *x\r\n"), 3)
    }
}
