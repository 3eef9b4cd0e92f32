import COpenBLAS

/// Which BLAS runs, with which kernels and threads: printed by `collapse --version`, recorded in every run's
/// summary.json and in every benchmark's output.
public struct BLASInfo: Sendable, Equatable {
    /// How the running kernel set (`core`) was chosen.
    public enum CoreSource: Sendable, Equatable {
        /// OpenBLAS's own pick from its table of CPU models.
        case library
        /// The user's `OPENBLAS_CORETYPE`.
        case environment
        /// `BLASKernels.select()` replaced the library's pick `libraryCore`, which was of a narrower vector class.
        case selected(libraryCore: String)
    }

    /// "OpenBLAS".
    public var library: String
    /// "0.3.21" (from `openblas_get_config()`).
    public var version: String
    /// The kernel set in use, as `openblas_get_corename()` reports it: "Cooperlake", "Haswell", "Prescott", ….
    public var core: String
    public var coreSource: CoreSource
    /// The widest kernel set that this CPU can run and this library holds (`OpenBLASCore.preferred`).
    public var preferredCore: String?
    public var threads: Int
    public var processors: Int
    /// The library's build configuration, e.g. "OpenBLAS 0.3.21 NO_LAPACKE DYNAMIC_ARCH NO_AFFINITY Haswell MAX_THREADS=64".
    public var configuration: String
    public var cpu: CPUFeatures

    /// The BLAS of this process, now.
    public static var current: BLASInfo {
        let config = String(cString: openblas_get_config())
        let words = config.split(separator: " ")
        return BLASInfo(
            library: words.first.map(String.init) ?? "OpenBLAS",
            version: words.count > 1 ? String(words[1]) : "unknown",
            core: String(cString: openblas_get_corename()),
            coreSource: BLASKernels.source,
            preferredCore: OpenBLASCore.preferred(for: .current, known: BLASKernels.knownCores),
            threads: BLASThreads.count, processors: BLASThreads.processors,
            configuration: config, cpu: .current)
    }

    /// "library's pick", "OPENBLAS_CORETYPE", or "chosen from CPUID; the library's pick was Prescott".
    public var coreSourceText: String {
        switch coreSource {
        case .library: return "the library's pick"
        case .environment: return "set by OPENBLAS_CORETYPE"
        case .selected(let pick): return "chosen from CPUID; the library's own pick was \(pick)"
        }
    }

    /// One line: "OpenBLAS 0.3.21, core Cooperlake (the library's pick), 2 thread(s) of 2 processor(s)".
    public var summary: String {
        "\(library) \(version), core \(core) (\(coreSourceText)), \(threads) thread(s) of \(processors) processor(s)"
    }

    /// The one-line warning for a generic SSE kernel set on a CPU that can run AVX2 or wider, naming the fix;
    /// `nil` otherwise.
    public var fallbackWarning: String? {
        guard OpenBLASCore.isGenericFallback(core, cpu: cpu, known: BLASKernels.knownCores),
              let best = preferredCore else { return nil }
        let fix = coreSource == .environment
            ? "unset OPENBLAS_CORETYPE or set OPENBLAS_CORETYPE=\(best)"
            : "set OPENBLAS_CORETYPE=\(best)"
        return "warning: OpenBLAS runs its generic \(core) kernels, several times slower than the \(best) kernels "
            + "this CPU (\(cpu.summary)) can run: \(fix)"
    }
}
