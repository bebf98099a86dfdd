import Foundation
import ReflexCore
import Testing

@testable import ReflexExchange

struct BybitParseTests {
    @Test func publicTradeSampleBecomesATick() throws {
        let message = BybitParse.publicMessage(try VenueFixture.text("Bybit", "public_trade.json"))
        guard case .trades(let trades) = message else {
            Issue.record("expected trades, got \(message)")
            return
        }
        #expect(trades.count == 1)
        let trade = try #require(trades.first)
        #expect(trade.id == "20f43950-d8dd-5b31-9112-a178eb6023af")
        #expect(trade.price.description == "16578.50")
        #expect(trade.quantity.description == "0.001")
        #expect(trade.aggressor == .buy)
        #expect(trade.time == .milliseconds(1_672_304_486_865))
        #expect(trade.tick.tradeID == TradeIDHash.fnv1a("20f43950-d8dd-5b31-9112-a178eb6023af"))
    }

    @Test func tradeIDHashIsFNV1a64() {
        // Reference values of FNV-1a 64: the empty string is the offset basis; "a" is a published test vector.
        #expect(TradeIDHash.fnv1a("") == Int64(bitPattern: 0xcbf2_9ce4_8422_2325))
        #expect(TradeIDHash.fnv1a("a") == Int64(bitPattern: 0xaf63_dc4c_8601_ec8c))
        #expect(TradeIDHash.integerOrHash("48079254") == 48_079_254)
    }

    @Test func controlMessagesAreRecognised() {
        #expect(
            BybitParse.publicMessage(#"{"success":true,"ret_msg":"pong","conn_id":"x","req_id":"1","op":"ping"}"#)
                == .pong)
        #expect(
            BybitParse.publicMessage(#"{"success":false,"ret_msg":"bad topic","op":"subscribe"}"#)
                == .subscribed(success: false, message: "bad topic"))
        #expect(
            BybitParse.publicMessage(#"{"topic":"orderbook.1.BTCUSDT","data":{}}"#)
                == .ignored("topic orderbook.1.BTCUSDT"))
    }

    @Test(arguments: [
        "not json", "[]", #"{"topic":"publicTrade.BTCUSDT"}"#,
        #"{"topic":"publicTrade.BTCUSDT","data":[{"T":1,"s":"BTCUSDT","S":"Up","v":"1","p":"1","i":"x"}]}"#,
        #"{"topic":"publicTrade.BTCUSDT","data":[{"T":1,"s":"BTCUSDT","S":"Buy","v":"1e400","p":"1","i":"x"}]}"#,
        #"{"topic":"publicTrade.BTCUSDT","data":[{"T":"soon","s":"BTCUSDT","S":"Buy","v":"1","p":"1","i":"x"}]}"#,
        #"{"topic":"publicTrade.BTCUSDT","data":[{"T":1,"s":"BTCUSDT","S":"Buy","v":"0","p":"1","i":"x"}]}"#,
    ])
    func malformedPublicMessagesAreReportedNotFatal(_ text: String) {
        guard case .malformed = BybitParse.publicMessage(text) else {
            Issue.record("\(text) was not reported as malformed")
            return
        }
    }

    @Test func executionSampleBecomesAFill() throws {
        let message = BybitParse.privateMessage(try VenueFixture.text("Bybit", "execution.json"))
        guard case .events(let events) = message, case .orderFilled(let fill)? = events.first else {
            Issue.record("expected a fill, got \(message)")
            return
        }
        #expect(events.count == 1)
        #expect(fill.symbol == "BTCUSDT")
        #expect(fill.tradeID == "0ab1bdf7-4219-438b-b30a-32ec863018f7")
        #expect(fill.clientOrderID == ClientOrderID("bybit-9aac161b-8ed6-450d-9cab-c5cc67c21784"))
        #expect(fill.venueOrderID == "9aac161b-8ed6-450d-9cab-c5cc67c21784")
        #expect(fill.side == .sell)
        #expect(fill.price.description == "95900.1")
        #expect(fill.quantity.description == "0.5")
        #expect(fill.cumulativeQuantity == Quantity("0.5"))
        #expect(fill.isFinal)
        #expect(fill.fee.description == "26.3725275")
        #expect(fill.feeAsset == "USDT")
        #expect(fill.time == .milliseconds(1_746_270_400_353))
    }

