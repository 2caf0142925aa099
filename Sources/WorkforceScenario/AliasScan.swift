/// Finds YAML aliases (`*name`) in a document before it is parsed. An alias repeats a node
/// anywhere, and a few lines of them can expand without bound (the "billion laughs"); the YAML
/// library expands and hashes them while composing, before any limit of ours can act. Scenario
/// files reuse settings through `extends`, so aliases are refused outright.
///
/// The scan follows YAML's rule that `*` starts an alias only where a node starts: at the start
/// of a line's content, after `- `, `? `, `: ` and, in flow collections, after `[`, `{` and `,`.
/// Quoted scalars, comments and block scalars (`|`, `>`) are skipped.
enum AliasScan {
    /// The 1-based line of the first alias, or nil.
    static func firstAlias(in text: String) -> Int? {
        var quote: Character? = nil
        var blockIndent: Int? = nil
        for (n, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = Array(rawLine.hasSuffix("\r") ? rawLine.dropLast() : rawLine)
            let indent = line.prefix { $0 == " " }.count
            if let block = blockIndent {
                if line.allSatisfy({ $0 == " " }) || indent > block { continue }
                blockIndent = nil
            }
            var nodeStart = quote == nil
            var i = quote == nil ? indent : 0
            while i < line.count {
                let c = line[i]
                if let q = quote {
                    if c == q {
                        if q == "'" && i + 1 < line.count && line[i + 1] == "'" { i += 2; continue }
                        quote = nil
                    } else if c == "\\" && q == "\"" {
                        i += 1
                    }
                    i += 1
                    continue
                }
                if c == "#" && (i == 0 || line[i - 1] == " " || line[i - 1] == "\t") { break }
                if nodeStart {
                    if c == "*", i + 1 < line.count, !" \t,[]{}".contains(line[i + 1]) { return n + 1 }
                    if c == "'" || c == "\"" { quote = c; nodeStart = false; i += 1; continue }
                    if c == "|" || c == ">" {
                        let rest = String(line[(i + 1)...]).trimmingSpaces
                        if rest.isEmpty || rest.first == "#" || rest.allSatisfy({ "0123456789+-".contains($0) }) {
                            blockIndent = indent
                            break
                        }
                    }
                    if c == "-" || c == "?" {
                        if i + 1 == line.count || line[i + 1] == " " { i += 1; continue }
                    }
                    if c != " " && c != "\t" && c != "[" && c != "{" && c != "," { nodeStart = false }
                    if c == "[" || c == "{" || c == "," { nodeStart = true }
                    i += 1
                    continue
                }
                if c == ":" && (i + 1 == line.count || line[i + 1] == " " || line[i + 1] == "\t") { nodeStart = true }
                if c == "[" || c == "{" || c == "," { nodeStart = true }
                if c == "'" || c == "\"" { quote = c }
                i += 1
            }
        }
        return nil
    }
}
