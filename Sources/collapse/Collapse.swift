import ArgumentParser
import Foundation
import Linalg
import Report

/// The `collapse` command line: parsing and wiring only; every computation lives in the library targets.
@main
struct CollapseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "collapse",
        abstract: "Neural collapse toolkit: unconstrained features models, NC metrics, theory and trained networks.",
        discussion: """
        NeuralCollapse optimizes the deep unconstrained features models (UFMs) of Tirer & Bruna (ICML 2022) and Súkeník, Mondelli & Lampert (NeurIPS 2023), measures neural collapse (NC1–NC4) per layer, compares every run with the closed-form theory, trains ResNet18/MLP-head networks on real data, and measures features exported from PyTorch or JAX.

        Start here:
          collapse reproduce --list            the papers' figures, one preset each
          collapse reproduce tirer2022-fig4    run one (→ runs/tirer2022-fig4)
          collapse theory CONFIG.toml          the theorems' prediction for a config
          collapse run CONFIG.toml             any model (schema: docs/models.md)
          collapse measure FEATURES.npz        NC metrics of PyTorch/JAX features

        Every run writes a directory with config.toml, metrics.csv, summary.json, params.npz, figures/*.svg and index.html. Documentation: README.md and docs/ (models, metrics, theory, formats, figures, reproductions). Linear algebra runs on OpenBLAS/LAPACK; OPENBLAS_NUM_THREADS sets the thread count.
        """,
        version: Version.text,
        subcommands: [Run.self, Reproduce.self, SweepCommand.self, TheoryCommand.self, Measure.self, Train.self, Plot.self, Bench.self, Version.self]
    )

    /// Start-up: OpenBLAS's kernels for this CPU first (Linalg's `BLASKernels`), then the command.
    static func main() {
        if let warning = BLASKernels.select() { FileHandle.standardError.write(Data((warning + "\n").utf8)) }
        main(nil)
    }
}

struct Version: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print the toolkit's version and the BLAS it runs on.")
    /// The text of `collapse version` and `collapse --version` (read after start-up chose the kernels).
    static var text: String {
        let blas = BLASInfo.current
        return """
            collapse \(Linalg.version) (git commit \(RunProvenance.builtCommit))
            BLAS: \(blas.summary)
            CPU: \(blas.cpu.summary); widest OpenBLAS core it can run: \(blas.preferredCore ?? "none")
            OpenBLAS cores this CPU can run: \(OpenBLASCore.runnable(for: blas.cpu, known: BLASKernels.knownCores).joined(separator: " "))
            """
    }

    func run() {
        print(Self.text)
    }
}
