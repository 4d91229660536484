// swift-tools-version:6.2
import PackageDescription

/// Strict settings for every Swift target of ours (the same set swift-log uses). With
/// `SPOOL_WARNINGS_AS_ERRORS=1` in the environment (`make test` sets it), a warning in our code fails the
/// build; the packages we depend on are not affected.
let strictSettings: [SwiftSetting] =
    [
        .enableUpcomingFeature("ExistentialAny"),
        .enableUpcomingFeature("MemberImportVisibility"),
        .enableUpcomingFeature("InternalImportsByDefault"),
        .define("ENABLE_MOCKING", .when(configuration: .debug)),
    ] + (Context.environment["SPOOL_WARNINGS_AS_ERRORS"] == "1" ? [.treatAllWarnings(as: .error)] : [])

let package = Package(
    name: "spool",
    products: [
        .library(name: "SpoolCore", targets: ["SpoolCore"]),
        .library(name: "SpoolWorker", targets: ["SpoolWorker"]),
        .library(name: "SpoolMetrics", targets: ["SpoolMetrics"]),
        .executable(name: "spoold", targets: ["spoold"]),
        .executable(name: "spoolctl", targets: ["spoolctl"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-system", from: "1.8.1"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.6.0"),
        .package(url: "https://github.com/swiftlang/swift-subprocess", from: "1.0.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth", from: "2.5.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        .package(url: "https://github.com/apple/swift-distributed-tracing", from: "1.7.3"),
        // Only the OTLP/HTTP exporter: gRPC would add grpc-swift and its transport to every build.
        .package(url: "https://github.com/swift-otel/swift-otel", from: "1.6.0", traits: ["OTLPHTTP"]),
    ],
    targets: [
        .target(name: "CSpoolLinux"),
        .systemLibrary(
            name: "CInotifyTools",
            providers: [.apt(["libinotifytools0-dev"])]
        ),
        .target(
            name: "SpoolSystem",
            dependencies: [
                "CSpoolLinux",
                .product(name: "SystemPackage", package: "swift-system"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "SpoolCore",
            dependencies: [
                "SpoolSystem",
                .product(name: "SystemPackage", package: "swift-system"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "SpoolCron",
            dependencies: [
                "SpoolCore",
                .product(name: "HeapModule", package: "swift-collections"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "SpoolWatch",
            dependencies: [
                "SpoolCore",
                "SpoolSystem",
                "CInotifyTools",
                .product(name: "CoreMetrics", package: "swift-metrics"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "SpoolWorker",
            dependencies: [
                "SpoolCore",
                "SpoolCron",
                "SpoolSystem",
                "SpoolWatch",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "SpoolMetrics",
            dependencies: [
                "SpoolCore",
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "SpoolConfig",
            dependencies: [
                "SpoolCore",
                "SpoolCron",
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "SpoolHandlers",
            dependencies: [
                "SpoolCore",
                "SpoolWorker",
                "SpoolConfig",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Subprocess", package: "swift-subprocess"),
                .product(name: "SystemPackage", package: "swift-system"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "SpoolHTTP",
            dependencies: [
                "SpoolCore",
                "SpoolCron",
                "SpoolConfig",
                "SpoolSystem",
                "SpoolWatch",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "SpoolDaemon",
            dependencies: [
                "SpoolCore",
                "SpoolCron",
                "SpoolWorker",
                "SpoolHandlers",
                "SpoolConfig",
                "SpoolHTTP",
                "SpoolMetrics",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "OTel", package: "swift-otel"),
            ],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "spoold",
            dependencies: [
                "SpoolCore",
                "SpoolHTTP",
                "SpoolWorker",
                "SpoolDaemon",
                "SpoolConfig",
                "SpoolMetrics",
                "SpoolSystem",
                .product(name: "SystemPackage", package: "swift-system"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
            ],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "spoolctl",
            dependencies: [
                "SpoolCore",
                "SpoolCron",
                "SpoolConfig",
                "SpoolSystem",
                "SpoolWatch",
                .product(name: "SystemPackage", package: "swift-system"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
            ],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "spool-bench",
            dependencies: [
                "SpoolCore",
                "SpoolCron",
                "SpoolWorker",
                "SpoolSystem",
                "SpoolConfig",
                "SpoolHTTP",
                .product(name: "SystemPackage", package: "swift-system"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "OTel", package: "swift-otel"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "spool-example-worker",
            dependencies: [
                "SpoolCore",
                "SpoolDaemon",
                "SpoolWorker",
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "examples/embedded-worker",
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "spool-example-machinery",
            dependencies: [
                "SpoolCore",
                "SpoolCron",
                "SpoolDaemon",
                "SpoolWatch",
                "SpoolWorker",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "examples/machinery",
            exclude: ["README.md"],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "spool-test-worker",
            dependencies: ["SpoolCore", "SpoolCron", "SpoolSystem"],
            swiftSettings: strictSettings
        ),
        .target(
            name: "SpoolTestSupport",
            dependencies: [
                "SpoolCore", "SpoolSystem",
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "InMemoryTracing", package: "swift-distributed-tracing"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "SpoolSystemTests",
            dependencies: [
                "SpoolSystem", "SpoolTestSupport", .product(name: "SystemPackage", package: "swift-system"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "SpoolCoreTests",
            dependencies: [
                "SpoolCore", "SpoolSystem", "SpoolTestSupport",
                .product(name: "SystemPackage", package: "swift-system"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "InMemoryTracing", package: "swift-distributed-tracing"),
            ],
            exclude: ["Fixtures"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "SpoolCronTests",
            dependencies: ["SpoolCron", "SpoolCore", "SpoolTestSupport"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "SpoolWorkerTests",
            dependencies: [
                "SpoolWorker", "SpoolWatch", "SpoolCore", "SpoolSystem", "SpoolTestSupport",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "InMemoryTracing", package: "swift-distributed-tracing"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "SpoolMetricsTests",
            dependencies: ["SpoolMetrics", "SpoolWorker", "SpoolWatch", "SpoolCore", "SpoolTestSupport"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "SpoolCrashTests",
            dependencies: ["SpoolCore", "SpoolSystem", "SpoolTestSupport", "spool-test-worker"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "SpoolConfigTests",
            dependencies: ["SpoolConfig", "SpoolCore", "SpoolTestSupport"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "SpoolHandlersTests",
            dependencies: [
                "SpoolHandlers", "SpoolWorker", "SpoolCore", "SpoolSystem", "SpoolTestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "InMemoryTracing", package: "swift-distributed-tracing"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "SpoolHTTPTests",
            dependencies: [
                "SpoolHTTP", "SpoolConfig", "SpoolCore", "SpoolTestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "SpoolDaemonTests",
            dependencies: ["SpoolDaemon", "SpoolCore", "SpoolTestSupport"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "spoolctlTests",
            dependencies: [
                "SpoolCore", "SpoolTestSupport",
                // The in-process OpenTelemetry collector of the tracing test.
                .product(name: "Hummingbird", package: "hummingbird"),
            ],
            swiftSettings: strictSettings
        ),
    ]
)
