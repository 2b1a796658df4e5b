/// Why a setup could not run.
public enum Groth16SetupError: Error, Equatable, Sendable {
    case zeroRandomness
    case tauInDomain
    case circuitTooLarge(Int)
}
