#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Special functions for sampling distributions by inversion. Each is accurate to close to
/// double precision; none is on a hot path (parameters are drawn once per path, unit or year).
enum SpecialFunctions {
    /// Phi(z) = P(Z <= z) for a standard normal Z, via erfc for accuracy in the tails.
    static func normalCDF(_ z: Double) -> Double {
        0.5 * erfc(-z / 2.0.squareRoot())
    }

    /// Phi^-1(p): a logistic starting point refined by Halley's method on Phi, which converges
    /// cubically; stops when a step is below 1e-15 relative.
    static func inverseNormalCDF(_ p: Double) -> Double {
        if p <= 0 { return -.infinity }
        if p >= 1 { return .infinity }
        // Starting point: the logistic approximation Phi^-1(p) ~ ln(p / (1 - p)) / 1.702.
        var x = log(p / (1 - p)) / 1.702
        for _ in 0..<60 {
            let e = normalCDF(x) - p
            let density = exp(-0.5 * x * x) / (2 * Double.pi).squareRoot()
            if density == 0 { break }
            let u = e / density
            let step = u / (1 + 0.5 * x * u)
            x -= step
            if abs(step) <= 1e-15 * Swift.max(1, abs(x)) { break }
        }
        return x
    }

    /// I_x(a, b), the regularized incomplete beta function, by the continued fraction of
    /// Abramowitz and Stegun 26.5.8 evaluated with the modified Lentz method.
    static func regularizedIncompleteBeta(_ x: Double, _ a: Double, _ b: Double) -> Double {
        if x <= 0 { return 0 }
        if x >= 1 { return 1 }
        let logFront = lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) + b * log1p(-x)
        if x < (a + 1) / (a + b + 2) {
            return exp(logFront) * betaContinuedFraction(x, a, b) / a
        }
        return 1 - exp(logFront) * betaContinuedFraction(1 - x, b, a) / b
    }

    private static func betaContinuedFraction(_ x: Double, _ a: Double, _ b: Double) -> Double {
        let tiny = 1e-300
        var c = 1.0
        var d = 1 - (a + b) * x / (a + 1)
        if abs(d) < tiny { d = tiny }
        d = 1 / d
        var h = d
        for m in 1...500 {
            let m = Double(m)
            let m2 = 2 * m
            var aa = m * (b - m) * x / ((a + m2 - 1) * (a + m2))
            d = 1 + aa * d
            if abs(d) < tiny { d = tiny }
            c = 1 + aa / c
            if abs(c) < tiny { c = tiny }
            d = 1 / d
            h *= d * c
            aa = -(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1))
            d = 1 + aa * d
            if abs(d) < tiny { d = tiny }
            c = 1 + aa / c
            if abs(c) < tiny { c = tiny }
            d = 1 / d
            let delta = d * c
            h *= delta
            if abs(delta - 1) < 1e-15 { break }
        }
        return h
    }

    /// x with I_x(a, b) = p, by bisection (which always converges) finished with Newton steps.
    static func inverseRegularizedIncompleteBeta(_ p: Double, _ a: Double, _ b: Double) -> Double {
        if p <= 0 { return 0 }
        if p >= 1 { return 1 }
        var lo = 0.0, hi = 1.0
        for _ in 0..<60 {
            let mid = 0.5 * (lo + hi)
            if regularizedIncompleteBeta(mid, a, b) < p { lo = mid } else { hi = mid }
            if hi - lo < 1e-12 { break }
        }
        var x = 0.5 * (lo + hi)
        let logBeta = lgamma(a) + lgamma(b) - lgamma(a + b)
        for _ in 0..<4 {
            let density = exp((a - 1) * log(x) + (b - 1) * log1p(-x) - logBeta)
            guard density > 0, density.isFinite else { break }
            let next = x - (regularizedIncompleteBeta(x, a, b) - p) / density
            guard next > lo, next < hi else { break }
            x = next
        }
        return x
    }
}
