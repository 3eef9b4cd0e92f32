import Foundation
import Formats
import FuzzSupport

/// `.npz` (ZIP of `.npy`): every reading path (all arrays, names only, one member, streamed rows) on
/// the same bytes. They must agree: the names `read` returns are `names(in:)`, and each member read
/// alone equals the one read with the rest.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzNPZ(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let url = inputFile(bytes(start, count), suffix: ".npz")
    do {
        let all = try NPZ.read(url)
        let names = try NPZ.names(in: url)
        expect(all.map(\.name) == names, "read gives \(all.map(\.name)), names gives \(names)")
        expect(Set(names).count == names.count, "duplicate names \(names)")
        for (name, array) in all.prefix(4) {
            let alone = try NPZ.member(name, in: url)
            expect(NPY.encode(alone) == NPY.encode(array), "member '\(name)' differs when read alone")
            if array.shape.count == 2 && array.dtype.isFloatingPoint {
                let reader = try NPYRowReader(npz: url, member: name)
                var streamed: [Double] = []
                try reader.forEachBatch(maxRows: 2, as: Double.self) { batch, _ in streamed += batch.storage }
                let direct = array.doubles
                expect(streamed.count == direct.count && zip(streamed, direct).allSatisfy { $0 == $1 || ($0.isNaN && $1.isNaN) },
                       "member '\(name)' streams differently")
            }
        }
    } catch { expectClean(error) }
    return 0
}

/// The executable's entry point (SwiftPM names it `FuzzNPZ_main`): libFuzzer's driver on `fuzzNPZ`.
@_cdecl("FuzzNPZ_main")
public func FuzzNPZMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    runFuzzer(argc, argv) { data, size in fuzzNPZ(nonNull(data), size) }
}
