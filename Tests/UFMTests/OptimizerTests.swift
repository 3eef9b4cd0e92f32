import Foundation
import Linalg
import Testing
@testable import UFM

/// The plain bias-free MSE UFM of Tirer & Bruna (ICML 2022, Thm. 3.1): with c = K√(nλ_Hλ_W) < 1 and
/// d ≥ K, the global minimum is c − c²/2 (the nuclear-norm form 1/(2N)‖M − Y‖² + √(λ_Hλ_W)‖M‖_* of the
/// problem, minimized by soft-thresholding Y's K equal singular values √n).
let plainSpec = ModelSpec(classes: 4, perClass: 50, widths: [20], activation: .none, loss: .mse, bias: false,
                          lambdaH: 0.005, lambdaW: [0.005])
var plainOptimum: Double {
    let c = Double(plainSpec.classes) * (Double(plainSpec.perClass) * plainSpec.lambdaH * plainSpec.lambdaW[0]).squareRoot()
    return c - c * c / 2
}

func start(_ spec: ModelSpec, seed: UInt64 = 0, scale: Double = 0.1) -> (UFMObjective, Iterate) {
    let f = UFMObjective(spec: spec)
    return (f, Iterate(x: UFMParameters.random(spec: spec, seed: seed, scale: scale).values, on: f))
}

/// At the optimum the product is unique: W_1 H_1 = (1 − c)·Y (singular-value soft-thresholding of Y).
func expectCollapsedProduct(_ x: [Double], tolerance: Double, _ label: String) {
    let p = UFMParameters(spec: plainSpec, values: x)
    let m = p.w(1) * p.h1
    let c = 1 - Double(plainSpec.classes) * (Double(plainSpec.perClass) * plainSpec.lambdaH * plainSpec.lambdaW[0]).squareRoot()
    var err = 0.0
    for k in 0..<plainSpec.classes {
        for i in 0..<plainSpec.samples { err = max(err, abs(m[k, i] - (plainSpec.label(ofSample: i) == k ? c : 0))) }
    }
    #expect(err < tolerance, "\(label): max |WH − (1−c)Y| = \(err)")
}

@Suite struct OptimizerTests {
    @Test func lbfgsReachesThePlainUFMOptimumQuickly() {
        let (f, it0) = start(plainSpec)
        var it = it0
        let opt = LBFGS(dimension: f.dimension)
        opt.minimize(&it, on: f, maxSteps: 60)
        #expect(abs(it.value - plainOptimum) <= 1e-10 * plainOptimum, "f = \(it.value), f* = \(plainOptimum)")
        expectCollapsedProduct(it.x, tolerance: 1e-5, "lbfgs")
    }

    /// Plain GD with η = 0.1 (the papers' setting) converges to c − c²/2 to 1e-9 relative
    /// (it first gets there after about 20 200 steps from this initialization).
    @Test func gradientDescentReachesThePlainUFMOptimum() {
        let (f, it0) = start(plainSpec)
        var it = it0
        GradientDescent(learningRate: 0.1).minimize(&it, on: f, maxSteps: 22_000)
        #expect(abs(it.value - plainOptimum) <= 1e-9 * plainOptimum, "f = \(it.value), f* = \(plainOptimum)")
        expectCollapsedProduct(it.x, tolerance: 1e-4, "gd")
    }

    @Test(arguments: [false, true])
    func momentumReachesThePlainUFMOptimum(nesterov: Bool) {
        let (f, it0) = start(plainSpec)
        var it = it0
        Momentum(dimension: f.dimension, learningRate: 0.1, momentum: 0.9, nesterov: nesterov).minimize(&it, on: f, maxSteps: 3_000)
        #expect(abs(it.value - plainOptimum) <= 1e-10 * plainOptimum, "f = \(it.value), f* = \(plainOptimum)")
        expectCollapsedProduct(it.x, tolerance: 1e-5, "momentum")
    }

