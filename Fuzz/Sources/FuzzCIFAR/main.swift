import Foundation
import Formats
import FuzzSupport

/// A CIFAR-10 binary batch (raw or gzip): whole 3,073-byte records, labels 0–9.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCIFAR(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let url = inputFile(bytes(start, count), suffix: ".bin")
    do {
        let b = try CIFAR10.readBatch(url)
        expect(b.pixels.count == 3072 * b.labels.count && !b.labels.isEmpty, "\(b.pixels.count) pixels for \(b.labels.count) labels")
        expect(b.labels.allSatisfy { (0..<10).contains($0) }, "a label outside 0–9")
    } catch { expectClean(error) }
    return 0
}

/// The executable's entry point (SwiftPM names it `FuzzCIFAR_main`): libFuzzer's driver on `fuzzCIFAR`.
@_cdecl("FuzzCIFAR_main")
public func FuzzCIFARMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    runFuzzer(argc, argv) { data, size in fuzzCIFAR(nonNull(data), size) }
}
