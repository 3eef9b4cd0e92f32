import Foundation
import Formats
import FuzzSupport
import Nets
import UFM

/// TOML configs and `--set` overrides. The input is a document, optionally followed by a NUL byte and
/// an override (`section.key=value`). The parser, then both config validators (`collapse run`'s and
/// `collapse train`'s), run on it; any outcome but a crash is fine, and an error must be a clean message.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTOML(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let input = bytes(start, count)
    let split = input.firstIndex(of: 0) ?? input.count
    let document = Array(input[..<split])
    let override = split < input.count ? String(decoding: input[(split + 1)...], as: UTF8.self) : nil
    do {
        let tree = try TOMLValue.parseDocument(bytes: document, source: "fuzz.toml")
        let text = String(decoding: document, as: UTF8.self)
        let fromText = try TOMLValue.parseDocument(text, source: "fuzz.toml")
        expect(fromText == tree || hasNaN(tree), "bytes and text parse differently")
    } catch { expectClean(error) }
    if let override {
        do { _ = try TOMLValue.parseOverrideValue(override, override: "x=\(override)") } catch { expectClean(error) }
    }
    let text = String(decoding: document, as: UTF8.self)
    let overrides = override.map { [$0] } ?? []
    do { _ = try UFMConfig.parse(text, overrides: overrides, source: "fuzz.toml") } catch { expectClean(error) }
    do { _ = try TrainConfig.parse(text, overrides: overrides, source: "fuzz.toml") } catch { expectClean(error) }
    return 0
}

/// NaN ≠ NaN, so a tree holding one is not equal to itself.
func hasNaN(_ t: [String: TOMLValue]) -> Bool {
    func nan(_ v: TOMLValue) -> Bool {
        switch v {
        case .double(let x): x.isNaN
        case .array(let a): a.contains(where: nan)
        case .table(let t): t.values.contains(where: nan)
        default: false
        }
    }
    return t.values.contains(where: nan)
}

/// The executable's entry point (SwiftPM names it `FuzzTOML_main`): libFuzzer's driver on `fuzzTOML`.
@_cdecl("FuzzTOML_main")
public func FuzzTOMLMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    runFuzzer(argc, argv) { data, size in fuzzTOML(nonNull(data), size) }
}