    @Test func bustTradeExecutionBecomesALiquidation() throws {
        let text = try VenueFixture.text("Bybit", "execution.json").replacingOccurrences(
            of: #""execType": "Trade""#, with: #""execType": "BustTrade""#)
        #expect(
            BybitParse.privateMessage(text)
                == .events([
                    .liquidation(
                        Liquidation(
                            symbol: "BTCUSDT", side: .sell, price: Price("95900.1")!, quantity: Quantity("0.5")!,
                            time: .milliseconds(1_746_270_400_353)))
                ]))
        let funding = text.replacingOccurrences(of: #""execType": "BustTrade""#, with: #""execType": "Funding""#)
        #expect(BybitParse.privateMessage(funding) == .events([]))
    }

    @Test func filledOrderSampleAddsNoEventBecauseFillsComeFromExecutions() throws {
        #expect(BybitParse.privateMessage(try VenueFixture.text("Bybit", "order.json")) == .events([]))
    }

    @Test func orderStatusesMapToEngineEvents() throws {
        let sample = try VenueFixture.text("Bybit", "order.json").replacingOccurrences(
            of: #""orderLinkId": """#, with: #""orderLinkId": "e-1""#)
        let cancelled = sample.replacingOccurrences(
            of: #""orderStatus": "Filled""#, with: #""orderStatus": "Cancelled""#)
        #expect(
            BybitParse.privateMessage(cancelled)
                == .events([
                    .orderCanceled(
                        OrderCanceled(clientOrderID: "e-1", reason: "Cancelled", time: .milliseconds(1_672_364_262_457))
                    )
                ]))
        let new = sample.replacingOccurrences(of: #""orderStatus": "Filled""#, with: #""orderStatus": "Untriggered""#)
        #expect(
            BybitParse.privateMessage(new)
                == .events([
                    .orderAccepted(
                        OrderAccepted(
                            clientOrderID: "e-1", venueOrderID: "5cf98598-39a7-459e-97bf-76ca765ee020",
                            time: .milliseconds(1_672_364_262_457)))
                ]))
    }

    @Test func positionSampleIsAFlatPosition() throws {
        let message = BybitParse.privateMessage(try VenueFixture.text("Bybit", "position.json"))
        #expect(
            message
                == .events([
                    .positionChanged(
                        PositionUpdate(
                            symbol: "BTCUSDT", quantity: .zero, entryPrice: .zero, markPrice: Price("28184.5"),
                            liquidationPrice: nil, time: .milliseconds(1_697_682_317_038)))
                ]))
    }

    @Test func shortPositionIsNegative() throws {
        let text = try VenueFixture.text("Bybit", "position.json")
            .replacingOccurrences(of: #""side": """#, with: #""side": "Sell""#)
            .replacingOccurrences(of: #""size": "0""#, with: #""size": "0.25""#)
        guard case .events(let events) = BybitParse.privateMessage(text),
            case .positionChanged(let position)? = events.first
        else {
            Issue.record("expected a position")
            return
        }
        #expect(position.quantity == Quantity("-0.25"))
    }

    @Test func authAnswerIsRecognised() throws {
        #expect(
            BybitParse.privateMessage(try VenueFixture.text("Bybit", "auth_success.json"))
                == .authenticated(success: true, message: ""))
    }

    @Test func restEnvelopeAndOrderID() throws {
        let envelope = try BybitParse.envelope(try VenueFixture.text("Bybit", "order_create_response.json"))
        #expect(envelope.retCode == 0)
        #expect(envelope.time == 1_672_211_918_471)
        #expect(try BybitParse.orderID(envelope.result) == "1321003749386327552")
    }

    @Test func instrumentsInfoGivesTheRules() throws {
        let result = try JSONValue.parse(try VenueFixture.text("Bybit", "instruments_info_result.json"))
        let rules = try #require(try BybitParse.instrumentRules(result, symbol: "BTCUSDT"))
        #expect(rules.tickSize == Price("0.10"))
        #expect(rules.stepSize == Quantity("0.001"))
        #expect(rules.minQuantity == Quantity("0.001"))
        #expect(rules.marketMaxQuantity == Quantity("500"))
        #expect(rules.minNotional == Money("5"))
        #expect(try BybitParse.instrumentRules(result, symbol: "ETHUSDT") == nil)
    }

    @Test func orderBodyIsTheDocumentedShape() throws {
        let intent = OrderIntent(
            clientOrderID: "usdt-test-02", symbol: "BTCUSDT", side: .sell, type: .limit(price: Price("30000")!),
            quantity: Quantity("1")!, reduceOnly: true, purpose: .exit, time: .milliseconds(0))
        #expect(
            BybitRESTClient.orderBody(intent)
                == #"{"category":"linear","symbol":"BTCUSDT","side":"Sell","orderType":"Limit","qty":"1","price":"30000","timeInForce":"GTC","positionIdx":0,"orderLinkId":"usdt-test-02","reduceOnly":true}"#
        )
    }

    @Test func stopAndTakeProfitBecomeConditionalMarketOrders() throws {
        func body(_ type: OrderType, _ side: Side) throws -> JSONValue {
            try JSONValue.parse(
                BybitRESTClient.orderBody(
                    OrderIntent(
                        clientOrderID: "sl-1", symbol: "BTCUSDT", side: side, type: type, quantity: Quantity("0.010")!,
                        reduceOnly: true, purpose: .stopLoss, time: .milliseconds(0))))
        }
        let stop = try body(.stopMarket(trigger: Price("59000.0")!), .sell)
        #expect(BybitStandIn.string(stop, "orderType") == "Market")
        #expect(BybitStandIn.string(stop, "triggerPrice") == "59000.0")
        #expect(BybitStandIn.string(stop, "qty") == "0.010")
        #expect(BybitStandIn.number(stop, "triggerDirection") == 2)
        #expect(BybitStandIn.string(stop, "triggerBy") == "LastPrice")
        #expect(
            BybitStandIn.number(try body(.takeProfitMarket(trigger: Price("65000")!), .sell), "triggerDirection") == 1)
        #expect(BybitStandIn.number(try body(.stopMarket(trigger: Price("65000")!), .buy), "triggerDirection") == 1)
        #expect(
            BybitStandIn.number(try body(.takeProfitMarket(trigger: Price("59000")!), .buy), "triggerDirection") == 2)
    }

    @Test func exponentNumbersAreReadExactly() {
        #expect(DecimalText.plain("1.68e-06") == "0.00000168")
        #expect(DecimalText.plain("-2.5E+3") == "-2500")
        #expect(DecimalText.plain("8954") == "8954")
        #expect(DecimalText.plain("1e") == nil)
    }
}
