/// A line search for the strong Wolfe conditions on φ(α) = f(x + α d), d a descent direction (φ'(0) < 0):
///
///     φ(α) ≤ φ(0) + c₁ α φ'(0)          (sufficient decrease)
///     |φ'(α)| ≤ c₂ |φ'(0)|               (curvature), 0 < c₁ < c₂ < 1.
///
/// Nocedal & Wright, Numerical Optimization (2nd ed.), Algorithm 3.5 (bracketing by doubling) and
/// Algorithm 3.6 (zoom), with the safeguarded cubic interpolation of their Eq. (3.59): the trial point
/// must lie in the middle 80 % of the bracket, else the bracket is bisected. A non-finite φ counts as a
/// violation of sufficient decrease, so the search backs off from overflow.
///
/// The search always ends right after evaluating the point it returns, so the caller's trial buffers
/// (filled by `phi`) hold that point. If no strong-Wolfe point is found within `maxEvaluations` but a
/// point with sufficient decrease was seen, that point is re-evaluated and returned as `.armijoOnly`.
struct WolfeLineSearch {
    var c1: Double
    var c2: Double
    var maxEvaluations: Int

    enum Result: Equatable {
        case wolfe(alpha: Double, value: Double)
        case armijoOnly(alpha: Double, value: Double)
        case failed(String)
    }

    /// `phi(α)` evaluates (φ(α), φ'(α)) and leaves the point in the caller's trial buffers.
    func search(phi0: Double, dphi0: Double, initialStep: Double, evaluations: inout Int,
                _ phi: (Double) -> (Double, Double)) -> Result {
        precondition(dphi0 < 0, "not a descent direction")
        var used = 0
        func eval(_ a: Double) -> (Double, Double) { used += 1; evaluations += 1; return phi(a) }
        func armijo(_ a: Double, _ v: Double) -> Bool { v.isFinite && v <= phi0 + c1 * a * dphi0 }

        var aPrev = 0.0, fPrev = phi0, gPrev = dphi0
        var a = initialStep
        var bracket: (lo: (Double, Double, Double), hi: (Double, Double, Double))? = nil
        while used < maxEvaluations {
            let (f, g) = eval(a)
            if !armijo(a, f) || (used > 1 && f >= fPrev) {
                bracket = ((aPrev, fPrev, gPrev), (a, f, g)); break
            }
            if abs(g) <= -c2 * dphi0 { return .wolfe(alpha: a, value: f) }
            if g >= 0 { bracket = ((a, f, g), (aPrev, fPrev, gPrev)); break }
            (aPrev, fPrev, gPrev) = (a, f, g)
            a *= 2
        }
        guard var (lo, hi) = bracket else {
            return fallback(aPrev, fPrev, &used, &evaluations, phi, reason: "no bracket within \(maxEvaluations) evaluations")
        }
        // Zoom: lo satisfies sufficient decrease and has the lowest φ seen; φ'(lo)·(hi − lo) < 0.
        while used < maxEvaluations {
            let width = abs(hi.0 - lo.0)
            if width <= 1e-16 * max(abs(lo.0), abs(hi.0)) { break }
            let aj = Self.cubicMinimizer(lo, hi)
            let (f, g) = eval(aj)
            if !armijo(aj, f) || f >= lo.1 {
                hi = (aj, f, g)
            } else {
                if abs(g) <= -c2 * dphi0 { return .wolfe(alpha: aj, value: f) }
                if g * (hi.0 - lo.0) >= 0 { hi = lo }
                lo = (aj, f, g)
            }
        }
        return fallback(lo.0, lo.1, &used, &evaluations, phi, reason: "zoom did not meet the curvature condition")
    }

    /// Re-evaluates the best sufficient-decrease point, if one (α > 0) was found.
    private func fallback(_ a: Double, _ f: Double, _ used: inout Int, _ evaluations: inout Int,
                          _ phi: (Double) -> (Double, Double), reason: String) -> Result {
        guard a > 0, f.isFinite else { return .failed(reason) }
        evaluations += 1
        let (v, _) = phi(a)
        return .armijoOnly(alpha: a, value: v)
    }

    /// The minimizer of the cubic interpolating φ and φ' at both ends (Nocedal & Wright, Eq. (3.59)),
    /// safeguarded into the middle 80 % of the bracket; bisection when the cubic has no usable minimizer.
    static func cubicMinimizer(_ p: (Double, Double, Double), _ q: (Double, Double, Double)) -> Double {
        let (a, fa, ga) = p, (b, fb, gb) = q
        let lower = min(a, b), upper = max(a, b), margin = 0.1 * (upper - lower)
        let mid = 0.5 * (a + b)
        guard fa.isFinite, fb.isFinite, ga.isFinite, gb.isFinite else { return mid }
        let d1 = ga + gb - 3 * (fa - fb) / (a - b)
        let disc = d1 * d1 - ga * gb
        guard disc >= 0 else { return mid }
        let d2 = (b > a ? 1.0 : -1.0) * disc.squareRoot()
        let denom = gb - ga + 2 * d2
        guard denom != 0 else { return mid }
        let t = b - (b - a) * (gb + d2 - d1) / denom
        return t.isFinite && t >= lower + margin && t <= upper - margin ? t : mid
    }
}
