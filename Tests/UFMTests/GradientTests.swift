import Foundation
import Linalg
import Testing
@testable import UFM

/// Widths per depth: some smaller than K = 3, some larger, so both regimes are differentiated.
let gradientWidths: [[Int]] = [[2], [5, 2], [4, 2, 5], [3, 5, 2, 4], [2, 4, 3, 5, 2]]

struct GradientCase: CustomTestStringConvertible, Sendable {
    var depth: Int
    var activation: Activation
    var loss: Loss
    var bias: Bool
    /// n_1, n_2, n_3: balanced, or unbalanced (the minority class in the middle, so that both class
    /// boundaries of the class-major layout move).
    var counts: [Int] = [2, 2, 2]
    var testDescription: String { "L=\(depth) \(activation) \(loss) bias=\(bias) n=\(counts)" }

    static let all: [GradientCase] = [[2, 2, 2], [3, 1, 4]].flatMap { n in (1...5).flatMap { l in
        Activation.allCases.flatMap { a in Loss.allCases.flatMap { lo in [false, true].map { GradientCase(depth: l, activation: a, loss: lo, bias: $0, counts: n) } } }
    } }

    var spec: ModelSpec {
        ModelSpec(classes: 3, counts: counts, widths: gradientWidths[depth - 1], activation: activation, loss: loss, bias: bias,
                  lambdaH: 0.03, lambdaW: (1...depth).map { 0.01 * Double($0) + 0.005 })
    }
}

/// f at θ through the no-gradient path (an independent code path for the regularization term).
func objective(_ obj: UFMObjective, _ v: [Double]) -> Double {
    v.withUnsafeBufferPointer { obj.value(at: $0.baseAddress!) }
}

@Suite struct GradientTests {
    /// ∇f from the backward pass equals central finite differences (f(θ+he) − f(θ−he))/(2h) in every
    /// coordinate, for every depth 1–5 × activation × loss × bias.
    @Test(arguments: GradientCase.all)
    func handGradientMatchesFiniteDifferences(_ c: GradientCase) {
        let spec = c.spec
        let obj = UFMObjective(spec: spec)
        let p = UFMParameters.random(spec: spec, seed: UInt64(100 + c.depth), scale: 0.8)
        let e = obj.evaluate(p)
        #expect(abs(e.objective - objective(obj, p.values)) <= 1e-14 * e.objective)
        let h = 1e-5
        var fd = [Double](repeating: 0, count: p.values.count)
        var v = p.values
        for i in v.indices {
            let x = v[i]
            v[i] = x + h; let fp = objective(obj, v)
            v[i] = x - h; let fm = objective(obj, v)
            v[i] = x
            fd[i] = (fp - fm) / (2 * h)
        }
        let g = e.gradient.values
        let diff = zip(g, fd).map { ($0 - $1) * ($0 - $1) }.reduce(0, +).squareRoot()
        let norm = g.map { $0 * $0 }.reduce(0, +).squareRoot()
        #expect(norm > 1e-3)
        #expect(diff / norm < 1e-6, "relative gradient error \(diff / norm)")
        for i in g.indices { #expect(abs(g[i] - fd[i]) <= 1e-6 * max(norm, 1), "coordinate \(i)") }
    }

    /// The objective against a direct, allocation-happy evaluation with Matrix operations.
    @Test(arguments: GradientCase.all.filter { $0.depth <= 3 })
    func objectiveMatchesDirectFormula(_ c: GradientCase) {
        let spec = c.spec
        let p = UFMParameters.random(spec: spec, seed: 5, scale: 0.8)
        var zl = p.h1
        for l in 1..<spec.depth {
            zl = p.w(l) * zl
            if spec.activation == .relu { zl = zl.map { max($0, 0) } }
        }
        var o = p.w(spec.depth) * zl
        if let b = p.b { for k in 0..<spec.classes { for i in 0..<spec.samples { o[k, i] += b[k] } } }
        var fit = 0.0
        for i in 0..<spec.samples {
            let y = spec.label(ofSample: i)
            switch spec.loss {
            case .mse:
                for k in 0..<spec.classes { let r = o[k, i] - (k == y ? 1 : 0); fit += r * r / (2 * Double(spec.samples)) }
            case .ce:
                let s = (0..<spec.classes).map { exp(o[$0, i]) }.reduce(0, +)
                fit += (log(s) - o[y, i]) / Double(spec.samples)
            }
        }
        var reg = spec.lambdaH / 2 * p.h1.squaredFrobeniusNorm
        for l in 1...spec.depth { reg += spec.lambdaW[l - 1] / 2 * p.w(l).squaredFrobeniusNorm }
        let e = UFMObjective(spec: spec).evaluate(p)
        #expect(abs(e.fit - fit) <= 1e-13 * fit)
        #expect(abs(e.regularization - reg) <= 1e-13 * reg)
    }

    /// Cross-entropy stays finite for huge logits (the log-sum-exp is shifted by the maximum).
    @Test func crossEntropyIsStableForLargeLogits() {
        let spec = ModelSpec(classes: 3, perClass: 2, widths: [4], activation: .none, loss: .ce, lambdaH: 0, lambdaW: [0])
        let p = UFMParameters.random(spec: spec, seed: 1, scale: 300)
        let e = UFMObjective(spec: spec).evaluate(p)
        #expect(e.objective.isFinite && e.objective > 0)
        #expect(e.gradient.values.allSatisfy { $0.isFinite })
    }
}
