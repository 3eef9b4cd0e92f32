import Foundation
import Formats
import FuzzSupport

/// `.npy`: the in-memory decoder and the streaming row reader (header parse, sizes checked against the
/// file before allocation). A decoded array must hold exactly the elements its shape names and survive
/// encode → decode unchanged; the row reader must agree with the decoder on a 2-D float array.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzNPY(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let input = bytes(start, count)
    var decoded: NDArray?
    do {
        let a = try NPY.decode(Data(input), path: "fuzz.npy")
        let (n, overflow) = a.shape.reduce((1, false)) { acc, d in
            let (p, o) = acc.0.multipliedReportingOverflow(by: d)
            return (p, acc.1 || o || d < 0)
        }
        expect(!overflow && n == a.count, "shape \(a.shape) but \(a.count) elements")
        let encoded = NPY.encode(a)
        let again = try NPY.decode(encoded, path: "re-encoded")
        expect(NPY.encode(again) == encoded, "encode ∘ decode is not the identity")
        decoded = a
    } catch { expectClean(error) }
    let url = inputFile(input, suffix: ".npy")
    do {
        let reader = try NPYRowReader(url: url)
        var rows = 0
        var values: [Double] = []
        try reader.forEachBatch(maxRows: 3, as: Double.self) { batch, first in
            expect(first == rows, "batches out of order")
            rows += batch.rows
            values += batch.storage
        }
        expect(rows == reader.rows, "\(rows) rows streamed, header says \(reader.rows)")
        if let a = decoded, a.dtype.isFloatingPoint {
            let direct = a.doubles
            expect(direct.count == values.count && zip(direct, values).allSatisfy { $0 == $1 || ($0.isNaN && $1.isNaN) },
                   "the row reader and the decoder disagree")
        }
    } catch { expectClean(error) }
    return 0
}

/// The executable's entry point (SwiftPM names it `FuzzNPYHeader_main`): libFuzzer's driver on `fuzzNPY`.
@_cdecl("FuzzNPYHeader_main")
public func FuzzNPYHeaderMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    runFuzzer(argc, argv) { data, size in fuzzNPY(nonNull(data), size) }
}
