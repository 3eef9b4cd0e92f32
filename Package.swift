// swift-tools-version: 6.0
// NeuralCollapse: neural-collapse research toolkit on OpenBLAS/LAPACK.
// Module layout and data flow: README.md, section "Design".
import PackageDescription

/// Release builds are what every benchmark and long run uses; `-enforce-exclusivity=unchecked`
/// removes dynamic exclusivity checks in the numerical hot loops (all buffers there are local).
let fast: [SwiftSetting] = [.unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))]

let package = Package(
    name: "NeuralCollapse",
    products: [
        .executable(name: "collapse", targets: ["collapse"]),
        .library(name: "Linalg", targets: ["Linalg"]),
        .library(name: "Formats", targets: ["Formats"]),
        .library(name: "Collapse", targets: ["Collapse"]),
        .library(name: "UFM", targets: ["UFM"]),
        .library(name: "Nets", targets: ["Nets"]),
        .library(name: "Report", targets: ["Report"]),
        .library(name: "Benchmarks", targets: ["Benchmarks"]),
        .library(name: "Sweep", targets: ["Sweep"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.20"),
    ],
    targets: [
        .systemLibrary(
            name: "COpenBLAS",
            providers: [.apt(["libopenblas-dev", "liblapacke-dev"])]
        ),
        .systemLibrary(
            name: "CGzip",
            providers: [.apt(["zlib1g-dev"])]
        ),
        // -ffp-contract=off: no fused multiply-adds, so that every vector-width clone of a kernel gives the
        // same bits (Sources/CKernels/kernels.c).
        .target(name: "CKernels", cSettings: [.unsafeFlags(["-ffp-contract=off", "-O2"])]),
        // CPUID/XGETBV for choosing OpenBLAS's kernels at start-up (Sources/Linalg/OpenBLASCore.swift).
        .target(name: "CCPUID"),
        .target(name: "Linalg", dependencies: ["COpenBLAS", "CCPUID"], swiftSettings: fast),
        .target(
            name: "Formats",
            dependencies: [
                "Linalg", "CGzip", .product(name: "ZIPFoundation", package: "ZIPFoundation"),
            ],
            swiftSettings: fast
        ),
        .target(name: "Collapse", dependencies: ["Linalg"], swiftSettings: fast),
        .target(
            name: "UFM",
            dependencies: ["Linalg", "Collapse", "Formats", "Report", "CKernels"],
            swiftSettings: fast
        ),
        .target(
            name: "Nets",
            dependencies: ["Linalg", "Formats", "Collapse", "Report", "COpenBLAS"],
            swiftSettings: fast
        ),
        // The git commit the binary was built from (scripts/build-info.sh), for run provenance.
        .target(name: "CBuildInfo"),
        .target(name: "Report", dependencies: ["Formats", "Collapse", "Linalg", "CBuildInfo"], swiftSettings: fast),
        .target(name: "Sweep", dependencies: ["Linalg", "Formats", "Collapse", "UFM", "Nets", "Report"], swiftSettings: fast),
        // The measurement logic of `collapse bench` (paired rounds, the BLAS floor, profiles, both sides' BLAS).
        .target(name: "Benchmarks", dependencies: ["Linalg", "Formats", "Collapse", "UFM", "Nets", "Sweep"], swiftSettings: fast),
        .executableTarget(
            name: "collapse",
            dependencies: [
                "Linalg", "Formats", "Collapse", "UFM", "Nets", "Report", "Benchmarks", "Sweep",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: fast
        ),
        .testTarget(name: "LinalgTests", dependencies: ["Linalg"]),
        .testTarget(name: "FormatsTests", dependencies: ["Formats", "Linalg"], resources: [.copy("Fixtures")]),
        .testTarget(name: "CollapseTests", dependencies: ["Collapse", "Linalg", "Formats"], resources: [.copy("Fixtures")]),
        .testTarget(name: "UFMTests", dependencies: ["UFM", "Linalg", "Collapse", "Formats", "Report"]),
        .testTarget(name: "NetsTests", dependencies: ["Nets", "Linalg", "Formats", "Collapse", "Report"]),
        .testTarget(name: "CLITests", dependencies: ["collapse"]),
        .testTarget(name: "SweepTests", dependencies: ["Sweep", "UFM", "Formats", "Report"]),
        .testTarget(name: "ReportTests", dependencies: ["Report", "Formats", "Collapse"]),
    ]
)
