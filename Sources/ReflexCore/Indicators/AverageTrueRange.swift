/// Average true range with Wilder smoothing, as StockCharts and the `ta` library define it:
/// TR₀ = high − low; TRᵢ = max(hᵢ − lᵢ, |hᵢ − cᵢ₋₁|, |lᵢ − cᵢ₋₁|); ATR at bar n−1 = mean(TR₀…TRₙ₋₁);
/// then ATRᵢ = (ATRᵢ₋₁·(n−1) + TRᵢ) / n.
public struct AverageTrueRange: Sendable, Codable {
    public let length: Int
    private var previousClose: Double?
    private var seeded = 0
    private var sum = 0.0
    public private(set) var value: Double?
    /// The last bar's true range.
    public private(set) var trueRange: Double?

    public init(length: Int) {
        precondition(length > 0, "length must be positive")
        self.length = length
    }

    public mutating func update(high: Double, low: Double, close: Double) {
        var tr = high - low
        if let c = previousClose { tr = max(tr, abs(high - c), abs(low - c)) }
        previousClose = close
        trueRange = tr
        if let atr = value {
            value = (atr * Double(length - 1) + tr) / Double(length)
        } else {
            sum += tr
            seeded += 1
            if seeded == length { value = sum / Double(length) }
        }
    }
}
