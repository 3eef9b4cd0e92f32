import Foundation

/// The one-dimensional problem that the MSE deep UFM reduces to on collapsed, balanced solutions
/// (docs/theory.md §2–3; Tirer & Bruna, ICML 2022, Thm. 3.1 at L = 1 and Thm. 4.1 at L = 2;
/// Súkeník, Mondelli & Lampert, NeurIPS 2023, DNC solution; Dang et al., ICML 2023, deep linear):
///
///     g(s) = (s − 1)²/2 + ((L+1)/2)·κ·s^{2/(L+1)},   κ = K·μ,   μ = (n·λ_H·Π_l λ_{W_l})^{1/(L+1)},
///
/// where s is the common singular value of the output class means (W_L⋯W_1 H̄_1 = s·I_K). The first term
/// is the fit 1/(2N)‖O − Y‖²_F = (1/(2K))·K·(1 − s)²; the second is the least regularization of L+1
/// factors whose product has K singular values s (AM–GM, equality iff n·λ_H‖H̄_1‖² = λ_{W_l}‖W_l‖² ∀l).
///
/// Stationary points s > 0: g'(s) = s − 1 + κ·s^{−(L−1)/(L+1)} = 0  ⇔  s^{(L−1)/(L+1)}·(1 − s) = κ.
/// At L = 1 the root is s* = 1 − κ (κ < 1). For L ≥ 2, φ(s) = s^q(1 − s), q = (L−1)/(L+1), rises on
/// (0, q/(1+q)) and falls on (q/(1+q), 1); the minimizer is the larger root, and it beats s = 0
/// (g(0) = 1/2) iff κ < κ_crit = ((L−1)/L)^{(L−1)/(L+1)} / L (maximize (1 − s/2)·s^{1−p}, p = 2/(L+1),
/// at s = (L−1)/L); at L = 1, κ_crit = 1, Tirer & Bruna's condition c < 1.
public struct DNCScalarProblem: Equatable, Sendable {
    /// L ≥ 1.
    public let depth: Int
    /// κ = K·μ ≥ 0.
    public let kappa: Double

    public init(depth: Int, kappa: Double) {
        precondition(depth >= 1, "depth L = \(depth) must be ≥ 1")
        precondition(kappa >= 0 && kappa.isFinite, "κ = \(kappa) must be finite and ≥ 0")
        self.depth = depth
        self.kappa = kappa
    }

    /// p = 2/(L+1), the exponent of the regularization term.
    public var exponent: Double { 2 / Double(depth + 1) }

    /// g(s).
    public func value(at s: Double) -> Double {
        (s - 1) * (s - 1) / 2 + kappa / exponent * pow(s, exponent)
    }

    /// g'(s) for s > 0.
    public func derivative(at s: Double) -> Double {
        s - 1 + kappa * pow(s, exponent - 1)
    }

    /// κ_crit = ((L−1)/L)^{(L−1)/(L+1)} / L (1 at L = 1).
    public var threshold: Double {
        if depth == 1 { return 1 }
        let L = Double(depth)
        return pow((L - 1) / L, (L - 1) / (L + 1)) / L
    }

    /// Whether a non-zero minimizer strictly beats s = 0 (κ < κ_crit; at equality the two tie for L ≥ 2).
    public var collapses: Bool { kappa < threshold }

    /// u* = 1 − s* for the larger positive stationary point, or nil if there is none.
    ///
    /// Computed as 1 − s so that s* close to 1 (small κ) keeps full relative precision in u*: for L ≥ 2,
    /// u·(1 − u)^q = κ is solved by bisection on (0, 1 − q/(1+q)], where the left side increases.
    public var largerRootComplement: Double? {
        if depth == 1 { return kappa < 1 ? kappa : nil }
        let q = Double(depth - 1) / Double(depth + 1)
        let uMax = 1 - q / (1 + q)
        let psi = { (u: Double) in u * pow(1 - u, q) - self.kappa }
        guard psi(uMax) > 0 else { return nil }
        if kappa == 0 { return 0 }
        var lo = 0.0, hi = uMax
        while true {
            let mid = lo + (hi - lo) / 2
            if mid <= lo || mid >= hi { break }
            if psi(mid) > 0 { hi = mid } else { lo = mid }
        }
        return abs(psi(lo)) <= abs(psi(hi)) ? lo : hi
    }

    /// s*, the global minimizer of g on s ≥ 0 (0 when κ ≥ κ_crit).
    public var minimizer: Double {
        guard collapses, let u = largerRootComplement else { return 0 }
        return 1 - u
    }

    /// min_{s ≥ 0} g(s): g(s*) = u*²/2 + (κ/p)·(1 − u*)^p in the collapse regime, else g(0) = 1/2.
    public var minimum: Double {
        guard collapses, let u = largerRootComplement else { return 0.5 }
        return u * u / 2 + kappa / exponent * pow(1 - u, exponent)
    }
}
