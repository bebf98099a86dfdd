/// An exchange's trading rules for one symbol: the grids, limits and minimums an order must respect.
///
/// One type for every side: a strategy file's grid (the four fields it states), a venue's published filters (what an
/// adapter reads from `exchangeInfo` or its equivalent), and the pre-trade check against them. Zero disables a limit,
/// as on Binance (`maxPrice: 0` means no maximum).
public struct Instrument: Sendable, Hashable {
    public var symbol: String
    /// Prices (and triggers) must be `minPrice + k·tickSize` (Binance `PRICE_FILTER`).
    public var tickSize: Price
    public var minPrice: Price
    public var maxPrice: Price
    /// Limit-order quantities must be `minQuantity + k·stepSize` (Binance `LOT_SIZE`).
    public var stepSize: Quantity
    public var minQuantity: Quantity
    public var maxQuantity: Quantity
    /// Market-order grid and limits (Binance `MARKET_LOT_SIZE`); the limit-order ones when the venue has none.
    public var marketStepSize: Quantity
    public var marketMinQuantity: Quantity
    public var marketMaxQuantity: Quantity
    /// Smallest `price × quantity` for orders that are not reduce-only (Binance `MIN_NOTIONAL.notional`).
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

    /// Binance USDⓈ-M's published filters for the common perpetuals (values of late 2024–2026): what a strategy file
    /// without an `instrument` block trades with, and what the paper venue lists.
    public static let binanceUSDM: [String: Instrument] = [
        "BTCUSDT": Instrument(
            symbol: "BTCUSDT", tickSize: Price("0.10")!, minPrice: Price("556.80")!, maxPrice: Price("4529764")!,
            stepSize: Quantity("0.001")!, minQuantity: Quantity("0.001")!, maxQuantity: Quantity("1000")!,
            marketMaxQuantity: Quantity("120")!, minNotional: Money("100")!),
        "ETHUSDT": Instrument(
            symbol: "ETHUSDT", tickSize: Price("0.01")!, minPrice: Price("39.86")!, maxPrice: Price("306177")!,
            stepSize: Quantity("0.001")!, minQuantity: Quantity("0.001")!, maxQuantity: Quantity("10000")!,
            marketMaxQuantity: Quantity("2000")!, minNotional: Money("20")!),
        "SOLUSDT": Instrument(
            symbol: "SOLUSDT", tickSize: Price("0.0100")!, minPrice: Price("0.4200")!, maxPrice: Price("6857")!,
            stepSize: Quantity("1")!, minQuantity: Quantity("1")!, maxQuantity: Quantity("1000000")!,
            marketMaxQuantity: Quantity("5000")!, minNotional: Money("5")!),
    ]

    /// Binance's rules for `symbol`, or a fine grid (tick 10⁻⁸, step 0.001, notional 5) for one not in the table.
    public static func binanceDefaults(for symbol: String) -> Instrument {
        binanceUSDM[symbol]
            ?? Instrument(
                symbol: symbol, tickSize: Price("0.00000001")!, stepSize: Quantity("0.001")!,
                minQuantity: Quantity("0.001")!, minNotional: Money("5")!)
    }

    /// True when an order of `quantity` at `price` keeps the grid and minimums (the engine's cheap check while
    /// sizing; ``violation(quantity:price:)`` says why not, ``violation(of:referencePrice:)`` checks every filter).
    public func accepts(quantity: Quantity, price: Price?) -> Bool {
        guard quantity.isMultiple(of: stepSize), quantity >= minQuantity else { return false }
        guard let price else { return true }
        return price.isMultiple(of: tickSize) && Money.notional(price, quantity) >= minNotional
    }

    /// Why an order of `quantity` at `price` would break the grid or minimums, or nil if it is fine.
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

/// Journals written before the venue's limits were part of the type hold only the four grid fields.
extension Instrument: Codable {
    enum CodingKeys: String, CodingKey {
        case symbol, tickSize, minPrice, maxPrice, stepSize, minQuantity, maxQuantity, marketStepSize
        case marketMinQuantity, marketMaxQuantity, minNotional
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            symbol: try c.decode(String.self, forKey: .symbol), tickSize: try c.decode(Price.self, forKey: .tickSize),
            minPrice: try c.decodeIfPresent(Price.self, forKey: .minPrice) ?? .zero,
            maxPrice: try c.decodeIfPresent(Price.self, forKey: .maxPrice) ?? .zero,
            stepSize: try c.decode(Quantity.self, forKey: .stepSize),
            minQuantity: try c.decode(Quantity.self, forKey: .minQuantity),
            maxQuantity: try c.decodeIfPresent(Quantity.self, forKey: .maxQuantity) ?? .zero,
            marketStepSize: try c.decodeIfPresent(Quantity.self, forKey: .marketStepSize),
            marketMinQuantity: try c.decodeIfPresent(Quantity.self, forKey: .marketMinQuantity),
            marketMaxQuantity: try c.decodeIfPresent(Quantity.self, forKey: .marketMaxQuantity),
            minNotional: try c.decode(Money.self, forKey: .minNotional))
    }
}
