/// The id Reflex gives an order. The engine makes it deterministically, so the same inputs give the same ids,
/// a retried request cannot double an order, and a restarted engine recognises its own orders.
/// Binance allows `^[.A-Z:/a-z0-9_-]{1,36}$`; Reflex ids keep to that.
public struct ClientOrderID: Hashable, Comparable, Sendable, Codable, CustomStringConvertible,
    ExpressibleByStringLiteral
{
    public let rawValue: String
    public init(_ rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { self.rawValue = value }
    public var description: String { rawValue }
    public static func < (lhs: ClientOrderID, rhs: ClientOrderID) -> Bool { lhs.rawValue < rhs.rawValue }

    public init(from decoder: any Decoder) throws { rawValue = try decoder.singleValueContainer().decode(String.self) }
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    /// True for the characters and length Binance accepts.
    public var isValidForBinance: Bool {
        !rawValue.isEmpty && rawValue.utf8.count <= 36
            && rawValue.utf8.allSatisfy { byte in
                (byte >= 48 && byte <= 57) || (byte >= 65 && byte <= 90) || (byte >= 97 && byte <= 122)
                    || byte == 46 || byte == 58 || byte == 47 || byte == 95 || byte == 45
            }
    }
}
