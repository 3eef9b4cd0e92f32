import Linalg

extension JSONValue {
    /// summary.json's `blas` member: which BLAS ran, with which kernels, how they were chosen, and its threads.
    ///
    ///     {"library": "OpenBLAS", "version": "0.3.21", "core": "Cooperlake", "core_source": "library",
    ///      "threads": 2, "cpu": "AuthenticAMD family 26 model 2, AVX-512 with BF16"}
    ///
    /// `core_source` is "library" (OpenBLAS's own pick), "OPENBLAS_CORETYPE", or "cpuid" (start-up replaced a
    /// narrower pick of the library, kept in `library_core`). `threads` defaults to the current BLAS thread count.
    public static func blas(_ info: BLASInfo, threads: Int? = nil, note: String? = nil) -> JSONValue {
        var v: JSONValue = ["library": .string(info.library), "version": .string(info.version), "core": .string(info.core)]
        switch info.coreSource {
        case .library: v.set("core_source", "library")
        case .environment: v.set("core_source", "OPENBLAS_CORETYPE")
        case .selected(let pick):
            v.set("core_source", "cpuid")
            v.set("library_core", .string(pick))
        }
        v.set("threads", .number(Double(threads ?? info.threads)))
        if let note { v.set("note", .string(note)) }
        v.set("cpu", .string(info.cpu.summary))
        return v
    }
}
