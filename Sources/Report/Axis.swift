import Foundation

/// One tick of an axis: its value, its label (nil for an unlabelled minor tick) and whether it is major
/// (major ticks get a grid line).
public struct Tick: Equatable, Sendable {
    public var value: Double
    public var label: String?
    public var major: Bool
}

/// A plot axis: a data range, a linear or base-10 logarithmic mapping onto [0, 1], and its ticks.
public struct Axis: Equatable, Sendable {
    public enum Scale: String, Sendable { case linear, log }

    public let scale: Scale
    /// The ends of the axis in data units (powers of ten on a log axis, multiples of the tick step on a linear one).
    public let lower: Double
    public let upper: Double
    public let ticks: [Tick]

    /// The fraction of the way from `lower` to `upper` at which `v` sits (0 at lower, 1 at upper).
    /// On a log axis `v` must be positive.
    public func fraction(_ v: Double) -> Double {
        switch scale {
        case .linear: return (v - lower) / (upper - lower)
        case .log: return (log10(v) - log10(lower)) / (log10(upper) - log10(lower))
        }
    }

    /// Whether `v` can be drawn on this axis (finite, and positive on a log axis).
    @inline(__always) public func accepts(_ v: Double) -> Bool { v.isFinite && (scale == .linear || v > 0) }

    // MARK: choosing the scale

    /// The scale for a set of values: logarithmic when the positive finite values span more than
    /// `decades` powers of ten and at most a quarter of the finite values are zero or negative (those are
    /// then left out of the plot, and the figure says so); linear otherwise.
    public static func chooseScale(for values: [Double], decades: Double = 2) -> Scale {
        var lo = Double.infinity, hi = 0.0, positive = 0, finite = 0
        for v in values where v.isFinite {
            finite += 1
            if v > 0 { positive += 1; lo = min(lo, v); hi = max(hi, v) }
        }
        guard positive >= 2, Double(finite - positive) <= 0.25 * Double(finite) else { return .linear }
        return log10(hi) - log10(lo) > decades ? .log : .linear
    }

    // MARK: linear axes

    /// A linear axis covering [min, max] with about `target` ticks at a "nice" step 1, 2, 2.5 or 5 × 10^k;
    /// the ends are rounded outwards to multiples of the step, or (with `tight`) stay at min and max with
    /// the ticks inside. A degenerate range (min = max) is widened.
    public static func linear(min a: Double, max b: Double, target: Int = 6, tight: Bool = false) -> Axis {
        precondition(a.isFinite && b.isFinite && a <= b, "linear axis needs a finite range, got [\(a), \(b)]")
        var lo = a, hi = b
        if hi - lo <= 1e-12 * Swift.max(abs(lo), abs(hi)) || hi == lo {
            let pad = lo == 0 ? 1 : abs(lo) * 0.1
            lo -= pad
            hi += pad
        }
        let step = niceStep((hi - lo) / Double(Swift.max(target - 1, 1)))
        let k0 = tight ? (lo / step - 1e-9).rounded(.up) : (lo / step + 1e-9).rounded(.down)
        let k1 = tight ? (hi / step + 1e-9).rounded(.down) : (hi / step - 1e-9).rounded(.up)
        let decimals = Swift.max(0, -Int((log10(step) + 1e-9).rounded(.down)) + (isHalfDecade(step) ? 1 : 0))
        let scientific = Swift.max(abs(k0 * step), abs(k1 * step)) >= 1e6 || step < 1e-4
        var ticks: [Tick] = []
        var k = k0
        while k <= k1 {
            let v = k * step
            ticks.append(Tick(value: v, label: scientific ? formatScientific(v) : formatFixed(v, decimals: decimals), major: true))
            k += 1
        }
        return tight ? Axis(scale: .linear, lower: lo, upper: hi, ticks: ticks)
            : Axis(scale: .linear, lower: k0 * step, upper: k1 * step, ticks: ticks)
    }

    /// The smallest of 1, 2, 2.5, 5, 10 × 10^k that is ≥ `raw`.
    public static func niceStep(_ raw: Double) -> Double {
        precondition(raw > 0 && raw.isFinite)
        let e = (log10(raw)).rounded(.down)
        let base = pow(10, e)
        for m in [1.0, 2, 2.5, 5, 10] where m * base >= raw * (1 - 1e-12) { return m * base }
        return 10 * base
    }

    /// 2.5 × 10^k needs one more decimal than 10^k.
    private static func isHalfDecade(_ step: Double) -> Bool {
        let m = step / pow(10, (log10(step) + 1e-9).rounded(.down))
        return abs(m - 2.5) < 1e-9
    }

