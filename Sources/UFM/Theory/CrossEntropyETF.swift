import Foundation

/// The plain UFM with cross-entropy, reduced to the scale of its simplex-ETF minimizers
/// (Zhu et al., NeurIPS 2021, "A geometric analysis of neural collapse with unconstrained features",
/// Thm. 3.1; reduction derived in docs/theory.md §4).
///
/// Every global minimizer of (1/N)Σ_i CE(W h_i + b, y_i) + λ_W/2‖W‖² + λ_H/2‖H‖² (d ≥ K−1) is collapsed
/// with W H̄ = m·G, G = I_K − 1_K1_Kᵀ/K, so each sample's correct logit exceeds every other by the margin m:
///
///     F(m) = log(1 + (K−1)·e^{−m}) + ((K−1)/K)·c·m,      c = K·√(n·λ_H·λ_W),
///
/// the second term being the least regularization (K−1)·m·√(n·λ_Hλ_W) of a balanced factorization
/// (H̄ᵀH̄ = m√(λ_W/(nλ_H))·G, WWᵀ = m√(nλ_H/λ_W)·G). F is convex; F'(m) = 0 gives
///
///     e^{−m*} = c / (K − (K−1)c)   (c < 1),      F(m*) = log(K / (K − (K−1)c)) + ((K−1)/K)·c·m*,
///
/// and for c ≥ 1 the minimizer is m* = 0 (H = W = 0) with F = log K.
public struct CrossEntropyETF: Equatable, Sendable {
    /// K ≥ 2.
    public let classes: Int
    /// c = K·√(n·λ_H·λ_W) > 0 (with c = 0 the infimum 0 is not attained).
    public let c: Double

    public init(classes: Int, c: Double) {
        precondition(classes >= 2, "K = \(classes) must be ≥ 2")
        precondition(c > 0 && c.isFinite, "c = \(c) must be finite and > 0")
        self.classes = classes
        self.c = c
    }

    /// F(m).
    public func value(at m: Double) -> Double {
        let K = Double(classes)
        return log1p((K - 1) * exp(-m)) + (K - 1) / K * c * m
    }

    /// Whether the minimizer is non-zero (c < 1).
    public var collapses: Bool { c < 1 }

    /// m* = log((K − (K−1)c)/c), or 0 when c ≥ 1.
    public var minimizer: Double {
        guard collapses else { return 0 }
        let K = Double(classes)
        return log((K - (K - 1) * c) / c)
    }

    /// F(m*).
    public var minimum: Double {
        let K = Double(classes)
        guard collapses else { return log(K) }
        return log(K / (K - (K - 1) * c)) + (K - 1) / K * c * minimizer
    }
}
