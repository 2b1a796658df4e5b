import Testing
import WaggleCore
import WaggleLedger
import WaggleTesting
import WaggleZK

/// Genesis `circuits` and the reputation parameters: parsing, round trips and every refusal.
@Suite struct GenesisWorkTests {
    func text(_ doc: GenesisDoc) -> String { String(decoding: doc.json.serialized(pretty: true), as: UTF8.self) }

    func parse(_ s: String) throws(LedgerError) -> GenesisDoc { try GenesisDoc.parse(Array(s.utf8)) }

    func expectError(_ json: String, contains fragment: String, sourceLocation: SourceLocation = #_sourceLocation) {
        do {
            _ = try parse(json)
            Issue.record("expected an error containing \(fragment)", sourceLocation: sourceLocation)
        } catch {
            #expect(error.code == .invalidGenesis, sourceLocation: sourceLocation)
            #expect(error.reason.contains(fragment), "\(error.reason)", sourceLocation: sourceLocation)
        }
    }

    func doc(_ circuits: [GenesisCircuit] = [], _ configure: (inout LedgerParams) -> Void = { _ in }) -> GenesisDoc {
        var b = GenesisBuilder(validators: 1)
        b.circuits = circuits
        configure(&b.ledgerParams)
        return b.build()
    }

    static let square = GenesisCircuit(verifyingKey: BindingCircuit.key, bindingInput: 0, name: "square", approved: true)

    @Test func circuitsAndReputationParametersRoundTripThroughJSON() throws {
        let d = doc([Self.square]) {
            $0.maxReputationGainPerEpoch = 77
            $0.reputationRetentionPpm = 999_000
            $0.validatorDutyCredit = 5
            $0.minSignedPerEpochBps = 6_000
            $0.downtimeReputationCutBps = 2_500
            $0.jailEpochs = 4
            $0.minContributionFee = 9
        }
        let parsed = try parse(text(d))
        #expect(parsed == d)
        #expect(parsed.circuits.first?.verifyingKey.circuitID == BindingCircuit.id)
        #expect(parsed.ledgerParams.jailEpochs == 4 && parsed.ledgerParams.minContributionFee == 9)
    }

    @Test func omittedCircuitsAndParametersTakeTheirDefaults() throws {
        var t = text(doc())
        t = t.replacingOccurrences(of: "\"circuits\" : [\n\n  ],", with: "")
        t = t.replacingOccurrences(of: "\"circuits\" : [],", with: "")
        #expect(!t.contains("circuits"))
        let parsed = try parse(t)
        #expect(parsed.circuits.isEmpty)
        #expect(parsed.ledgerParams.reputationRetentionPpm == LedgerParams().reputationRetentionPpm)
    }

    @Test func aGenesisCircuitAcceptsASnarkJSKeyAsWritten() throws {
        let vk = String(decoding: SnarkJS.encode(BindingCircuit.key), as: UTF8.self)
        let written = try JSONValue.parse(Array(text(doc()).utf8))
        guard case .object(var root) = written else { Issue.record("genesis JSON is not an object: \(written.text)"); return }
        root["circuits"] = try JSONValue.parse(Array("[{\"verification_key\": \(vk), \"binding_input\": 0, \"name\": \"square\"}]".utf8))
        let parsed = try parse(String(decoding: JSONValue.object(root).serialized(pretty: true), as: UTF8.self))
        #expect(parsed.circuits == [GenesisCircuit(verifyingKey: BindingCircuit.key, bindingInput: 0, name: "square", approved: false)])
    }

    @Test func genesisRefusesForgeableKeysWithTheReason() {
        let forgeable = GenesisCircuit(verifyingKey: BindingCircuit.forgeableKey, bindingInput: 0, name: "f", approved: true)
        expectError(text(doc([forgeable])), contains: "circuits[0]: forgeable verification key")
        expectError(text(doc([forgeable])), contains: "no secret δ contribution")
        #expect(throws: LedgerError(.invalidGenesis, "")) { try doc([forgeable]).initialState() }
    }

    @Test func genesisRefusesBadCircuitsNamingTheField() {
        var badBinding = Self.square
        badBinding.bindingInput = 2
        expectError(text(doc([badBinding])), contains: "circuits[0]: binding input 2")
        var badName = Self.square
        badName.name = ""
        expectError(text(doc([badName])), contains: "circuits[0].name")
        expectError(text(doc([Self.square, Self.square])), contains: "circuits[1].verification_key: duplicate circuit")
        let t = text(doc([Self.square]))
        expectError(
            t.replacingOccurrences(of: "\"binding_input\" : 0", with: "\"binding_input\" : \"x\""), contains: "circuits[0].binding_input")
        expectError(
            t.replacingOccurrences(of: "\"approved\" : true", with: "\"approved\" : true, \"extra\" : 1"),
            contains: "unknown field \"extra\"")
        expectError(
            t.replacingOccurrences(of: "\"protocol\" : \"groth16\"", with: "\"protocol\" : \"plonk\""),
            contains: "circuits[0].verification_key")
    }

    @Test func eachReputationParameterIsValidatedWithAPreciseError() {
        let cases: [(String, (inout LedgerParams) -> Void)] = [
            ("ledger_params.max_reputation_gain_per_epoch", { $0.maxReputationGainPerEpoch = 0 }),
            ("ledger_params.reputation_retention_ppm", { $0.reputationRetentionPpm = 1_000_001 }),
            ("ledger_params.validator_duty_credit", { $0.validatorDutyCredit = $0.maxReputationGainPerEpoch + 1 }),
            ("ledger_params.min_signed_per_epoch_bps", { $0.minSignedPerEpochBps = 10_001 }),
            ("ledger_params.downtime_reputation_cut_bps", { $0.downtimeReputationCutBps = 10_001 }),
            ("ledger_params.jail_epochs", { $0.jailEpochs = 0 }),
            ("ledger_params.jail_epochs", { $0.jailEpochs = LedgerParams.maxJailEpochs + 1 }),
            ("ledger_params.min_contribution_fee", { $0.minContributionFee = .max }),
        ]
        for (fragment, change) in cases {
            expectError(text(doc([], change)), contains: fragment)
        }
    }

    @Test func genesisCircuitsAreInTheInitialState() throws {
        let (changes, _) = try doc([Self.square]).initialState()
        var mem = MemoryState()
        mem.apply(changes)
        let record = try doc().ledger.circuit(BindingCircuit.id, in: StateOverlay(base: mem))
        #expect(record?.approved == true && record?.registrant == nil && record?.verifyingKey == BindingCircuit.keyBytes)
    }
}
