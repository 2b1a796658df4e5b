import WaggleCore

/// A path from the tree's root: one nibble (4 bits of the key, high nibble of byte 0 first) per
/// level of internal nodes. At most 64 nibbles, the length of a 256-bit key.
public struct NibblePath: Hashable, Sendable, Comparable, CustomStringConvertible {
    public static let maxLength = 64

    /// Each element in 0...15.
    public private(set) var nibbles: [UInt8]

    public init() { nibbles = [] }

    /// The first `count` nibbles of `key`.
    public init(key: Hash256, count: Int) {
        precondition(count >= 0 && count <= Self.maxLength)
        nibbles = (0..<count).map { key.nibble($0) }
    }

    init(uncheckedNibbles: [UInt8]) { nibbles = uncheckedNibbles }

    public var count: Int { nibbles.count }

    public func appending(_ nibble: UInt8) -> NibblePath {
        precondition(nibble < 16 && nibbles.count < Self.maxLength)
        return NibblePath(uncheckedNibbles: nibbles + [nibble])
    }

    /// Two nibbles per byte, high nibble first; an odd last nibble is followed by a zero nibble.
    public var packed: [UInt8] {
        var out = [UInt8](repeating: 0, count: (nibbles.count + 1) / 2)
        for (i, n) in nibbles.enumerated() { out[i / 2] |= i % 2 == 0 ? n << 4 : n }
        return out
    }

    public static func < (a: NibblePath, b: NibblePath) -> Bool { a.nibbles.lexicographicallyPrecedes(b.nibbles) }

    public var description: String { nibbles.map { String($0, radix: 16) }.joined() }
}

extension Hash256 {
    /// Nibble `index` (0...63) of the key: the child slot taken at depth `index`.
    func nibble(_ index: Int) -> UInt8 {
        let b = bytes[index / 2]
        return index % 2 == 0 ? b >> 4 : b & 0x0F
    }
}
