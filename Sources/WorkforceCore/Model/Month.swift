/// A calendar month, stored as `year * 12 + (month - 1)` so that month arithmetic is integer
/// arithmetic. One simulation step is one month.
public struct Month: Hashable, Comparable, Codable, Sendable, CustomStringConvertible {
    /// Months since January of year 0.
    public var index: Int

    public init(index: Int) { self.index = index }

    public init(year: Int, month: Int) {
        precondition((1...12).contains(month), "month must be 1...12")
        index = year * 12 + month - 1
    }

    /// Parses `YYYY-MM` (for example `2024-04`). Returns nil for anything else.
    public init?(parsing text: String) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count == 4, parts[1].count == 2,
              let year = Int(parts[0]), let month = Int(parts[1]),
              year >= 1000, (1...12).contains(month) else { return nil }
        self.init(year: year, month: month)
    }

    public var year: Int { index.floorDiv(12) }
    /// 1 (January) ... 12 (December).
    public var month: Int { index - year * 12 + 1 }
    /// The first calendar year of the April-to-March financial year holding this month.
    public var financialYear: Int { month >= 4 ? year : year - 1 }

    public static func < (a: Month, b: Month) -> Bool { a.index < b.index }
    public static func + (a: Month, months: Int) -> Month { Month(index: a.index + months) }
    public static func - (a: Month, b: Month) -> Int { a.index - b.index }

    /// `YYYY-MM`.
    public var description: String {
        let m = month
        return "\(year)-\(m < 10 ? "0" : "")\(m)"
    }

    public init(from decoder: Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let month = Month(parsing: text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath,
                                                    debugDescription: "expected YYYY-MM, got \(text)"))
        }
        self = month
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

extension Int {
    /// Division rounding toward minus infinity.
    func floorDiv(_ d: Int) -> Int {
        let q = self / d
        return (self % d != 0 && (self < 0) != (d < 0)) ? q - 1 : q
    }
}
