import Foundation
import FuzzSupport
import Report

/// A run's metrics.csv (read by `collapse plot` and `--resume`): a header of unique names, then rows of
/// numbers or empty fields. A result has one value per column in every row.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzMetricsCSV(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let url = inputFile(bytes(start, count), suffix: ".csv")
    do {
        let t = try MetricsTable.read(url)
        expect(t.rows.allSatisfy { $0.count == t.columns.count }, "a row with the wrong number of fields")
        expect(Set(t.columns).count == t.columns.count, "duplicate columns")
    } catch { expectClean(error) }
    return 0
}

/// The executable's entry point (SwiftPM names it `FuzzMetricsCSV_main`): libFuzzer's driver on `fuzzMetricsCSV`.
@_cdecl("FuzzMetricsCSV_main")
public func FuzzMetricsCSVMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    runFuzzer(argc, argv) { data, size in fuzzMetricsCSV(nonNull(data), size) }
}
