import Foundation
import Formats
import Testing
@testable import Report

/// The run directory's lock, the staged replacement of an old run, and the clean-up of what killed runs left.
@Suite struct RunSlotTests {
    func base(_ name: String) throws -> URL {
        let u = FileManager.default.temporaryDirectory.appendingPathComponent("runslot-\(name)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: u, withIntermediateDirectories: true)
        return u
    }

    @Test func aSecondHolderIsRefusedNamingTheFirst() throws {
        let b = try base("lock"); defer { try? FileManager.default.removeItem(at: b) }
        let d = b.appendingPathComponent("run")
        let first = try RunSlot.create(d, runFiles: ["config.toml"], overwrite: false, command: "test one")
        do {
            _ = try RunSlot.reopen(d, command: "test two")
            Issue.record("second holder admitted")
        } catch let RunDirectoryError.locked(path, holder) {
            #expect(path == d.standardizedFileURL.path)
            #expect(holder.contains("pid \(getpid())") && holder.contains("test one") && holder.contains("started"), "\(holder)")
        }
        first.release()
        let second = try RunSlot.reopen(d, command: "test two")
        #expect(second.notes.isEmpty)
    }

    @Test func aStaleLockIsTakenOverWithANote() throws {
        let b = try base("stale"); defer { try? FileManager.default.removeItem(at: b) }
        let d = b.appendingPathComponent("run")
        // What a killed holder leaves: the lock file with its text, but no flock (the kernel dropped it).
        try "pid 999999 on elsewhere, started 2020-01-01T00:00:00Z (collapse run)\n".write(to: b.appendingPathComponent(".run.lock"), atomically: false, encoding: .utf8)
        let slot = try RunSlot.create(d, runFiles: ["config.toml"], overwrite: false, command: "test")
        #expect(slot.notes.contains { $0.contains("pid 999999") && $0.contains("stale") }, "\(slot.notes)")
    }

    @Test func replacingARunKeepsTheOldOneUntilCommit() throws {
        let b = try base("stage"); defer { try? FileManager.default.removeItem(at: b) }
        let d = b.appendingPathComponent("run")
        try FileManager.default.createDirectory(at: d.appendingPathComponent("figures"), withIntermediateDirectories: true)
        try "old".write(to: d.appendingPathComponent("config.toml"), atomically: false, encoding: .utf8)
        try "stale".write(to: d.appendingPathComponent("features.npz"), atomically: false, encoding: .utf8)
        #expect(throws: RunDirectoryError.self) { try RunSlot.create(d, runFiles: ["config.toml"], overwrite: false, command: "t") }
        let slot = try RunSlot.create(d, runFiles: ["config.toml"], overwrite: true, command: "t")
        #expect(slot.isStaged && slot.directory.url != d.standardizedFileURL)
        try "new".write(to: slot.directory.config, atomically: false, encoding: .utf8)
        #expect(try String(contentsOf: d.appendingPathComponent("config.toml"), encoding: .utf8) == "old")
        try slot.commit()
        #expect(!slot.isStaged && slot.directory.url == d.standardizedFileURL)
        #expect(try String(contentsOf: d.appendingPathComponent("config.toml"), encoding: .utf8) == "new")
        #expect(!FileManager.default.fileExists(atPath: d.appendingPathComponent("features.npz").path))
        #expect(!FileManager.default.fileExists(atPath: d.appendingPathComponent("figures").path))
        let left = try FileManager.default.contentsOfDirectory(atPath: b.path).filter { $0 != ".run.lock" }
        #expect(left == ["run"], "\(left)")
    }

    @Test func aFailedReplacementLeavesTheOldRunAndKeepsItsOwnFilesBeside() throws {
        let b = try base("abandon"); defer { try? FileManager.default.removeItem(at: b) }
        let d = b.appendingPathComponent("run")
        try FileManager.default.createDirectory(at: d, withIntermediateDirectories: true)
        try "old".write(to: d.appendingPathComponent("config.toml"), atomically: false, encoding: .utf8)
        let slot = try RunSlot.create(d, runFiles: ["config.toml"], overwrite: true, command: "t")
        try "failed".write(to: slot.directory.summary, atomically: false, encoding: .utf8)
        let kept = try #require(slot.abandon())
        #expect(kept.lastPathComponent == "run.failed")
        #expect(try String(contentsOf: d.appendingPathComponent("config.toml"), encoding: .utf8) == "old")
        #expect(try String(contentsOf: kept.appendingPathComponent("summary.json"), encoding: .utf8) == "failed")
    }

    @Test func orphansOfKilledRunsAreCleanedAndAnInterruptedSwapIsRepaired() throws {
        let b = try base("orphans"); defer { try? FileManager.default.removeItem(at: b) }
        let d = b.appendingPathComponent("run")
        try FileManager.default.createDirectory(at: d.appendingPathComponent("figures"), withIntermediateDirectories: true)
        for f in [".checkpoint.npz.tmp-4242-ABCD", "figures/.nc1.svg.tmp-4242-EF01"] {
            try "x".write(to: d.appendingPathComponent(f), atomically: false, encoding: .utf8)
        }
        try "keep".write(to: d.appendingPathComponent("checkpoint.npz"), atomically: false, encoding: .utf8)
        try FileManager.default.createDirectory(at: b.appendingPathComponent(".run.new-4242-abcd"), withIntermediateDirectories: true)
        let slot = try RunSlot.reopen(d, command: "t")
        #expect(!FileManager.default.fileExists(atPath: d.appendingPathComponent(".checkpoint.npz.tmp-4242-ABCD").path))
        #expect(!FileManager.default.fileExists(atPath: d.appendingPathComponent("figures/.nc1.svg.tmp-4242-EF01").path))
        #expect(FileManager.default.fileExists(atPath: d.appendingPathComponent("checkpoint.npz").path))
        #expect(!FileManager.default.fileExists(atPath: b.appendingPathComponent(".run.new-4242-abcd").path))
        #expect(slot.notes.count == 2, "\(slot.notes)")
        slot.release()
        // A kill between the two renames of a swap: the old run is aside and the directory is missing.
        try FileManager.default.moveItem(at: d, to: b.appendingPathComponent(".run.old-4242"))
        let again = try RunSlot.reopen(d, command: "t")
        #expect(FileManager.default.fileExists(atPath: d.appendingPathComponent("checkpoint.npz").path))
        #expect(again.notes.contains { $0.contains("restored") })
    }

    @Test func anEmptyPathIsRefused() {
        #expect(throws: RunDirectoryError.self) { try RunSlot.create(URL(fileURLWithPath: "/"), runFiles: [], overwrite: false, command: "t") }
    }
}
