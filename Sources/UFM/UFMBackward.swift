extension UFMObjective {
    /// The backward pass, after `forward` and the fit pass have left G_{L+1} := G_O = ∂fit/∂O in `output`.
    /// Writes ∇f into `grad` (laid out like θ) and returns the regularization term Σ λ/2·‖·‖²_F.
    ///
    /// For l = L, L−1, …, 1, with G_{l+1} = ∂f/∂A_{l+1} (d_{l+1}×N):
    ///
    ///     ∂f/∂W_l = G_{l+1} Z_lᵀ + λ_{W_l} W_l
    ///     G_l     = (W_lᵀ G_{l+1}) ⊙ σ'(A_l)           (l ≥ 2; σ' = 1[Z_l > 0] for ReLU, 1 for identity)
    ///     ∂f/∂H_1 = W_1ᵀ G_2 + λ_H H_1                 (l = 1; G_2 = G_O when L = 1)
    ///     ∂f/∂b   = G_O 1                               (written by the fit pass)
    ///
    /// The regularization gradient is folded into the gemm: the gradient block is first set to λ·X in the
    /// same pass that accumulates ‖X‖²_F (the objective's term), and the product is added with β = 1.
    func backward(_ theta: UnsafePointer<Double>, _ grad: UnsafeMutablePointer<Double>) -> Double {
        var reg = 0.0
        var signal = UnsafePointer(output)  // G_{l+1}, d_{l+1}×N
        for l in stride(from: L, through: 1, by: -1) {
            let w = theta + wOffset[l], gw = grad + wOffset[l]
            let zl = l == 1 ? theta + hOffset : UnsafePointer(z[l])
            // ∂f/∂W_l = G_{l+1} Z_lᵀ + λ W_l
            let lw = spec.lambdaW[l - 1]
            reg += 0.5 * lw * Kernels.scaledCopySquaredNorm(gw, w, lw, d[l + 1] * d[l])
            Kernels.gemm(false, true, m: d[l + 1], n: d[l], k: N, signal, zl, beta: 1, gw)
            if l >= 2 {
                // G_l = (W_lᵀ G_{l+1}) ⊙ σ'(A_l)
                Kernels.gemm(true, false, m: d[l], n: N, k: d[l + 1], w, signal, beta: 0, g[l])
                if relu { Kernels.reluMask(g[l], z[l], d[l] * N) }
                signal = UnsafePointer(g[l])
            } else {
                // ∂f/∂H_1 = W_1ᵀ G_2 + λ_H H_1
                let gh = grad + hOffset
                reg += 0.5 * spec.lambdaH * Kernels.scaledCopySquaredNorm(gh, theta + hOffset, spec.lambdaH, d[1] * N)
                Kernels.gemm(true, false, m: d[1], n: N, k: d[2], w, signal, beta: 1, gh)
            }
        }
        return reg
    }
}
