import ArgumentParser
import Linalg

/// `--max-memory`, shared by every command that sizes arrays from its input: sets `MemoryBudget.userMaximum`.
struct MemoryOption: ParsableArguments {
    @Option(name: .customLong("max-memory"),
            help: "Refuse work estimated to need more memory than this (e.g. 8G, 512M, 2GiB; default: the machine's memory).")
    var maxMemory: String?

    func validate() throws {
        if let m = maxMemory, MemoryBudget.parse(m) == nil {
            throw ValidationError("--max-memory '\(m)' is not a size: give bytes with an optional K, M, G or T (or Ki, Mi, Gi, Ti) suffix, e.g. 8G")
        }
    }

    func apply() {
        if let m = maxMemory, let b = MemoryBudget.parse(m) { MemoryBudget.userMaximum = b }
    }
}
