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
        regularizedIncompleteBeta(x, a, b, logBeta: lgamma(a) + lgamma(b) - lgamma(a + b))
    }

    /// The same with ln B(a, b) given, for repeated calls with one (a, b).
    static func regularizedIncompleteBeta(_ x: Double, _ a: Double, _ b: Double, logBeta: Double) -> Double {
        if x <= 0 { return 0 }
        if x >= 1 { return 1 }
        let logFront = a * log(x) + b * log1p(-x) - logBeta
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

    /// x with I_x(a, b) = p: bisection down to a bracket of width 2^-8, then Newton steps kept
    /// inside the bracket (each step halves the bracket when Newton would leave it), to 1e-14.
    static func inverseRegularizedIncompleteBeta(_ p: Double, _ a: Double, _ b: Double) -> Double {
        if p <= 0 { return 0 }
        if p >= 1 { return 1 }
        let logBeta = lgamma(a) + lgamma(b) - lgamma(a + b)
        var lo = 0.0, hi = 1.0
        for _ in 0..<8 {
            let mid = 0.5 * (lo + hi)
            if regularizedIncompleteBeta(mid, a, b, logBeta: logBeta) < p { lo = mid } else { hi = mid }
        }
        var x = 0.5 * (lo + hi)
        for _ in 0..<60 {
            let f = regularizedIncompleteBeta(x, a, b, logBeta: logBeta) - p
            if f < 0 { lo = x } else { hi = x }
            let density = exp((a - 1) * log(x) + (b - 1) * log1p(-x) - logBeta)
            var next = density > 0 && density.isFinite ? x - f / density : .nan
            if !(next > lo && next < hi) { next = 0.5 * (lo + hi) }
            if abs(next - x) <= 1e-14 * Swift.max(x, 1e-300) || hi - lo <= 1e-15 { return next }
            x = next
        }
        return x
    }
}
