import Linalg
import Testing
@testable import Nets

/// Central finite differences for Float layers, checked against the analytic gradient entry by entry.
///
/// The objective is f = Σᵢ rᵢ·yᵢ with fixed random weights r, accumulated in Double from the Float outputs y,
/// so ∂f/∂θ is exactly what `backward(dy = r)` computes. The step h is large enough that Float rounding in
/// y (relative ~1e-7) contributes ~1e-5 to a difference quotient of O(1) gradients; the layers are linear
/// or smooth in each coordinate, except at ReLU kinks: `mask` reports the sign pattern of the ReLU outputs,
/// and a coordinate whose perturbation flips a sign is skipped (and counted).
struct GradientCheck {
    var h: Float = 1e-2
    /// |fd − analytic| ≤ atol·max(1, max|analytic|) + rtol·|analytic| for every checked entry.
    var atol: Double = 2e-4
    var rtol: Double = 1e-3

    struct Outcome { var checked = 0; var skipped = 0; var worst = 0.0 }

    /// Perturbs `count` coordinates read/written through `get`/`set`, compares with `analytic`.
    /// Where ±h flips a ReLU sign, the step is shrunk (h/4, h/16, h/64) and the tolerance widened in
    /// proportion (Float rounding in f grows like 1/h); a coordinate that flips even then is skipped.
    func check(_ label: String, count: Int, get: (Int) -> Float, set: (Int, Float) -> Void, analytic: [Float],
               objective: () -> Double, mask: (() -> [Bool])? = nil,
               sourceLocation: SourceLocation = #_sourceLocation) -> Outcome {
        precondition(analytic.count == count)
        let scale = max(1, Double(analytic.map { abs($0) }.max() ?? 0))
        var out = Outcome()
        let baseMask = mask?()
        for i in 0..<count {
            let x0 = get(i)
            var fd: Double?
            var widen = 1.0
            for shrink in [1, 4, 16, 64] as [Float] {
                let step = h / shrink
                set(i, x0 + step)
                let fp = objective()
                let mp = mask?()
                set(i, x0 - step)
                let fm = objective()
                let mm = mask?()
                set(i, x0)
                if let baseMask, mp != baseMask || mm != baseMask { continue }
                fd = (fp - fm) / (2 * Double(step))
                widen = Double(shrink)
                break
            }
            guard let fd else { out.skipped += 1; continue }
            let a = Double(analytic[i])
            let err = abs(fd - a)
            out.worst = max(out.worst, err / scale / widen)
            out.checked += 1
            #expect(err <= widen * atol * scale + rtol * abs(a), "\(label)[\(i)]: finite difference \(fd), analytic \(a)",
                    sourceLocation: sourceLocation)
        }
        #expect(out.skipped * 10 <= count, "\(label): \(out.skipped) of \(count) entries sit on a ReLU kink",
                sourceLocation: sourceLocation)
        return out
    }
}

/// Helpers for filling buffers from a seeded generator.
extension Xoshiro256StarStar {
    mutating func floats(_ n: Int, scale: Double = 1) -> [Float] { (0..<n).map { _ in Float(scale * nextNormal()) } }
}

/// Σ rᵢ·yᵢ in Double.
func weightedSum(_ y: UnsafePointer<Float>, _ r: [Float]) -> Double {
    var s = 0.0
    for i in r.indices { s += Double(r[i]) * Double(y[i]) }
    return s
}

func signs(_ y: UnsafePointer<Float>, _ n: Int) -> [Bool] { (0..<n).map { y[$0] > 0 } }
