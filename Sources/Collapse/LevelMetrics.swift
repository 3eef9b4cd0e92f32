/// The neural-collapse metrics of one feature level, as ordered (name, value) pairs.
///
/// Scalar names are the metrics.csv contract (`nc1`, `nc1_trace`, `nc2_of`, …; docs/metrics.md lists them
/// all with their formulas); a UFM run logs them as `<name>_<level>` with `suffixed(_:)`. Vector-valued
/// results (singular values, principal-angle cosines) are kept apart in `vectors`, for JSON output.
/// A value that is undefined for the input (e.g. NC2 when every class mean is zero) is NaN.
public struct LevelMetrics: Sendable, Equatable, CustomStringConvertible {
    /// Scalar metrics in a fixed order (see `NCMetrics.compute`).
    public var scalars: [(name: String, value: Double)]
    /// Vector-valued metrics (e.g. `means_singular_values`).
    public var vectors: [(name: String, values: [Double])]
    /// Why some values are undefined (e.g. every class has the same mean), for the user to see.
    public var warnings: [String] = []

    public init(scalars: [(name: String, value: Double)] = [], vectors: [(name: String, values: [Double])] = []) {
        self.scalars = scalars
        self.vectors = vectors
    }

    /// The scalar named `name`, or nil.
    public subscript(_ name: String) -> Double? { scalars.first { $0.name == name }?.value }

    /// The vector named `name`, or nil.
    public func vector(_ name: String) -> [Double]? { vectors.first { $0.name == name }?.values }

    /// The scalar names, in order.
    public var names: [String] { scalars.map(\.name) }

    /// The scalars with `_<level>` appended to every name (`nc1` → `nc1_2`), for metrics.csv.
    public func suffixed(_ level: String) -> [(name: String, value: Double)] {
        scalars.map { (name: "\($0.name)_\(level)", value: $0.value) }
    }

    mutating func append(_ name: String, _ value: Double) { scalars.append((name, value)) }
    mutating func append(_ name: String, _ values: [Double]) { vectors.append((name, values)) }

    public static func == (a: LevelMetrics, b: LevelMetrics) -> Bool {
        func same(_ x: Double, _ y: Double) -> Bool { x == y || (x.isNaN && y.isNaN) }
        return a.scalars.count == b.scalars.count && a.vectors.count == b.vectors.count
            && zip(a.scalars, b.scalars).allSatisfy { $0.name == $1.name && same($0.value, $1.value) }
            && zip(a.vectors, b.vectors).allSatisfy {
                $0.name == $1.name && $0.values.count == $1.values.count && zip($0.values, $1.values).allSatisfy(same)
            }
    }

    public var description: String { scalars.map { "\($0.name)=\($0.value)" }.joined(separator: " ") }
}
