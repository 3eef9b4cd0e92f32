import Foundation
import Formats
import FuzzSupport

/// `.safetensors`: header length bounded before reading, offsets checked for order and overlap. A
/// decoded file must re-encode to bytes that decode to the same tensors.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSafetensors(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    do {
        let tensors = try Safetensors.decode(Data(bytes(start, count)), path: "fuzz.safetensors")
        for (name, a) in tensors { expect(a.count == a.shape.reduce(1, *), "tensor '\(name)': shape \(a.shape), \(a.count) elements") }
        let again = try Safetensors.decode(try Safetensors.encode(tensors), path: "re-encoded")
        expect(again.map(\.name) == tensors.map(\.name), "names change on re-encoding")
        expect(zip(again, tensors).allSatisfy { NPY.encode($0.array) == NPY.encode($1.array) }, "tensors change on re-encoding")
    } catch { expectClean(error) }
    return 0
}

/// The executable's entry point (SwiftPM names it `FuzzSafetensors_main`): libFuzzer's driver on `fuzzSafetensors`.
@_cdecl("FuzzSafetensors_main")
public func FuzzSafetensorsMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    runFuzzer(argc, argv) { data, size in fuzzSafetensors(nonNull(data), size) }
}
