import Testing
import WaggleCore
import WaggleLedger
import WaggleTesting

@Suite struct GenesisTests {
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

    /// Replaces one JSON fragment of a valid genesis.
    func mutate(_ from: String, _ to: String) -> String {
        let base = text(GenesisBuilder(validators: 1).build())
        precondition(base.contains(from), "fixture does not contain \(from)")
        return base.replacingOccurrences(of: from, with: to)
    }

    @Test func roundTripsThroughJSON() throws {
        var b = GenesisBuilder(validators: 3)
        b.ledgerParams.minDelegation = 250  // not the parse default
        let doc = b.build()
        let parsed = try parse(text(doc))
        #expect(parsed == doc)
        #expect(parsed.ledgerParams.minDelegation == 250)
    }

    @Test func initialStateFundsAccountsAndBondsValidators() throws {
        let doc = GenesisBuilder(validators: 2).build()
        let (changes, set) = try doc.initialState()
        #expect(set.count == 2)
        #expect(set.totalVotingPower == 2_000_000)
        var mem = MemoryState()
        mem.apply(changes)
        let state = StateOverlay(base: mem)
        let info = try doc.ledger.chainInfo(in: state)
        #expect(info.totalSupply == 2 * (1_000_000_000 + 1_000_000))
        #expect(info.lastHeight == 0)
        #expect(try doc.ledger.account(doc.validators[0].operator, in: state)?.balance == 1_000_000_000)
    }

    @Test func malformedJSONIsAClearError() {
        expectError("{\"chain_id\": ", contains: "malformed JSON")
        expectError("[]", contains: "expected an object")
    }

    @Test func everyBadFieldIsNamed() {
        expectError(mutate("\"chain_id\" : \"waggle-test\"", "\"chain_id\" : \"bad chain!\""), contains: "chain_id")
        expectError(mutate("\"chain_id\" : \"waggle-test\"", "\"chain_id\" : 5"), contains: "chain_id: expected a string")
        expectError(mutate("\"genesis_time\" : \"2026-01-01T00:00:00.000Z\"", "\"genesis_time\" : \"yesterday\""), contains: "genesis_time")
        expectError(mutate("\"self_bond\" : \"1000000\"", "\"self_bond\" : \"-5\""), contains: "validators[0].self_bond")
        expectError(mutate("\"self_bond\" : \"1000000\"", "\"self_bond\" : \"10\""), contains: "below ledger_params.min_self_bond")
        expectError(mutate("\"epoch_length\" : \"10\"", "\"epoch_length\" : \"0\""), contains: "ledger_params.epoch_length")
        expectError(mutate("\"epoch_length\" : \"10\"", "\"epoch_lenght\" : \"10\""), contains: "unknown field \"epoch_lenght\"")
        expectError(mutate("\"initial_height\" : \"1\"", "\"initial_height\" : \"0\""), contains: "initial_height")
        expectError(mutate("\"max_block_bytes\" : 4194304", "\"max_block_bytes\" : 10"), contains: "consensus_params.max_block_bytes")
    }

    @Test func badKeysAddressesAndDuplicatesAreRejected() {
        let doc = GenesisBuilder(validators: 1).build()
        let pk = doc.validators[0].publicKey.hex
        expectError(text(doc).replacingOccurrences(of: pk, with: "0x1234"), contains: "validators[0].pub_key")
        let addr = doc.accounts[0].address.hex
        expectError(text(doc).replacingOccurrences(of: "\"address\" : \"\(addr)\"", with: "\"address\" : \"nope\""), contains: "accounts[0].address")
        var dup = doc
        dup.accounts.append(dup.accounts[0])
        expectError(text(dup), contains: "duplicate account")
        var none = doc
        none.validators = []
        expectError(text(none), contains: "at least one validator")
    }

    @Test func parametersThatCouldOverflowOrHaltTheChainAreRejected() {
        expectError(mutate("\"unbonding_period\" : \"5\"", "\"unbonding_period\" : \"18446744073709551615\""), contains: "ledger_params.unbonding_period")
        expectError(mutate("\"unbonding_period\" : \"5\"", "\"unbonding_period\" : \"2000001\""), contains: "ledger_params.unbonding_period")
        expectError(mutate("\"block_reward\" : \"100\"", "\"block_reward\" : \"9223372036854775808\""), contains: "ledger_params.block_reward")
        expectError(mutate("\"max_validators\" : 100", "\"max_validators\" : 10001"), contains: "ledger_params.max_validators")
        expectError(mutate("\"min_delegation\" : \"1\"", "\"min_delegation\" : \"0\""), contains: "ledger_params.min_delegation")
        expectError(mutate("\"initial_height\" : \"1\"", "\"initial_height\" : \"18446744073709551615\""), contains: "initial_height")
    }

    @Test func supplyThatCouldOverflowVotingPowerIsRejected() {
        var doc = GenesisBuilder(validators: 1).build()
        doc.accounts.append(GenesisAccount(address: TestKeys.signer(40).address, balance: 1 << 58))
        expectError(text(doc), contains: "2^59")
    }
}