    /// L-BFGS on a deep ReLU model with bias and CE: the objective decreases monotonically (sufficient
    /// decrease) and the gradient shrinks by orders of magnitude.
    @Test func lbfgsDecreasesMonotonicallyOnADeepModel() {
        let spec = ModelSpec(classes: 3, perClass: 5, widths: [6, 5, 4], activation: .relu, loss: .ce, bias: true,
                             lambdaH: 1e-3, lambdaW: [1e-3])
        let (f, it0) = start(spec, seed: 3, scale: 0.5)
        var it = it0
        let opt = LBFGS(dimension: f.dimension)
        var last = it.value
        for _ in 0..<200 {
            guard case .moved = opt.advance(&it, on: f) else { break }
            #expect(it.value <= last)
            last = it.value
        }
        #expect(it.gradientNorm < 1e-6 * it0.gradientNorm)
    }

    /// The same start and settings give bit-identical iterates.
    @Test func runsAreBitReproducible() {
        func run(_ make: (Int) -> Minimizer) -> [Double] {
            let (f, it0) = start(plainSpec, seed: 11)
            var it = it0
            make(f.dimension).minimize(&it, on: f, maxSteps: 40)
            return it.x
        }
        #expect(run { _ in GradientDescent(learningRate: 0.1) } == run { _ in GradientDescent(learningRate: 0.1) })
        #expect(run { Momentum(dimension: $0, learningRate: 0.1, momentum: 0.9, nesterov: true) }
            == run { Momentum(dimension: $0, learningRate: 0.1, momentum: 0.9, nesterov: true) })
        #expect(run { LBFGS(dimension: $0) } == run { LBFGS(dimension: $0) })
    }

    /// Stopping after k steps, saving the optimizer state and restoring it into a fresh optimizer gives
    /// bit-identical iterates to an uninterrupted run of 2k steps.
    @Test(arguments: ["gd", "momentum", "lbfgs"])
    func stateRoundTripIsBitExact(method: String) throws {
        func make(_ n: Int) -> Minimizer {
            switch method {
            case "gd": GradientDescent(learningRate: 0.1)
            case "momentum": Momentum(dimension: n, learningRate: 0.1, momentum: 0.9, nesterov: false)
            default: LBFGS(dimension: n, history: 4)
            }
        }
        let (f, it0) = start(plainSpec, seed: 2)
        var straight = it0
        make(f.dimension).minimize(&straight, on: f, maxSteps: 30)
        var first = it0
        let a = make(f.dimension)
        a.minimize(&first, on: f, maxSteps: 15)
        let saved = a.stateArrays()
        let b = make(f.dimension)
        try b.restore(from: saved)
        var resumed = first
        b.minimize(&resumed, on: f, maxSteps: 15)
        #expect(resumed == straight)
    }

    @Test func restoreRejectsForeignState() {
        let opt = LBFGS(dimension: 10, history: 3)
        #expect(throws: UFMError.self) { try opt.restore(from: []) }
        let m = Momentum(dimension: 10, learningRate: 0.1, momentum: 0.9, nesterov: false)
        #expect(throws: UFMError.self) { try m.restore(from: LBFGS(dimension: 10).stateArrays()) }
    }

    @Test func cubicInterpolationStaysInsideTheBracket() {
        // φ(α) = (α − 0.3)², φ' = 2(α − 0.3): the cubic through (0, 0.09, −0.6) and (1, 0.49, 1.4) is exact.
        let t = WolfeLineSearch.cubicMinimizer((0, 0.09, -0.6), (1, 0.49, 1.4))
        #expect(abs(t - 0.3) < 1e-12)
        // A minimizer outside the middle 80 % is replaced by bisection.
        let u = WolfeLineSearch.cubicMinimizer((0, 0.0001, -0.02), (1, 0.9801, 1.98))
        #expect(u == 0.5)
    }
}

@Suite struct SolveTests {
    @Test func minimizeDefaultsToLBFGSAndStopsAtTheTolerance() {
        let f = UFMObjective(spec: plainSpec)
        let s = f.minimize(from: .random(spec: plainSpec, seed: 4, scale: 0.1), gradientTolerance: 1e-9)
        #expect(s.gradientNorm <= 1e-9)
        #expect(s.stall == nil)
        #expect(abs(s.objective - plainOptimum) <= 1e-12 * plainOptimum + 1e-15)
        #expect(s.steps < 200)
    }
}
