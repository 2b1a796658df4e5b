/// A Groth16 proof (A, C in G1; B in G2). The throwing initializer validates every point, so a
/// value of this type always holds points on their curves with B in the order-r subgroup.
public struct Groth16Proof: Sendable, Hashable {
    public let a: G1Affine
    public let b: G2Affine
    public let c: G1Affine

    /// Validates: A and C on G1 (not infinity), B on the twist, not infinity, and in G2.
    public init(a: G1Affine, b: G2Affine, c: G1Affine) throws(Groth16Error) {
        try Groth16Proof.checkG1(a, "pi_a")
        try Groth16Proof.checkG2(b, "pi_b")
        try Groth16Proof.checkG1(c, "pi_c")
        self.a = a; self.b = b; self.c = c
    }

    /// For points produced by this module's prover (already valid by construction).
    init(trusted a: G1Affine, _ b: G2Affine, _ c: G1Affine) { self.a = a; self.b = b; self.c = c }

    static func checkG1(_ p: G1Affine, _ field: String) throws(Groth16Error) {
        if p.isInfinity { throw .notAffine(field: field) }
        if !p.isOnCurve { throw .pointNotOnCurve(field: field) }
    }

    static func checkG2(_ q: G2Affine, _ field: String) throws(Groth16Error) {
        if q.isInfinity { throw .notAffine(field: field) }
        if !q.isOnCurve { throw .pointNotOnCurve(field: field) }
        if !q.isInSubgroup { throw .pointNotInSubgroup(field: field) }
    }
}
