import CFuzzDriver
import Foundation

/// Helpers shared by the fuzz targets. A target's entry point is `LLVMFuzzerTestOneInput`; it returns 0
/// for every input. A crash, a trap, a sanitizer report, a leak, a timeout or an allocation above
/// libFuzzer's `-malloc_limit_mb` is a finding; `expect` turns a broken property into a crash.

/// The fuzzer's input as bytes.
public func bytes(_ start: UnsafeRawPointer, _ count: Int) -> [UInt8] {
    [UInt8](UnsafeRawBufferPointer(start: start, count: count))
}

/// A file holding the input, one per process and suffix (readers that take a path run on it as on a
/// real file; $FUZZ_TMP, else the system temporary directory).
public func inputFile(_ input: [UInt8], suffix: String) -> URL {
    let dir = ProcessInfo.processInfo.environment["FUZZ_TMP"] ?? NSTemporaryDirectory()
    let url = URL(fileURLWithPath: dir).appendingPathComponent("nc-fuzz-\(getpid())\(suffix)")
    guard FileManager.default.createFile(atPath: url.path, contents: Data(input)) else { fatalError("cannot write \(url.path)") }
    return url
}

/// A property every result must have; its failure is a crash, so the fuzzer records the input.
public func expect(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String) {
    if !condition() { fatalError("property violated: \(message())") }
}

/// An error a reader may throw: its message must be one line a person can act on, not a raw
/// Foundation dump.
public func expectClean(_ error: Error) {
    let text = "\(error)"
    expect(!text.isEmpty, "an empty error message")
    expect(!text.contains("Error Domain="), "a raw Foundation error: \(text)")
}

/// A target's test function as libFuzzer calls it.
public typealias FuzzBody = @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt

/// Runs libFuzzer on `body` with the process's arguments (see CFuzzDriver); returns its exit status.
public func runFuzzer(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>, _ body: FuzzBody) -> CInt {
    nc_fuzz_main(argc, argv, body)
}

/// A non-null pointer for an empty input (libFuzzer may pass NULL with size 0).
public func nonNull(_ p: UnsafePointer<UInt8>?) -> UnsafeRawPointer {
    p.map(UnsafeRawPointer.init) ?? UnsafeRawPointer(emptyInput)
}

nonisolated(unsafe) private let emptyInput = UnsafeMutablePointer<UInt8>.allocate(capacity: 1)
