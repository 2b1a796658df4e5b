/// The toxic waste of a Groth16 setup, supplied by the caller (this module draws no randomness).
/// All five must be non-zero and τ must not lie in the evaluation domain.
public struct Groth16SetupRandomness: Sendable {
    public let tau: Fr
    public let alpha: Fr
    public let beta: Fr
    public let gamma: Fr
    public let delta: Fr

    public init(tau: Fr, alpha: Fr, beta: Fr, gamma: Fr, delta: Fr) {
        self.tau = tau; self.alpha = alpha; self.beta = beta; self.gamma = gamma; self.delta = delta
    }

    /// Five values derived from a seed with Poseidon (for tests and benchmarks; a real ceremony
    /// supplies fresh secret randomness).
    public init(seed: Fr) {
        func d(_ i: UInt64) -> Fr {
            let h = (try? Poseidon.hash([seed, Fr(i)])) ?? Fr(i + 2)
            return h.isZero ? Fr(i + 2) : h
        }
        self.init(tau: d(1), alpha: d(2), beta: d(3), gamma: d(4), delta: d(5))
    }
}
