public import ReflexCore

/// Binance's trading rules for one USDⓈ-M perpetual as the paper venue lists it: the filters `exchangeInfo`
/// publishes and every order is checked against, plus the first leverage bracket for margin.
///
/// (Named apart from the adapter's client-side `InstrumentRules`: this one is the exchange's side of the contract.)
public struct VenueSymbolRules: Sendable, Hashable {
    /// Exchange symbol, upper case (`BTCUSDT`).
    public var symbol: String
    public var baseAsset: String
    public var quoteAsset: String
    /// Decimals Binance accepts in a price (`pricePrecision`); more decimals are `-1111`.
    public var pricePrecision: UInt8
    /// Decimals Binance accepts in a quantity (`quantityPrecision`); more decimals are `-1111`.
    public var quantityPrecision: UInt8
    /// PRICE_FILTER.
    public var minPrice: Price
    public var maxPrice: Price
    public var tickSize: Price
    /// LOT_SIZE (limit orders).
    public var minQuantity: Quantity
    public var maxQuantity: Quantity
    public var stepSize: Quantity
    /// MARKET_LOT_SIZE (market and triggered market orders).
    public var maxMarketQuantity: Quantity
    /// MIN_NOTIONAL: price × quantity must reach this unless the order is reduce-only (`-4164`).
    public var minNotional: Money
    /// Maintenance margin rate of the first leverage bracket (0.004 = 0.4 %).
    public var maintenanceMarginRate: Double
    /// Highest leverage the first bracket allows.
    public var maxLeverage: Int

    public init(
        symbol: String, baseAsset: String, quoteAsset: String = "USDT", pricePrecision: UInt8,
        quantityPrecision: UInt8, minPrice: Price, maxPrice: Price, tickSize: Price, minQuantity: Quantity,
        maxQuantity: Quantity, stepSize: Quantity, maxMarketQuantity: Quantity, minNotional: Money,
        maintenanceMarginRate: Double, maxLeverage: Int
    ) {
        self.symbol = symbol
        self.baseAsset = baseAsset
        self.quoteAsset = quoteAsset
        self.pricePrecision = pricePrecision
        self.quantityPrecision = quantityPrecision
        self.minPrice = minPrice
        self.maxPrice = maxPrice
        self.tickSize = tickSize
        self.minQuantity = minQuantity
        self.maxQuantity = maxQuantity
        self.stepSize = stepSize
        self.maxMarketQuantity = maxMarketQuantity
        self.minNotional = minNotional
        self.maintenanceMarginRate = maintenanceMarginRate
        self.maxLeverage = maxLeverage
    }

    /// The rules Binance publishes for the common perpetuals (values of late 2024–2026).
    public static let known: [String: VenueSymbolRules] = [
        "BTCUSDT": VenueSymbolRules(
            symbol: "BTCUSDT", baseAsset: "BTC", pricePrecision: 2, quantityPrecision: 3, minPrice: Price("556.80")!,
            maxPrice: Price("4529764")!, tickSize: Price("0.10")!, minQuantity: Quantity("0.001")!,
            maxQuantity: Quantity("1000")!, stepSize: Quantity("0.001")!, maxMarketQuantity: Quantity("120")!,
            minNotional: Money("100")!, maintenanceMarginRate: 0.004, maxLeverage: 125),
        "ETHUSDT": VenueSymbolRules(
            symbol: "ETHUSDT", baseAsset: "ETH", pricePrecision: 2, quantityPrecision: 3, minPrice: Price("39.86")!,
            maxPrice: Price("306177")!, tickSize: Price("0.01")!, minQuantity: Quantity("0.001")!,
            maxQuantity: Quantity("10000")!, stepSize: Quantity("0.001")!, maxMarketQuantity: Quantity("2000")!,
            minNotional: Money("20")!, maintenanceMarginRate: 0.004, maxLeverage: 125),
        "SOLUSDT": VenueSymbolRules(
            symbol: "SOLUSDT", baseAsset: "SOL", pricePrecision: 4, quantityPrecision: 0, minPrice: Price("0.4200")!,
            maxPrice: Price("6857")!, tickSize: Price("0.0100")!, minQuantity: Quantity("1")!,
            maxQuantity: Quantity("1000000")!, stepSize: Quantity("1")!, maxMarketQuantity: Quantity("5000")!,
            minNotional: Money("5")!, maintenanceMarginRate: 0.005, maxLeverage: 100),
    ]

    /// Binance's rules for `symbol`, or loose defaults (tick 0.01, step 0.001, min notional 5) for a symbol not in
    /// the table, so any recorded tape can be replayed.
    public static func forSymbol(_ symbol: String) -> VenueSymbolRules {
        let symbol = symbol.uppercased()
        if let rules = known[symbol] { return rules }
        let quote = ["USDT", "USDC", "BUSD"].first { symbol.hasSuffix($0) && symbol.count > $0.count } ?? "USDT"
        return VenueSymbolRules(
            symbol: symbol, baseAsset: String(symbol.dropLast(quote.count)), quoteAsset: quote, pricePrecision: 8,
            quantityPrecision: 3, minPrice: Price("0.00000001")!, maxPrice: Price("10000000")!,
            tickSize: Price("0.00000001")!, minQuantity: Quantity("0.001")!, maxQuantity: Quantity("10000000")!,
            stepSize: Quantity("0.001")!, maxMarketQuantity: Quantity("10000000")!, minNotional: Money("5")!,
            maintenanceMarginRate: 0.005, maxLeverage: 50)
    }
}

extension VenueSymbolRules {
    /// Checks a price sent in an order against PRICE_FILTER, with Binance's codes.
    func validate(price: Price, parameter: String) -> BinanceAPIError? {
        guard price.raw > 0 else { return .init(code: -1102, parameter: parameter) }
        if FixedPoint.minimalPrecision(raw: price.raw) > pricePrecision { return .badPrecision }
        if price < minPrice { return .init(code: -4013, msg: "Price less than min price.") }
        if price > maxPrice { return .init(code: -4016, msg: "Price greater than max price.") }
        if !(price - minPrice).isMultiple(of: tickSize) && (price - minPrice).raw != 0 {
            return .init(code: -4014, msg: "Price not increased by tick size.")
        }
        return nil
    }

    /// Checks an order quantity against LOT_SIZE (or MARKET_LOT_SIZE), with Binance's codes.
    func validate(quantity: Quantity, isMarket: Bool) -> BinanceAPIError? {
        guard quantity.raw > 0 else { return .init(code: -4003, msg: "Quantity less than or equal to zero.") }
        if FixedPoint.minimalPrecision(raw: quantity.raw) > quantityPrecision { return .badPrecision }
        if quantity < minQuantity { return .init(code: -4004, msg: "Quantity less than min quantity.") }
        if quantity > (isMarket ? maxMarketQuantity : maxQuantity) {
            return .init(code: -4005, msg: "Quantity greater than max quantity.")
        }
        if !(quantity - minQuantity).isMultiple(of: stepSize) && (quantity - minQuantity).raw != 0 {
            return .init(code: -4023, msg: "Quantity not increased by step size.")
        }
        return nil
    }

    /// `-4164` text, with this symbol's minimum as Binance prints it.
    var minNotionalError: BinanceAPIError {
        .init(
            code: -4164,
            msg: "Order's notional must be no smaller than \(minNotional) (unless you choose reduce only).")
    }
}
