import COpenBLAS

/// The number of threads OpenBLAS uses for level-3 BLAS and LAPACK.
///
/// Small unconstrained-features models run fastest on one thread (thread start-up costs more than the
/// product); large ones are BLAS-bound and use every core. The environment variable
/// `OPENBLAS_NUM_THREADS` sets the initial value; this overrides it for the whole process.
public enum BLASThreads {
    public static var count: Int {
        get { Int(openblas_get_num_threads()) }
        set { openblas_set_num_threads(Int32(max(1, newValue))) }
    }
    /// Number of processors OpenBLAS detected.
    public static var processors: Int { Int(openblas_get_num_procs()) }
}
