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

    /// ", did you mean 'x'?" or "", followed by the list of valid names when short.
    static func hint(for word: String, in candidates: [String]) -> String {
        var s = ""
        if let c = closest(to: word, in: candidates) { s += "; did you mean '\(c)'?" }
        if candidates.count <= 24 {
            s += " Valid: \(candidates.joined(separator: ", "))."
        }
        return s
    }

    /// Levenshtein distance.
    static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                current[j] = Swift.min(previous[j] + 1, current[j - 1] + 1,
                                       previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}
