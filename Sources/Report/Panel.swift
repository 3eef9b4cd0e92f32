/// One curve: y against x, drawn with `style` and named `label` in the legend.
/// NaN in `y` (a missing value) breaks the curve; x and y have the same length.
public struct Series: Sendable {
    public var label: String
    public var x: [Double]
    public var y: [Double]
    public var style: SeriesStyle

    public init(label: String, x: [Double], y: [Double], style: SeriesStyle) {
        precondition(x.count == y.count, "series '\(label)': \(x.count) x values, \(y.count) y values")
        self.label = label
        self.x = x
        self.y = y
        self.style = style
    }
}

/// A horizontal reference line across a panel (the theory's value of the objective).
public struct ReferenceLine: Sendable {
    public var label: String
    public var value: Double
    public var style: SeriesStyle

    public init(label: String, value: Double, style: SeriesStyle = .theory) {
        self.label = label
        self.value = value
        self.style = style
    }
}

/// One plot: curves against a common x axis, reference lines, axis labels and a title.
/// `xLabel`, `yLabel` and `title` are `RichText` markup (`_{…}` subscripts, `^{…}` superscripts).
public struct Panel: Sendable {
    /// The file name stem (`nc1` → `figures/nc1.svg`).
    public var name: String
    /// A short title above the panel ("NC1: within-class variability").
    public var title: String
    public var xLabel: String
    public var yLabel: String
    /// A sentence for the HTML caption: what is plotted and how it is defined.
    public var caption: String
    public var series: [Series]
    public var references: [ReferenceLine]
    /// Forces a y scale; nil chooses it from the data (`Axis.chooseScale`).
    public var yScale: Axis.Scale?
    /// A heading for the legend ("feature level", "layer"), nil for none.
    public var legendTitle: String?
    /// On a log y axis, the lowest value drawn: smaller positive values (round-off, e.g. NC1 of 1e-28 for
    /// features equal to their class means up to rounding) are drawn at this floor and counted in a note.
    public var logFloor: Double?

    public init(name: String, title: String, xLabel: String, yLabel: String, caption: String = "",
                series: [Series], references: [ReferenceLine] = [], yScale: Axis.Scale? = nil, legendTitle: String? = nil,
                logFloor: Double? = nil) {
        self.name = name
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.caption = caption
        self.series = series
        self.references = references
        self.yScale = yScale
        self.legendTitle = legendTitle
        self.logFloor = logFloor
    }

    /// The legend's entries: every curve, then every reference line.
    var legendEntries: [(label: String, style: SeriesStyle, empty: Bool)] {
        series.map { s in (s.label, s.style, !s.y.contains { $0.isFinite }) } + references.map { ($0.label, $0.style, false) }
    }
}
