import Foundation

/// A minimal SVG 1.1 writer: the handful of elements a line plot needs, written as text.
///
/// No dependencies and no DOM: elements are appended to a string in drawing order. Coordinates are in
/// pixels with the origin at the top left and are written with at most two decimals. Text goes through
/// `RichText`, so labels may use `_{…}` (subscript) and `^{…}` (superscript).
struct SVGDocument {
    let width: Double
    let height: Double
    private(set) var body = ""

    init(width: Double, height: Double) {
        self.width = width
        self.height = height
    }

    /// The complete document. No XML declaration, so it can be inlined in HTML as it is.
    func render(title: String) -> String {
        var s = "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"\(SVGDocument.num(width))\" "
        s += "height=\"\(SVGDocument.num(height))\" viewBox=\"0 0 \(SVGDocument.num(width)) \(SVGDocument.num(height))\" "
        s += "font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\">\n"
        s += "<title>\(xmlEscape(title))</title>\n"
        s += "<rect x=\"0\" y=\"0\" width=\"\(SVGDocument.num(width))\" height=\"\(SVGDocument.num(height))\" fill=\"#ffffff\"/>\n"
        s += body
        s += "</svg>\n"
        return s
    }

    mutating func raw(_ s: String) { body += s }

    mutating func open(group attributes: String) { body += "<g \(attributes)>\n" }
    mutating func close() { body += "</g>\n" }

    mutating func line(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, stroke: String, width: Double = 1,
                       dash: String? = nil, cls: String? = nil, extra: String = "") {
        body += "<line"
        if let cls { body += " class=\"\(cls)\"" }
        body += " x1=\"\(SVGDocument.num(x1))\" y1=\"\(SVGDocument.num(y1))\" x2=\"\(SVGDocument.num(x2))\" y2=\"\(SVGDocument.num(y2))\""
        body += " stroke=\"\(stroke)\" stroke-width=\"\(SVGDocument.num(width))\""
        if let dash { body += " stroke-dasharray=\"\(dash)\"" }
        body += extra + "/>\n"
    }

    mutating func rect(_ x: Double, _ y: Double, _ w: Double, _ h: Double, fill: String = "none", stroke: String? = nil,
                       width: Double = 1, cls: String? = nil) {
        body += "<rect"
        if let cls { body += " class=\"\(cls)\"" }
        body += " x=\"\(SVGDocument.num(x))\" y=\"\(SVGDocument.num(y))\" width=\"\(SVGDocument.num(w))\" height=\"\(SVGDocument.num(h))\" fill=\"\(fill)\""
        if let stroke { body += " stroke=\"\(stroke)\" stroke-width=\"\(SVGDocument.num(width))\"" }
        body += "/>\n"
    }

    /// A path element; `d` is already formatted.
    mutating func path(_ d: String, stroke: String, width: Double, fill: String = "none", dash: String? = nil,
                       cls: String? = nil, extra: String = "") {
        body += "<path"
        if let cls { body += " class=\"\(cls)\"" }
        body += " d=\"\(d)\" fill=\"\(fill)\" stroke=\"\(stroke)\" stroke-width=\"\(SVGDocument.num(width))\""
        body += " stroke-linejoin=\"round\" stroke-linecap=\"round\""
        if let dash { body += " stroke-dasharray=\"\(dash)\"" }
        body += extra + "/>\n"
    }

    enum Anchor: String { case start, middle, end }

    /// A text element; `markup` is `RichText` markup. `rotate` is in degrees about (x, y).
    mutating func text(_ x: Double, _ y: Double, _ markup: String, size: Double, anchor: Anchor = .start,
                       fill: String = "#000000", weight: String? = nil, italic: Bool = false, rotate: Double? = nil,
                       cls: String? = nil) {
        body += "<text"
        if let cls { body += " class=\"\(cls)\"" }
        body += " x=\"\(SVGDocument.num(x))\" y=\"\(SVGDocument.num(y))\" font-size=\"\(SVGDocument.num(size))\""
        if anchor != .start { body += " text-anchor=\"\(anchor.rawValue)\"" }
        if fill != "#000000" { body += " fill=\"\(fill)\"" }
        if let weight { body += " font-weight=\"\(weight)\"" }
        if italic { body += " font-style=\"italic\"" }
        if let rotate { body += " transform=\"rotate(\(SVGDocument.num(rotate)) \(SVGDocument.num(x)) \(SVGDocument.num(y)))\"" }
        body += ">" + RichText.tspans(markup, size: size) + "</text>\n"
    }

