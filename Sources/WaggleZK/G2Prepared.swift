/// A G2 point with all of its Miller-loop line coefficients precomputed (87 lines). Preparing is
/// about a third of a Miller loop; a verifying key prepares beta, gamma and delta once.
public struct G2Prepared: Sendable {
    public let point: G2Affine
    @usableFromInline let lines: [LineCoefficients]

    public var isInfinity: Bool { point.isInfinity }

    /// 6z + 2 in signed binary (least significant digit first); the top digit is 1.
    @usableFromInline static let ateLoopCount: [Int8] = [
        0, 0, 0, 1, 0, 1, 0, -1, 0, 0, -1, 0, 0, 0, 1, 0, 0, -1, 0, -1, 0, 0, 0, 1, 0, -1, 0, 0, 0,
        0, -1, 0, 0, 1, 0, -1, 0, 0, 1, 0, 0, 0, 0, 0, -1, 0, 0, -1, 0, 1, 0, -1, 0, 0, 0, -1, 0,
        -1, 0, 0, 0, 1, 0, -1, 0, 1,
    ]

    public init(_ q: G2Affine) {
        self.point = q
        if q.isInfinity {
            self.lines = []
            return
        }
        var lines = [LineCoefficients]()
        lines.reserveCapacity(90)
        var r = HomogeneousG2(x: q.x, y: q.y, z: .one)
        let negQ = -q
        let digits = G2Prepared.ateLoopCount
        for i in stride(from: digits.count - 2, through: 0, by: -1) {
            lines.append(r.doublingStep())
            switch digits[i] {
            case 1: lines.append(r.additionStep(q))
            case -1: lines.append(r.additionStep(negQ))
            default: break
            }
        }
        // Q1 = π(Q), Q2 = -π²(Q)
        let q1 = G2Affine(
            x: q.x.conjugate() * BN254Constants.psiX, y: q.y.conjugate() * BN254Constants.psiY)
        let q2 = G2Affine(x: q.x.scaled(by: BN254Constants.psi2X), y: q.y)
        lines.append(r.additionStep(q1))
        lines.append(r.additionStep(q2))
        self.lines = lines
    }
}