    // MARK: log axes

    /// A base-10 log axis over [minPositive, maxPositive], its ends rounded outwards to 1, 2 or 5 × 10^k
    /// (so a curve that tops out at 1.1 does not get an empty decade above it), or to powers of ten
    /// when that would leave fewer than two decades on the axis. Every power of ten gets a tick; at most
    /// `maxLabels` are labelled (every m-th decade, at multiples of m; the others become minor ticks),
    /// and when the axis spans at most three decades the 2…9 × 10^k positions get minor ticks too.
    public static func log(minPositive a: Double, maxPositive b: Double, maxLabels: Int = 7) -> Axis {
        precondition(a > 0 && b >= a && b.isFinite, "log axis needs 0 < min ≤ max, got [\(a), \(b)]")
        let ka = Int((log10(a) + 1e-9).rounded(.down))
        var kb = Int((log10(b) - 1e-9).rounded(.up))
        if kb <= ka { kb = ka + 1 }
        // 1-2-5 ends when the powers of ten inside them still span at least two decades.
        let lowNice = [5.0, 2, 1].map { $0 * pow(10, Double(ka)) }.first { $0 <= a * (1 + 1e-12) } ?? pow(10, Double(ka))
        let highNice = [1.0, 2, 5, 10].map { $0 * pow(10, Double(kb - 1)) }.first { $0 >= b * (1 - 1e-12) } ?? pow(10, Double(kb))
        let firstDecade = Int((log10(lowNice) - 1e-9).rounded(.up)), lastDecade = Int((log10(highNice) + 1e-9).rounded(.down))
        let (lower, upper) = lastDecade - firstDecade >= 2 ? (lowNice, highNice) : (pow(10, Double(ka)), pow(10, Double(kb)))
        let lo = Int((log10(lower) - 1e-9).rounded(.up)), hi = Int((log10(upper) + 1e-9).rounded(.down))
        let decades = log10(upper) - log10(lower)
        let every = Swift.max(1, Int((Double(hi - lo) / Double(Swift.max(maxLabels - 1, 1))).rounded(.up)))
        var ticks: [Tick] = []
        for k in (lo - 1)...hi {
            let p = pow(10, Double(k))
            if k >= lo {
                let labelled = k % every == 0
                ticks.append(Tick(value: p, label: labelled ? powerOfTen(k) : nil, major: labelled))
            }
            if decades <= 3.5 {
                for m in 2...9 where Double(m) * p >= lower * (1 - 1e-12) && Double(m) * p <= upper * (1 + 1e-12) {
                    ticks.append(Tick(value: Double(m) * p, label: nil, major: false))
                }
            }
        }
        return Axis(scale: .log, lower: lower, upper: upper, ticks: ticks)
    }

    // MARK: labels

    /// "10⁻³", "10⁰", "10¹²" (Unicode superscripts, true minus sign).
    public static func powerOfTen(_ k: Int) -> String { "10" + superscript(k) }

    static func superscript(_ k: Int) -> String {
        let digits: [Character] = ["⁰", "¹", "²", "³", "⁴", "⁵", "⁶", "⁷", "⁸", "⁹"]
        var s = String(abs(k)).map { digits[Int(String($0))!] }
        if k < 0 { s.insert("⁻", at: 0) }
        return String(s)
    }

    /// Fixed-point label with a true minus sign; "-0" is written "0".
    static func formatFixed(_ v: Double, decimals: Int) -> String {
        var s = String(format: "%.\(decimals)f", abs(v) < 0.5 * pow(10, -Double(decimals)) ? 0 : v)
        if s.hasPrefix("-") { s = "−" + s.dropFirst() }
        return s
    }

    /// "2×10⁴", "1.5×10⁻⁵", "0".
    static func formatScientific(_ v: Double) -> String {
        if v == 0 { return "0" }
        var e = Int(log10(abs(v)).rounded(.down))
        var m = v / pow(10, Double(e))
        if abs(m) >= 9.9995 { m /= 10; e += 1 }
        var ms = String(format: "%.3f", m)
        while ms.hasSuffix("0") { ms.removeLast() }
        if ms.hasSuffix(".") { ms.removeLast() }
        if ms.hasPrefix("-") { ms = "−" + ms.dropFirst() }
        return (ms == "1" ? "" : ms == "−1" ? "−" : ms + "×") + powerOfTen(e)
    }
}
