/// The software version reported by `waggle version` and the `status` RPC.
public enum WaggleVersion {
    public static let software = "0.1.0"
    public static let protocolVersion = Header.protocolVersion
}
