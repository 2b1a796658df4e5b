import WaggleCore

/// The addresses of other nodes this node has heard of (peer exchange, CometBFT's address book),
/// as a value type: times come in as wall-clock milliseconds (the book outlives a restart), and
/// the node keeps it in data/addrbook.json (`json` / `init(json:)`).
///
/// - An address is added from a PEX reply (its source is the peer that sent it) or from a peer's
///   own listen address. Our own id, an address that is not valid (unspecified, broadcast,
///   multicast, port 0) and, when `strict` (`addr_book_strict`), one that is not routable on the
///   public internet (loopback, private, link-local: `IPAddress.isRoutable`) are refused.
/// - An address that led to a connection is marked good (`lastSuccessMs`, attempts reset); each
///   dial counts an attempt and the next waits `backoff`; an address never connected after
///   `maxAttempts` attempts is dropped.
/// - The bans the switch applies are marked bad (`bannedUntilMs`): not dialled, not handed out,
///   and not re-added from PEX, until they expire.
/// - At most `capacity` entries; when full, a new address replaces the never-connected entry
///   with the most attempts, and is refused when every entry has connected once.
public struct AddressBook: Sendable, Equatable {
    public struct Entry: Sendable, Equatable {
        public var address: PexAddress
        /// The peer that told us about it (nil: the peer itself, or a seed from config).
        public var source: NodeID?
        public var attempts: Int = 0
        public var lastAttemptMs: Int64 = 0
        public var lastSuccessMs: Int64 = 0
        public var bannedUntilMs: Int64 = 0

        public init(address: PexAddress, source: NodeID?) {
            self.address = address
            self.source = source
        }

        public var isGood: Bool { lastSuccessMs > 0 }
    }

    public enum AddOutcome: Equatable, Sendable {
        case added, updated, known
        case refused(String)
    }

    /// CometBFT's `needAddressThreshold`: below this many entries the node asks peers for more.
    public static let needAddressThreshold = 1000
    public static let defaultCapacity = 5000
    /// CometBFT's `maxFailures` before a never-connected address counts as bad.
    public static let maxAttempts = 10

    public let selfID: NodeID
    public var strict: Bool
    public var capacity: Int
    public var backoff: DialBackoff
    public private(set) var entries: [NodeID: Entry] = [:]

    public init(selfID: NodeID, strict: Bool, capacity: Int = Self.defaultCapacity, backoff: DialBackoff = DialBackoff(initialMs: 2_000, maxMs: 600_000)) {
        self.selfID = selfID
        self.strict = strict
        self.capacity = capacity
        self.backoff = backoff
    }

    public var count: Int { entries.count }
    public var needsMoreAddresses: Bool { entries.count < Self.needAddressThreshold }

    /// Why `address` may not enter the book; nil when it may.
    public func refusal(_ address: PexAddress) -> String? {
        if address.id == selfID { return "our own node id" }
        if !address.ip.isValid { return "\(address.ip) cannot be dialled" }
        if strict && !address.ip.isRoutable { return "\(address.ip) is not routable (addr_book_strict)" }
        return nil
    }

    @discardableResult
    public mutating func add(_ address: PexAddress, source: NodeID?, nowMs: Int64) -> AddOutcome {
        if let reason = refusal(address) { return .refused(reason) }
        if var e = entries[address.id] {
            if e.bannedUntilMs > nowMs { return .refused("banned") }
            // A peer's own word about its address beats a third party's; a good entry keeps the
            // address it connected on.
            guard !e.isGood, source == nil || e.source != nil, e.address != address else { return .known }
            e.address = address
            e.source = source
            entries[address.id] = e
            return .updated
        }
        if entries.count >= capacity {
            let victim = entries.values.filter { !$0.isGood && $0.bannedUntilMs <= nowMs }
                .max { ($0.attempts, $1.address.id) < ($1.attempts, $0.address.id) }
            guard let victim else { return .refused("the address book is full") }
            entries[victim.address.id] = nil
        }
        entries[address.id] = Entry(address: address, source: source)
        return .added
    }

    /// A dial to `id` starts now. A never-connected address past `maxAttempts` is dropped.
    public mutating func markAttempt(_ id: NodeID, nowMs: Int64) {
        guard var e = entries[id] else { return }
        e.attempts += 1
        e.lastAttemptMs = nowMs
        if !e.isGood && e.attempts > Self.maxAttempts {
            entries[id] = nil
        } else {
            entries[id] = e
        }
    }

    /// A connection to `address` was admitted: the address is good.
    public mutating func markGood(_ address: PexAddress, nowMs: Int64) {
        if refusal(address) != nil { return }
        var e = entries[address.id] ?? Entry(address: address, source: nil)
        if entries[address.id] == nil, entries.count >= capacity { return }
        e.address = address
        e.attempts = 0
        e.lastSuccessMs = nowMs
        e.bannedUntilMs = 0
        entries[address.id] = e
    }

