import Formats
import Linalg
import Testing
@testable import UFM

func smallConfig(method: OptimizerMethod = .gd, steps: Int = 50, every: Int = 10) -> UFMConfig {
    var c = UFMConfig(model: ModelSpec(classes: 3, perClass: 4, widths: [6, 5], activation: .relu, loss: .mse, bias: true,
                                       lambdaH: 0.01, lambdaW: [0.01, 0.02]))
    c.optimizer.method = method
    c.optimizer.steps = steps
    c.optimizer.learningRate = 0.2
    c.log.every = every
    c.initialization.seed = 9
    c.initialization.scale = 0.3
    return c
}

@Suite struct TrainerTests {
    @Test func logsEveryKStepsAndTheLastStep() throws {
        let trainer = UFMTrainer(config: smallConfig(steps: 35, every: 10))
        var logged: [Int] = []
        let out = try trainer.run { s in
            logged.append(s.step)
            #expect(s.features.count == 2)
            #expect(s.features[0].rows == 6 && s.features[0].cols == 12 && s.features[1].rows == 5)
            #expect(s.features[1].storage.allSatisfy { $0 >= 0 })  // ReLU features
            #expect(abs(s.objective - UFMObjective(spec: s.parameters.spec).evaluate(s.parameters).objective) <= 1e-14 * s.objective)
        }
        #expect(logged == [0, 10, 20, 30, 35])
        #expect(out.step == 35 && out.reason == .steps && out.iterations == 35)
    }

    @Test func stopsAtTheGradientTolerance() throws {
        var c = smallConfig(method: .lbfgs, steps: 10_000, every: 1000)
        c.optimizer.tolerance = 1e-8
        var last: TrainingSnapshot?
        let out = try UFMTrainer(config: c).run { last = $0 }
        #expect(out.reason == .tolerance)
        #expect(out.gradientNorm <= 1e-8)
        #expect(last?.step == out.step)
        #expect(out.step < 10_000)
    }

    /// A learning rate far beyond 2/L_smooth blows up; the error names the step and suggests a smaller rate.
    @Test func divergenceNamesTheStep() throws {
        var c = smallConfig(steps: 1000, every: 1)
        c.optimizer.learningRate = 50
        var logged = 0
        do {
            try UFMTrainer(config: c).run { _ in logged += 1 }
            Issue.record("no divergence")
        } catch let UFMError.diverged(step, _, _, lr) {
            #expect(step > 0 && step < 1000)
            #expect(logged == step)  // steps 0 … step−1 were logged before the error
            #expect(lr == 50)
            let msg = UFMError.diverged(step: step, objective: .infinity, reason: "x", learningRate: lr).description
            #expect(msg.contains("step \(step)") && msg.contains("smaller learning rate"))
        }
    }

    @Test(arguments: OptimizerMethod.allCases)
    func sameConfigAndSeedGiveBitIdenticalParameters(method: OptimizerMethod) throws {
        let a = UFMTrainer(config: smallConfig(method: method))
        let b = UFMTrainer(config: smallConfig(method: method))
        try a.run { _ in }
        try b.run { _ in }
        #expect(a.parameters == b.parameters)
    }

    /// 2k steps straight vs k steps, checkpoint, restore into a new trainer, k more steps: bit-identical.
    @Test(arguments: OptimizerMethod.allCases)
    func resumeFromCheckpointIsBitIdentical(method: OptimizerMethod) throws {
        let k = 20
        var full = smallConfig(method: method, steps: 2 * k)
        full.log.checkpointEvery = k
        let straight = UFMTrainer(config: full)
        var saved: [(String, Formats.NDArray)] = []
        try straight.run(onLog: { _ in }, onCheckpoint: { t in if t.iterate.step == k { saved = t.checkpointArrays() } })
        #expect(!saved.isEmpty)
        let resumed = try UFMTrainer(config: full, checkpoint: saved)
        #expect(resumed.iterate.step == k)
        var logged: [Int] = []
        try resumed.run { logged.append($0.step) }
        #expect(logged.first == k)
        #expect(resumed.parameters == straight.parameters)
        #expect(resumed.iterate == straight.iterate)
    }

    @Test func checkpointOfAnotherOptimizerIsRejected() throws {
        let t = UFMTrainer(config: smallConfig(method: .momentum, steps: 3))
        try t.run { _ in }
        #expect(throws: UFMError.self) { try UFMTrainer(config: smallConfig(method: .lbfgs), checkpoint: t.checkpointArrays()) }
    }
}
