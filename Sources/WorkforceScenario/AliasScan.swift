/// Finds YAML aliases (`*name`) in a document before it is parsed. An alias repeats a node
/// anywhere, and a few lines of them can expand without bound (the "billion laughs"); the YAML
/// library expands and hashes them while composing, before any limit of ours can act. Scenario
/// files reuse settings through `extends`, so aliases are refused outright.
///
/// The scan follows YAML's rule that `*` starts an alias only where a node starts: at the start
/// of a line's content, after `- `, `? `, `: ` and, in flow collections, after `[`, `{` and `,`.
/// Quoted scalars, comments and block scalars (`|`, `>`) are skipped.
///
/// It reads UTF-8 bytes, as the YAML library does: every indicator is ASCII and no byte of a
/// multi-byte character is. (Swift Characters read differently: "\r\n" is one Character, and so is
/// an indicator followed by a combining mark.) Lines end where YAML's do: at LF, CR, CR LF, NEL,
/// LS and PS.
enum AliasScan {
    /// The 1-based line of the first alias, or nil.
    static func firstAlias(in text: String) -> Int? {
        let bytes = Array(text.utf8)
        let space = UInt8(ascii: " "), tab = UInt8(ascii: "\t")
        var quote: UInt8? = nil
        var blockIndent: Int? = nil
        /// The length of the line break at i, or 0.
        func lineBreak(_ i: Int) -> Int {
            switch bytes[i] {
            case UInt8(ascii: "\n"): return 1
            case UInt8(ascii: "\r"): return i + 1 < bytes.count && bytes[i + 1] == UInt8(ascii: "\n") ? 2 : 1
            case 0xC2: return i + 1 < bytes.count && bytes[i + 1] == 0x85 ? 2 : 0  // NEL
            case 0xE2:  // LS, PS
                return i + 2 < bytes.count && bytes[i + 1] == 0x80 && (bytes[i + 2] == 0xA8 || bytes[i + 2] == 0xA9) ? 3 : 0
            default: return 0
            }
        }
        var number = 0
        var start = 0
        while start <= bytes.count {
            number += 1
            var end = start
            var breakLength = 0
            while end < bytes.count {
                breakLength = lineBreak(end)
                if breakLength > 0 { break }
                end += 1
            }
            defer { start = end + Swift.max(breakLength, 1) }
            let line = bytes[start..<end]
            func at(_ j: Int) -> UInt8 { line[line.startIndex + j] }
            let count = line.count
            let indent = line.prefix { $0 == space }.count
            if let block = blockIndent {
                if line.allSatisfy({ $0 == space }) || indent > block { continue }
                blockIndent = nil
            }
            var nodeStart = quote == nil
            var i = quote == nil ? indent : 0
            scan: while i < count {
                let c = at(i)
                if let q = quote {
                    if c == q {
                        if q == UInt8(ascii: "'") && i + 1 < count && at(i + 1) == q { i += 2; continue }
                        quote = nil
                    } else if c == UInt8(ascii: "\\") && q == UInt8(ascii: "\"") {
                        i += 1
                    }
                    i += 1
                    continue
                }
                if c == UInt8(ascii: "#") && (i == 0 || at(i - 1) == space || at(i - 1) == tab) { break }
                if nodeStart {
                    if c == UInt8(ascii: "*"), i + 1 < count, !" \t,[]{}".utf8.contains(at(i + 1)) { return number }
                    if c == UInt8(ascii: "'") || c == UInt8(ascii: "\"") { quote = c; nodeStart = false; i += 1; continue }
                    if c == UInt8(ascii: "|") || c == UInt8(ascii: ">") {
                        let rest = line.dropFirst(i + 1).drop { $0 == space || $0 == tab }
                        let digits = rest.prefix { $0 != space && $0 != tab }
                        let after = rest.dropFirst(digits.count).drop { $0 == space || $0 == tab }
                        // `|` or `>` alone or with indentation and chomping indicators, either
                        // perhaps before a comment: a block scalar starts on the next line.
                        if rest.isEmpty || rest.first == UInt8(ascii: "#")
                            || ((after.isEmpty || after.first == UInt8(ascii: "#"))
                                && digits.allSatisfy({ "0123456789+-".utf8.contains($0) })) {
                            blockIndent = indent
                            break scan
                        }
                    }
                    if c == UInt8(ascii: "-") || c == UInt8(ascii: "?") {
                        if i + 1 == count || at(i + 1) == space { i += 1; continue }
                    }
                    if !" \t[{,".utf8.contains(c) { nodeStart = false }
                    if "[{,".utf8.contains(c) { nodeStart = true }
                    i += 1
                    continue
                }
                if c == UInt8(ascii: ":") && (i + 1 == count || at(i + 1) == space || at(i + 1) == tab) { nodeStart = true }
                if "[{,".utf8.contains(c) { nodeStart = true }
                if c == UInt8(ascii: "'") || c == UInt8(ascii: "\"") { quote = c }
                i += 1
            }
        }
        return nil
    }
}
