import WaggleZK

/// The model and dataset commitments (../shared/DESIGN.md, "Verifiable ML statements"), written
/// once over an abstract Poseidon so that the same code runs outside the circuit (on Fr) and
/// inside it (on linear combinations, adding constraints). Poseidon is circomlib's (WaggleZK).
///
/// Model: a sponge over the parameters in `QuantizedModel.parameters` order (each the field
/// element q mod r):
///   h₀ = Poseidon(scale, number of layers, d₀, d₁, …, d_L)   (binds the shape and the scale)
///   h_{i+1} = Poseidon(h_i, chunk_i)   chunks of 15 parameters, the last one 1…15 long
///   commitment = the last h (h₀ for no parameters, which a model never has).
///
/// Dataset: a binary Poseidon Merkle tree.
///   leaf = Poseidon(features…, label) when features + 1 ≤ 16, else the sponge above over
///          (features…, label) with h₀ = features + 1; label is the class index, unscaled
///   node = Poseidon(left, right); the leaves are padded with the element 0 to the next power of
///   two (arity 2, depth ⌈log₂ n⌉; one sample: the root is its leaf).
public enum MLCommitment {
    /// circomlib Poseidon takes at most 16 inputs: the running hash plus 15 elements per chunk.
    public static let spongeRate = 15

    static func sponge<T>(_ elements: [T], initial: T, hash: ([T]) throws -> T) rethrows -> T {
        var h = initial
        var i = 0
        while i < elements.count {
            let end = min(i + spongeRate, elements.count)
            h = try hash([h] + elements[i..<end])
            i = end
        }
        return h
    }

    static func modelCommitment<T>(
        shape: MLShape, scale: Int, parameters: [T], constant: (Fr) -> T, hash: ([T]) throws -> T
    ) rethrows -> T {
        let header = [Fr(UInt64(scale)), Fr(UInt64(shape.dimensions.count - 1))] + shape.dimensions.map { Fr(UInt64($0)) }
        let h0 = try hash(header.map(constant))
        return try sponge(parameters, initial: h0, hash: hash)
    }

    static func leaf<T>(_ features: [T], label: T, constant: (Fr) -> T, hash: ([T]) throws -> T) rethrows -> T {
        let elements = features + [label]
        if elements.count <= 16 { return try hash(elements) }
        return try sponge(elements, initial: constant(Fr(UInt64(elements.count))), hash: hash)
    }

    static func merkleRoot<T>(_ leaves: [T], zero: T, hash: ([T]) throws -> T) rethrows -> T {
        precondition(!leaves.isEmpty)
        var level = leaves
        var size = 1
        while size < level.count { size *= 2 }
        level += Array(repeating: zero, count: size - level.count)
        while level.count > 1 {
            level = try stride(from: 0, to: level.count, by: 2).map { try hash([level[$0], level[$0 + 1]]) }
        }
        return level[0]
    }

    static func native(_ xs: [Fr]) -> Fr {
        // Inputs are always 1…16 elements here, which circomlib's Poseidon accepts.
        (try? Poseidon.hash(xs)) ?? .zero
    }

    /// The model commitment, outside the circuit.
    public static func model(_ m: QuantizedModel) -> Fr {
        modelCommitment(
            shape: m.shape, scale: m.fixedPoint.scale, parameters: m.parameters.map { Fr(signed: $0) },
            constant: { $0 }, hash: native)
    }

    /// The leaf of one sample, outside the circuit.
    public static func leaf(_ s: QuantizedDataset.Sample) -> Fr {
        leaf(s.features.map { Fr(signed: $0) }, label: Fr(UInt64(s.label)), constant: { $0 }, hash: native)
    }

    /// The dataset commitment (Merkle root), outside the circuit.
    public static func dataset(_ d: QuantizedDataset) -> Fr {
        merkleRoot(d.samples.map { leaf($0) }, zero: .zero, hash: native)
    }
}

extension MLCircuitBuilder {
    /// The model commitment of in-circuit parameters (commitment order), as constraints.
    public mutating func commitModel(shape: MLShape, parameters: [LinearCombination]) -> LinearCombination {
        let scale = fixedPoint.scale
        return MLCommitment.modelCommitment(
            shape: shape, scale: scale, parameters: parameters, constant: { LinearCombination(constant: $0) },
            hash: { poseidon($0) })
    }

    /// The leaf of an in-circuit sample, as constraints.
    public mutating func commitLeaf(features: [LinearCombination], label: LinearCombination) -> LinearCombination {
        MLCommitment.leaf(features, label: label, constant: { LinearCombination(constant: $0) }, hash: { poseidon($0) })
    }

    /// The Merkle root of in-circuit leaves, as constraints.
    public mutating func merkleRoot(_ leaves: [LinearCombination]) -> LinearCombination {
        MLCommitment.merkleRoot(leaves, zero: .zero, hash: { poseidon($0) })
    }

    /// Poseidon of 1…16 linear combinations (the commitment code never passes another count).
    mutating func poseidon(_ xs: [LinearCombination]) -> LinearCombination {
        do { return try Poseidon.hash(xs, in: &cs) } catch { preconditionFailure("Poseidon takes 1…16 inputs, got \(xs.count)") }
    }
}
