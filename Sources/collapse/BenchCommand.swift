import ArgumentParser
import Benchmarks
import Foundation

/// `collapse bench SUITE`: each suite measures the toolkit and, in the same run, the tool a user would
/// otherwise pick (NumPy or PyTorch on CPU, through `python3 bench/<suite>.py`), and prints the ratio.
/// Numbers and method are recorded in BENCHMARKS.md; the measurement code is the Benchmarks library target.
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Benchmarks: this toolkit side by side with NumPy/PyTorch, with the ratio.",
        discussion: """
        Every suite runs its Python reference as a subprocess (python3 bench/<suite>.py), so run it from the repository root or pass --bench-dir. Benchmarks are never part of the test suite; BENCHMARKS.md records their figures.
        """,
        subcommands: [BenchLinalg.self, BenchMeasure.self, BenchUFM.self, BenchNets.self, BenchSweep.self]
    )
}

/// Options shared by every benchmark suite.
struct BenchOptions: ParsableArguments {
    @Option(help: "Directory holding the Python reference scripts.")
    var benchDir: String = "bench"
    @Option(help: "Python interpreter for the reference side.")
    var python: String = "python3"
    @Flag(help: "Skip the Python reference (toolkit figures only).")
    var noReference = false

    var reference: ReferenceSide { ReferenceSide(benchDir: benchDir, python: python, enabled: !noReference) }
}
