import ArgumentParser
import Linalg

/// The `collapse` command line: parsing and wiring only; every computation lives in the library targets.
@main
struct CollapseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "collapse",
        abstract: "Neural collapse toolkit: unconstrained features models, NC metrics, theory and trained networks.",
        discussion: """
        NeuralCollapse optimizes the deep unconstrained features models of Tirer & Bruna (ICML 2022) and
        Súkeník, Mondelli & Lampert (NeurIPS 2023), measures neural collapse (NC1–NC4) per layer, compares
        every run with the closed-form theory, and measures features exported from PyTorch or JAX.

        Linear algebra runs on OpenBLAS/LAPACK; set OPENBLAS_NUM_THREADS to choose the thread count.
        """,
        version: Linalg.version,
        subcommands: [Version.self, Bench.self, Train.self, Measure.self]
    )
}

struct Version: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print the toolkit's version and the BLAS it runs on.")
    func run() {
        print("collapse \(Linalg.version)")
        print("BLAS: OpenBLAS, \(BLASThreads.count) thread(s) of \(BLASThreads.processors) processor(s)")
    }
}
