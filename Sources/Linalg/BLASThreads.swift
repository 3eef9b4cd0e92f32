import COpenBLAS

/// The number of threads OpenBLAS uses for level-3 BLAS and LAPACK.
///
/// Small unconstrained-features models run fastest on one thread (thread start-up costs more than the
/// product); large ones are BLAS-bound and use every core. The environment variable
/// `OPENBLAS_NUM_THREADS` sets the initial value; this overrides it for the whole process.
public enum BLASThreads {
    /// Setting it clamps to 1 … `processors`: more threads than cores gain nothing, and under a memory
    /// limit OpenBLAS can fail to start them and then wait forever.
    public static var count: Int {
        get { Int(openblas_get_num_threads()) }
        set { openblas_set_num_threads(Int32(clamping: capped(newValue).threads)) }
    }
    /// Number of processors OpenBLAS detected.
    public static var processors: Int { Int(openblas_get_num_procs()) }

    /// `requested` capped at the core count (at least 1), with a note for the user when it was capped.
    /// Shared by `run.threads` of UFM runs and network training.
    public static func capped(_ requested: Int, key: String = "run.threads") -> (threads: Int, note: String?) {
        let cores = max(1, processors)
        if requested > cores {
            return (cores, "\(key) = \(requested) is more than the \(cores) core(s) of this machine; using \(cores)")
        }
        return (max(1, requested), nil)
    }
}
