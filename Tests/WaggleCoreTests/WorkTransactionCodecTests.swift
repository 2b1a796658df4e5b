import Testing
import WaggleCore
import WaggleTesting

/// The useful-work transaction kinds (tags 0x05–0x0C): byte layouts and every decoding refusal.
@Suite struct WorkTransactionCodecTests {
    let chainID = "waggle-test"

    func body(_ b: TransactionBody) -> [UInt8] { b.canonicalBytes }

    func decodeBody(_ bytes: [UInt8]) throws -> TransactionBody { try TransactionBody(canonicalBytes: bytes) }

    static let spec = TaskSpec(
        circuit: Hash256.sha256([9]), dataset: 2, model: nil,
        fixedInputs: [FixedInput(index: 1, value: ScalarBytes(9)), FixedInput(index: 3, value: ScalarBytes(4))], reward: 100,
        dataShareBps: 2_500, modelShareBps: 0, maxContributions: 7, reputationCredit: 50, deadline: 1_000)

    static let allBodies: [TransactionBody] = [
        .registerCircuit(verifyingKey: [1, 2, 3], bindingInput: 0, name: "mnist-accuracy"),
        .approveCircuit(circuit: Hash256.sha256([1])),
        .registerDataset(commitment: ScalarBytes(12345), samples: 60_000, name: "mnist"),
        .commitModel(commitment: ScalarBytes(777), name: "logreg v1"),
        .createTask(spec),
        .closeTask(task: 3),
        .contribute(task: 3, proof: [UInt8](repeating: 7, count: 256), publicInputs: [ScalarBytes(1), ScalarBytes(2)]),
        .unjail(validator: TestKeys.signer(3).address),
    ]

    @Test func everyWorkTransactionKindRoundTripsSigned() throws {
        for b in Self.allBodies {
            let tx = Transaction.sign(chainID: chainID, signer: TestKeys.signer(1), nonce: 7, fee: 3, body: b)
            let decoded = try Transaction(canonicalBytes: tx.canonicalBytes)
            #expect(decoded == tx)
            #expect(decoded.verifySignature(chainID: chainID))
        }
        #expect(Self.allBodies.map { $0.tag.rawValue } == Array(0x05...0x0C))
    }

