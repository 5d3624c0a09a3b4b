// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "outrigger",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "outrigger", targets: ["outrigger"]),
        .executable(name: "outrigger-ceilings", targets: ["outrigger-ceilings"]),
        .executable(name: "outrigger-microbench", targets: ["outrigger-microbench"]),
        .library(name: "OutriggerTesting", targets: ["OutriggerTesting"]),
        .library(name: "ConformanceKit", targets: ["ConformanceKit"]),
        .executable(name: "outrigger-chaos", targets: ["outrigger-chaos"]),
        .executable(name: "outrigger-grpc-load", targets: ["outrigger-grpc-load"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-http2.git", from: "1.46.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-protobuf.git", from: "1.39.0"),
        .package(url: "https://github.com/grpc/grpc-swift-2.git", from: "2.4.3"),
        .package(url: "https://github.com/grpc/grpc-swift-protobuf.git", from: "2.4.1"),
        .package(url: "https://github.com/grpc/grpc-swift-nio-transport.git", from: "2.9.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/swift-otel/swift-otel.git", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-distributed-tracing.git", from: "1.7.3"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
    ],
    targets: [
        .target(name: "CloudEvents", dependencies: ["OutriggerSeam"]),
        .target(name: "OutriggerSeam", dependencies: [.product(name: "Logging", package: "swift-log")]),
        .target(name: "EventLoopExecutor", dependencies: [.product(name: "NIOCore", package: "swift-nio")]),
        .target(
            name: "OutriggerCore",
            dependencies: ["OutriggerSeam", .product(name: "Yams", package: "Yams")]
        ),
        .target(name: "OutriggerDelivery", dependencies: ["CloudEvents", "OutriggerCore", .product(name: "Logging", package: "swift-log")]),
        .target(name: "BuiltinComponents", dependencies: ["CloudEvents", "OutriggerCore", .product(name: "Logging", package: "swift-log")]),
        // The broker and database libraries are loaded on first use, not linked
        // (Sources/CLibraryLoader/include/CLibraryLoader.h says why): their system library targets
        // have no pkg-config name, whose `--libs` would link them, and their module maps link
        // nothing; the headers are found under /usr/include.
        .target(name: "CLibraryLoader"),
        .target(name: "CProcessMemory"),
        .systemLibrary(name: "CLibPQ", path: "Sources/CLibPQ", providers: [.apt(["libpq-dev"])]),
        .target(name: "PostgresClient", dependencies: ["CLibPQ", "CLibraryLoader", "OutriggerSeam"]),
        .target(name: "PostgresComponents", dependencies: ["PostgresClient", "OutriggerCore", "CloudEvents"]),
        .systemLibrary(name: "CHiredis", path: "Sources/CHiredis", providers: [.apt(["libhiredis-dev"])]),
        .target(
            name: "RedisClient",
            dependencies: [
                "CHiredis",
                "CLibraryLoader",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),
        .target(
            name: "RedisComponents",
            dependencies: ["RedisClient", "OutriggerCore", "CloudEvents", .product(name: "Logging", package: "swift-log")]
        ),
        .systemLibrary(name: "CRdKafka", path: "Sources/CRdKafka", providers: [.apt(["librdkafka-dev"])]),
        .target(name: "KafkaClient", dependencies: ["CRdKafka", "CLibraryLoader", .product(name: "Logging", package: "swift-log")]),
        .target(name: "KafkaComponents", dependencies: ["KafkaClient", "OutriggerCore", .product(name: "Logging", package: "swift-log")]),
        .systemLibrary(name: "CMosquitto", path: "Sources/CMosquitto", providers: [.apt(["libmosquitto-dev"])]),
        .target(name: "MQTTClient", dependencies: ["CMosquitto", "CLibraryLoader"]),
        .target(name: "MQTTComponents", dependencies: ["MQTTClient", "OutriggerCore", .product(name: "Logging", package: "swift-log")]),
        .systemLibrary(name: "CRabbitMQ", path: "Sources/CRabbitMQ", providers: [.apt(["librabbitmq-dev"])]),
        .target(name: "AMQPClient", dependencies: ["CRabbitMQ", "CLibraryLoader"]),
        .target(name: "RabbitMQComponents", dependencies: ["AMQPClient", "OutriggerCore", .product(name: "Logging", package: "swift-log")]),
        .systemLibrary(name: "CNats", path: "Sources/CNats", providers: [.apt(["libnats-dev"])]),
        .target(name: "NATSClient", dependencies: ["CNats", "CLibraryLoader", "OutriggerSeam"]),
        .target(
            name: "JetStreamComponents",
            dependencies: ["NATSClient", "OutriggerCore", "CloudEvents", .product(name: "Logging", package: "swift-log")]
        ),
        .target(
            name: "HTTPBinding",
            dependencies: [
                "OutriggerCore",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),
        .target(
            name: "SMTPBinding",
            dependencies: [
                "OutriggerCore",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),
        .target(
            name: "OutriggerComponents",
            dependencies: [
                "OutriggerCore", "BuiltinComponents", "PostgresComponents", "RedisComponents", "HTTPBinding", "SMTPBinding",
                "RabbitMQComponents", "JetStreamComponents", "KafkaComponents", "MQTTComponents",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "OutriggerHTTPAPI",
            dependencies: [
                "CloudEvents", "OutriggerCore", "OutriggerDelivery", "EventLoopExecutor",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "NIOHTTPTypesHTTP1", package: "swift-nio-extras"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "DaprProto",
            dependencies: [
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCProtobuf", package: "grpc-swift-protobuf"),
            ]
        ),
        .target(
            name: "OutriggerGRPCAPI",
            dependencies: [
                "CloudEvents", "OutriggerCore", "OutriggerDelivery", "DaprProto", "EventLoopExecutor",
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCProtobuf", package: "grpc-swift-protobuf"),
                .product(name: "GRPCNIOTransportHTTP2Posix", package: "grpc-swift-nio-transport"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHPACK", package: "swift-nio-http2"),
                .product(name: "NIOHTTP2", package: "swift-nio-http2"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .target(
            name: "OutriggerRuntime",
            dependencies: [
                "CloudEvents", "OutriggerCore", "OutriggerDelivery", "OutriggerComponents", "OutriggerHTTPAPI", "OutriggerGRPCAPI",
                "CProcessMemory",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "OTel", package: "swift-otel"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        .executableTarget(
            name: "outrigger-ceilings",
            dependencies: [
                .product(name: "NIOHTTP2", package: "swift-nio-http2"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                "EventLoopExecutor",
            ]
        ),
        .executableTarget(
            name: "outrigger-microbench",
            dependencies: ["OutriggerCore", "OutriggerDelivery", "BuiltinComponents"]
        ),
        .executableTarget(
            name: "outrigger",
            dependencies: [
                "OutriggerRuntime", "OutriggerCore", "OutriggerComponents", "CloudEvents",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            linkerSettings: sidecarLinkerSettings
        ),
        .executableTarget(
            name: "outrigger-grpc-load",
            dependencies: [
                "DaprProto", "OutriggerGRPCAPI", "EventLoopExecutor",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCProtobuf", package: "grpc-swift-protobuf"),
                .product(name: "GRPCNIOTransportHTTP2Posix", package: "grpc-swift-nio-transport"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHPACK", package: "swift-nio-http2"),
                .product(name: "NIOHTTP2", package: "swift-nio-http2"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        .target(name: "OutriggerTesting", dependencies: ["OutriggerCore", "OutriggerDelivery"]),
        .target(
            name: "ConformanceKit",
            dependencies: ["OutriggerCore", .product(name: "Yams", package: "Yams")]
        ),

        .target(
            name: "OutriggerChaos",
            dependencies: [
                "OutriggerCore", "OutriggerTesting",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "outrigger-chaos",
            dependencies: ["OutriggerChaos", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),

        .testTarget(name: "CloudEventsTests", dependencies: ["CloudEvents", "OutriggerTesting"]),
        .testTarget(name: "OutriggerSeamTests", dependencies: ["OutriggerSeam", "OutriggerTesting"]),
        .testTarget(
            name: "OutriggerHTTPAPITests",
            dependencies: [
                "OutriggerHTTPAPI", "OutriggerDelivery", "OutriggerCore", "OutriggerTesting",
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        .testTarget(name: "OutriggerCoreTests", dependencies: ["OutriggerCore", "OutriggerTesting"]),
        .testTarget(
            name: "OutriggerDeliveryTests",
            dependencies: [
                "CloudEvents", "OutriggerCore", "OutriggerDelivery", "OutriggerTesting", "BuiltinComponents",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "OutriggerRuntimeTests",
            dependencies: ["OutriggerRuntime", "OutriggerCore", "CProcessMemory"]
        ),
        .testTarget(
            name: "OutriggerComponentsTests",
            dependencies: ["OutriggerComponents", "OutriggerCore", .product(name: "Logging", package: "swift-log")]
        ),
        .testTarget(
            name: "EndToEndTests",
            dependencies: [
                "OutriggerTesting", "OutriggerCore",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        .testTarget(
            name: "GRPCTests",
            dependencies: [
                "OutriggerTesting",
                "DaprProto",
                "OutriggerGRPCAPI", "OutriggerCore", "OutriggerDelivery", "EventLoopExecutor",
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCProtobuf", package: "grpc-swift-protobuf"),
                .product(name: "GRPCNIOTransportHTTP2Posix", package: "grpc-swift-nio-transport"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOHPACK", package: "swift-nio-http2"),
                .product(name: "NIOHTTP2", package: "swift-nio-http2"),
            ]
        ),
        .testTarget(name: "BuiltinComponentsTests", dependencies: ["BuiltinComponents", "OutriggerCore", "OutriggerTesting"]),
        .testTarget(
            name: "HTTPBindingTests",
            dependencies: [
                "HTTPBinding", "OutriggerCore", "OutriggerTesting",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),
        .testTarget(name: "SMTPBindingTests", dependencies: ["SMTPBinding", "OutriggerCore", "OutriggerTesting"]),
        .testTarget(
            name: "RedisClientTests",
            dependencies: ["RedisClient", "OutriggerTesting", "EventLoopExecutor", .product(name: "NIOCore", package: "swift-nio")]),
        .testTarget(name: "RedisComponentsTests", dependencies: ["RedisComponents", "RedisClient", "OutriggerCore", "OutriggerTesting"]),
        .testTarget(name: "PostgresClientTests", dependencies: ["PostgresClient"]),
        .testTarget(name: "KafkaClientTests", dependencies: ["KafkaClient", "CRdKafka", "OutriggerTesting"]),
        .testTarget(name: "KafkaComponentsTests", dependencies: ["KafkaComponents", "KafkaClient", "OutriggerCore", "OutriggerTesting"]),
        .testTarget(name: "MQTTClientTests", dependencies: ["MQTTClient", "OutriggerTesting"]),
        .testTarget(name: "MQTTComponentsTests", dependencies: ["MQTTComponents", "MQTTClient", "OutriggerCore", "OutriggerTesting"]),
        .testTarget(name: "AMQPClientTests", dependencies: ["AMQPClient", "OutriggerTesting"]),
        .testTarget(name: "RabbitMQComponentsTests", dependencies: ["RabbitMQComponents", "AMQPClient", "OutriggerCore", "OutriggerTesting"]),
        .testTarget(name: "NATSClientTests", dependencies: ["NATSClient"]),
        .testTarget(name: "JetStreamComponentsTests", dependencies: ["JetStreamComponents", "NATSClient", "OutriggerCore", "OutriggerTesting"]),
        .testTarget(name: "PostgresComponentsTests", dependencies: ["PostgresComponents", "PostgresClient", "OutriggerCore"]),
        .testTarget(name: "ChaosSmokeTests", dependencies: ["OutriggerChaos"]),
        .testTarget(
            name: "ConformanceTests",
            dependencies: [
                "ConformanceKit", "BuiltinComponents", "OutriggerComponents", "OutriggerCore",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
    ]
)

/// How the sidecar binary is linked (docs/development.md, "Footprint"): the Swift runtime and
/// Foundation linked in, so that only the pages it runs are resident, not whole shared
/// libraries; relative relocations packed (DT_RELR) and no symbol table exported, so the loader
/// reads kilobytes instead of megabytes; and, in release builds, the functions it runs at start
/// and on the hot paths (scripts/startup-order.txt, made by `make startup-order`) placed
/// together at the front of the code. lld ships with the Swift toolchain.
var sidecarLinkerSettings: [LinkerSetting] {
    let foundation = [
        "Foundation", "CoreFoundation", "_FoundationICU", "_FoundationCShims", "_FoundationCollections",
        "FoundationEssentials", "FoundationInternationalization",
    ]
    return [
        .unsafeFlags(
            ["-use-ld=lld", "-static-stdlib", "-Xlinker", "-z", "-Xlinker", "pack-relative-relocs", "-Xlinker", "--no-export-dynamic"]
                + ["-Xlinker", "-T", "-Xlinker", "\(Context.packageDirectory)/scripts/readonly-constants.ld"]
                // Foundation's archives refer to one another: one group resolves them in any order.
                + ["-Xlinker", "--start-group"] + foundation.map { "-l\($0)" } + ["-Xlinker", "--end-group"],
            .when(platforms: [.linux])),
        .unsafeFlags(
            ["-Xlinker", "--symbol-ordering-file=\(Context.packageDirectory)/scripts/startup-order.txt", "-Xlinker", "--no-warn-symbol-ordering"],
            .when(platforms: [.linux], configuration: .release)),
    ]
}
