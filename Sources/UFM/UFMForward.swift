import Foundation

extension UFMObjective {
    /// The forward pass: Z_1 = H_1; A_{l+1} = W_l Z_l, Z_{l+1} = σ(A_{l+1}) for l = 1 … L−1;
    /// O = W_L Z_L + b1ᵀ (Súkeník et al., NeurIPS 2023, Eq. (1); Tirer & Bruna, ICML 2022, Eq. (9)).
    ///
    /// One dgemm per layer; σ is applied in place on the product. The bias is broadcast into O first and
    /// the last product accumulates onto it (β = 1), so b1ᵀ costs no extra pass.
    func forward(_ theta: UnsafePointer<Double>) {
        var zPrev = theta + hOffset
        for l in 1..<L {
            Kernels.gemm(false, false, m: d[l + 1], n: N, k: d[l], theta + wOffset[l], zPrev, beta: 0, z[l + 1])
            if relu { Kernels.relu(z[l + 1], d[l + 1] * N) }
            zPrev = UnsafePointer(z[l + 1])
        }
        var beta = 0.0
        if let bo = bOffset {
            for k in 0..<K {
                let bk = theta[bo + k], row = output + k * N
                for i in 0..<N { row[i] = bk }
            }
            beta = 1
        }
        Kernels.gemm(false, false, m: K, n: N, k: d[L], theta + wOffset[L], zPrev, beta: beta, output)
    }

    /// The fit term at O, and O overwritten in place by G_O = ∂fit/∂O; if `biasGradient` is given,
    /// ∂f/∂b = G_O·1 is written there (b is not regularized).
    func fitAndOutputSignal(biasGradient: UnsafeMutablePointer<Double>?) -> Double {
        switch spec.loss {
        case .mse: return mseFit(biasGradient)
        case .ce: return crossEntropyFit(biasGradient)
        }
    }

    /// MSE (Tirer & Bruna, ICML 2022, Eq. (2)): fit = 1/(2N)·‖O − Y‖²_F and G_O = (O − Y)/N, in one pass.
    /// Row k of Y is 1 on samples s_k ..< s_{k+1} (s_k = n_1 + … + n_{k−1}, class-major order) and 0 elsewhere.
    private func mseFit(_ gb: UnsafeMutablePointer<Double>?) -> Double {
        let invN = 1 / Double(N)
        var total = 0.0
        for k in 0..<K {
            let row = output + k * N, lo = classStarts[k], hi = classStarts[k + 1]
            // Samples of other classes (y = 0), then of class k (y = 1).
            let a = Kernels.residual(row, 0, lo, target: 0, scale: invN)
            let b = Kernels.residual(row, hi, N, target: 0, scale: invN)
            let c = Kernels.residual(row, lo, hi, target: 1, scale: invN)
            total += (a.0 + b.0) + c.0
            gb?[k] = (a.1 + b.1) + c.1
        }
        return 0.5 * invN * total
    }

    /// Cross-entropy (the regularized CE UFM of Zhu et al., NeurIPS 2021): fit = (1/N)·Σ_i [lse(o_i) − O_{y_i i}]
    /// with lse(o) = m + log Σ_k exp(o_k − m), m = max_k o_k (no overflow), and
    /// G_O = (softmax(O) − Y)/N column by column.
    private func crossEntropyFit(_ gb: UnsafeMutablePointer<Double>?) -> Double {
        let invN = 1 / Double(N)
        let K = self.K, N = self.N, output = self.output  // locals: the inner loops reload nothing from self
        var total = 0.0
        for y in 0..<K {
            let lo = classStarts[y], hi = classStarts[y + 1]
            for i in lo..<hi {
                var m = -Double.infinity
                for k in 0..<K { m = max(m, output[k * N + i]) }
                let oy = output[y * N + i]
                var s = 0.0
                for k in 0..<K { let e = exp(output[k * N + i] - m); output[k * N + i] = e; s += e }
                total += m + log(s) - oy
                let inv = 1 / s
                for k in 0..<K { output[k * N + i] = output[k * N + i] * inv * invN }
                output[y * N + i] -= invN
            }
        }
        if let gb {
            for k in 0..<K {
                let row = output + k * N
                var t = 0.0
                for i in 0..<N { t += row[i] }
                gb[k] = t
            }
        }
        return total * invN
    }
}
