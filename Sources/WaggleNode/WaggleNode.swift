import WaggleCore

public let softwareVersion = WaggleVersion.software
public let protocolVersion = WaggleVersion.protocolVersion
