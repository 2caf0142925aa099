/// Reads numbers as people and spreadsheets write them, accepting only what is unambiguous.
enum NumberParser {
    /// A finite number from text such as `0.25`, `-3`, `1e-3`, `1,234,567.5` (comma thousands
    /// separators in groups of three). `nan`, `inf` and anything else give nil.
    static func parse(_ raw: String) -> Double? {
        let text = raw.trimmingSpaces
        guard !text.isEmpty, text.utf8.allSatisfy({ isNumberByte($0) }) else { return nil }
        var plain = text
        if text.contains(",") {
            guard hasThousandsGroups(text) else { return nil }
            plain = text.replacingOccurrences(of: ",", with: "")
        }
        guard let x = Double(plain), x.isFinite else { return nil }
        return x
    }

    /// A number written with a decimal comma (as in a semicolon-separated export): `0,25`,
    /// `1.234,5`. `0,259` or `1,234` are ambiguous (thousands or decimals) and give nil, and so
    /// do `1.500` and `12.345.678`, where the points may be thousands separators.
    static func parseDecimalComma(_ raw: String) -> Double? {
        let text = raw.trimmingSpaces
        guard text.contains(",") else {
            if text.contains("."), hasThousandsGroups(text.replacingOccurrences(of: ".", with: ",")) { return nil }
            return parse(text)
        }
        let parts = text.split(separator: ",", omittingEmptySubsequences: false)
        guard parts.count == 2 else { return nil }
        let whole = String(parts[0])
        let fraction = String(parts[1])
        let hasDotThousands = whole.contains(".")
        if !hasDotThousands && fraction.count == 3 { return nil }
        let wholeDigits = hasDotThousands ? whole.replacingOccurrences(of: ".", with: "") : whole
        if hasDotThousands && !hasThousandsGroups(whole.replacingOccurrences(of: ".", with: ",")) { return nil }
        guard fraction.allSatisfy(\.isNumber) else { return nil }
        return parse(wholeDigits + "." + fraction)
    }

    /// Whether the text's commas separate groups of exactly three digits before any `.`.
    static func hasThousandsGroups(_ text: String) -> Bool {
        var body = Substring(text)
        if body.hasPrefix("-") || body.hasPrefix("+") { body = body.dropFirst() }
        let integerPart = body.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)[0]
        let groups = integerPart.split(separator: ",", omittingEmptySubsequences: false)
        guard groups.count > 1, (1...3).contains(groups[0].count), groups[0].allSatisfy(\.isNumber) else { return false }
        return groups.dropFirst().allSatisfy { $0.count == 3 && $0.allSatisfy(\.isNumber) }
    }

    private static func isNumberByte(_ b: UInt8) -> Bool {
        (b >= 48 && b <= 57) || b == 46 || b == 44 || b == 45 || b == 43 || b == 101 || b == 69
    }
}

extension String {
    var trimmingSpaces: String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\t" { s = s.dropLast() }
        return String(s)
    }
}
