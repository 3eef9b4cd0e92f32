import Testing
@testable import Linalg

/// The kernel choice as a pure function of what CPUID reports and what the library reports, so that every
/// case runs on any CPU.
@Suite struct OpenBLASCoreTests {
    typealias F = CPUFeatures.Feature
    static let sse: Set<F> = [.sse3, .ssse3, .sse4_1, .sse4_2]
    static let avx2: Set<F> = sse.union([.avx, .fma, .avx2])
    static let avx512: Set<F> = avx2.union([.avx512f, .avx512dq, .avx512cd, .avx512bw, .avx512vl])
    /// The cores Debian 12's OpenBLAS 0.3.21 exports (`nm -D`: no SapphireRapids).
    static let debian: Set<String> = ["Cooperlake", "SkylakeX", "Zen", "Haswell", "Sandybridge", "Nehalem", "Core2", "Prescott"]
    static let current: Set<String> = debian.union(["SapphireRapids"])

    /// The Xeon of the fallback report: family 6 model 207, AVX-512 with BF16, FP16 and AMX.
    static let emeraldRapids = CPUFeatures(vendor: "GenuineIntel", family: 6, model: 207,
                                           features: avx512.union([.avx512_bf16, .avx512_fp16, .amx_tile, .amx_bf16]))
    static let zen5 = CPUFeatures(vendor: "AuthenticAMD", family: 26, model: 2, features: avx512.union([.avx512_bf16]))
    static let zen2 = CPUFeatures(vendor: "AuthenticAMD", family: 23, model: 49, features: avx2)
    static let skylakeX = CPUFeatures(vendor: "GenuineIntel", family: 6, model: 85, features: avx512)
    static let haswell = CPUFeatures(vendor: "GenuineIntel", family: 6, model: 60, features: avx2)

    @Test func preferredCoreIsTheWidestTheCPUCanRunAndTheLibraryHolds() {
        #expect(OpenBLASCore.preferred(for: Self.emeraldRapids, known: Self.debian) == "Cooperlake")
        #expect(OpenBLASCore.preferred(for: Self.emeraldRapids, known: Self.current) == "SapphireRapids")
        #expect(OpenBLASCore.preferred(for: Self.zen5, known: Self.current) == "Cooperlake")
        #expect(OpenBLASCore.preferred(for: Self.skylakeX, known: Self.debian) == "SkylakeX")
        #expect(OpenBLASCore.preferred(for: Self.zen2, known: Self.debian) == "Zen")
        #expect(OpenBLASCore.preferred(for: Self.haswell, known: Self.debian) == "Haswell")
        #expect(OpenBLASCore.preferred(for: Self.haswell, known: ["Prescott"]) == "Prescott")
        #expect(OpenBLASCore.preferred(for: Self.haswell, known: []) == nil)
        let sseOnly = CPUFeatures(vendor: "GenuineIntel", family: 6, model: 26, features: Self.sse)
        #expect(OpenBLASCore.preferred(for: sseOnly, known: Self.debian) == "Nehalem")
        // AVX-512 that the OS does not enable is absent from `features`: AVX2 kernels.
        #expect(OpenBLASCore.preferred(for: CPUFeatures(vendor: "GenuineIntel", family: 6, model: 85,
                                                        features: Self.avx2), known: Self.debian) == "Haswell")
    }

    @Test func runnableCoresAreWidestFirst() {
        #expect(OpenBLASCore.runnable(for: Self.zen5, known: Self.debian)
                == ["Cooperlake", "SkylakeX", "Zen", "Haswell", "Sandybridge", "Nehalem", "Core2", "Prescott"])
        #expect(OpenBLASCore.runnable(for: Self.haswell, known: ["Prescott", "Haswell", "SkylakeX"]) == ["Haswell", "Prescott"])
    }

    @Test func aLibraryFallbackIsReplacedByTheCPUsCore() {
        #expect(OpenBLASCore.decide(cpu: Self.emeraldRapids, libraryCore: "Prescott", known: Self.debian,
                                    userSetting: nil) == .restart(core: "Cooperlake"))
        #expect(OpenBLASCore.decide(cpu: Self.haswell, libraryCore: "Prescott", known: Self.debian,
                                    userSetting: "") == .restart(core: "Haswell"))
        #expect(OpenBLASCore.decide(cpu: Self.skylakeX, libraryCore: "Haswell", known: Self.debian,
                                    userSetting: nil) == .restart(core: "SkylakeX"))
    }

    @Test func aGoodLibraryPickAUsersSettingAndUnknownNamesAreKept() {
        #expect(OpenBLASCore.decide(cpu: Self.zen5, libraryCore: "Cooperlake", known: Self.debian, userSetting: nil) == .keep)
        // Same vector class: Haswell's and Zen's kernels are both AVX2+FMA.
        #expect(OpenBLASCore.decide(cpu: Self.zen2, libraryCore: "Haswell", known: Self.debian, userSetting: nil) == .keep)
        #expect(OpenBLASCore.decide(cpu: Self.emeraldRapids, libraryCore: "Prescott", known: Self.debian,
                                    userSetting: "Prescott") == .keep)
        #expect(OpenBLASCore.decide(cpu: Self.zen5, libraryCore: "Zen5", known: Self.current, userSetting: nil) == .keep)
        #expect(OpenBLASCore.decide(cpu: Self.emeraldRapids, libraryCore: "Prescott", known: [], userSetting: nil) == .keep)
    }

    @Test func onlyGenericSSECoresOnAnAVX2CPUAreFallbacks() {
        #expect(OpenBLASCore.isGenericFallback("Prescott", cpu: Self.emeraldRapids, known: Self.debian))
        #expect(OpenBLASCore.isGenericFallback("Nehalem", cpu: Self.zen2, known: Self.debian))
        #expect(!OpenBLASCore.isGenericFallback("Haswell", cpu: Self.zen5, known: Self.debian))
        #expect(!OpenBLASCore.isGenericFallback("Cooperlake", cpu: Self.zen5, known: Self.debian))
        let sseOnly = CPUFeatures(vendor: "GenuineIntel", family: 6, model: 26, features: Self.sse)
        #expect(!OpenBLASCore.isGenericFallback("Prescott", cpu: sseOnly, known: Self.debian))
    }

    /// This process's library and CPU: the names line up with the ladder, and the record is filled in.
    @Test func theLoadedLibraryIsDescribed() {
        let info = BLASInfo.current
        #expect(info.library == "OpenBLAS")
        #expect(info.version.split(separator: ".").count == 3, "\(info.configuration)")
        #expect(OpenBLASCore.level(of: info.core) != nil, "core \(info.core) is not in OpenBLASCore's table")
        #expect(info.threads >= 1 && info.processors >= 1)
        #if arch(x86_64)
        #expect(info.cpu.features.contains(.sse3))
        #expect(BLASKernels.knownCores.contains("Prescott"), "Debian's OpenBLAS is a DYNAMIC_ARCH build")
        #expect(info.preferredCore != nil)
        #endif
    }
}
