/// A multiplicative subgroup {ω^i} of Fr of size 2^k with a radix-2 number-theoretic transform.
public struct EvaluationDomain: Sendable {
    public let size: Int
    public let log2Size: Int
    public let omega: Fr
    let twiddles: [Fr]  // ω^i, i < size/2
    let inverseTwiddles: [Fr]  // ω^-i
    let sizeInverse: Fr
    /// The coset shift g = 5 (a generator of Fr*, so g·ω^i never hits the domain).
    public static let cosetShift = Fr(5)

    /// The smallest power-of-two domain with at least `minimumSize` points (nil above 2^28).
    public init?(minimumSize: Int) {
        var k = 0
        while (1 << k) < max(1, minimumSize) { k += 1 }
        guard k <= Fr.twoAdicity else { return nil }
        size = 1 << k
        log2Size = k
        omega = Fr.rootOfUnity(log2Order: k)
        let half = max(1, size / 2)
        var tw = [Fr](repeating: .one, count: half)
        var itw = [Fr](repeating: .one, count: half)
        let oi = omega.inverse()
        for i in 1..<max(1, half) {
            tw[i] = tw[i - 1] * omega
            itw[i] = itw[i - 1] * oi
        }
        twiddles = tw
        inverseTwiddles = itw
        sizeInverse = Fr(UInt64(size)).inverse()
    }

    /// Coefficients -> evaluations at ω^0 … ω^(n-1) (in place).
    public func ntt(_ a: inout [Fr]) { transform(&a, twiddles) }

    /// Evaluations -> coefficients (in place).
    public func intt(_ a: inout [Fr]) {
        transform(&a, inverseTwiddles)
        scale(&a, by: sizeInverse)
    }

    /// Coefficients -> evaluations at g·ω^i.
    public func cosetNTT(_ a: inout [Fr]) {
        multiplyByPowers(&a, Self.cosetShift)
        ntt(&a)
    }

    /// Evaluations at g·ω^i -> coefficients.
    public func cosetINTT(_ a: inout [Fr]) {
        intt(&a)
        multiplyByPowers(&a, Self.cosetShift.inverse())
    }

    /// Z(x) = x^n - 1 at any point of the coset g·⟨ω⟩ (constant there): g^n - 1.
    public var vanishingOnCoset: Fr { Self.cosetShift.power(UInt256(UInt64(size))) - .one }

    func scale(_ a: inout [Fr], by k: Fr) {
        for i in a.indices { a[i] = a[i] * k }
    }

    func multiplyByPowers(_ a: inout [Fr], _ g: Fr) {
        var p = Fr.one
        for i in a.indices {
            a[i] = a[i] * p
            p = p * g
        }
    }

    func transform(_ a: inout [Fr], _ tw: [Fr]) {
        precondition(a.count == size, "NTT input must have the domain's size")
        let n = size
        if n == 1 { return }
        // Bit-reversal permutation.
        var j = 0
        for i in 1..<n {
            var bit = n >> 1
            while j & bit != 0 {
                j ^= bit
                bit >>= 1
            }
            j |= bit
            if i < j { a.swapAt(i, j) }
        }
        a.withUnsafeMutableBufferPointer { buf in
            tw.withUnsafeBufferPointer { twp in
                let data = SharedMutableBuffer(base: buf.baseAddress!)
                let twiddle = SharedMutableBuffer(base: UnsafeMutablePointer(mutating: twp.baseAddress!))
                var m = 1
                while m < n {
                    let step = n / (2 * m)
                    let half = m
                    let butterflies = n / 2
                    let body: @Sendable (Range<Int>) -> Void = { range in
                        for b in range {
                            let k = (b / half) * 2 * half
                            let jj = b % half
                            let w = twiddle[jj * step]
                            let u = data[k + jj]
                            let t = w * data[k + jj + half]
                            data[k + jj] = u + t
                            data[k + jj + half] = u - t
                        }
                    }
                    if butterflies >= 1 << 12 {
                        Parallel.forEachChunk(count: butterflies, maxChunks: 8, body)
                    } else {
                        body(0..<butterflies)
                    }
                    m *= 2
                }
            }
        }
    }
}
