/// A twist point in homogeneous projective coordinates (x = X/Z, y = Y/Z), used while computing
/// line coefficients (formulas 3 and 4 of Aranha–Barreto–Longa–Ricardini, eprint 2013/722).
@usableFromInline
struct HomogeneousG2 {
    var x: Fp2
    var y: Fp2
    var z: Fp2

    mutating func doublingStep() -> LineCoefficients {
        let a = (x * y).halved()
        let b = y.squared()
        let c = z.squared()
        let e = BN254Constants.threeTwistB * c
        let f = e.doubled() + e
        let g = (b + f).halved()
        let h = (y + z).squared() - (b + c)
        let i = e - b
        let j = x.squared()
        let eSq = e.squared()
        x = a * (b - f)
        y = g.squared() - (eSq.doubled() + eSq)
        z = b * h
        return LineCoefficients(-h, j.doubled() + j, i)
    }

    mutating func additionStep(_ q: G2Affine) -> LineCoefficients {
        let theta = y - q.y * z
        let lambda = x - q.x * z
        let c = theta.squared()
        let d = lambda.squared()
        let e = lambda * d
        let f = z * c
        let g = x * d
        let h = e + f - g.doubled()
        x = lambda * h
        y = theta * (g - h) - e * y
        z = z * e
        let j = theta * q.x - lambda * q.y
        return LineCoefficients(lambda, -theta, j)
    }
}
