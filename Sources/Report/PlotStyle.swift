/// How one curve is drawn: color, marker shape and dash pattern.
///
/// Colors are the Okabe–Ito palette (Okabe & Ito 2008, "Color Universal Design"), distinguishable under
/// the common color-vision deficiencies; markers add a second, color-free cue, so figures also survive
/// grayscale printing. Yellow is last because it is faint on white.
public struct SeriesStyle: Equatable, Sendable {
    public enum Marker: String, Sendable, CaseIterable {
        case circle, square, triangleUp, diamond, triangleDown, openCircle, openSquare, cross
    }

    public var color: String
    public var marker: Marker?
    /// An SVG stroke-dasharray, nil for a solid line.
    public var dash: String?
    public var width: Double

    public init(color: String, marker: Marker?, dash: String? = nil, width: Double = 1.6) {
        self.color = color
        self.marker = marker
        self.dash = dash
        self.width = width
    }

    /// Okabe–Ito, reordered for contrast on white: blue, vermillion, bluish green, reddish purple, orange,
    /// sky blue, yellow.
    public static let palette = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442"]
    static let dashes: [String?] = [nil, "7 3", "2 2.5", "9 3 2 3"]

    /// The style of the i-th curve of a family (i from 0): color cycles through the palette, the marker
    /// through its eight shapes; once the colors repeat, a dash pattern keeps the curves apart.
    public static func indexed(_ i: Int) -> SeriesStyle {
        let markers = Marker.allCases
        return SeriesStyle(color: palette[i % palette.count], marker: markers[i % markers.count],
                           dash: dashes[(i / palette.count) % dashes.count])
    }

    /// A single quantity (the objective, a loss): solid black, no marker.
    public static let single = SeriesStyle(color: "#000000", marker: nil)
    /// The theory's prediction: a dashed dark-gray horizontal line.
    public static let theory = SeriesStyle(color: "#6f6f6f", marker: nil, dash: "6 4", width: 1.6)
}

extension SeriesStyle.Marker {
    /// An SVG element drawing the marker centered at (x, y) with half-size r.
    func svg(x: Double, y: Double, r: Double, color: String) -> String {
        let n = SVGDocument.num
        switch self {
        case .circle:
            return "<circle cx=\"\(n(x))\" cy=\"\(n(y))\" r=\"\(n(r))\" fill=\"\(color)\"/>"
        case .openCircle:
            return "<circle cx=\"\(n(x))\" cy=\"\(n(y))\" r=\"\(n(r))\" fill=\"#ffffff\" stroke=\"\(color)\" stroke-width=\"1.3\"/>"
        case .square:
            return "<rect x=\"\(n(x - 0.9 * r))\" y=\"\(n(y - 0.9 * r))\" width=\"\(n(1.8 * r))\" height=\"\(n(1.8 * r))\" fill=\"\(color)\"/>"
        case .openSquare:
            return "<rect x=\"\(n(x - 0.9 * r))\" y=\"\(n(y - 0.9 * r))\" width=\"\(n(1.8 * r))\" height=\"\(n(1.8 * r))\" fill=\"#ffffff\" stroke=\"\(color)\" stroke-width=\"1.3\"/>"
        case .triangleUp:
            let s = 1.25 * r
            return "<path d=\"M\(n(x)) \(n(y - s))L\(n(x + s)) \(n(y + 0.75 * s))L\(n(x - s)) \(n(y + 0.75 * s))Z\" fill=\"\(color)\"/>"
        case .triangleDown:
            let s = 1.25 * r
            return "<path d=\"M\(n(x)) \(n(y + s))L\(n(x + s)) \(n(y - 0.75 * s))L\(n(x - s)) \(n(y - 0.75 * s))Z\" fill=\"\(color)\"/>"
        case .diamond:
            let s = 1.3 * r
            return "<path d=\"M\(n(x)) \(n(y - s))L\(n(x + s)) \(n(y))L\(n(x)) \(n(y + s))L\(n(x - s)) \(n(y))Z\" fill=\"\(color)\"/>"
        case .cross:
            let s = 1.1 * r
            return "<path d=\"M\(n(x - s)) \(n(y - s))L\(n(x + s)) \(n(y + s))M\(n(x - s)) \(n(y + s))L\(n(x + s)) \(n(y - s))\" stroke=\"\(color)\" stroke-width=\"1.6\" fill=\"none\"/>"
        }
    }
}
