import CCPUID

/// What the processor is and which vector instruction sets it can use, from CPUID and XGETBV.
///
/// `features` holds only extensions that the CPU reports *and* the operating system has enabled (a kernel
/// that uses AVX-512 faults when the OS does not save the ZMM registers). Off x86-64 `vendor` is empty and
/// `features` is empty.
public struct CPUFeatures: Sendable, Equatable {
    public enum Feature: String, Sendable, CaseIterable, Comparable {
        case sse3, ssse3, sse4_1, sse4_2, avx, fma, avx2
        case avx512f, avx512dq, avx512cd, avx512bw, avx512vl, avx512_bf16, avx512_fp16
        case amx_tile, amx_bf16

        public static func < (a: Feature, b: Feature) -> Bool {
            allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
        }
    }

    /// "GenuineIntel", "AuthenticAMD", "HygonGenuine", …
    public var vendor: String
    /// Display family (base + extended family), e.g. 6 for Intel Core/Xeon, 25 (0x19) for AMD Zen 3/4.
    public var family: Int
    /// Display model (base + extended model << 4), e.g. 207 (0xCF) for Intel Emerald Rapids.
    public var model: Int
    public var features: Set<Feature>

    public init(vendor: String, family: Int, model: Int, features: Set<Feature>) {
        self.vendor = vendor
        self.family = family
        self.model = model
        self.features = features
    }

    /// AVX-512 F, DQ, CD, BW and VL: the set OpenBLAS's SkylakeX kernels need.
    public var hasAVX512Base: Bool {
        features.isSuperset(of: [.avx512f, .avx512dq, .avx512cd, .avx512bw, .avx512vl])
    }

    public var isAMD: Bool { vendor == "AuthenticAMD" || vendor == "HygonGenuine" }

    /// The processor this process runs on.
    public static let current: CPUFeatures = {
        var info = ccpuid_info()
        guard ccpuid_read(&info) == 1 else { return CPUFeatures(vendor: "", family: 0, model: 0, features: []) }
        let vendor = withUnsafeBytes(of: info.vendor) { raw in
            String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
        }
        let bits: [(UInt32, Feature)] = [
            (UInt32(CCPUID_SSE3), .sse3), (UInt32(CCPUID_SSSE3), .ssse3), (UInt32(CCPUID_SSE4_1), .sse4_1),
            (UInt32(CCPUID_SSE4_2), .sse4_2), (UInt32(CCPUID_AVX), .avx), (UInt32(CCPUID_FMA), .fma),
            (UInt32(CCPUID_AVX2), .avx2), (UInt32(CCPUID_AVX512F), .avx512f), (UInt32(CCPUID_AVX512DQ), .avx512dq),
            (UInt32(CCPUID_AVX512CD), .avx512cd), (UInt32(CCPUID_AVX512BW), .avx512bw),
            (UInt32(CCPUID_AVX512VL), .avx512vl), (UInt32(CCPUID_AVX512_BF16), .avx512_bf16),
            (UInt32(CCPUID_AVX512_FP16), .avx512_fp16), (UInt32(CCPUID_AMX_TILE), .amx_tile),
            (UInt32(CCPUID_AMX_BF16), .amx_bf16),
        ]
        let features = Set(bits.filter { info.features & $0.0 != 0 }.map(\.1))
        return CPUFeatures(vendor: vendor, family: Int(info.family), model: Int(info.model), features: features)
    }()

    /// "AuthenticAMD family 26 model 2" plus the widest vector extension, for reports.
    public var summary: String {
        guard !vendor.isEmpty else { return "not x86-64" }
        let widest: String
        if hasAVX512Base { widest = features.contains(.avx512_bf16) ? "AVX-512 with BF16" : "AVX-512" }
        else if features.contains(.avx2) { widest = "AVX2" }
        else if features.contains(.avx) { widest = "AVX" }
        else { widest = "SSE only" }
        return "\(vendor) family \(family) model \(model), \(widest)"
    }
}
