/// OpenBLAS's x86-64 kernel sets ("cores"), and which one a CPU should run.
///
/// A DYNAMIC_ARCH OpenBLAS (Debian's is one) holds every core's kernels and picks one when the library loads,
/// from its own table of CPU models. A CPU model newer than the library (Debian 12's OpenBLAS 0.3.21 does not
/// know Intel family 6 model 207, for one) gets the generic `Prescott` kernels: SSE3, 4–6× slower at dgemm on
/// an AVX-512 machine. `OPENBLAS_CORETYPE` overrides the pick; `preferred(for:known:)` derives the core from the
/// CPU's features alone, so that it needs no table of models.
public enum OpenBLASCore {
    /// The kernel sets by vector width, widest first, with the features each needs. The first that the CPU can
    /// run and the library holds is the one to run. `Zen` (AMD) and `Haswell` (Intel) are both AVX2+FMA.
    static let ladder: [(name: String, runs: @Sendable (CPUFeatures) -> Bool)] = [
        ("SapphireRapids", { $0.hasAVX512Base && $0.features.isSuperset(of: [.avx512_bf16, .amx_tile, .amx_bf16]) }),
        ("Cooperlake", { $0.hasAVX512Base && $0.features.contains(.avx512_bf16) }),
        ("SkylakeX", { $0.hasAVX512Base }),
        ("Zen", { $0.isAMD && $0.features.isSuperset(of: [.avx2, .fma]) }),
        ("Haswell", { $0.features.isSuperset(of: [.avx2, .fma]) }),
        ("Sandybridge", { $0.features.contains(.avx) }),
        ("Nehalem", { $0.features.isSuperset(of: [.ssse3, .sse4_1, .sse4_2]) }),
        ("Core2", { $0.features.contains(.ssse3) }),
        ("Prescott", { $0.features.contains(.sse3) }),
    ]

    /// Vector-width class of a core name as `openblas_get_corename()` spells it: 0 = SSE2/SSE3 (generic),
    /// 1 = SSSE3/SSE4, 2 = AVX, 3 = AVX2, 4 = AVX-512, 5 = AVX-512 with BF16 (and AMX). `nil` for a name this
    /// table does not know (a newer library's): such a core is never overridden.
    public static func level(of core: String) -> Int? {
        switch core.lowercased() {
        case "katmai", "coppermine", "northwood", "prescott", "banias", "athlon", "opteron", "opteron_sse3",
             "barcelona", "bobcat", "nano", "atom", "unknown": return 0
        case "core2", "penryn", "dunnington", "nehalem": return 1
        case "sandybridge", "bulldozer", "piledriver", "steamroller": return 2
        case "haswell", "zen", "excavator": return 3
        case "skylakex": return 4
        case "cooperlake", "sapphirerapids": return 5
        default: return nil
        }
    }

    /// The widest core that `cpu` can run among `known` (the library's cores, spelled as in `ladder`);
    /// `nil` when none fits (not x86-64, or a library built for one target only, where `known` is empty).
    public static func preferred(for cpu: CPUFeatures, known: Set<String>) -> String? {
        ladder.first { known.contains($0.name) && $0.runs(cpu) }?.name
    }

    /// Every core of `known` that `cpu` can run, widest first (what CI runs the test suite under).
    public static func runnable(for cpu: CPUFeatures, known: Set<String>) -> [String] {
        ladder.filter { known.contains($0.name) && $0.runs(cpu) }.map(\.name)
    }

    /// Whether `core` is one of the generic SSE-only sets while `cpu` could run AVX2 or wider from `known`:
    /// the case that costs several times the speed and earns a warning.
    public static func isGenericFallback(_ core: String, cpu: CPUFeatures, known: Set<String>) -> Bool {
        guard let running = level(of: core), running <= 1,
              let best = preferred(for: cpu, known: known), let bestLevel = level(of: best) else { return false }
        return bestLevel >= 3
    }

    /// What start-up should do about the kernels OpenBLAS picked.
    public enum Decision: Equatable, Sendable {
        /// Keep what runs: `core` is right for the CPU, or the user chose it.
        case keep
        /// Run the program again with `OPENBLAS_CORETYPE=core` (the library reads it only while loading).
        case restart(core: String)
    }

    /// The start-up decision, a pure function of the CPU, the library and the environment:
    /// - `userSetting` (`OPENBLAS_CORETYPE`) present: keep it, whatever it is;
    /// - else restart with `preferred(for:known:)` when the library's own pick `libraryCore` is of a narrower
    ///   vector class (its table did not know the CPU); keep a core of the same class (Haswell vs Zen) and
    ///   any core name this table does not know.
    public static func decide(cpu: CPUFeatures, libraryCore: String, known: Set<String>,
                              userSetting: String?) -> Decision {
        if let u = userSetting, !u.isEmpty { return .keep }
        guard let best = preferred(for: cpu, known: known), let bestLevel = level(of: best),
              let running = level(of: libraryCore), running < bestLevel else { return .keep }
        return .restart(core: best)
    }
}
