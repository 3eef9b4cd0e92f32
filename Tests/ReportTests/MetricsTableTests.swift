import Foundation
import Formats
import Testing
@testable import Report

@Suite struct MetricsTableTests {
    func roundTrip(_ t: MetricsTable) throws -> MetricsTable {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("metrics-\(UUID().uuidString).csv")
        defer { try? FileManager.default.removeItem(at: url) }
        try t.write(to: url)
        return try MetricsTable.read(url)
    }

    @Test func writeThenReadGivesBackEveryBit() throws {
        var t = MetricsTable(columns: ["step", "objective", "nc1_1"])
        t.append(row: [0, 0.1 + 0.2, 1e-300])
        t.append(row: [1, .infinity, -0.0])
        t.append(row: [2, nil, 5e-324])
        t.append(row: [3, -.infinity, 123456789.123456789])
        let back = try roundTrip(t)
        #expect(back.columns == t.columns)
        #expect(back.rows.count == 4)
        for (a, b) in zip(back.rows.joined(), t.rows.joined()) {
            #expect(a?.bitPattern == b?.bitPattern)
        }
        var n = MetricsTable(columns: ["step", "x"])
        n.append(row: [0, .nan])
        #expect(try roundTrip(n).rows[0][1]?.isNaN == true)
    }

    @Test func fieldsMustBeWholeNumbers() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("metrics-\(UUID().uuidString).csv")
        defer { try? FileManager.default.removeItem(at: url) }
        for bad in ["1.5.2", "1e", "abc", "1 2", "--1"] {
            try "step,x\n0,\(bad)\n".write(to: url, atomically: true, encoding: .utf8)
            #expect(throws: FormatError.invalidContent(path: url.path, reason: "line 2, column 'x': '\(bad)' is not a number")) {
                try MetricsTable.read(url)
            }
        }
        try "step,x\n0,\t2.5 \n1,\n\n2,-1e-5\n".write(to: url, atomically: true, encoding: .utf8)
        let t = try MetricsTable.read(url)
        #expect(t.rows == [[0, 2.5], [1, nil], [2, -1e-5]])
        try "step,\n".write(to: url, atomically: true, encoding: .utf8)
        #expect(throws: FormatError.invalidContent(path: url.path, reason: "line 1: column 2 of the header has no name")) {
            try MetricsTable.read(url)
        }
    }
}
