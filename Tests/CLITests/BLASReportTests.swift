import Foundation
import Testing

/// `collapse version` names the BLAS and its kernels, start-up keeps a user's OPENBLAS_CORETYPE, and a generic
/// fallback core earns the one-line warning that names the fix.
@Suite struct BLASReportTests {
    func version(coreType: String?) throws -> CLI.Result {
        let p = Process()
        p.executableURL = CLI.binary
        p.arguments = ["version"]
        var env = ProcessInfo.processInfo.environment
        env["OPENBLAS_CORETYPE"] = coreType
        p.environment = env
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile(), e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return CLI.Result(status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self),
                          stderr: String(decoding: e, as: UTF8.self))
    }

    /// "core X (" from the BLAS line, and the widest core from the CPU line.
    func cores(_ text: String) -> (running: String?, widest: String?) {
        func after(_ marker: String, until end: Character) -> String? {
            guard let r = text.range(of: marker) else { return nil }
            return String(text[r.upperBound...].prefix { $0 != end && $0 != "\n" })
        }
        return (after(", core ", until: " "), after("widest OpenBLAS core it can run: ", until: " "))
    }

    @Test func withoutAVariableTheWidestCoreRuns() throws {
        let r = try version(coreType: nil)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("BLAS: OpenBLAS 0."), "\(r.stdout)")
        let c = cores(r.stdout)
        #expect(c.running != nil && c.running == c.widest, "\(r.stdout)")
        #expect(!r.stderr.contains("warning"), "\(r.stderr)")
    }

    @Test func aUsersCoreIsKeptAndAGenericOneWarned() throws {
        let r = try version(coreType: "Prescott")
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("core Prescott (set by OPENBLAS_CORETYPE)"), "\(r.stdout)")
        let widest = cores(r.stdout).widest ?? "none"
        if ["Haswell", "Zen", "SkylakeX", "Cooperlake", "SapphireRapids"].contains(widest) {
            let lines = r.stderr.split(separator: "\n").filter { $0.hasPrefix("warning:") }
            #expect(lines.count == 1 && lines[0].contains("OPENBLAS_CORETYPE=\(widest)"), "\(r.stderr)")
        }
    }
}
