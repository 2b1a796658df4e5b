import Foundation
import WaggleCore
import WaggleCrypto
import WaggleP2P
import WaggleRPC
import WaggleTesting
import WaggleZK

/// One libFuzzer harness: a decoder of bytes from outside the process, the invariants it must
/// keep on any input, and the seed corpus (real encodings) it starts from. Docs/FUZZING.md.
///
/// To add a decoder (a block-sync message, say): append
/// `.canonical("block-sync", BlockSyncMessage.self, seeds: { [...real encodings...] })` to
/// `Harness.all` (or a `Harness(name:seeds:run:)` for a stateful decoder), run
/// `make fuzz-seeds`, and commit Fuzz/corpus/block-sync.
struct Harness: Sendable {
    let name: String
    let seeds: @Sendable () -> [[UInt8]]
    let run: @Sendable ([UInt8]) -> Void

    /// A canonical decoder: whatever decodes must re-encode to exactly the input, and decode
    /// again to the same value (one encoding per value).
    static func canonical<T: CanonicalCodable & Equatable & Sendable>(_ name: String, _: T.Type, seeds: @escaping @Sendable () -> [T]) -> Harness {
        Harness(name: name, seeds: { seeds().map(\.canonicalBytes) }) { bytes in
            guard let value = try? T(canonicalBytes: bytes) else { return }
            let again = value.canonicalBytes
            check(again == bytes, "\(name): decode then encode changed the bytes")
            check((try? T(canonicalBytes: again)) == value, "\(name): the re-encoding does not decode to the same value")
        }
    }

    static let all: [Harness] = [
        .canonical("transaction", Transaction.self, seeds: { Seeds.transactions }),
        .canonical("block", Block.self, seeds: { [Seeds.block] }),
        .canonical("vote", Vote.self, seeds: { Seeds.votes }),
        .canonical("proposal", Proposal.self, seeds: { [Seeds.proposal] }),
        .canonical("commit", Commit.self, seeds: { [Seeds.commit] }),
        .canonical("evidence", DuplicateVoteEvidence.self, seeds: { [Seeds.evidence] }),
        .canonical("node-info", NodeInfo.self, seeds: { [Seeds.nodeInfo] }),
        .canonical("auth-payload", AuthPayload.self, seeds: { [Seeds.authPayload] }),
        .canonical("control-message", ControlMessage.self, seeds: { [.ping(7), .pong(0xffff_ffff)] }),
        .canonical("mempool-message", MempoolMessage.self, seeds: { Seeds.transactions.map { .transaction($0) } }),
        .canonical("pex-message", PexMessage.self, seeds: { Seeds.pexMessages }),
        Harness(name: "noise-handshake", seeds: { Seeds.handshakeInputs }, run: NoiseHarness.run),
        Harness(name: "noise-length-prefix", seeds: { Seeds.noiseStreams }, run: streamRun(NoiseHarness.lengthPrefix)),
        Harness(name: "frame-decoder", seeds: { Seeds.frameStreams }, run: streamRun(FrameHarness.run)),
        Harness(name: "json", seeds: { Seeds.jsonDocuments }, run: JSONHarness.json),
        Harness(name: "jsonrpc-request", seeds: { Seeds.rpcRequests }, run: JSONHarness.rpc),
        Harness(name: "snarkjs-vk", seeds: { Seeds.snarkjs("verification_key.json") }) { bytes in
            if let vk = try? SnarkJS.parseVerifyingKey(Data(bytes)) {
                check((try? SnarkJS.parseVerifyingKey(SnarkJS.encode(vk))) == vk, "snarkjs-vk: encode then parse changed the key")
            }
        },
        Harness(name: "snarkjs-proof", seeds: { Seeds.snarkjs("proof.json") }) { bytes in
            if let proof = try? SnarkJS.parseProof(Data(bytes)) {
                check((try? SnarkJS.parseProof(SnarkJS.encode(proof))) == proof, "snarkjs-proof: encode then parse changed the proof")
            }
        },
        Harness(name: "snarkjs-public", seeds: { Seeds.snarkjs("public.json") }) { bytes in
            if let inputs = try? SnarkJS.parsePublicInputs(Data(bytes)) {
                check(
                    (try? SnarkJS.parsePublicInputs(SnarkJS.encode(publicInputs: inputs))) == inputs,
                    "snarkjs-public: encode then parse changed the inputs")
            }
        },
    ]

    /// Harnesses for stream decoders take a cut list from the input: the first byte says how
    /// many bytes go in each `feed` call (1 to 256), so the fuzzer explores chunkings too.
    static func streamRun(_ body: @escaping @Sendable (_ chunk: Int, _ stream: [UInt8]) -> Void) -> @Sendable ([UInt8]) -> Void {
        { bytes in
            guard let first = bytes.first else { return }
            body(Int(first) + 1, Array(bytes.dropFirst()))
        }
    }
}

/// An invariant broken: abort so that libFuzzer records the input as a crash.
func check(_ condition: Bool, _ message: @autoclosure () -> String) {
    guard !condition else { return }
    FileHandle.standardError.write(Data("invariant broken: \(message())\n".utf8))
    abort()
}
