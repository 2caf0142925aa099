/// "Did you mean" suggestions for misspelt names.
enum Suggestions {
    /// The closest of `candidates` to `word` when it is close enough to be a plausible typo
    /// (edit distance at most a third of the word's length, and at least 1 allowed).
    static func closest(to word: String, in candidates: [String]) -> String? {
        let lowered = word.lowercased()
        var best: (String, Int)? = nil
        for c in candidates {
            let d = distance(lowered, c.lowercased())
            if best == nil || d < best!.1 { best = (c, d) }
        }
        guard let (candidate, d) = best else { return nil }
        return d <= Swift.max(1, word.count / 3) ? candidate : nil
    }

    /// "; did you mean 'x'? Valid: a, b." or "; valid: a, b." (the list only when short).
    static func hint(for word: String, in candidates: [String]) -> String {
        let list = candidates.count <= 24 ? candidates.joined(separator: ", ") + "." : nil
        if let c = closest(to: word, in: candidates) {
            return "; did you mean '\(c)'?" + (list.map { " Valid: " + $0 } ?? "")
        }
        return list.map { "; valid: " + $0 } ?? ""
    }

    /// Edit distance counting an insertion, deletion, substitution or swap of two neighbouring
    /// characters as one edit (the optimal string alignment distance).
    static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var d = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in 0...a.count { d[i][0] = i }
        for j in 0...b.count { d[0][j] = j }
        for i in 1...a.count {
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                d[i][j] = Swift.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    d[i][j] = Swift.min(d[i][j], d[i - 2][j - 2] + 1)
                }
            }
        }
        return d[a.count][b.count]
    }
}
