import Foundation
import Formats
import FuzzSupport

/// IDX (MNIST's format), raw or gzip: dimensions checked before allocation, gzip inflated in steps and
/// checked for a complete stream. A result holds exactly the elements its shape names.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzIDX(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let url = inputFile(bytes(start, count), suffix: ".idx")
    do {
        let a = try IDX.read(url)
        expect(a.dtype == .uint8 && a.count == a.shape.reduce(1, *), "shape \(a.shape), \(a.count) elements")
    } catch { expectClean(error) }
    return 0
}

/// The executable's entry point (SwiftPM names it `FuzzIDX_main`): libFuzzer's driver on `fuzzIDX`.
@_cdecl("FuzzIDX_main")
public func FuzzIDXMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    runFuzzer(argc, argv) { data, size in fuzzIDX(nonNull(data), size) }
}
