// swift-tools-version:6.0
import Foundation
import PackageDescription

// A libFuzzer target for the scenario loader and CSV reader (and, for inputs that load, a short
// simulation). Build and run with Tests/Fuzz/run.sh.
// SwiftPM names a path dependency after its directory: the repository's.
let parent = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().lastPathComponent.lowercased()

let package = Package(
    name: "workforce-fuzz",
    dependencies: [.package(path: "../..")],
    targets: [
        .executableTarget(
            name: "FuzzScenario",
            dependencies: [
                .product(name: "WorkforceScenario", package: parent),
                .product(name: "WorkforceCore", package: parent),
            ]
        ),
    ]
)
