import Foundation
import Glibc

/// Where progress text goes (stdout by default; a test passes a recorder).
public protocol ProgressOutput: AnyObject {
    func write(_ text: String)
}

/// Standard output, unbuffered: pending `print` output is flushed first so lines stay in order.
public final class StandardOutputStream: ProgressOutput {
    public init() {}
    public func write(_ text: String) {
        fflush(nil)
        var bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeMutableBytes { Glibc.write(1, $0.baseAddress! + offset, $0.count - offset) }
            if n <= 0 { break }
            offset += n
        }
        bytes.removeAll()
    }
}

/// Progress of a long loop (optimizer steps, training epochs), cheap enough to call every iteration.
///
/// On a terminal (stdout is a tty, `TERM` is set and not `dumb`, and `CI` is not set) it redraws one
/// line in place at most ~10 times a second:
///
///     run [███████░░░░░░░░░░░░░░░░░]  2900/10000  29%  8123 step/s  ETA 0:01  objective 0.3127  nc1_4 1.2e-08
///
/// Elsewhere (a CI log, a file) it prints a plain line at every `every.fraction` of the total and at
/// least every `every.seconds`, whichever comes first, and a closing line from `finish()`.
///
/// Cost: `update(step:)` is an increment and two integer comparisons; the clock is read only every
/// `stride` calls, with the stride adapted so that the clock is read about 50 times a second whatever
/// the loop's speed. (Not named `Progress`: that would be ambiguous with `Foundation.Progress` in every
/// file that imports both.) The named values (`set`, or the closure of `update(step:values:)`) are read only
/// when a line is drawn.
public final class ProgressReporter {
    public enum Mode: Sendable {
        /// `terminal` if stdout is an interactive terminal, `plain` otherwise.
        case automatic
        case terminal
        case plain
        /// Prints nothing.
        case silent
    }

    public let total: Int?
    public let label: String
    public let unit: String
    public let mode: Mode
    private let every: (fraction: Double, seconds: Double)
    private let output: ProgressOutput
    private let clock: () -> Double
    private let columns: Int

    // Fast-path state.
    private var calls = 0
    private var nextCheckCall = 1
    private var nextMilestone = Int.max
    private var step = 0
    // Slow-path state.
    private var stride = 1
    private var lastCheck = (time: 0.0, calls: 0)
    private let start: Double
    private var startStep: Int?
    private var started = false
    private var lastDraw = -Double.infinity
    private var lastPrint: Double
    private var values: [(String, Double)] = []
    private var drawn = false
    private var barWidth: Int?
    private var finished = false

    /// - Parameters:
    ///   - total: the last step (nil if unknown: no bar, no ETA).
    ///   - label: a short name printed first ("run", "train").
    ///   - unit: what a step is called in plain lines ("step", "epoch").
    ///   - every: plain mode prints at each `fraction` of the total and at least every `seconds`.
    ///   - startStep: the step the work starts from (a run that logs its initial point, or resumes, passes
    ///     it so that rates and the closing count are right); by default, one before the first update.
    ///   - output, clock: injected by tests; `clock` returns seconds from any fixed origin.
    public init(total: Int?, label: String = "", unit: String = "step", mode: Mode = .automatic, startStep: Int? = nil,
                every: (fraction: Double, seconds: Double) = (0.1, 30),
                output: ProgressOutput = StandardOutputStream(), clock: @escaping () -> Double = ProgressReporter.monotonicSeconds) {
        precondition(total.map { $0 >= 0 } ?? true, "progress total must be non-negative")
        precondition(every.fraction > 0 && every.seconds > 0, "progress intervals must be positive")
        self.total = total
        self.startStep = startStep
        self.label = label
        self.unit = unit
        self.mode = mode == .automatic ? (ProgressReporter.isInteractiveTerminal() ? .terminal : .plain) : mode
        self.every = every
        self.output = output
        self.clock = clock
        self.columns = ProgressReporter.terminalColumns()
        self.start = clock()
        self.lastPrint = start
        self.lastCheck = (start, 0)
        if self.mode == .silent { nextCheckCall = .max }
    }

