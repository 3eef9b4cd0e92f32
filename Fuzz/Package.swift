// swift-tools-version: 6.0
// Coverage-guided fuzz targets (libFuzzer) for every parser of NeuralCollapse; built and run by Fuzz/run.sh,
// which passes -sanitize=fuzzer,address and -parse-as-library. docs/robustness.md says what each checks.
import PackageDescription

/// The root package is a path dependency; SwiftPM names it after its directory, whatever the checkout is called.
let root = Context.packageDirectory.split(separator: "/").dropLast().last.map(String.init) ?? "NeuralCollapse"

let targets = ["NPYHeader", "NPZ", "Safetensors", "TOML", "IDX", "CSVGz", "CIFAR", "Checkpoint", "MetricsCSV", "SummaryJSON"]

let package = Package(
    name: "NeuralCollapseFuzz",
    dependencies: [.package(path: "..")],
    targets: [
        .target(name: "CFuzzDriver"),
        .target(name: "FuzzSupport", dependencies: ["CFuzzDriver", .product(name: "Formats", package: root)]),
    ] + targets.map { name in
        .executableTarget(
            name: "Fuzz\(name)",
            dependencies: [
                "FuzzSupport",
                .product(name: "Formats", package: root), .product(name: "UFM", package: root),
                .product(name: "Nets", package: root), .product(name: "Report", package: root),
            ]
        )
    }
)
