#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How draws of an uncertain parameter are shared (MODEL.md section 8).
public enum Scope: String, Codable, Sendable, CaseIterable {
    /// One draw per path, shared by every unit the parameter applies to (a national shock).
    case path
    /// An independent draw per unit and path.
    case unit
    /// Redrawn on each path at the start of every financial year (April).
    case year
}

/// A probability distribution for an uncertain parameter, sampled by inversion so that the same
/// uniform number gives the same quantile in every scenario (common random numbers).
///
/// Parameters by kind:
/// - `normal`: `a` = mean, `b` = sd.
/// - `lognormal`: `a` = mean, `b` = sd of the variable itself (not of its logarithm):
///   sigma^2 = ln(1 + sd^2 / mean^2), mu = ln(mean) - sigma^2 / 2.
/// - `beta`: `a` = mean, `b` = sd; shape alpha = mean k, beta = (1 - mean) k with
///   k = mean (1 - mean) / sd^2 - 1.
/// - `triangular`: `a` = min, `b` = mode, `c` = max.
/// - `uniform`: `a` = min, `b` = max.
///
/// `lower` and `upper` truncate the distribution: a draw is the quantile
/// F^-1(F(lower) + u (F(upper) - F(lower))).
public struct Distribution: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable, CaseIterable {
        case normal, lognormal, beta, triangular, uniform
    }

    public var kind: Kind
    public var a: Double
    public var b: Double
    public var c: Double
    public var lower: Double?
    public var upper: Double?
    public var scope: Scope

    public init(kind: Kind, a: Double, b: Double, c: Double = 0,
                lower: Double? = nil, upper: Double? = nil, scope: Scope = .path) {
        self.kind = kind
        self.a = a
        self.b = b
        self.c = c
        self.lower = lower
        self.upper = upper
        self.scope = scope
    }

    /// The value used by the expected-value run: the distribution's nominal mean (the `mean`
    /// parameter; (min + mode + max) / 3 for triangular; (min + max) / 2 for uniform), clamped
    /// into the truncation range.
    public var mean: Double {
        var m: Double
        switch kind {
        case .normal, .lognormal, .beta: m = a
        case .triangular: m = (a + b + c) / 3
        case .uniform: m = (a + b) / 2
        }
        if let lower { m = Swift.max(m, lower) }
        if let upper { m = Swift.min(m, upper) }
        return m
    }

    /// The smallest and largest values a draw can take.
    public var support: ClosedRange<Double> {
        var lo: Double, hi: Double
        switch kind {
        case .normal: (lo, hi) = (-.infinity, .infinity)
        case .lognormal: (lo, hi) = (0, .infinity)
        case .beta: (lo, hi) = (0, 1)
        case .triangular: (lo, hi) = (a, c)
        case .uniform: (lo, hi) = (a, b)
        }
        if let lower { lo = Swift.max(lo, lower) }
        if let upper { hi = Swift.min(hi, upper) }
        return lo...Swift.max(lo, hi)
    }

    /// Whether the ends of `support` are never reached by a draw: the natural bounds of the
    /// beta (0 and 1) and lognormal (0), unless truncation moved them.
    public var openEnds: (lower: Bool, upper: Bool) {
        switch kind {
        case .beta: return ((lower ?? 0) <= 0, (upper ?? 1) >= 1)
        case .lognormal: return ((lower ?? 0) <= 0, false)
        default: return (false, false)
        }
    }

    /// Why these parameters do not define a distribution, or nil when they do.
    public var problem: String? {
        guard a.isFinite, b.isFinite, c.isFinite else { return "parameters must be finite numbers" }
        switch kind {
        case .normal:
            if b <= 0 { return "sd must be > 0" }
        case .lognormal:
            if a <= 0 { return "mean must be > 0 for a lognormal" }
            if b <= 0 { return "sd must be > 0" }
        case .beta:
            if !(a > 0 && a < 1) { return "mean must be in (0, 1) for a beta" }
            if b <= 0 { return "sd must be > 0" }
            if b * b >= a * (1 - a) {
                return "sd must be < sqrt(mean (1 - mean)) = \(formatShort((a * (1 - a)).squareRoot())) for a beta"
            }
        case .triangular:
            if !(a <= b && b <= c && a < c) { return "need min <= mode <= max and min < max" }
        case .uniform:
            if !(a < b) { return "need min < max" }
        }
        if let lower, let upper, lower >= upper { return "min must be < max" }
        let pLow = lower.map(cdf) ?? 0
        let pHigh = upper.map(cdf) ?? 1
        if !(pHigh - pLow > 1e-12) { return "the range [min, max] holds no probability" }
        return nil
    }

    /// The cumulative distribution function of the untruncated distribution.
    public func cdf(_ x: Double) -> Double {
        switch kind {
        case .normal:
            return SpecialFunctions.normalCDF((x - a) / b)
        case .lognormal:
            if x <= 0 { return 0 }
            let (mu, sigma) = lognormalParameters
            return SpecialFunctions.normalCDF((log(x) - mu) / sigma)
        case .beta:
            if x <= 0 { return 0 }
            if x >= 1 { return 1 }
            let (alpha, beta) = betaShapes
            return SpecialFunctions.regularizedIncompleteBeta(x, alpha, beta)
        case .triangular:
            if x <= a { return 0 }
            if x >= c { return 1 }
            if x <= b { return (x - a) * (x - a) / ((c - a) * (b - a)) }
            return 1 - (c - x) * (c - x) / ((c - a) * (c - b))
        case .uniform:
            return Swift.min(1, Swift.max(0, (x - a) / (b - a)))
        }
    }

    /// The value at probability `u` in (0, 1) of the truncated distribution.
    public func quantile(_ u: Double) -> Double {
        quantile(u, truncation: truncation)
    }

    /// F(lower) and F(upper), 0 and 1 where the distribution is not truncated: the probabilities
    /// between which `quantile` places u.
    public var truncation: (low: Double, high: Double) {
        (lower.map(cdf) ?? 0, upper.map(cdf) ?? 1)
    }

    /// `quantile(u)` with `truncation` made once for many draws (for a truncated normal, two of
    /// the erfc calls of each draw).
    public func quantile(_ u: Double, truncation: (low: Double, high: Double)) -> Double {
        let (pLow, pHigh) = truncation
        let p = pLow + u * (pHigh - pLow)
        var x = untruncatedQuantile(p)
        if let lower { x = Swift.max(x, lower) }
        if let upper { x = Swift.min(x, upper) }
        return x
    }

    func untruncatedQuantile(_ p: Double) -> Double {
        switch kind {
        case .normal:
            return a + b * SpecialFunctions.inverseNormalCDF(p)
        case .lognormal:
            let (mu, sigma) = lognormalParameters
            return exp(mu + sigma * SpecialFunctions.inverseNormalCDF(p))
        case .beta:
            let (alpha, beta) = betaShapes
            return SpecialFunctions.inverseRegularizedIncompleteBeta(p, alpha, beta)
        case .triangular:
            let split = (b - a) / (c - a)
            if p <= split { return a + ((c - a) * (b - a) * p).squareRoot() }
            return c - ((c - a) * (c - b) * (1 - p)).squareRoot()
        case .uniform:
            return a + p * (b - a)
        }
    }

    var lognormalParameters: (mu: Double, sigma: Double) {
        let s2 = log(1 + b * b / (a * a))
        return (log(a) - s2 / 2, s2.squareRoot())
    }

    var betaShapes: (Double, Double) {
        let k = a * (1 - a) / (b * b) - 1
        return (a * k, (1 - a) * k)
    }
}

func formatShort(_ x: Double) -> String {
    let r = (x * 1e6).rounded() / 1e6
    return r == r.rounded() && abs(r) < 1e15 ? String(Int(r)) : String(r)
}
