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
        // A quote followed by a combining mark still opens the quoted scalar (as Characters,
        // the two were one, and the quote was missed).
        XCTAssertNil(AliasScan.firstAlias(in: "a: '\u{301}\n  *x'\n"))
    }

    /// Every line break of YAML ends a line: CR alone, NEL, LS and PS as well as LF and CR LF.
    func testEveryYAMLLineBreakEndsALine() {
        for lineBreak in ["\r", "\u{85}", "\u{2028}", "\u{2029}"] {
            let text = ["# note", "a: 1", "b: *x", ""].joined(separator: lineBreak)
            XCTAssertEqual(AliasScan.firstAlias(in: text), 3, "\(lineBreak.unicodeScalars.first!.value)")
        }
    }

    /// A block scalar's header may carry indentation and chomping indicators and a comment.
    func testBlockScalarHeadersWithComments() {
        XCTAssertNil(AliasScan.firstAlias(in: "a: |2 # note\n  *text\nb: 1\n"))
        XCTAssertNil(AliasScan.firstAlias(in: "a: >- # note\n  *text\nb: 1\n"))
        XCTAssertEqual(AliasScan.firstAlias(in: "a: |2 x\n*y\n"), 2)
    }

    /// Windows line ends: a comment ends at its line, and lines are counted as in the editor.
    func testCRLFLinesAreLines() {
        XCTAssertEqual(AliasScan.firstAlias(in: "# note\r\na: 1\r\nb: *x\r\n"), 3)
        XCTAssertEqual(AliasScan.firstAlias(in: "a: |\r\n  *text\r\nb: *x\r\n"), 3)
    }
}