    /// Whether stdout is an interactive terminal: a tty, `TERM` set and not `dumb`, `CI` not set.
    public static func isInteractiveTerminal() -> Bool {
        let env = ProcessInfo.processInfo.environment
        guard isatty(1) != 0, env["CI"] == nil, let term = env["TERM"], !term.isEmpty, term != "dumb" else { return false }
        return true
    }

    /// Seconds on the monotonic clock (immune to wall-clock changes).
    public static func monotonicSeconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + 1e-9 * Double(ts.tv_nsec)
    }

    /// Records that `step` is done. Call it as often as you like.
    @inline(__always)
    public func update(step: Int) {
        self.step = step
        calls &+= 1
        if calls >= nextCheckCall || step >= nextMilestone { check { [] } }
    }

    /// Records that `step` is done; `values` (e.g. `[("objective", f), ("nc1_4", nc1)]`) is evaluated
    /// only when a line is drawn.
    @inline(__always)
    public func update(step: Int, values: () -> [(String, Double)]) {
        self.step = step
        calls &+= 1
        if calls >= nextCheckCall || step >= nextMilestone { check(values) }
    }

    /// Sets a named value shown on the progress line (kept until set again).
    public func set(_ name: String, _ value: Double) {
        if let i = values.firstIndex(where: { $0.0 == name }) { values[i].1 = value } else { values.append((name, value)) }
    }

    /// Prints a line of text without garbling the progress bar.
    public func message(_ line: String) {
        switch mode {
        case .silent: return
        case .terminal:
            output.write((drawn ? "\r\u{1B}[K" : "") + line + "\n")
            if drawn { output.write(terminalLine(now: clock())) }
        case .plain, .automatic:
            output.write(line + "\n")
        }
    }

    /// Draws the final state and ends the line (terminal) or prints a closing line (plain). Idempotent.
    /// With `failure` (a run that stopped on an error), the closing line says "stopped" and why, not "done".
    public func finish(failure: String? = nil) {
        guard !finished, mode != .silent else { return }
        finished = true
        let now = clock()
        if mode == .terminal {
            output.write(terminalLine(now: now) + "\n")
            if let failure { output.write(prefix + "stopped: \(failure)\n") }
            return
        }
        let elapsed = now - start
        if let failure {
            output.write(prefix + "stopped after \(ProgressReporter.duration(elapsed)): \(failure)\n")
            return
        }
        var s = prefix + "done: \(step - (startStep ?? 0)) \(unit)s in \(ProgressReporter.duration(elapsed))"
        if elapsed > 0 { s += " (\(ProgressReporter.rate(Double(step - (startStep ?? 0)) / elapsed)) \(unit)/s)" }
        output.write(s + valueText(separator: "=") + "\n")
    }

    // MARK: slow path

    @inline(never)
    private func check(_ produce: () -> [(String, Double)]) {
        if !started {
            started = true
            if startStep == nil { startStep = step - 1 }
            if let total, mode == .plain { nextMilestone = milestone(after: startStep ?? (step - 1), total: total) }
        }
        let now = clock()
        // Adapt the stride so the clock is read ~50 times a second.
        let dt = now - lastCheck.time, n = calls - lastCheck.calls
        if dt > 0 {
            stride = max(1, min(1 << 20, Int(Double(n) / dt * 0.02)))
        } else {
            stride = min(1 << 20, stride * 2)
        }
        lastCheck = (now, calls)
        nextCheckCall = calls &+ stride

        switch mode {
        case .terminal:
            guard now - lastDraw >= 0.1 || (total.map { step >= $0 } ?? false) else { return }
            for (k, v) in produce() { set(k, v) }
            lastDraw = now
            drawn = true
            output.write(terminalLine(now: now))
        case .plain:
            let atMilestone = step >= nextMilestone
            guard atMilestone || now - lastPrint >= every.seconds else { return }
            for (k, v) in produce() { set(k, v) }
            lastPrint = now
            if let total { nextMilestone = milestone(after: step, total: total) }
            output.write(plainLine(now: now) + "\n")
        case .silent, .automatic:
            return
        }
    }

    /// The first step past `s` that crosses the next multiple of `every.fraction` of the total.
    private func milestone(after s: Int, total: Int) -> Int {
        guard total > 0 else { return .max }
        let k = (Double(max(s, 0)) / Double(total) / every.fraction + 1e-9).rounded(.down) + 1
        let m = Int((k * every.fraction * Double(total) - 1e-9).rounded(.up))
        return m > total ? (s < total ? total : .max) : max(m, s + 1)
    }

    // MARK: formatting

    private var prefix: String { label.isEmpty ? "" : label + " " }

    private func speed(now: Double) -> Double? {
        let done = Double(step - (startStep ?? step)), dt = now - start
        return dt > 0 && done > 0 ? done / dt : nil
    }

    private func eta(now: Double) -> String? {
        guard let total, let v = speed(now: now), v > 0 else { return nil }
        return ProgressReporter.duration(Double(max(total - step, 0)) / v)
    }

    private func valueText(separator: String) -> String {
        values.map { "  \($0.0)\(separator)\(ProgressReporter.number($0.1))" }.joined()
    }

    func plainLine(now: Double) -> String {
        var s = prefix + "\(unit) \(step)"
        if let total {
            s += "/\(total) (\(total > 0 ? Int((100 * Double(step) / Double(total)).rounded(.down)) : 100)%)"
        }
        if let v = speed(now: now) { s += "  \(ProgressReporter.rate(v)) \(unit)/s" }
        if let e = eta(now: now) { s += "  ETA \(e)" }
        return s + valueText(separator: "=")
    }

    func terminalLine(now: Double) -> String {
        var counts: String
        var fraction: Double?
        if let total, total > 0 {
            let f = min(max(Double(step) / Double(total), 0), 1)
            fraction = f
            // Padded so that the bar does not jump as the digits grow.
            let digits = String(total).count
            counts = String(repeating: " ", count: max(0, digits - String(step).count)) + "\(step)/\(total) "
            let pct = "\(Int((100 * f).rounded(.down)))%"
            counts += String(repeating: " ", count: 4 - pct.count) + pct
        } else {
            counts = "\(unit) \(step)"
        }
        if let v = speed(now: now) { counts += "  \(ProgressReporter.rate(v)) \(unit)/s" }
        if let e = eta(now: now) { counts += "  ETA \(e)" }
        let tail = valueText(separator: " ")
        // Never wider than the terminal, or the carriage return would no longer return to this line:
        // the bar shrinks first (to 10 cells, then away), then the values are cut.
        let room = columns - 1 - prefix.count - counts.count - tail.count
        if barWidth == nil { barWidth = room - 8 >= 13 ? min(24, room - 11) : 0 }  // 8 columns of slack
        if let w = barWidth, w > 0, room < w + 3 { barWidth = room >= 13 ? room - 3 : 0 }
        var bar = ""
        if let f = fraction, let width = barWidth, width >= 10 {
            let full = Int((f * Double(width)).rounded(.down))
            bar = "[" + String(repeating: "█", count: full) + String(repeating: "░", count: width - full) + "] "
        }
        var s = prefix + bar + counts + tail
        if s.count > columns - 1 { s = String(s.prefix(columns - 1)) }
        return "\r" + s + "\u{1B}[K"
    }

    /// The terminal's width: the tty's window size, else `COLUMNS`, else 80.
    static func terminalColumns() -> Int {
        var w = winsize()
        if ioctl(1, UInt(TIOCGWINSZ), &w) == 0, w.ws_col > 20 { return Int(w.ws_col) }
        return Int(ProcessInfo.processInfo.environment["COLUMNS"] ?? "").flatMap { $0 > 20 ? $0 : nil } ?? 80
    }

    /// "0:07", "12:03", "1:02:03".
    static func duration(_ seconds: Double) -> String {
        guard seconds.isFinite else { return "?" }
        let t = Int(seconds.rounded())
        let h = t / 3600, m = (t % 3600) / 60, sec = t % 60
        return h > 0 ? String(format: "%d:%02d:%02d", h, m, sec) : String(format: "%d:%02d", m, sec)
    }

    /// A rate with three significant digits ("812", "12.5", "0.0312", "1.2e+05").
    static func rate(_ v: Double) -> String {
        v >= 1e5 ? String(format: "%.2g", v) : v >= 100 ? String(Int(v.rounded())) : String(format: "%.3g", v)
    }

    /// A metric value with four significant digits.
    static func number(_ v: Double) -> String { String(format: "%.4g", v) }
}
