// swift-tools-version:6.0
// The fuzz targets of `make fuzz` (see docs/development.md, "Fuzzing").
//
// A package of its own so that only the parsers under test and their two small dependencies
// (swift-log, Yams) are compiled with the fuzzer's instrumentation, never SwiftNIO, gRPC or
// Hummingbird. The library targets are symlinks to the repository's own source folders, so the
// code fuzzed is the code shipped. Build with `fuzz/run.sh`, which passes `--sanitize`.
import PackageDescription

let package = Package(
    name: "outrigger-fuzz",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
    ],
    targets: [
        .target(name: "OutriggerSeam", dependencies: [.product(name: "Logging", package: "swift-log")]),
        .target(name: "CloudEvents", dependencies: ["OutriggerSeam"]),
        .target(name: "OutriggerCore", dependencies: ["OutriggerSeam", .product(name: "Yams", package: "Yams")]),
        .target(
            name: "OutriggerDelivery",
            dependencies: ["CloudEvents", "OutriggerCore", .product(name: "Logging", package: "swift-log")]
        ),
        .executableTarget(name: "FuzzCloudEvent", dependencies: ["CloudEvents"], path: "Targets/FuzzCloudEvent"),
        .executableTarget(name: "FuzzResourceYAML", dependencies: ["OutriggerCore"], path: "Targets/FuzzResourceYAML"),
        .executableTarget(
            name: "FuzzRouteMatch", dependencies: ["CloudEvents", "OutriggerDelivery"], path: "Targets/FuzzRouteMatch"
        ),
        .executableTarget(
            name: "FuzzBulkPublish", dependencies: ["CloudEvents", "OutriggerDelivery"], path: "Targets/FuzzBulkPublish"
        ),
    ]
)
