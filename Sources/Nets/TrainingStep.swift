/// One SGD step of a network: forward (training mode) → loss and ∂loss/∂logits → backward → SGD update.
/// Holds the preallocated logit gradient; nothing is allocated per step.
public final class TrainingStep: @unchecked Sendable {
    public let network: ResNet
    public let loss: LossFunction
    public let optimizer: SGD
    private let dLogits: FloatBuffer
    private let parameters: [Parameter]

    public init(network: ResNet, loss: LossFunction, optimizer: SGD) {
        self.network = network
        self.loss = loss
        self.optimizer = optimizer
        dLogits = FloatBuffer(count: network.config.classes * network.maxBatch)
        parameters = network.parameters
    }

    /// Trains on one batch of channel-major images with labels in 0..<K; returns the batch loss (before the
    /// update) and the number of correctly classified samples.
    @discardableResult
    public func run(images: UnsafePointer<Float>, labels: UnsafePointer<Int32>, batch: Int, learningRate: Float) -> (loss: Double, correct: Int) {
        let net = network, prof = net.context.profile
        net.forward(images, batch: batch, training: true)
        let result = prof.time(.loss) {
            loss.evaluate(logits: net.logits, labels: labels, batch: batch, classes: net.config.classes, gradient: dLogits.base)
        }
        net.backward(dLogits.base, batch: batch)
        prof.time(.optimizer) { optimizer.step(parameters, learningRate: learningRate, workers: net.context.workers) }
        return result
    }
}