    /// A coordinate with at most two decimals and no trailing zeros ("12.5", "3", "-0.25").
    static func num(_ v: Double) -> String {
        let r = (v * 100).rounded() / 100
        if r == r.rounded(.towardZero), abs(r) < 1e9 { return String(Int(r)) }
        var s = String(format: "%.2f", r)
        while s.hasSuffix("0") { s.removeLast() }
        return s
    }
}

/// Escapes text for XML and HTML content and attribute values.
func xmlEscape(_ s: String) -> String {
    var r = ""
    r.reserveCapacity(s.utf8.count)
    for c in s.unicodeScalars {
        switch c {
        case "&": r += "&amp;"
        case "<": r += "&lt;"
        case ">": r += "&gt;"
        case "\"": r += "&quot;"
        case "'": r += "&#39;"
        default:
            // XML 1.0 forbids most C0 controls even when escaped; drop them.
            if c.value < 0x20, c != "\n", c != "\t", c != "\r" { continue }
            r.unicodeScalars.append(c)
        }
    }
    return r
}

/// Label markup: plain text with `_{…}` for a subscript and `^{…}` for a superscript, e.g.
/// `Tr(Σ_{W} Σ_{B}^{+})/K`. Rendered as `<tspan>`s shifted with `dy` (which every SVG renderer supports,
/// unlike `baseline-shift`).
enum RichText {
    enum Kind { case normal, sub, sup }

    static func segments(_ markup: String) -> [(String, Kind)] {
        var out: [(String, Kind)] = []
        var current = ""
        var kind = Kind.normal
        var chars = Array(markup)
        var i = 0
        func flush() { if !current.isEmpty { out.append((current, kind)); current = "" } }
        while i < chars.count {
            let c = chars[i]
            if kind == .normal, c == "_" || c == "^", i + 1 < chars.count, chars[i + 1] == "{" {
                flush()
                kind = c == "_" ? .sub : .sup
                i += 2
                continue
            }
            if kind != .normal, c == "}" {
                flush()
                kind = .normal
                i += 1
                continue
            }
            current.append(c)
            i += 1
        }
        flush()
        chars.removeAll()
        return out
    }

    /// The plain text without markup (for `<title>`, HTML and width estimates).
    static func plain(_ markup: String) -> String { segments(markup).map(\.0).joined() }

    /// The SVG content for `markup` at font size `size`.
    static func tspans(_ markup: String, size: Double) -> String {
        let segs = segments(markup)
        if segs.count == 1, segs[0].1 == .normal { return xmlEscape(segs[0].0) }
        var s = ""
        var shift = 0.0
        var carried = 0  // spaces at a segment boundary, drawn as a dx gap (renderers drop them inside tspans)
        for (i, (text, kind)) in segs.enumerated() {
            let target: Double = switch kind {
            case .normal: 0
            case .sub: 0.28 * size
            case .sup: -0.42 * size
            }
            let dy = target - shift
            shift = target
            var body = Substring(text)
            while body.first == " " { body.removeFirst(); carried += 1 }
            var trailing = 0
            while i + 1 < segs.count, body.last == " " { body.removeLast(); trailing += 1 }
            var attrs = carried > 0 ? " dx=\"\(SVGDocument.num(0.32 * size * Double(carried)))\"" : ""
            if dy != 0 { attrs += " dy=\"\(SVGDocument.num(dy))\"" }
            if kind != .normal { attrs += " font-size=\"\(SVGDocument.num(0.72 * size))\"" }
            carried = trailing
            s += attrs.isEmpty ? xmlEscape(String(body)) : "<tspan\(attrs)>\(xmlEscape(String(body)))</tspan>"
        }
        return s
    }

    /// Estimated rendered width in pixels (DejaVu Sans averages about 0.6 em per character).
    static func width(_ markup: String, size: Double) -> Double {
        var w = 0.0
        for (text, kind) in segments(markup) {
            let em = kind == .normal ? size : 0.72 * size
            for c in text.unicodeScalars { w += em * charWidth(c) }
        }
        return w
    }

    private static func charWidth(_ c: Unicode.Scalar) -> Double {
        switch c {
        case " ", ".", ",", ":", ";", "'", "|", "!", "i", "l", "j", "(", ")", "[", "]", "\u{2009}": 0.33
        case "f", "t", "r", "I", "1", "-": 0.45
        case "m", "w", "M", "W", "\u{2016}", "\u{2014}": 0.85
        default: c.value >= 0x2070 && c.value <= 0x209F || c == "\u{B9}" || c == "\u{B2}" || c == "\u{B3}" ? 0.42 : 0.6
        }
    }
}
