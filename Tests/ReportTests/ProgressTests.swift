import Foundation
import Testing
@testable import Report

/// Records what a progress reporter writes.
final class Recorder: ProgressOutput {
    var text = ""
    func write(_ t: String) { text += t }
    var lines: [String] { text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) }
}

/// A clock the test moves by hand.
final class ManualClock {
    var now = 100.0
}

@Suite struct ProgressTests {
    @Test func plainModePrintsEveryTenPercentAndAClosingLine() {
        let out = Recorder(), clock = ManualClock()
        let p = ProgressReporter(total: 1000, label: "run", mode: .plain, every: (0.1, 1e9), output: out, clock: { clock.now })
        for i in 1...1000 {
            clock.now += 0.002  // 500 steps per second
            p.update(step: i) { [("objective", 1 / Double(i)), ("nc1_3", 1e-6)] }
        }
        p.finish()
        p.finish()  // idempotent
        let expected = (1...10).map { k in
            "run step \(100 * k)/1000 (\(10 * k)%)  500 step/s  ETA 0:\(String(format: "%02d", Int((Double(1000 - 100 * k) / 500).rounded())))"
                + "  objective=\(String(format: "%.4g", 1 / Double(100 * k)))  nc1_3=1e-06"
        } + ["run done: 1000 steps in 0:02 (500 step/s)  objective=0.001  nc1_3=1e-06", ""]
        #expect(out.lines == expected)
    }

    @Test func plainModeAlsoPrintsEveryNSeconds() {
        let out = Recorder(), clock = ManualClock()
        let p = ProgressReporter(total: 100, unit: "epoch", mode: .plain, every: (0.5, 10), output: out, clock: { clock.now })
        for e in 1...100 {
            clock.now += 1  // one epoch per second: a line every 10 s, plus the 50% and 100% milestones
            p.update(step: e)
        }
        let steps = out.lines.filter { !$0.isEmpty }.map { $0.split(separator: " ")[1] }
        #expect(steps == ["10/100", "20/100", "30/100", "40/100", "50/100", "60/100", "70/100", "80/100", "90/100", "100/100"])
        #expect(out.lines.first == "epoch 10/100 (10%)  1 epoch/s  ETA 1:30")
    }

    @Test func setValuesAndMessagesAndUnknownTotal() {
        let out = Recorder(), clock = ManualClock()
        let p = ProgressReporter(total: nil, mode: .plain, every: (0.1, 5), output: out, clock: { clock.now })
        p.set("objective", 2)
        for i in 1...12 {
            clock.now += 1
            p.update(step: i)
            if i == 7 { p.set("objective", 1.5); p.message("checkpoint") }
        }
        #expect(out.lines == ["step 5  1 step/s  objective=2", "checkpoint", "step 10  1 step/s  objective=1.5", ""])
    }

    @Test func terminalModeRedrawsInPlaceAtMostTenTimesASecond() {
        let out = Recorder(), clock = ManualClock()
        let p = ProgressReporter(total: 10_000, label: "run", mode: .terminal, output: out, clock: { clock.now })
        for i in 1...10_000 {
            clock.now += 0.0001  // 1 s in all: about ten redraws
            p.update(step: i)
        }
        p.finish()
        let redraws = out.text.filter { $0 == "\r" }.count
        #expect(redraws >= 10 && redraws <= 13)
        #expect(out.text.hasSuffix("\u{1B}[K\n"))
        #expect(out.text.filter { $0 == "\n" }.count == 1)
        let last = out.text.split(separator: "\r").last.map(String.init) ?? ""
        #expect(last.hasPrefix("run [████████████████"))
        #expect(last.contains("10000/10000 100%"))
    }

    @Test func silentModeWritesNothing() {
        let out = Recorder()
        let p = ProgressReporter(total: 10, mode: .silent, output: out)
        for i in 1...10 { p.update(step: i) }
        p.message("x")
        p.finish()
        #expect(out.text.isEmpty)
    }

    @Test func formatting() {
        #expect(ProgressReporter.duration(7.4) == "0:07")
        #expect(ProgressReporter.duration(723) == "12:03")
        #expect(ProgressReporter.duration(3723) == "1:02:03")
        #expect(ProgressReporter.rate(812.4) == "812")
        #expect(ProgressReporter.rate(12.53) == "12.5")
        #expect(ProgressReporter.rate(250_000) == "2.5e+05")
    }
}
