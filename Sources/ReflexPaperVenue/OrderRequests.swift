import ReflexCore

/// A validated `POST /fapi/v1/order` (A4): MARKET or LIMIT. Conditional types belong to the algo endpoint (`-4120`).
struct NewOrderRequest: Sendable {
    let symbol: String
    /// The rules of `symbol`, which the order was checked against.
    let rules: VenueSymbolRules
    let side: Side
    /// Limit price; nil for MARKET.
    let limitPrice: Price?
    let quantity: Quantity
    let timeInForce: String
    let reduceOnly: Bool
    let clientOrderID: String?
    /// `newOrderRespType=RESULT`: a MARKET order answers with its fill.
    let wantsResult: Bool

    /// - Parameter markets: the rules of every symbol the venue trades; another symbol is `-1121`.
    init(_ p: RequestParameters, markets: [String: VenueSymbolRules]) throws(BinanceAPIError) {
        symbol = try p.required("symbol").uppercased()
        guard let rules = markets[symbol] else { throw .badSymbol }
        self.rules = rules
        side = try Self.side(p)
        let type = try p.required("type").uppercased()
        switch type {
        case "MARKET", "LIMIT": break
        case "STOP", "STOP_MARKET", "TAKE_PROFIT", "TAKE_PROFIT_MARKET", "TRAILING_STOP_MARKET":
            throw .useAlgoEndpoint
        default: throw .invalidEnum("type", code: -1116)
        }
        try Self.checkPositionSide(p)
        if try p.bool("closePosition") == true { throw .notRequired("closePosition") }
        guard let quantity = try p.decimal("quantity", as: Quantity.self) else {
            throw BinanceAPIError(parameter: "quantity")
        }
        if let error = rules.validate(quantity: quantity, isMarket: type == "MARKET") { throw error }
        self.quantity = quantity
        if type == "LIMIT" {
            guard let price = try p.decimal("price", as: Price.self) else { throw BinanceAPIError(parameter: "price") }
            if let error = rules.validate(price: price, parameter: "price") { throw error }
            limitPrice = price
            let tif = try p.required("timeInForce").uppercased()
            guard ["GTC", "IOC", "FOK", "GTX", "GTD"].contains(tif) else {
                throw .invalidEnum("timeInForce", code: -1115)
            }
            timeInForce = tif
        } else {
            if p["price"] != nil { throw .notRequired("price") }
            limitPrice = nil
            timeInForce = "GTC"
        }
        reduceOnly = try p.bool("reduceOnly") ?? false
        clientOrderID = try Self.clientID(p, name: "newClientOrderId")
        wantsResult = p["newOrderRespType"]?.uppercased() == "RESULT"
    }

    static func side(_ p: RequestParameters) throws(BinanceAPIError) -> Side {
        guard let side = Side(rawValue: try p.required("side").uppercased()) else {
            throw .invalidEnum("side", code: -1117)
        }
        return side
    }

    /// The venue runs one-way mode: `positionSide` may only be `BOTH`.
    static func checkPositionSide(_ p: RequestParameters) throws(BinanceAPIError) {
        if let positionSide = p["positionSide"], positionSide.uppercased() != "BOTH" { throw .positionSideMismatch }
    }

    static func clientID(_ p: RequestParameters, name: String) throws(BinanceAPIError) -> String? {
        guard let id = p[name] else { return nil }
        guard ClientOrderID(id).isValidForBinance else { throw .invalidClientID }
        return id
    }
}

/// A validated `POST /fapi/v1/algoOrder` (A5): a conditional STOP_MARKET or TAKE_PROFIT_MARKET.
struct NewAlgoOrderRequest: Sendable {
    let symbol: String
    /// The rules of `symbol`, which the order was checked against.
    let rules: VenueSymbolRules
    let side: Side
    /// `STOP_MARKET` or `TAKE_PROFIT_MARKET`.
    let orderType: String
    let triggerPrice: Price
    /// nil with `closePosition=true`.
    let quantity: Quantity?
    let reduceOnly: Bool
    let closePosition: Bool
    let clientAlgoID: String?

    /// - Parameter markets: the rules of every symbol the venue trades; another symbol is `-1121`.
    init(_ p: RequestParameters, markets: [String: VenueSymbolRules]) throws(BinanceAPIError) {
        guard try p.required("algoType").uppercased() == "CONDITIONAL" else {
            throw BinanceAPIError(code: -1102, parameter: "algoType")
        }
        symbol = try p.required("symbol").uppercased()
        guard let rules = markets[symbol] else { throw .badSymbol }
        self.rules = rules
        side = try NewOrderRequest.side(p)
        let type = try p.required("type").uppercased()
        switch type {
        case "STOP_MARKET", "TAKE_PROFIT_MARKET": orderType = type
        case "STOP", "TAKE_PROFIT", "TRAILING_STOP_MARKET":
            throw BinanceAPIError(
                code: -1116, msg: "Invalid orderType. The paper venue supports STOP_MARKET and TAKE_PROFIT_MARKET.")
        default: throw .invalidEnum("type", code: -1116)
        }
        try NewOrderRequest.checkPositionSide(p)
        guard let trigger = try p.decimal("triggerPrice", as: Price.self) else {
            throw BinanceAPIError(parameter: "triggerPrice")
        }
        if let error = rules.validate(price: trigger, parameter: "triggerPrice") { throw error }
        triggerPrice = trigger
        closePosition = try p.bool("closePosition") ?? false
        let reduceOnly = try p.bool("reduceOnly")
        if closePosition {
            if p["quantity"] != nil { throw .notRequired("quantity") }
            if reduceOnly != nil { throw .notRequired("reduceOnly") }
            quantity = nil
        } else {
            guard let quantity = try p.decimal("quantity", as: Quantity.self) else {
                throw BinanceAPIError(parameter: "quantity")
            }
            if let error = rules.validate(quantity: quantity, isMarket: true) { throw error }
            self.quantity = quantity
        }
        self.reduceOnly = reduceOnly ?? false
        clientAlgoID = try NewOrderRequest.clientID(p, name: "clientAlgoId")
    }
}
