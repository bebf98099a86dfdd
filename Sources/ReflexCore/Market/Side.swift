/// Order side, or a trade's aggressor side.
public enum Side: String, Sendable, Hashable, Codable, CaseIterable {
    case buy = "BUY"
    case sell = "SELL"

    public var opposite: Side { self == .buy ? .sell : .buy }
    /// +1 for buy, −1 for sell.
    public var sign: Int64 { self == .buy ? 1 : -1 }
}
