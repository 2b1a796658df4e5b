import Foundation
import WaggleCore
import WaggleCrypto
import WaggleP2P
import WaggleTesting

/// Real encodings to start each harness from (`make fuzz-seeds` writes them to Fuzz/corpus).
enum Seeds {
    static let chainID = "waggle-fuzz"
    static let signers = (1...3).map { TestKeys.signer($0) }

    static var transactions: [Transaction] {
        [
            Transaction.sign(chainID: chainID, signer: signers[0], nonce: 0, fee: 10, body: .transfer(to: signers[1].address, amount: 5)),
            Transaction.sign(chainID: chainID, signer: signers[1], nonce: 7, fee: 1, body: .bond(validator: signers[2].address, amount: 1_000)),
            Transaction.sign(
                chainID: chainID, signer: signers[2], nonce: 1, fee: 2, body: .createValidator(publicKey: signers[2].publicKey, selfBond: 9)),
        ]
    }

    static let blockID = Hash256.sha256(Array("block".utf8))

    static var votes: [Vote] {
        [
            Vote.sign(chainID: chainID, type: .prevote, height: 5, round: 0, blockID: blockID, signer: signers[0]),
            Vote.sign(chainID: chainID, type: .precommit, height: 5, round: 1, blockID: nil, signer: signers[1]),
        ]
    }

    static var proposal: Proposal {
        Proposal.sign(chainID: chainID, height: 5, round: 2, polRound: 1, blockID: blockID, signer: signers[0])
    }

    static var validators: ValidatorSet {
        guard let set = try? ValidatorSet(signers.map { Validator(publicKey: $0.publicKey, votingPower: 10) }) else {
            fatalError("three distinct validators form a set")
        }
        return set
    }

    static var commit: Commit {
        let precommits = signers.prefix(2).map {
            Vote.sign(chainID: chainID, type: .precommit, height: 4, round: 0, blockID: blockID, signer: $0)
        }
        return Commit(height: 4, round: 0, blockID: blockID, precommits: Array(precommits), validators: validators)
    }

    static var evidence: DuplicateVoteEvidence {
        let a = Vote.sign(chainID: chainID, type: .precommit, height: 3, round: 0, blockID: blockID, signer: signers[0])
        let b = Vote.sign(chainID: chainID, type: .precommit, height: 3, round: 0, blockID: Hash256.sha256([1]), signer: signers[0])
        guard let e = try? DuplicateVoteEvidence(a, b) else { fatalError("two votes for different blocks are evidence") }
        return e
    }

    static var block: Block {
        let txs = transactions
        let ev = [evidence]
        let header = Header(
            chainID: chainID, height: 5, timeMs: 1_767_225_600_000, lastBlockID: blockID, lastCommitHash: Block.lastCommitHash(commit),
            transactionsRoot: Block.transactionsRoot(txs), stateRoot: Hash256.sha256([2]), validatorsHash: Hash256.sha256([3]),
            nextValidatorsHash: Hash256.sha256([3]), proposer: signers[0].address, evidenceRoot: Block.evidenceRoot(ev))
        return Block(header: header, transactions: txs, evidence: ev, lastCommit: commit)
    }

    static var nodeInfo: NodeInfo {
        guard
            let info = NodeInfo(
                chainID: chainID, nodeID: NodeID(publicKey: signers[0].publicKey), listenAddress: "tcp://127.0.0.1:26656",
                moniker: "fuzz", channels: ChannelDescriptor.all.map(\.id))
        else { fatalError("a valid node info") }
        return info
    }

    static var authPayload: AuthPayload { AuthPayload(signer: signers[0], noiseStaticKey: NoiseHarness.key(1).publicKey) }

    static var pexMessages: [PexMessage] {
        let ips = ["1.2.3.4", "2001:4860::8888", "127.0.0.1"].compactMap(IPAddress.init(parsing:))
        return [
            .request, .addrs([]),
            .addrs(ips.enumerated().map { i, ip in PexAddress(id: NodeID(publicKey: signers[i].publicKey), ip: ip, port: UInt16(26656 + i)) }),
        ]
    }

    static var handshakeInputs: [[UInt8]] { NoiseHarness.honest.enumerated().map { [UInt8($0.offset)] + $0.element } }

    static var noiseStreams: [[UInt8]] {
        let stream = NoiseHarness.honest.flatMap { (try? NoiseMessageDecoder.encode($0)) ?? [] }
        return [[0] + stream, [31] + stream, [255] + stream]
    }

    static var frameStreams: [[UInt8]] {
        let frames = [
            Frame(channel: .control, payload: ControlMessage.ping(1).canonicalBytes),
            Frame(channel: .mempool, payload: MempoolMessage.transaction(transactions[0]).canonicalBytes),
            Frame(channel: .pex, payload: PexMessage.request.canonicalBytes),
            Frame(channel: .votes, payload: votes[0].canonicalBytes),
            Frame(channel: .blockSync, payload: []),
        ]
        let stream = frames.flatMap(\.encoded)
        return [[0] + stream, [6] + stream, [200] + stream]
    }

    static var jsonDocuments: [[UInt8]] {
        [
            #"{"a": [1, -2, 3.5e10, "x\u00e9\n"], "b": {"c": null, "d": true}, "e": 18446744073709551615}"#,
            #"[[], {}, "", 0, -0, 1E400, 123456789012345678901234567890]"#,
        ].map { Array($0.utf8) }
    }

    static var rpcRequests: [[UInt8]] {
        [
            #"{"jsonrpc": "2.0", "id": 1, "method": "echo", "params": {"x": [1, 2]}}"#,
            #"{"jsonrpc": "2.0", "id": "q", "method": "fields", "params": {"a": 7, "b": "s"}}"#,
            #"[{"jsonrpc": "2.0", "id": 1, "method": "fields", "params": {"a": -1}}, {"jsonrpc": "2.0", "method": "echo"}, {"id": 2}]"#,
            #"{"jsonrpc": "2.0", "method": "echo"}"#,
            #"{"jsonrpc": "2.0", "id": 1.0, "method": "missing", "params": [1]}"#,
        ].map { Array($0.utf8) }
    }

    /// A snarkjs file from the shared test vectors (run from the repository root).
    static func snarkjs(_ file: String) -> [[UInt8]] {
        let dir = ProcessInfo.processInfo.environment["WAGGLE_VECTORS"] ?? "../shared/vectors"
        let path = "\(dir)/groth16/zkverifyjs-snarkjs_bn128/\(file)"
        guard let data = FileManager.default.contents(atPath: path) else { fatalError("fuzz seeds need \(path)") }
        return [Array(data)]
    }
}
