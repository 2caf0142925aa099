/// How simulated months are grouped into reporting periods (MODEL.md section 1).
public enum PeriodKind: String, Codable, Sendable, CaseIterable {
    /// April to March, labelled `2024/25`: how UK public bodies report.
    case financial
    /// January to December, labelled `2024`.
    case calendar
    /// One period per month, labelled `2024-04`.
    case monthly
}

/// One reporting period: a run of consecutive simulated months.
public struct Period: Hashable, Codable, Sendable {
    public var label: String
    /// Simulation step (0-based) of the period's first simulated month.
    public var firstStep: Int
    /// Number of simulated months the period holds (less than 12 at either end of a run that
    /// only partly covers it).
    public var months: Int

    public var lastStep: Int { firstStep + months - 1 }
}

/// The months of a run and their reporting periods.
public struct Timeline: Codable, Sendable, Equatable {
    public var start: Month
    public var horizon: Month
    public var periodKind: PeriodKind
    public var periods: [Period]
    /// Index into `periods` for each simulation step.
    public var periodOfStep: [Int]

    public var months: Int { horizon - start + 1 }

    public init(start: Month, horizon: Month, periodKind: PeriodKind) {
        precondition(horizon >= start, "horizon before start")
        self.start = start
        self.horizon = horizon
        self.periodKind = periodKind
        var periods: [Period] = []
        var periodOfStep: [Int] = []
        var lastLabel: String? = nil
        for step in 0..<(horizon - start + 1) {
            let label = Timeline.label(of: start + step, kind: periodKind)
            if label != lastLabel {
                periods.append(Period(label: label, firstStep: step, months: 0))
                lastLabel = label
            }
            periods[periods.count - 1].months += 1
            periodOfStep.append(periods.count - 1)
        }
        self.periods = periods
        self.periodOfStep = periodOfStep
    }

    /// The label of the period holding `month`: `2024/25`, `2024` or `2024-04`.
    public static func label(of month: Month, kind: PeriodKind) -> String {
        switch kind {
        case .financial:
            let y = month.financialYear
            let next = (y + 1) % 100
            return "\(y)/\(next < 10 ? "0" : "")\(next)"
        case .calendar:
            return "\(month.year)"
        case .monthly:
            return month.description
        }
    }
}
