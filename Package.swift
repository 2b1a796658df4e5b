// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "Waggle",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "waggle", targets: ["waggle"]),
        .executable(name: "waggle-bench", targets: ["WaggleBench"]),
        .library(name: "WaggleCore", targets: ["WaggleCore"]),
        .library(name: "WaggleZK", targets: ["WaggleZK"]),
        .library(name: "WaggleTesting", targets: ["WaggleTesting"]),
        .library(name: "WaggleSimulation", targets: ["WaggleSimulation"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/LebJe/TOMLKit.git", from: "0.6.0"),
    ],
    targets: [
        // C libraries from Debian, found with pkg-config (`make deps` installs them).
        .systemLibrary(
            name: "CRocksDB", pkgConfig: "rocksdb",
            providers: [.apt(["librocksdb-dev"])]),
        .systemLibrary(
            name: "CSodium", pkgConfig: "libsodium",
            providers: [.apt(["libsodium-dev"])]),

        // Pure, deterministic layers.
        .target(name: "WaggleCrypto", dependencies: ["CSodium"]),
        .target(
            name: "WaggleCore",
            dependencies: [
                "WaggleCrypto",
                .product(name: "Crypto", package: "swift-crypto"),
            ]),
        // WaggleZK reads snarkjs JSON with WaggleCore's strict parser and hashes circuit ids and
        // batch transcripts with WaggleCore's SHA-256 and canonical encoder.
        .target(name: "WaggleZK", dependencies: ["WaggleCore"]),
        .target(name: "WaggleLedger", dependencies: ["WaggleCore", "WaggleZK"]),
        // Verifiable ML: fixed-point gadgets, commitments and the built-in circuit families.
        .target(name: "WaggleML", dependencies: ["WaggleZK", "WaggleCore"]),
        .target(name: "WaggleConsensus", dependencies: ["WaggleCore"]),
        // The P2P protocol's pure parts: Noise handshake, identity binding, node info, framing.
        .target(name: "WaggleP2P", dependencies: ["WaggleCore", "WaggleCrypto"]),

        // Storage: RocksDB and the authenticated state tree.
        .target(
            name: "WaggleStore",
            dependencies: [
                "CRocksDB", "WaggleCore",
                .product(name: "Crypto", package: "swift-crypto"),
            ]),

        // Edges: RPC, node wiring, CLI.
        .target(
            name: "WaggleRPC",
            dependencies: [
                "WaggleCore",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ]),
        // The P2P connection as a NIO channel handler (NIOCore only: no sockets in this target).
        .target(
            name: "WaggleP2PNIO",
            dependencies: [
                "WaggleP2P", "WaggleCore", "WaggleCrypto",
                .product(name: "NIOCore", package: "swift-nio"),
            ]),
        // The switch: sockets (NIOPosix), peers, caps, bans, keep-alive, reactors.
        .target(
            name: "WaggleSwitch",
            dependencies: [
                "WaggleP2P", "WaggleP2PNIO", "WaggleCore", "WaggleCrypto",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]),
        .target(
            name: "WaggleNode",
            dependencies: [
                "WaggleCore", "WaggleCrypto", "WaggleStore", "WaggleLedger",
                "WaggleConsensus", "WaggleRPC", "WaggleP2P", "WaggleSwitch", "WaggleZK",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "TOMLKit", package: "TOMLKit"),
            ]),
        .executableTarget(
            name: "waggle",
            dependencies: [
                "WaggleNode", "WaggleLedger", "WaggleZK", "WaggleP2P", "WaggleML",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),

        // Test support shipped as modules: the deterministic network simulator, and test keys
        // with genesis builders.
        .target(
            name: "WaggleSimulation",
            dependencies: ["WaggleConsensus", "WaggleCore", "WaggleCrypto"]),
        .target(
            name: "WaggleTesting",
            dependencies: ["WaggleCore", "WaggleCrypto", "WaggleLedger", "WaggleZK"]),

        .executableTarget(
            name: "WaggleBench",
            dependencies: [
                "WaggleCore", "WaggleCrypto", "WaggleStore", "WaggleLedger", "WaggleNode",
                "WaggleZK", "WaggleConsensus", "WaggleSimulation", "WaggleTesting", "WaggleP2P", "WaggleSwitch",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ]),

        .testTarget(name: "WaggleCryptoTests", dependencies: ["WaggleCrypto"]),
        .testTarget(name: "WaggleCoreTests", dependencies: ["WaggleCore", "WaggleTesting"]),
        .testTarget(name: "WaggleZKTests", dependencies: ["WaggleZK", "WaggleCore"]),
        .testTarget(name: "WaggleMLTests", dependencies: ["WaggleML", "WaggleZK", "WaggleCore", "WaggleTesting"]),
        .testTarget(name: "WaggleP2PTests", dependencies: ["WaggleP2P", "WaggleCore", "WaggleCrypto", "WaggleTesting"]),
        .testTarget(
            name: "WaggleP2PNIOTests",
            dependencies: [
                "WaggleP2PNIO", "WaggleP2P", "WaggleCore", "WaggleCrypto", "WaggleTesting",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]),
        .testTarget(
            name: "WaggleSwitchTests",
            dependencies: [
                "WaggleSwitch", "WaggleP2PNIO", "WaggleP2P", "WaggleCore", "WaggleCrypto", "WaggleTesting",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]),
        .testTarget(name: "WaggleStoreTests", dependencies: ["WaggleStore", "WaggleTesting"]),
        .testTarget(name: "WaggleLedgerTests", dependencies: ["WaggleLedger", "WaggleTesting", "WaggleZK"]),
        .testTarget(
            name: "WaggleConsensusTests", dependencies: ["WaggleConsensus", "WaggleSimulation"]),
        .testTarget(
            name: "WaggleRPCTests",
            dependencies: [
                "WaggleRPC", "WaggleNode", "WaggleTesting", "WaggleP2P", "WaggleSwitch", "WaggleZK",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ]),
        .testTarget(name: "WaggleNodeTests", dependencies: ["WaggleNode", "WaggleP2P", "WaggleSwitch", "WaggleTesting"]),
        .testTarget(
            name: "WaggleIntegrationTests", dependencies: ["WaggleCore", "WaggleLedger", "WaggleNode", "WaggleStore", "WaggleTesting"]),
    ]
)

// `make fuzz` builds the libFuzzer harnesses (Fuzz/WaggleFuzz, Docs/FUZZING.md) with
// -sanitize=fuzzer,address in their own scratch path (.build/fuzz); the target exists only then,
// so everyday builds and `make test` never compile it.
if Context.environment["WAGGLE_FUZZ"] == "1" {
    package.products.append(.executable(name: "waggle-fuzz", targets: ["WaggleFuzz"]))
    package.targets += [
        .target(name: "CFuzzDriver", path: "Fuzz/CFuzzDriver"),
        .executableTarget(
            name: "WaggleFuzz",
            dependencies: ["CFuzzDriver", "WaggleCore", "WaggleCrypto", "WaggleP2P", "WaggleRPC", "WaggleZK", "WaggleTesting"],
            path: "Fuzz/WaggleFuzz"),
    ]
}

// CI builds our own targets with warnings as errors (.ci/run sets WAGGLE_STRICT=1); dependencies
// and everyday builds are unaffected.
if Context.environment["WAGGLE_STRICT"] == "1" {
    for target in package.targets where target.type != .system {
        target.swiftSettings = (target.swiftSettings ?? []) + [.unsafeFlags(["-warnings-as-errors"])]
    }
}
