import ReflexCore

// Wire types: Binance's JSON as documented (spec A4–A11), one struct per payload, field names spelled out through
// CodingKeys. Decimal strings decode straight into Price/Quantity/Money, never through Double.

/// `{"code": -1121, "msg": "Invalid symbol."}`
struct BinanceErrorBody: Decodable {
    let code: Int
    let msg: String
}

/// `GET /fapi/v1/time`
struct BinanceServerTime: Decodable {
    let serverTime: Int64
}

/// `POST /fapi/v1/listenKey`
struct BinanceListenKey: Decodable {
    let listenKey: String
}

/// One element of `GET /fapi/v1/aggTrades`.
struct BinanceAggTradeRecord: Decodable {
    let id: Int64
    let price: Price
    let quantity: Quantity
    let time: Int64
    let buyerIsMaker: Bool

    enum CodingKeys: String, CodingKey {
        case id = "a"
        case price = "p"
        case quantity = "q"
        case time = "T"
        case buyerIsMaker = "m"
    }

    var tick: Tick {
        Tick(
            time: .milliseconds(time), price: price, quantity: quantity, aggressor: buyerIsMaker ? .sell : .buy,
            tradeID: id)
    }
}

/// An order from `/fapi/v1/order` (POST, GET, DELETE) and `/fapi/v1/openOrders`.
struct BinanceOrderRecord: Decodable {
    let orderId: Int64
    let clientOrderId: String
    let symbol: String
    let side: String
    let type: String
    let status: String
    let price: Price?
    let stopPrice: Price?
    let origQty: Quantity?
    let executedQty: Quantity?
    let reduceOnly: Bool?
    let updateTime: Int64?
}

/// An algo (conditional) order from `/fapi/v1/algoOrder` and the open-algo-orders list.
struct BinanceAlgoOrderRecord: Decodable {
    let algoId: Int64
    let clientAlgoId: String
    let symbol: String
    let side: String
    let orderType: String
    let algoStatus: String
    let quantity: Quantity?
    let triggerPrice: Price?
    let reduceOnly: Bool?
    let closePosition: Bool?
    let updateTime: Int64?
}

/// One element of `GET /fapi/v3/positionRisk`.
struct BinancePositionRecord: Decodable {
    let symbol: String
    let positionAmt: Quantity
    let entryPrice: Price
    let markPrice: Price?
    let liquidationPrice: Price?
    let maintMargin: Money?
    let isolatedWallet: Money?
    let unRealizedProfit: Money?
    let updateTime: Int64?
}

/// `GET /fapi/v3/account` (the totals Reflex uses).
struct BinanceAccountRecord: Decodable {
    let totalWalletBalance: Money
    let totalMarginBalance: Money
    let totalUnrealizedProfit: Money
    let availableBalance: Money
    let totalMaintMargin: Money
}

/// `GET /fapi/v1/exchangeInfo`.
struct BinanceExchangeInfo: Decodable {
    let symbols: [Symbol]

    struct Symbol: Decodable {
        let symbol: String
        let filters: [Filter]
    }

    /// Filters share one shape; each type fills its own fields.
    struct Filter: Decodable {
        let filterType: String
        let tickSize: Price?
        let minPrice: Price?
        let maxPrice: Price?
        let stepSize: Quantity?
        let minQty: Quantity?
        let maxQty: Quantity?
        let notional: Money?
    }
}

// MARK: User data stream (spec A11)

/// Reads only the event type, to pick the payload type.
struct BinanceEventType: Decodable {
    let e: String?
}

/// `ORDER_TRADE_UPDATE`
struct BinanceOrderTradeUpdate: Decodable {
    let eventTime: Int64
    let order: Order

    enum CodingKeys: String, CodingKey {
        case eventTime = "E"
        case order = "o"
    }

    struct Order: Decodable {
        let symbol: String
        let clientOrderID: String
        let side: String
        let orderType: String
        let executionType: String
        let status: String
        let orderID: Int64
        let lastQuantity: Quantity
        let cumulativeQuantity: Quantity
        let lastPrice: Price
        let commissionAsset: String?
        let commission: Money?
        let tradeTime: Int64
        let tradeID: Int64

        enum CodingKeys: String, CodingKey {
            case symbol = "s"
            case clientOrderID = "c"
            case side = "S"
            case orderType = "o"
            case executionType = "x"
            case status = "X"
            case orderID = "i"
            case lastQuantity = "l"
            case cumulativeQuantity = "z"
            case lastPrice = "L"
            case commissionAsset = "N"
            case commission = "n"
            case tradeTime = "T"
            case tradeID = "t"
        }
    }
}

/// `ALGO_UPDATE`
struct BinanceAlgoUpdate: Decodable {
    let eventTime: Int64
    let order: Order

    enum CodingKeys: String, CodingKey {
        case eventTime = "E"
        case order = "o"
    }

    struct Order: Decodable {
        let clientAlgoID: String
        let algoID: Int64
        let symbol: String
        let status: String
        let failureReason: String?

        enum CodingKeys: String, CodingKey {
            case clientAlgoID = "caid"
            case algoID = "aid"
            case symbol = "s"
            case status = "X"
            case failureReason = "rm"
        }
    }
}

/// `ACCOUNT_UPDATE`
struct BinanceAccountUpdate: Decodable {
    let eventTime: Int64
    let transactionTime: Int64?
    let update: Update

    enum CodingKeys: String, CodingKey {
        case eventTime = "E"
        case transactionTime = "T"
        case update = "a"
    }

    struct Update: Decodable {
        let positions: [Position]?
        enum CodingKeys: String, CodingKey { case positions = "P" }
    }

    struct Position: Decodable {
        let symbol: String
        let amount: Quantity
        let entryPrice: Price
        enum CodingKeys: String, CodingKey {
            case symbol = "s"
            case amount = "pa"
            case entryPrice = "ep"
        }
    }
}

/// `MARGIN_CALL`
struct BinanceMarginCall: Decodable {
    let eventTime: Int64
    let crossWalletBalance: Money?
    let positions: [Position]

    enum CodingKeys: String, CodingKey {
        case eventTime = "E"
        case crossWalletBalance = "cw"
        case positions = "p"
    }

    struct Position: Decodable {
        let symbol: String
        let marginType: String?
        let isolatedWallet: Money?
        let markPrice: Price
        let unrealizedPnL: Money
        let maintenanceMargin: Money
        enum CodingKeys: String, CodingKey {
            case symbol = "s"
            case marginType = "mt"
            case isolatedWallet = "iw"
            case markPrice = "mp"
            case unrealizedPnL = "up"
            case maintenanceMargin = "mm"
        }
    }
}
