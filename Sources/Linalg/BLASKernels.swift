import COpenBLAS
#if canImport(Glibc)
import Glibc
#endif

/// Makes OpenBLAS run the kernels made for this CPU.
///
/// OpenBLAS picks its kernel set ("core") while the library loads, before `main`, from a table of CPU models;
/// a model newer than the library falls back to the generic `Prescott` kernels. `select()` checks the pick
/// against the CPU's features (`OpenBLASCore.decide`) and, when the pick is too narrow, switches the loaded
/// library to the preferred core in place: it sets `OPENBLAS_CORETYPE` for the library's own initializer,
/// re-runs it (`gotoblas_dynamic_quit`, `gotoblas_dynamic_init`: exported by every DYNAMIC_ARCH build), and
/// restores the environment, so that child processes see the user's. A user's `OPENBLAS_CORETYPE` is kept.
///
/// The design notes in README.md give the measurements behind this choice (against a re-exec or a newer
/// OpenBLAS).
public enum BLASKernels {
    nonisolated(unsafe) private static var chosen: BLASInfo.CoreSource?

    /// How the running core was chosen (`.library` or `.environment` until `select()` changes it).
    public static var source: BLASInfo.CoreSource {
        if let chosen { return chosen }
        if let u = getenv("OPENBLAS_CORETYPE"), u.pointee != 0 { return .environment }
        return .library
    }

    /// The kernel sets of `OpenBLASCore.ladder` that the loaded library holds: a DYNAMIC_ARCH OpenBLAS exports
    /// one `gotoblas_<CORE>` table per set. Empty for a single-target build, where no core can be chosen.
    public static let knownCores: Set<String> = {
        guard let handle = dlopen(nil, RTLD_NOW) else { return [] }
        return Set(OpenBLASCore.ladder.map(\.name).filter { dlsym(handle, "gotoblas_" + $0.uppercased()) != nil })
    }()

    /// Chooses the kernels as described above; returns the one-line warning of `BLASInfo.fallbackWarning`
    /// when the kernels that run are still generic. Call once, first thing in `main`, before any BLAS call
    /// and before any other thread starts: the switch is not safe while a BLAS call runs.
    @discardableResult
    public static func select() -> String? {
        let user = getenv("OPENBLAS_CORETYPE").map { String(cString: $0) }
        let libraryCore = String(cString: openblas_get_corename())
        if case .restart(let core) = OpenBLASCore.decide(cpu: .current, libraryCore: libraryCore,
                                                        known: knownCores, userSetting: user),
           let handle = dlopen(nil, RTLD_NOW),
           let quit = dlsym(handle, "gotoblas_dynamic_quit"), let initialize = dlsym(handle, "gotoblas_dynamic_init") {
            typealias VoidFunction = @convention(c) () -> Void
            setenv("OPENBLAS_CORETYPE", core, 1)
            unsafeBitCast(quit, to: VoidFunction.self)()
            unsafeBitCast(initialize, to: VoidFunction.self)()
            unsetenv("OPENBLAS_CORETYPE")
            chosen = .selected(libraryCore: libraryCore)
        }
        return BLASInfo.current.fallbackWarning
    }
}
