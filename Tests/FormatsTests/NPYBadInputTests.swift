import Foundation
import Testing
@testable import Formats

/// Every kind of bad `.npy` input throws its own typed error that names the file.
@Suite("NPY bad input")
struct NPYBadInputTests {
    let good = "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }"

    @Test("wrong magic") func wrongMagic() {
        #expect(throws: FormatError.badMagic(path: "x.npy", format: "npy")) {
            try NPY.decode(Data("PK\u{3}\u{4} this is a zip".utf8), path: "x.npy")
        }
        #expect(throws: FormatError.badMagic(path: "x.npy", format: "npy")) { try NPY.decode(Data(), path: "x.npy") }
    }

    @Test("truncated header") func truncatedHeader() {
        let full = npyBytes(header: good, payload: [])
        #expect(throws: FormatError.truncated(path: "h.npy", expectedBytes: 128, foundBytes: 40)) {
            try NPY.decode(full.prefix(40), path: "h.npy")
        }
        #expect(throws: FormatError.truncated(path: "h.npy", expectedBytes: 10, foundBytes: 7)) {
            try NPY.decode(full.prefix(7), path: "h.npy")
        }
    }

    @Test("truncated data") func truncatedData() {
        let bytes = npyBytes(header: good, payload: [UInt8](repeating: 0, count: 47))
        #expect(throws: FormatError.truncated(path: "d.npy", expectedBytes: 128 + 48, foundBytes: 128 + 47)) {
            try NPY.decode(bytes, path: "d.npy")
        }
    }

    @Test("a header claiming 10^12 elements is rejected before allocation") func huge() {
        let h = "{'descr': '<f8', 'fortran_order': False, 'shape': (1000000, 1000000), }"
        #expect(throws: FormatError.tooLarge(path: "big.npy", elements: 1_000_000_000_000, limit: NPYHeader.maximumBytes / 8)) {
            try NPY.decode(npyBytes(header: h, payload: [1, 2, 3]), path: "big.npy")
        }
        // Π dims overflows Int: caught, not trapped.
        let overflow = "{'descr': '<f8', 'fortran_order': False, 'shape': (4294967296, 4294967296, 4294967296), }"
        #expect(throws: FormatError.self) { try NPY.decode(npyBytes(header: overflow, payload: []), path: "o.npy") }
        do {
            _ = try NPY.decode(npyBytes(header: overflow, payload: []), path: "o.npy")
        } catch let FormatError.tooLarge(path, _, _) {
            #expect(path == "o.npy")
        } catch { Issue.record("expected tooLarge, got \(error)") }
        // Within the sanity limit but more than the file holds: truncated, with the claimed size.
        let mid = "{'descr': '<f4', 'fortran_order': False, 'shape': (1000, 1000, 100), }"
        #expect(throws: FormatError.truncated(path: "m.npy", expectedBytes: 128 + 400_000_000, foundBytes: 128)) {
            try NPY.decode(npyBytes(header: mid, payload: []), path: "m.npy")
        }
    }

    @Test("unsupported dtypes") func unknownDType() {
        for d in ["<c16", "<f2", "|b1", "<u4", "|i1", "<U10"] {
            let h = "{'descr': '\(d)', 'fortran_order': False, 'shape': (1,), }"
            #expect(throws: FormatError.unsupportedDType(path: "u.npy", dtype: d)) {
                try NPY.decode(npyBytes(header: h, payload: [UInt8](repeating: 0, count: 16)), path: "u.npy")
            }
        }
        let structured = "{'descr': [('x', '<f8')], 'fortran_order': False, 'shape': (1,), }"
        #expect(throws: FormatError.unsupportedDType(path: "s.npy", dtype: "(('x', '<f8'))")) {
            try NPY.decode(npyBytes(header: structured, payload: [UInt8](repeating: 0, count: 8)), path: "s.npy")
        }
    }

    @Test("big-endian") func bigEndian() {
        for d in [">f8", ">f4", ">i4", ">i8"] {
            let h = "{'descr': '\(d)', 'fortran_order': False, 'shape': (1,), }"
            #expect(throws: FormatError.bigEndian(path: "b.npy", dtype: d)) {
                try NPY.decode(npyBytes(header: h, payload: [UInt8](repeating: 0, count: 8)), path: "b.npy")
            }
        }
    }

    @Test("malformed header text") func malformed() {
        for h in [
            "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3)",
            "{'descr': '<f8', 'fortran_order': false, 'shape': (2, 3)}",
            "{'descr': '<f8', 'shape': (2, 3)}",
            "{'descr': '<f8', 'fortran_order': False, 'shape': (2, -3)}",
            "{'descr': '<f8', 'fortran_order': False, 'shape': 6}",
            "['descr', '<f8']",
            "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3)} trailing",
            "{'descr': '<f8', 'fortran_order': False, 'shape': (99999999999999999999,)}",
            String(repeating: "(", count: 100),
        ] {
            do {
                _ = try NPY.decode(npyBytes(header: h, payload: [UInt8](repeating: 0, count: 48)), path: "m.npy")
                Issue.record("accepted malformed header \(h)")
            } catch let FormatError.badHeader(path, _) {
                #expect(path == "m.npy")
            } catch { Issue.record("\(h): expected badHeader, got \(error)") }
        }
        var badVersion = npyBytes(header: good, payload: [UInt8](repeating: 0, count: 48))
        badVersion[6] = 4
        #expect(throws: FormatError.badHeader(path: "v.npy", reason: "unsupported .npy format version 4.0 (supported: 1.0, 2.0, 3.0)")) {
            try NPY.decode(badVersion, path: "v.npy")
        }
    }

    @Test("a missing file names the path") func missingFile() {
        let url = URL(fileURLWithPath: "/nonexistent/dir/a.npy")
        #expect(throws: FormatError.unreadable(path: url.path, reason: "no such file")) { try NPY.read(url) }
    }
}
