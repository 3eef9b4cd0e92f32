import Testing
@testable import Linalg

/// The shared memory bound: overflow-safe sizes, the limit, and a refusal that names the dimension.
@Suite struct MemoryBudgetTests {
    @Test func productsSaturateInsteadOfTrapping() {
        #expect(MemoryEstimate.product([3, 4, 8]) == 96)
        #expect(MemoryEstimate.product([Int.max, 2]) == Int.max)
        #expect(MemoryEstimate.product([1 << 40, 1 << 40, 8]) == Int.max)
        #expect(MemoryEstimate.product([0, Int.max]) == 0)
        var e = MemoryEstimate()
        e.add("a", bytes: Int.max / 2 + 1)
        e.add("b", bytes: Int.max / 2 + 1)
        #expect(e.total == Int.max)
    }

    @Test func refusalNamesTheLargestTermAndTheLimit() throws {
        var e = MemoryEstimate()
        e.add("the small part", bytes: 1000)
        e.add("the d×d scatter (d = 40000)", bytes: 40_000, 40_000, 8)
        #expect(throws: Never.self) { try e.check("x", limit: (20_000_000_000, "--max-memory")) }
        do {
            try e.check("layer feats", limit: (1_000_000_000, "--max-memory"))
            Issue.record("not refused")
        } catch {
            #expect(error.needed == 12_800_001_000)
            #expect(error.description.contains("12.8 GB"), "\(error)")
            #expect(error.description.contains("d = 40000"), "\(error)")
            #expect(error.description.contains("1.0 GB of --max-memory"), "\(error)")
        }
        var huge = MemoryEstimate()
        huge.add("the L-BFGS history", bytes: 1_000_000_000_000, 1_000_000_000_000, 8)
        #expect(throws: MemoryBudgetError.self) { try huge.check("run") }  // beyond any machine
    }

    @Test func parsesMaxMemorySizes() {
        #expect(MemoryBudget.parse("8G") == 8_000_000_000)
        #expect(MemoryBudget.parse("512MB") == 512_000_000)
        #expect(MemoryBudget.parse("2GiB") == 2 << 30)
        #expect(MemoryBudget.parse("1000") == 1000)
        #expect(MemoryBudget.parse("1.5k") == 1500)
        for bad in ["", "G", "-1G", "abc", "1e30", "nan"] { #expect(MemoryBudget.parse(bad) == nil, "\(bad)") }
    }

    @Test func theLimitIsAtMostThePhysicalMemory() throws {
        let physical = try #require(MemoryBudget.physicalMemory)
        #expect(physical > 0)
        #expect(MemoryBudget.limit.bytes <= physical)
    }

    @Test func threadsAreCappedAtTheCoreCountWithANote() {
        let cores = max(1, BLASThreads.processors)
        #expect(BLASThreads.capped(4_294_967_296).threads == cores)
        #expect(BLASThreads.capped(4_294_967_296).note?.contains("4294967296") == true)
        #expect(BLASThreads.capped(1).threads == 1 && BLASThreads.capped(1).note == nil)
        #expect(BLASThreads.capped(0).threads == 1)
    }
}
