import ReflexCore

/// `GET /fapi/v1/exchangeInfo` (A7): every symbol the venue trades, with its filters.
enum ExchangeInformation {
    static func json(rules: [VenueSymbolRules], serverTime: Int64) -> String {
        var quoteAssets: [String] = []
        for quote in rules.map(\.quoteAsset) where !quoteAssets.contains(quote) { quoteAssets.append(quote) }
        let assets = quoteAssets.map { quote in
            var asset = JSONText()
            asset.string("asset", quote)
            asset.bool("marginAvailable", true)
            asset.decimal("autoAssetExchange", "-10000")
            return asset.object
        }

        var o = JSONText()
        o.string("timezone", "UTC")
        o.int("serverTime", serverTime)
        o.string("futuresType", "U_MARGINED")
        o.raw(
            "rateLimits",
            #"[{"rateLimitType":"REQUEST_WEIGHT","interval":"MINUTE","intervalNum":1,"limit":2400},"#
                + #"{"rateLimitType":"ORDERS","interval":"MINUTE","intervalNum":1,"limit":1200},"#
                + #"{"rateLimitType":"ORDERS","interval":"SECOND","intervalNum":10,"limit":300}]"#)
        o.raw("exchangeFilters", "[]")
        o.raw("assets", JSONText.array(assets))
        o.raw("symbols", JSONText.array(rules.map(symbol)))
        return o.object
    }

    /// One element of `symbols`.
    private static func symbol(_ rules: VenueSymbolRules) -> String {
        func filter(_ type: String, _ fields: (inout JSONText) -> Void) -> String {
            var o = JSONText()
            o.string("filterType", type)
            fields(&o)
            return o.object
        }
        let filters = [
            filter("PRICE_FILTER") {
                $0.decimal("maxPrice", rules.maxPrice)
                $0.decimal("minPrice", rules.minPrice)
                $0.decimal("tickSize", rules.tickSize)
            },
            filter("LOT_SIZE") {
                $0.decimal("maxQty", rules.maxQuantity)
                $0.decimal("minQty", rules.minQuantity)
                $0.decimal("stepSize", rules.stepSize)
            },
            filter("MARKET_LOT_SIZE") {
                $0.decimal("maxQty", rules.maxMarketQuantity)
                $0.decimal("minQty", rules.minQuantity)
                $0.decimal("stepSize", rules.stepSize)
            },
            filter("MAX_NUM_ORDERS") { $0.int("limit", 200) },
            filter("MIN_NOTIONAL") { $0.decimal("notional", rules.minNotional) },
            filter("PERCENT_PRICE") {
                $0.decimal("multiplierUp", "1.0500")
                $0.decimal("multiplierDown", "0.9500")
                $0.int("multiplierDecimal", 4)
            },
        ]
        let quoted = { (values: [String]) in JSONText.array(values.map { "\"\($0)\"" }) }
        var symbol = JSONText()
        symbol.string("symbol", rules.symbol)
        symbol.string("pair", rules.symbol)
        symbol.string("contractType", "PERPETUAL")
        symbol.int("deliveryDate", 4_133_404_800_000)
        symbol.int("onboardDate", 1_569_398_400_000)
        symbol.string("status", "TRADING")
        symbol.decimal("maintMarginPercent", "2.5000")
        symbol.decimal("requiredMarginPercent", "5.0000")
        symbol.string("baseAsset", rules.baseAsset)
        symbol.string("quoteAsset", rules.quoteAsset)
        symbol.string("marginAsset", rules.quoteAsset)
        symbol.int("pricePrecision", Int64(rules.pricePrecision))
        symbol.int("quantityPrecision", Int64(rules.quantityPrecision))
        symbol.int("baseAssetPrecision", 8)
        symbol.int("quotePrecision", 8)
        symbol.string("underlyingType", "COIN")
        symbol.raw("underlyingSubType", "[]")
        symbol.int("settlePlan", 0)
        symbol.decimal("triggerProtect", "0.0500")
        symbol.decimal("liquidationFee", "0.012500")
        symbol.decimal("marketTakeBound", "0.05")
        symbol.int("maxMoveOrderLimit", 10000)
        symbol.raw("filters", JSONText.array(filters))
        symbol.raw(
            "orderTypes",
            quoted([
                "LIMIT", "MARKET", "STOP", "STOP_MARKET", "TAKE_PROFIT", "TAKE_PROFIT_MARKET", "TRAILING_STOP_MARKET",
            ]))
        symbol.raw("timeInForce", quoted(["GTC", "IOC", "FOK", "GTX", "GTD"]))

        return symbol.object
    }
}
