// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "workforce",
    products: [
        .executable(name: "workforce", targets: ["workforce"]),
        .library(name: "WorkforceCore", targets: ["WorkforceCore"]),
        .library(name: "WorkforceScenario", targets: ["WorkforceScenario"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        .package(url: "https://github.com/yaslab/CSV.swift", from: "2.5.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.0.0"),
    ],
    targets: [
        // OpenBLAS (CBLAS) and LAPACKE from Debian's libopenblas-dev and liblapacke-dev.
        .systemLibrary(
            name: "COpenBLAS",
            providers: [.apt(["libopenblas-dev", "liblapacke-dev"])]
        ),
        // The numerical core: resolved model, random numbers, simulation, summaries. No I/O.
        .target(name: "WorkforceCore", dependencies: ["COpenBLAS"]),
        // Scenario files (YAML and CSV) -> resolved model, with located error messages.
        .target(
            name: "WorkforceScenario",
            dependencies: [
                "WorkforceCore",
                .product(name: "Yams", package: "Yams"),
                .product(name: "CSV", package: "CSV.swift"),
            ]
        ),
        // Summaries -> CSV and JSON text, atomic file output, and run manifests.
        .target(
            name: "WorkforceWriters",
            dependencies: ["WorkforceCore", "COpenBLAS", .product(name: "Crypto", package: "swift-crypto")]
        ),
        .executableTarget(
            name: "workforce",
            dependencies: [
                "WorkforceCore", "WorkforceScenario", "WorkforceWriters",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "WorkforceCoreTests", dependencies: ["WorkforceCore", "COpenBLAS"]),
        .testTarget(name: "WorkforceScenarioTests", dependencies: ["WorkforceScenario", "WorkforceCore", "WorkforceWriters"]),
        .testTarget(name: "WorkforceCLITests", dependencies: ["workforce"]),
    ]
)
