import Foundation
import FuzzSupport
import Report

/// A run's summary.json through Report's JSON parser (RFC 8259 plus Python's NaN/Infinity): depth
/// bounded, errors with line and column. A parsed value must survive rendering and parsing again.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSummaryJSON(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let url = inputFile(bytes(start, count), suffix: ".json")
    do {
        let v = try JSONValue.read(url)
        _ = v.value(at: "theory.objective")
        // Rendering writes non-finite numbers as null (summary.json's convention), so the first round
        // trip may change the value; from then on render ∘ parse must be the identity.
        let once = try JSONValue.parse(v.serialized(), path: "rendered").serialized()
        let twice = try JSONValue.parse(once, path: "re-rendered").serialized()
        expect(once == twice, "render ∘ parse is not the identity")
    } catch { expectClean(error) }
    return 0
}

/// The executable's entry point (SwiftPM names it `FuzzSummaryJSON_main`): libFuzzer's driver on `fuzzSummaryJSON`.
@_cdecl("FuzzSummaryJSON_main")
public func FuzzSummaryJSONMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    runFuzzer(argc, argv) { data, size in fuzzSummaryJSON(nonNull(data), size) }
}