    @Test func workBodiesHaveTheDocumentedByteLayout() {
        #expect(body(.closeTask(task: 0x0102)) == [0x0A, 0, 0, 0, 0, 0, 0, 0x01, 0x02])
        #expect(body(.approveCircuit(circuit: Hash256.sha256([1]))) == [0x06] + Hash256.sha256([1]).bytes)
        #expect(body(.unjail(validator: TestKeys.signer(3).address)) == [0x0C] + TestKeys.signer(3).address.bytes)
        #expect(
            body(.registerCircuit(verifyingKey: [0xAA], bindingInput: 2, name: "c"))
                == [0x05, 0, 0, 0, 1, 0xAA, 0, 0, 0, 2, 0, 0, 0, 1, 0x63])
        #expect(
            body(.registerDataset(commitment: ScalarBytes(5), samples: 6, name: "d"))
                == [0x07] + [UInt8](repeating: 0, count: 31) + [5] + [0, 0, 0, 0, 0, 0, 0, 6] + [0, 0, 0, 1, 0x64])
        #expect(body(.commitModel(commitment: ScalarBytes(5), name: "m")) == [0x08] + ScalarBytes(5).bytes + [0, 0, 0, 1, 0x6D])
        let proof = [UInt8](repeating: 7, count: 256)
        #expect(
            body(.contribute(task: 1, proof: proof, publicInputs: [ScalarBytes(2)]))
                == [0x0B, 0, 0, 0, 0, 0, 0, 0, 1] + proof + [0, 0, 0, 1] + ScalarBytes(2).bytes)
        var e = CanonicalEncoder()
        e.u8(0x09)
        e.fixed(Hash256.sha256([9]).bytes)
        e.fixed([1, 0, 0, 0, 0, 0, 0, 0, 2])  // some(dataset 2)
        e.u8(0)  // no model
        e.fixed([0, 0, 0, 2, 0, 0, 0, 1] + ScalarBytes(9).bytes + [0, 0, 0, 3] + ScalarBytes(4).bytes)
        e.u64(100)
        e.u16(2_500)
        e.u16(0)
        e.u32(7)
        e.u64(50)
        e.u64(1_000)
        #expect(body(.createTask(Self.spec)) == e.bytes)
    }

    @Test func fieldElementsAtOrAboveTheScalarModulusAreRefused() {
        let r = ScalarBytes.modulus
        var below = r
        below[31] -= 1
        #expect(ScalarBytes(r) == nil)
        #expect(ScalarBytes(below) != nil)
        #expect(ScalarBytes([UInt8](repeating: 0xFF, count: 32)) == nil)
        #expect(ScalarBytes([1, 2]) == nil)
        let good = body(.commitModel(commitment: ScalarBytes(below)!, name: "m"))
        #expect((try? decodeBody(good)) != nil)
        let bad = [0x08] + r + [0, 0, 0, 1, 0x6D]
        #expect(throws: CodecError(.invalidValue, "")) { try decodeBody(bad) }
    }

    @Test func namesMustBeShortPrintableAndNonEmpty() {
        for name in ["", String(repeating: "a", count: 65), "tab\there", "nul\u{0}", "del\u{7F}"] {
            var e = CanonicalEncoder()
            e.u8(0x08)
            e.encode(ScalarBytes(1))
            e.string(name)
            #expect(throws: CodecError.self, "name \(name.debugDescription)") { try decodeBody(e.bytes) }
        }
        var ok = CanonicalEncoder()
        ok.u8(0x08)
        ok.encode(ScalarBytes(1))
        ok.string(String(repeating: "é", count: 32))  // 64 bytes of UTF-8
        #expect((try? decodeBody(ok.bytes)) != nil)
    }

    @Test func fixedInputsMustBeStrictlyAscending() {
        for indices in [[3, 1], [2, 2]] {
            var spec = Self.spec
            spec.fixedInputs = indices.map { FixedInput(index: UInt32($0), value: ScalarBytes(1)) }
            #expect(throws: CodecError(.nonCanonical, "")) { try decodeBody(body(.createTask(spec))) }
        }
    }

    @Test func sizeLimitsAreEnforcedPerField() {
        // A verifying key above the limit.
        var e = CanonicalEncoder()
        e.u8(0x05)
        e.bytes([UInt8](repeating: 1, count: UsefulWorkLimits.maxVerifyingKeyBytes + 1))
        e.u32(0)
        e.string("c")
        #expect(throws: CodecError(.lengthOverLimit, "")) { try decodeBody(e.bytes) }
        // More public inputs than a circuit may have.
        let inputs = [ScalarBytes](repeating: ScalarBytes(1), count: UsefulWorkLimits.maxPublicInputs + 1)
        #expect(throws: CodecError(.lengthOverLimit, "")) {
            try decodeBody(body(.contribute(task: 1, proof: [UInt8](repeating: 0, count: 256), publicInputs: inputs)))
        }
        // The largest contribution and key still fit in a transaction.
        let big = Transaction.sign(
            chainID: chainID, signer: TestKeys.signer(1), nonce: 0, fee: 1,
            body: .registerCircuit(
                verifyingKey: [UInt8](repeating: 1, count: UsefulWorkLimits.maxVerifyingKeyBytes), bindingInput: 0,
                name: String(repeating: "n", count: 64)))
        #expect(big.canonicalBytes.count <= Transaction.maxEncodedSize)
    }

    @Test func workBodiesRejectTrailingBytesTruncationAndBadOptionTags() {
        for b in Self.allBodies {
            let bytes = body(b)
            #expect(throws: CodecError(.trailingBytes, "")) { try decodeBody(bytes + [0]) }
            for n in 1..<bytes.count {
                #expect(throws: CodecError.self) { try decodeBody(Array(bytes[0..<n])) }
            }
        }
        var bytes = body(.createTask(Self.spec))
        bytes[1 + 32] = 2  // the dataset option tag
        #expect(throws: CodecError.self) { try decodeBody(bytes) }
    }
}
