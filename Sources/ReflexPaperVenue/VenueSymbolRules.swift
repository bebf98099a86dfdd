public import ReflexCore

/// How the paper venue lists one USDⓈ-M perpetual: the instrument's filters (the one `Instrument` type every part of
/// Reflex shares), plus what only the exchange side has: the assets, the decimals it accepts and the first leverage
/// bracket for margin.
public struct VenueSymbolRules: Sendable, Hashable {
    /// The filters `exchangeInfo` publishes and every order is checked against.
    public var instrument: Instrument
    public var baseAsset: String
    public var quoteAsset: String
    /// Decimals Binance accepts in a price (`pricePrecision`); more decimals are `-1111`.
    public var pricePrecision: UInt8
    /// Decimals Binance accepts in a quantity (`quantityPrecision`); more decimals are `-1111`.
    public var quantityPrecision: UInt8
    /// Maintenance margin rate of the first leverage bracket (0.004 = 0.4 %).
    public var maintenanceMarginRate: Double
    /// Highest leverage the first bracket allows.
    public var maxLeverage: Int

    public init(
        instrument: Instrument, baseAsset: String, quoteAsset: String = "USDT", pricePrecision: UInt8,
        quantityPrecision: UInt8, maintenanceMarginRate: Double, maxLeverage: Int
    ) {
        self.instrument = instrument
        self.baseAsset = baseAsset
        self.quoteAsset = quoteAsset
        self.pricePrecision = pricePrecision
        self.quantityPrecision = quantityPrecision
        self.maintenanceMarginRate = maintenanceMarginRate
        self.maxLeverage = maxLeverage
    }

    public var symbol: String { instrument.symbol }
    public var tickSize: Price { instrument.tickSize }
    public var minPrice: Price { instrument.minPrice }
    public var maxPrice: Price { instrument.maxPrice }
    public var stepSize: Quantity { instrument.stepSize }
    public var minQuantity: Quantity { instrument.minQuantity }
    public var maxQuantity: Quantity { instrument.maxQuantity }
    /// MARKET_LOT_SIZE's maximum (market and triggered market orders).
    public var maxMarketQuantity: Quantity { instrument.marketMaxQuantity }
    /// MIN_NOTIONAL: price × quantity must reach this unless the order is reduce-only (`-4164`).
    public var minNotional: Money { instrument.minNotional }

    /// What the exchange side adds to Binance's filters (``Instrument/binanceUSDM``) for the common perpetuals.
    public static let known: [String: VenueSymbolRules] = {
        let listing: [(String, base: String, price: UInt8, quantity: UInt8, maintenance: Double, leverage: Int)] = [
            ("BTCUSDT", "BTC", 2, 3, 0.004, 125), ("ETHUSDT", "ETH", 2, 3, 0.004, 125),
            ("SOLUSDT", "SOL", 4, 0, 0.005, 100),
        ]
        var known: [String: VenueSymbolRules] = [:]
        for entry in listing {
            known[entry.0] = VenueSymbolRules(
                instrument: Instrument.binanceUSDM[entry.0]!, baseAsset: entry.base, pricePrecision: entry.price,
                quantityPrecision: entry.quantity, maintenanceMarginRate: entry.maintenance,
                maxLeverage: entry.leverage)
        }
        return known
    }()

    /// Binance's rules for `symbol`, or loose defaults (tick 0.00000001, step 0.001, min notional 5) for a symbol
    /// not in the table, so any recorded tape can be replayed.
    public static func forSymbol(_ symbol: String) -> VenueSymbolRules {
        let symbol = symbol.uppercased()
        if let rules = known[symbol] { return rules }
        let quote = ["USDT", "USDC", "BUSD"].first { symbol.hasSuffix($0) && symbol.count > $0.count } ?? "USDT"
        return VenueSymbolRules(
            instrument: Instrument(
                symbol: symbol, tickSize: Price("0.00000001")!, minPrice: Price("0.00000001")!,
                maxPrice: Price("10000000")!, stepSize: Quantity("0.001")!, minQuantity: Quantity("0.001")!,
                maxQuantity: Quantity("10000000")!, marketMaxQuantity: Quantity("10000000")!, minNotional: Money("5")!),
            baseAsset: String(symbol.dropLast(quote.count)), quoteAsset: quote, pricePrecision: 8,
            quantityPrecision: 3, maintenanceMarginRate: 0.005, maxLeverage: 50)
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