    /// The switch banned `id`: keep it out until `untilMs`.
    public mutating func markBad(_ id: NodeID, untilMs: Int64) {
        guard var e = entries[id] else { return }
        e.bannedUntilMs = max(e.bannedUntilMs, untilMs)
        entries[id] = e
    }

    public func isBanned(_ id: NodeID, nowMs: Int64) -> Bool { (entries[id]?.bannedUntilMs ?? 0) > nowMs }

    /// Up to `limit` addresses to dial now: not excluded (connected or being dialled), not
    /// banned, past their backoff. Good ones first, then fewest attempts, then by id.
    public func candidates(nowMs: Int64, excluding: Set<NodeID>, limit: Int) -> [PexAddress] {
        guard limit > 0 else { return [] }
        return entries.values.filter { e in
            guard !excluding.contains(e.address.id), e.bannedUntilMs <= nowMs else { return false }
            guard e.attempts > 0 else { return true }
            let wait = Int64(clamping: backoff.delayMs(attempt: e.attempts - 1, jitter: 0.5))
            return e.lastAttemptMs &+ wait <= nowMs
        }
        .sorted { a, b in
            if a.isGood != b.isGood { return a.isGood }
            if a.attempts != b.attempts { return a.attempts < b.attempts }
            return a.address.id < b.address.id
        }
        .prefix(limit).map(\.address)
    }

    /// The addresses to hand a peer that asked (a PEX reply): up to `limit` not-banned entries
    /// other than `excluding`, good ones first, each group shuffled with `rng` so that different
    /// peers learn different parts of the book.
    public func selection(excluding: NodeID, nowMs: Int64, limit: Int, using rng: inout some RandomNumberGenerator) -> [PexAddress] {
        let usable = entries.values.filter { $0.address.id != excluding && $0.bannedUntilMs <= nowMs }
        let good = usable.filter(\.isGood).map(\.address).sorted { $0.id < $1.id }.shuffled(using: &rng)
        let rest = usable.filter { !$0.isGood }.map(\.address).sorted { $0.id < $1.id }.shuffled(using: &rng)
        return Array((good + rest).prefix(max(0, limit)))
    }

    // MARK: data/addrbook.json

    /// `{"addrs": [{"addr": "ID@IP:PORT", "src": "ID" or "", "attempts": n, "last_attempt_ms": t,
    /// "last_success_ms": t, "banned_until_ms": t}, …]}`, sorted by id.
    public var json: JSONValue {
        let list: [JSONValue] = entries.keys.sorted().compactMap { id in
            guard let e = entries[id] else { return nil }
            return .object([
                "addr": .string(e.address.description), "src": .string(e.source?.hex ?? ""),
                "attempts": .uint(UInt64(e.attempts)), "last_attempt_ms": .int(e.lastAttemptMs),
                "last_success_ms": .int(e.lastSuccessMs), "banned_until_ms": .int(e.bannedUntilMs),
            ])
        }
        return .object(["addrs": .array(list)])
    }

    /// Reads the file's JSON; any malformed part is an error naming it. Entries the book would
    /// refuse now (our own id, or unroutable ones after `addr_book_strict` was turned on) are
    /// left out.
    public init(json: JSONValue, selfID: NodeID, strict: Bool, capacity: Int = Self.defaultCapacity) throws(JSONFieldError) {
        self.init(selfID: selfID, strict: strict, capacity: capacity)
        let r = JSONReader(json, context: "addrbook.json")
        try r.onlyKeys(["addrs"])
        for item in try r.field("addrs").array() {
            try item.onlyKeys(["addr", "src", "attempts", "last_attempt_ms", "last_success_ms", "banned_until_ms"])
            let field = try item.field("addr")
            let text = try field.string()
            let parsed: PeerAddress
            do throws(PeerAddressError) { parsed = try PeerAddress(parsing: text) } catch { throw field.fail(error.reason) }
            guard let address = PexAddress(parsed) else { throw field.fail("\"\(text)\": the host must be an IP address") }
            let srcField = try item.field("src")
            let srcText = try srcField.string()
            var e = Entry(address: address, source: nil)
            if !srcText.isEmpty {
                guard let src = NodeID(hex: srcText) else { throw srcField.fail("expected a node id (40 hex digits) or \"\"") }
                e.source = src
            }
            func ms(_ name: String) throws(JSONFieldError) -> Int64 {
                let f = try item.field(name)
                guard let v = f.value.int64Value, v >= 0 else { throw f.fail("expected a non-negative integer") }
                return v
            }
            let attemptsField = try item.field("attempts")
            guard let attempts = attemptsField.value.uint64Value, attempts <= 1_000_000 else {
                throw attemptsField.fail("expected an integer from 0 to 1000000")
            }
            e.attempts = Int(attempts)
            e.lastAttemptMs = try ms("last_attempt_ms")
            e.lastSuccessMs = try ms("last_success_ms")
            e.bannedUntilMs = try ms("banned_until_ms")
            guard entries[address.id] == nil else { throw field.fail("node id \(address.id) is listed twice") }
            guard refusal(address) == nil, entries.count < capacity else { continue }
            entries[address.id] = e
        }
    }
}
