/// The exchange's trading rules for one symbol: the grids and minimums an order must respect.
public struct Instrument: Sendable, Hashable, Codable {
    public var symbol: String
    /// Price grid (Binance `PRICE_FILTER.tickSize`).
    public var tickSize: Price
    /// Quantity grid (Binance `LOT_SIZE.stepSize`).
    public var stepSize: Quantity
    /// Smallest order quantity.
    public var minQuantity: Quantity
    /// Smallest order notional, price × quantity (Binance `MIN_NOTIONAL.notional`).
    public var minNotional: Money

    public init(symbol: String, tickSize: Price, stepSize: Quantity, minQuantity: Quantity, minNotional: Money) {
        self.symbol = symbol
        self.tickSize = tickSize
        self.stepSize = stepSize
        self.minQuantity = minQuantity
        self.minNotional = minNotional
    }

    /// Binance USDⓈ-M rules for common symbols (exchangeInfo), used when a strategy file gives none.
    public static func binanceDefaults(for symbol: String) -> Instrument {
        switch symbol {
        case "BTCUSDT":
            return Instrument(
                symbol: symbol, tickSize: Price("0.10")!, stepSize: Quantity("0.001")!, minQuantity: Quantity("0.001")!,
                minNotional: Money("100")!)
        case "ETHUSDT":
            return Instrument(
                symbol: symbol, tickSize: Price("0.01")!, stepSize: Quantity("0.001")!, minQuantity: Quantity("0.001")!,
                minNotional: Money("20")!)
        default:
            return Instrument(
                symbol: symbol, tickSize: Price("0.00000001")!, stepSize: Quantity("0.001")!,
                minQuantity: Quantity("0.001")!, minNotional: Money("5")!)
        }
    }

    /// True when an order of `quantity` at `price` keeps the rules (the cheap check; ``violation(quantity:price:)``
    /// says why not).
    public func accepts(quantity: Quantity, price: Price?) -> Bool {
        guard quantity.isMultiple(of: stepSize), quantity >= minQuantity else { return false }
        guard let price else { return true }
        return price.isMultiple(of: tickSize) && Money.notional(price, quantity) >= minNotional
    }

    /// Why an order of `quantity` at `price` would break the rules, or nil if it is fine.
    public func violation(quantity: Quantity, price: Price?) -> String? {
        if !quantity.isMultiple(of: stepSize) {
            return "quantity \(quantity) is not a multiple of step size \(stepSize)"
        }
        if quantity < minQuantity { return "quantity \(quantity) is below the minimum \(minQuantity)" }
        if let price {
            if !price.isMultiple(of: tickSize) { return "price \(price) is not a multiple of tick size \(tickSize)" }
            let notional = Money.notional(price, quantity)
            if notional < minNotional { return "notional \(notional) is below the minimum \(minNotional)" }
        }
        return nil
    }
}
