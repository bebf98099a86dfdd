public import ReflexCore

/// A venue's trading rules for one instrument: price and size grids and limits, minimum notional.
///
/// Zero disables a limit, as on Binance (`maxPrice: 0` means no maximum).
public struct InstrumentRules: Hashable, Sendable {
    public var symbol: String
    /// Prices (and triggers) must be `minPrice + k·tickSize`.
    public var tickSize: Price
    public var minPrice: Price
    public var maxPrice: Price
    /// Limit-order quantities must be `minQuantity + k·stepSize`.
    public var stepSize: Quantity
    public var minQuantity: Quantity
    public var maxQuantity: Quantity
    /// Market-order grid and limits (Binance `MARKET_LOT_SIZE`); the limit-order ones when the venue has none.
    public var marketStepSize: Quantity
    public var marketMinQuantity: Quantity
    public var marketMaxQuantity: Quantity
    /// Smallest `price × quantity` for orders that are not reduce-only.
    public var minNotional: Money

    public init(
        symbol: String, tickSize: Price, minPrice: Price = .zero, maxPrice: Price = .zero, stepSize: Quantity,
        minQuantity: Quantity, maxQuantity: Quantity = .zero, marketStepSize: Quantity? = nil,
        marketMinQuantity: Quantity? = nil, marketMaxQuantity: Quantity? = nil, minNotional: Money = .zero
    ) {
        self.symbol = symbol
        self.tickSize = tickSize
        self.minPrice = minPrice
        self.maxPrice = maxPrice
        self.stepSize = stepSize
        self.minQuantity = minQuantity
        self.maxQuantity = maxQuantity
        self.marketStepSize = marketStepSize ?? stepSize
        self.marketMinQuantity = marketMinQuantity ?? minQuantity
        self.marketMaxQuantity = marketMaxQuantity ?? maxQuantity
        self.minNotional = minNotional
    }

    /// Rounds a computed price (a stop from an indicator) onto the tick grid.
    public func price(_ price: Price, _ rule: RoundingRule) -> Price {
        guard tickSize.raw > 0 else { return price }
        let offset = (price - minPrice).rounded(toMultipleOf: tickSize, rule)
        return Price(raw: minPrice.raw + offset.raw, precision: max(tickSize.precision, minPrice.precision))
    }

    /// Rounds a computed quantity onto the step grid; sizes round `.down` so risk never grows.
    public func quantity(_ quantity: Quantity, _ rule: RoundingRule = .down, market: Bool = false) -> Quantity {
        let step = market ? marketStepSize : stepSize
        let minimum = market ? marketMinQuantity : minQuantity
        guard step.raw > 0 else { return quantity }
        let offset = (quantity - minimum).rounded(toMultipleOf: step, rule)
        return Quantity(raw: minimum.raw + offset.raw, precision: max(step.precision, minimum.precision))
    }

    /// Checks `intent` against every filter before it is sent, as the venue would.
    ///
    /// - Parameter referencePrice: the price a market order is expected to fill at (last trade or mark price);
    ///   without it a market order's notional is not checked.
    /// - Returns: the first rule broken, or nil when the venue should accept the order.
    public func violation(of intent: OrderIntent, referencePrice: Price? = nil) -> FilterViolation? {
        if intent.symbol != symbol { return .wrongSymbol(expected: symbol, got: intent.symbol) }
        let market = !isLimit(intent.type)
        let step = market ? marketStepSize : stepSize
        let minimum = market ? marketMinQuantity : minQuantity
        let maximum = market ? marketMaxQuantity : maxQuantity
        let quantity = intent.quantity
        if quantity.raw <= 0 { return .quantityNotPositive(quantity) }
        if minimum.raw > 0 && quantity < minimum { return .quantityBelowMinimum(quantity, minimum: minimum) }
        if maximum.raw > 0 && quantity > maximum { return .quantityAboveMaximum(quantity, maximum: maximum) }
        if step.raw > 0 && !(quantity - minimum).isMultiple(of: step) {
            return .quantityOffStep(quantity, step: step)
        }
        let orderPrice: Price?
        switch intent.type {
        case .market: orderPrice = nil
        case .limit(let price), .stopMarket(let price), .takeProfitMarket(let price): orderPrice = price
        }
        if let price = orderPrice {
            if price.raw <= 0 { return .priceNotPositive(price) }
            if minPrice.raw > 0 && price < minPrice { return .priceBelowMinimum(price, minimum: minPrice) }
            if maxPrice.raw > 0 && price > maxPrice { return .priceAboveMaximum(price, maximum: maxPrice) }
            let offset = price - minPrice
            if tickSize.raw > 0 && !offset.isMultiple(of: tickSize) {
                return .priceOffTick(price, tick: tickSize)
            }
        }
        // The venue waives the minimum notional for reduce-only orders (-4164 "unless you choose reduce only").
        if !intent.reduceOnly && minNotional.raw > 0, let price = orderPrice ?? referencePrice {
            let notional = Money.notional(price, quantity)
            if notional < minNotional { return .notionalBelowMinimum(notional, minimum: minNotional) }
        }
        return nil
    }

    private func isLimit(_ type: OrderType) -> Bool {
        if case .limit = type { return true }
        return false
    }
}

/// Why an order breaks an instrument rule; `description` is the reason the engine logs.
public enum FilterViolation: Hashable, Sendable, CustomStringConvertible {
    case wrongSymbol(expected: String, got: String)
    case quantityNotPositive(Quantity)
    case quantityBelowMinimum(Quantity, minimum: Quantity)
    case quantityAboveMaximum(Quantity, maximum: Quantity)
    case quantityOffStep(Quantity, step: Quantity)
    case priceNotPositive(Price)
    case priceBelowMinimum(Price, minimum: Price)
    case priceAboveMaximum(Price, maximum: Price)
    case priceOffTick(Price, tick: Price)
    case notionalBelowMinimum(Money, minimum: Money)

    public var description: String {
        switch self {
        case .wrongSymbol(let expected, let got): return "rules are for \(expected), order is for \(got)"
        case .quantityNotPositive(let q): return "quantity \(q) must be positive"
        case .quantityBelowMinimum(let q, let minimum): return "quantity \(q) is below the minimum \(minimum)"
        case .quantityAboveMaximum(let q, let maximum): return "quantity \(q) is above the maximum \(maximum)"
        case .quantityOffStep(let q, let step): return "quantity \(q) is not a multiple of the step size \(step)"
        case .priceNotPositive(let p): return "price \(p) must be positive"
        case .priceBelowMinimum(let p, let minimum): return "price \(p) is below the minimum \(minimum)"
        case .priceAboveMaximum(let p, let maximum): return "price \(p) is above the maximum \(maximum)"
        case .priceOffTick(let p, let tick): return "price \(p) is not a multiple of the tick size \(tick)"
        case .notionalBelowMinimum(let n, let minimum):
            return "notional \(n) is below the minimum \(minimum) (only reduce-only orders may be smaller)"
        }
    }
}
