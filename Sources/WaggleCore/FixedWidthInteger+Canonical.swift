extension UInt32: CanonicalCodable {
    public func encode(to e: inout CanonicalEncoder) { e.u32(self) }
    public init(from d: inout CanonicalDecoder) throws { self = try d.u32() }
}

extension UInt64: CanonicalCodable {
    public func encode(to e: inout CanonicalEncoder) { e.u64(self) }
    public init(from d: inout CanonicalDecoder) throws { self = try d.u64() }
}
