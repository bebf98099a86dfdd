import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import ReflexCore
import Synchronization

extension PaperVenue {
    /// The `/fapi` routes (A4–A7, A11). Symbol-bound routes dispatch by `symbol`; a symbol the venue does not trade
    /// is Binance's `-1121`.
    func makeRouter() -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self)
        let exchange = self.exchange
        let markets = Dictionary(uniqueKeysWithValues: configuration.markets.map { ($0.symbol, $0.rules) })
        let symbols = configuration.markets.map(\.symbol)
        let allRules = configuration.markets.map(\.rules)
        let feed = marketFeed
        let userData = self.userData
        let precision: @Sendable (String) -> UInt8 = { markets[$0]?.pricePrecision ?? 8 }

        router.get("fapi/v1/ping") { request, context in
            await self.respond(request, context, security: nil) { _ in "{}" }
        }
        router.get("fapi/v1/time") { request, context in
            await self.respond(request, context, security: nil) { _ in
                #"{"serverTime":\#(PaperVenue.wallClockMilliseconds)}"#
            }
        }
        router.get("fapi/v1/exchangeInfo") { request, context in
            await self.respond(request, context, security: nil) { _ in
                ExchangeInformation.json(rules: allRules, serverTime: PaperVenue.wallClockMilliseconds)
            }
        }
        // Without `symbol` Binance lists every symbol; a one-market venue keeps answering with its one object.
        router.get("fapi/v1/ticker/price") { request, context in
            await self.respond(request, context, security: nil) { p in
                if let symbol = try Self.optionalSymbol(p, markets) ?? (symbols.count == 1 ? symbols[0] : nil) {
                    return await exchange.tickerPriceJSON(symbol: symbol)
                }
                var rows: [String] = []
                for symbol in symbols { rows.append(await exchange.tickerPriceJSON(symbol: symbol)) }
                return JSONText.array(rows)
            }
        }
        router.get("fapi/v1/premiumIndex") { request, context in
            await self.respond(request, context, security: nil) { p in
                if let symbol = try Self.optionalSymbol(p, markets) ?? (symbols.count == 1 ? symbols[0] : nil) {
                    return await exchange.premiumIndexJSON(symbol: symbol)
                }
                var rows: [String] = []
                for symbol in symbols { rows.append(await exchange.premiumIndexJSON(symbol: symbol)) }
                return JSONText.array(rows)
            }
        }
        router.get("fapi/v1/aggTrades") { request, context in
            await self.respond(request, context, security: nil) { p in
                let symbol = try Self.tradedSymbol(p, markets)
                let limit = Int(try p.int64("limit") ?? 500)
                guard (1...1000).contains(limit) else {
                    throw BinanceAPIError(code: -1130, msg: "Data sent for parameter 'limit' is not valid.")
                }
                let trades = feed.history(
                    symbol: symbol, fromID: try p.int64("fromId"), startTime: try p.int64("startTime"),
                    endTime: try p.int64("endTime"), limit: limit)
                return JSONText.array(trades.map(\.restPayload))
            }
        }

        // Orders.
        router.post("fapi/v1/order") { request, context in
            await self.respond(request, context, security: .signed) { p in
                let request = try NewOrderRequest(p, markets: markets)
                var order = try await exchange.placeOrder(request)
                if request.wantsResult && request.limitPrice == nil {
                    // RESULT answers a MARKET order with its fill; here that is the symbol's next replayed trade.
                    let deadline = ContinuousClock.now + .seconds(3)
                    while order.status == .new && ContinuousClock.now < deadline {
                        try await Task.sleep(for: .milliseconds(1))
                        order = try await exchange.order(
                            symbol: request.symbol, orderID: order.orderID, clientOrderID: nil)
                    }
                }
                return order.json(pricePrecision: request.rules.pricePrecision, includeTime: false)
            }
        }
        router.delete("fapi/v1/order") { request, context in
            await self.respond(request, context, security: .signed) { p in
                let symbol = try Self.tradedSymbol(p, markets)
                let (orderID, clientID) = try Self.orderReference(p, id: "orderId", clientID: "origClientOrderId")
                let order = try await exchange.cancelOrder(symbol: symbol, orderID: orderID, clientOrderID: clientID)
                return order.json(pricePrecision: precision(symbol), includeTime: false)
            }
        }
        router.get("fapi/v1/order") { request, context in
            await self.respond(request, context, security: .signed) { p in
                let symbol = try Self.tradedSymbol(p, markets)
                let (orderID, clientID) = try Self.orderReference(p, id: "orderId", clientID: "origClientOrderId")
                return try await exchange.order(symbol: symbol, orderID: orderID, clientOrderID: clientID)
                    .json(pricePrecision: precision(symbol))
            }
        }
        // Without `symbol`: every symbol's open orders, as Binance allows.
        router.get("fapi/v1/openOrders") { request, context in
            await self.respond(request, context, security: .signed) { p in
                let symbol = try Self.optionalSymbol(p, markets)
                return JSONText.array(
                    await exchange.openOrders(symbol: symbol).map { $0.json(pricePrecision: precision($0.symbol)) })
            }
        }
        router.delete("fapi/v1/allOpenOrders") { request, context in
            await self.respond(request, context, security: .signed) { p in
                await exchange.cancelAllOpenOrders(symbol: try Self.tradedSymbol(p, markets))
                return #"{"code":200,"msg":"The operation of cancel all open order is done."}"#
            }
        }

        // Conditional orders on the Algo Service. Cancel and query go by algo id alone, as on Binance.
        router.post("fapi/v1/algoOrder") { request, context in
            await self.respond(request, context, security: .signed) { p in
                try await exchange.placeAlgoOrder(NewAlgoOrderRequest(p, markets: markets)).json()
            }
        }
        router.delete("fapi/v1/algoOrder") { request, context in
            await self.respond(request, context, security: .signed) { p in
                let (algoID, clientID) = try Self.orderReference(p, id: "algoId", clientID: "clientAlgoId")
                let algo = try await exchange.cancelAlgoOrder(algoID: algoID, clientAlgoID: clientID)
                return
                    #"{"algoId":\#(algo.algoID),"clientAlgoId":"\#(algo.clientAlgoID)","code":"200","msg":"success"}"#
            }
        }
        router.get("fapi/v1/algoOrder") { request, context in
            await self.respond(request, context, security: .signed) { p in
                let (algoID, clientID) = try Self.orderReference(p, id: "algoId", clientID: "clientAlgoId")
                return try await exchange.algoOrder(algoID: algoID, clientAlgoID: clientID).json()
            }
        }
        router.get("fapi/v1/openAlgoOrders") { request, context in
            await self.respond(request, context, security: .signed) { p in
                let symbol = try Self.optionalSymbol(p, markets)
                return JSONText.array(await exchange.openAlgoOrders(symbol: symbol).map { $0.json() })
            }
        }

        // Account. The v2 paths answer the same (v3 fields are a superset), for client libraries still on v2.
        for version in ["v2", "v3"] {
            router.get("fapi/\(version)/positionRisk") { request, context in
                await self.respond(request, context, security: .signed) { p in
                    await exchange.positionRiskJSON(symbol: try Self.optionalSymbol(p, markets))
                }
            }
            router.get("fapi/\(version)/account") { request, context in
                await self.respond(request, context, security: .signed) { _ in await exchange.accountJSON() }
            }
            router.get("fapi/\(version)/balance") { request, context in
                await self.respond(request, context, security: .signed) { _ in await exchange.balanceJSON() }
            }
        }
        router.post("fapi/v1/leverage") { request, context in
            await self.respond(request, context, security: .signed) { p in
                let symbol = try Self.tradedSymbol(p, markets)
                guard let leverage = try p.int64("leverage") else { throw BinanceAPIError(parameter: "leverage") }
                try await exchange.setLeverage(Int(leverage), symbol: symbol)
                let maxNotional = markets[symbol]?.maxQuantity.description ?? "0"
                return #"{"leverage":\#(leverage),"maxNotionalValue":"\#(maxNotional)","symbol":"\#(symbol)"}"#
            }
        }
        router.post("fapi/v1/positionMargin") { request, context in
            await self.respond(request, context, security: .signed) { p in
                let symbol = try Self.tradedSymbol(p, markets)
                guard let amount = try p.decimal("amount", as: Money.self), amount.raw > 0 else {
                    throw BinanceAPIError(parameter: "amount")
                }
                guard try p.int64("type") == 1 else {
                    throw BinanceAPIError(code: -1130, msg: "The paper venue only adds margin (type 1).")
                }
                try await exchange.addPositionMargin(amount, symbol: symbol, time: PaperVenue.wallClockMilliseconds)
                return #"{"amount":\#(amount),"code":200,"msg":"Successfully modify position margin.","type":1}"#
            }
        }
        router.post("fapi/v1/marginType") { request, context in
            await self.respond(request, context, security: .signed) { p in
                _ = try Self.tradedSymbol(p, markets)
                guard try p.required("marginType").uppercased() == "ISOLATED" else {
                    throw BinanceAPIError(code: -4046, msg: "The paper venue only supports ISOLATED margin.")
                }
                return #"{"code":200,"msg":"success"}"#
            }
        }

        // User data stream keys (USER_STREAM security: API key only).
        router.post("fapi/v1/listenKey") { request, context in
            await self.respond(request, context, security: .apiKey) { _ in
                #"{"listenKey":"\#(userData.createListenKey())"}"#
            }
        }
        router.put("fapi/v1/listenKey") { request, context in
            await self.respond(request, context, security: .apiKey) { p in
                guard let key = userData.keepAlive(p["listenKey"]) else { throw BinanceAPIError.invalidListenKey }
                return #"{"listenKey":"\#(key)"}"#
            }
        }
        router.delete("fapi/v1/listenKey") { request, context in
            await self.respond(request, context, security: .apiKey) { p in
                userData.delete(p["listenKey"])
                return "{}"
            }
        }
        return router
    }

    /// Runs one REST call: body, parameters, security, faults; Binance's error JSON for any failure.
    func respond(
        _ request: Request, _ context: BasicRequestContext, security: RequestAuthenticator.Security?,
        _ handler: (RequestParameters) async throws -> String
    ) async -> Response {
        do {
            if let delay = configuration.faults.restDelay { try await Task.sleep(for: delay) }
            let body = try await request.body.collect(upTo: 1 << 16)
            let parameters = RequestParameters(query: request.uri.query, body: String(buffer: body))
            if let security {
                try authenticator.authenticate(
                    apiKey: request.headers[HTTPField.Name.binanceAPIKey], parameters: parameters, security: security,
                    now: PaperVenue.wallClockMilliseconds)
            }
            let fault = nextRESTFault()
            if fault == .unavailable { throw BinanceAPIError.serviceUnavailable }
            let json = try await handler(parameters)
            if fault == .unknownOutcome { throw BinanceAPIError.unknownOutcome }
            return Response(
                status: .ok,
                headers: [.contentType: "application/json", .binanceUsedWeight: String(usedWeightThisMinute())],
                body: .init(byteBuffer: ByteBuffer(string: json)))
        } catch let error as BinanceAPIError {
            return error.plainResponse
        } catch {
            logger.warning("REST request failed", metadata: ["path": "\(request.uri.path)", "error": "\(error)"])
            return BinanceAPIError(
                code: -1000, msg: "An unknown error occured while processing the request.",
                status: .internalServerError
            ).plainResponse
        }
    }

    private enum RESTFault { case none, unavailable, unknownOutcome }

    /// Requests in the current wall-clock minute, for `X-MBX-USED-WEIGHT-1M` (every endpoint counted as weight 1).
    private func usedWeightThisMinute() -> Int {
        let minute = PaperVenue.wallClockMilliseconds / 60_000
        return usedWeight.withLock { state in
            if state.minute != minute { state = (minute, 0) }
            state.count += 1
            return state.count
        }
    }

    private func nextRESTFault() -> RESTFault {
        guard let every = configuration.faults.serviceUnavailableEvery, every > 0 else { return .none }
        let count = requestCounter.withLock { count in
            count += 1
            return count
        }
        guard count % every == 0 else { return .none }
        return configuration.faults.serviceUnavailableExecutes ? .unknownOutcome : .unavailable
    }

    /// The `symbol` parameter, which must name a traded symbol: `-1102` when missing, `-1121` when not traded.
    private static func tradedSymbol(
        _ p: RequestParameters, _ markets: [String: VenueSymbolRules]
    ) throws(BinanceAPIError) -> String {
        let symbol = try p.required("symbol").uppercased()
        guard markets[symbol] != nil else { throw .badSymbol }
        return symbol
    }

    /// The optional `symbol` parameter: nil when absent (every symbol), `-1121` when it names an untraded one.
    private static func optionalSymbol(
        _ p: RequestParameters, _ markets: [String: VenueSymbolRules]
    ) throws(BinanceAPIError) -> String? {
        guard p["symbol"] != nil else { return nil }
        return try tradedSymbol(p, markets)
    }

    /// An order named by venue id or client id; one of the two is mandatory.
    private static func orderReference(
        _ p: RequestParameters, id: String, clientID: String
    ) throws -> (Int64?, String?) {
        // Binance's cancel-algo page spells the parameters `algoid` / `clientalgoid`; accept either spelling.
        let number = try p.int64(id) ?? p.int64(id.lowercased())
        let client = p[clientID] ?? p[clientID.lowercased()]
        guard number != nil || client != nil else { throw BinanceAPIError(parameter: "\(id)' or '\(clientID)") }
        return (number, client)
    }
}

extension HTTPField.Name {
    /// Binance's API-key header.
    static let binanceAPIKey = HTTPField.Name("X-MBX-APIKEY")!
    /// Request weight used in the current minute, on every answer.
    static let binanceUsedWeight = HTTPField.Name("X-MBX-USED-WEIGHT-1M")!
}

extension BinanceAPIError {
    var plainResponse: Response {
        Response(
            status: status, headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(string: json)))
    }
}
