/// The output metrics of MODEL.md section 6, in the order they are reported.
public enum Metric: String, CaseIterable, Codable, Sendable {
    case demand
    case staffInPost = "staff_in_post"
    case trainees
    case vacancies
    case vacancyRate = "vacancy_rate"
    case leavers
    case turnoverRate = "turnover_rate"
    case hires
    case internationalHires = "international_hires"
    case starts
    case completions
    case dropouts
    case progressionIn = "progression_in"
    case progressionOut = "progression_out"
    case payBill = "pay_bill"

    /// How the metric is computed from per-path stored values: a stored value, or a ratio of
    /// two computed on each path from summed numerator and denominator.
    var source: (numerator: StoredMetric, denominator: StoredMetric?) {
        switch self {
        case .demand: return (.demand, nil)
        case .staffInPost: return (.staffInPost, nil)
        case .trainees: return (.trainees, nil)
        case .vacancies: return (.vacancies, nil)
        case .vacancyRate: return (.vacancies, .demand)
        case .leavers: return (.leavers, nil)
        case .turnoverRate: return (.leavers, .staffMean)
        case .hires: return (.hires, nil)
        case .internationalHires: return (.internationalHires, nil)
        case .starts: return (.starts, nil)
        case .completions: return (.completions, nil)
        case .dropouts: return (.dropouts, nil)
        case .progressionIn: return (.progressionIn, nil)
        case .progressionOut: return (.progressionOut, nil)
        case .payBill: return (.payBill, nil)
        }
    }

    /// Whether the metric is a ratio computed on each path (vacancy and turnover rates) rather
    /// than a stock or flow that adds up over roles and areas.
    public var isRatio: Bool { source.denominator != nil }

    /// The metrics a model reports: all of them, less `pay_bill` when no pay is given.
    public static func reported(for model: Model) -> [Metric] {
        model.hasPay ? allCases : allCases.filter { $0 != .payBill }
    }
}

/// What the simulation stores per unit, role, period and path. Stocks are the value at the end
/// of the period's last simulated month; flows are sums over its months; `staffMean` is the mean
/// of end-of-month staff in post over the period's months (the turnover-rate denominator).
enum StoredMetric: Int, CaseIterable {
    case demand, staffInPost, trainees, vacancies
    case leavers, hires, internationalHires, starts, completions, dropouts
    case progressionIn, progressionOut, payBill, staffMean

    static let count = allCases.count
}
