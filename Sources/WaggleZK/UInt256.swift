/// A plain 256-bit unsigned integer (four little-endian 64-bit limbs), used for parsing and
/// printing field elements and scalars. No arithmetic beyond what parsing needs.
public struct UInt256: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var l0: UInt64, l1: UInt64, l2: UInt64, l3: UInt64

    @inlinable
    public init(_ l0: UInt64, _ l1: UInt64, _ l2: UInt64, _ l3: UInt64) {
        self.l0 = l0; self.l1 = l1; self.l2 = l2; self.l3 = l3
    }

    @inlinable public init(_ v: UInt64) { self.init(v, 0, 0, 0) }

    public static let zero = UInt256(0, 0, 0, 0)

    @inlinable public var limbs: [UInt64] { [l0, l1, l2, l3] }
    @inlinable public var isZero: Bool { (l0 | l1 | l2 | l3) == 0 }

    /// Bit `i` (0 = least significant).
    @inlinable
    public func bit(_ i: Int) -> Bool {
        guard i >= 0 && i < 256 else { return false }
        let w: UInt64
        switch i >> 6 {
        case 0: w = l0
        case 1: w = l1
        case 2: w = l2
        default: w = l3
        }
        return (w >> UInt64(i & 63)) & 1 == 1
    }

    /// Number of significant bits.
    public var bitWidth: Int {
        if l3 != 0 { return 256 - l3.leadingZeroBitCount }
        if l2 != 0 { return 192 - l2.leadingZeroBitCount }
        if l1 != 0 { return 128 - l1.leadingZeroBitCount }
        return 64 - l0.leadingZeroBitCount
    }

    public static func < (a: UInt256, b: UInt256) -> Bool {
        if a.l3 != b.l3 { return a.l3 < b.l3 }
        if a.l2 != b.l2 { return a.l2 < b.l2 }
        if a.l1 != b.l1 { return a.l1 < b.l1 }
        return a.l0 < b.l0
    }

    /// self * m + a, or nil on overflow past 2^256.
    func multipliedAdding(_ m: UInt64, _ a: UInt64) -> UInt256? {
        var carry = a
        var out = [UInt64](repeating: 0, count: 4)
        for (i, w) in limbs.enumerated() {
            let (hi, lo) = w.multipliedFullWidth(by: m)
            let (s, o) = lo.addingReportingOverflow(carry)
            out[i] = s
            carry = hi &+ (o ? 1 : 0)
        }
        if carry != 0 { return nil }
        return UInt256(out[0], out[1], out[2], out[3])
    }

    /// (self / d, self % d) for a small divisor.
    func divided(by d: UInt64) -> (UInt256, UInt64) {
        var rem: UInt64 = 0
        var q = [UInt64](repeating: 0, count: 4)
        let ls = limbs
        for i in stride(from: 3, through: 0, by: -1) {
            let (qq, r) = d.dividingFullWidth((high: rem, low: ls[i]))
            q[i] = qq
            rem = r
        }
        return (UInt256(q[0], q[1], q[2], q[3]), rem)
    }

    /// Parses a decimal string (digits only, no sign, no spaces). Nil when malformed or >= 2^256.
    public init?(decimal s: String) {
        guard !s.isEmpty, s.utf8.count <= 80 else { return nil }
        var v = UInt256.zero
        for c in s.utf8 {
            guard c >= 48 && c <= 57 else { return nil }
            guard let n = v.multipliedAdding(10, UInt64(c - 48)) else { return nil }
            v = n
        }
        self = v
    }

    /// Parses a hex string, with or without a `0x` prefix. Nil when malformed or >= 2^256.
    public init?(hex s: String) {
        var u = Substring(s)
        if u.hasPrefix("0x") || u.hasPrefix("0X") { u = u.dropFirst(2) }
        guard !u.isEmpty, u.utf8.count <= 64 else { return nil }
        var v = UInt256.zero
        for c in u.utf8 {
            let d: UInt8
            switch c {
            case 48...57: d = c - 48
            case 97...102: d = c - 87
            case 65...70: d = c - 55
            default: return nil
            }
            guard let n = v.multipliedAdding(16, UInt64(d)) else { return nil }
            v = n
        }
        self = v
    }

    /// From exactly 32 big-endian bytes.
    public init<C: Collection>(bigEndian bytes: C) where C.Element == UInt8 {
        precondition(bytes.count == 32, "UInt256 needs 32 bytes")
        var w = [UInt64](repeating: 0, count: 4)
        for (i, b) in bytes.enumerated() {
            let limb = 3 - i / 8
            w[limb] = (w[limb] << 8) | UInt64(b)
        }
        self.init(w[0], w[1], w[2], w[3])
    }

    /// 32 big-endian bytes.
    public var bigEndianBytes: [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(32)
        for w in [l3, l2, l1, l0] {
            for s in stride(from: 56, through: 0, by: -8) { out.append(UInt8(truncatingIfNeeded: w >> UInt64(s))) }
        }
        return out
    }

    public var decimalString: String {
        if isZero { return "0" }
        var digits = [UInt8]()
        var v = self
        while !v.isZero {
            let (q, r) = v.divided(by: 10_000_000_000_000_000_000)
            v = q
            var chunk = r
            for _ in 0..<19 {
                digits.append(UInt8(chunk % 10) + 48)
                chunk /= 10
                if v.isZero && chunk == 0 { break }
            }
        }
        while digits.count > 1 && digits.last == 48 { digits.removeLast() }
        return String(decoding: digits.reversed(), as: UTF8.self)
    }

    public var hexString: String {
        let h = bigEndianBytes.map { b -> String in
            let s = String(b, radix: 16)
            return s.count == 1 ? "0" + s : s
        }.joined()
        return "0x" + h
    }

    public var description: String { decimalString }
}
