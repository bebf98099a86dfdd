import Foundation
import ReflexCore
import Testing

@testable import ReflexWebhook

struct NativeEventParserTests {
    let parser = NativeEventParser()

    private func parse(_ text: String, symbols: Set<String>? = nil) -> Result<NativeDelivery, WebhookRejection> {
        Result { () throws(WebhookRejection) in try NativeEventParser(symbols: symbols).parse(Array(text.utf8)) }
    }

    private func event(_ type: String, _ data: String) -> String {
        #"{"type":"\#(type)","timestamp":"2024-08-08T23:54:00Z","data":\#(data)}"#
    }

    @Test func orderFilledKeepsExactDecimals() throws {
        guard case .event(let type, .orderFilled(let fill), _) = try parse(Fixture.orderFilled()).get() else {
            Issue.record("expected a fill")
            return
        }
        #expect(type == "order.filled")
        #expect(fill.price.description == "61800.30")
        #expect(fill.price.raw == 6_180_030_000_000)
        #expect(fill.quantity == Quantity("0.002"))
        #expect(fill.venueOrderID == "123456789")
        #expect(fill.clientOrderID == "rfx-e-1")
        #expect(fill.tradeID == "t-1")
        #expect(fill.side == .buy)
        #expect(fill.isFinal)
        #expect(fill.fee == Money("0.04944024"))
        #expect(fill.time == .milliseconds(1_700_000_000_000))
    }

    @Test func orderUpdatedMapsStatuses() throws {
        func mapped(_ status: String) throws -> EngineEvent? {
            let body = event(
                "order.updated",
                #"{"symbol":"BTCUSDT","orderId":"9","clientOrderId":"c1","status":"\#(status)","time":5}"#)
            guard case .event(_, let event, _) = try parse(body).get() else { return nil }
            return event
        }
        let time = Timestamp.milliseconds(5)
        #expect(try mapped("NEW") == .orderAccepted(OrderAccepted(clientOrderID: "c1", venueOrderID: "9", time: time)))
        #expect(
            try mapped("CANCELED") == .orderCanceled(OrderCanceled(clientOrderID: "c1", reason: "CANCELED", time: time))
        )
        #expect(
            try mapped("EXPIRED") == .orderCanceled(OrderCanceled(clientOrderID: "c1", reason: "EXPIRED", time: time)))
        #expect(
            try mapped("REJECTED") == .orderRejected(OrderRejected(clientOrderID: "c1", reason: "REJECTED", time: time))
        )
    }

    @Test func otherTypesMapToTheirEngineEvents() throws {
        let position = try parse(
            event(
                "position.updated",
                #"{"symbol":"BTCUSDT","quantity":"-0.010","entryPrice":"61000.1","markPrice":"61010","liquidationPrice":"0","marginRatio":"0.05","time":7}"#
            )
        ).get()
        #expect(
            position
                == .event(
                    type: "position.updated",
                    event: .positionChanged(
                        PositionUpdate(
                            symbol: "BTCUSDT", quantity: Quantity("-0.010")!, entryPrice: Price("61000.1")!,
                            markPrice: Price("61010"), liquidationPrice: Price("0"), marginRatio: 0.05,
                            time: .milliseconds(7))),
                    data: position.eventData!))
        let margin = try parse(
            event(
                "margin.warning",
                #"{"symbol":"BTCUSDT","marginRatio":"0.8","markPrice":"60000","maintenanceMargin":"12.5","time":8}"#)
        ).get()
        #expect(
            margin.engineEvent
                == .marginWarning(
                    MarginWarning(
                        symbol: "BTCUSDT", marginRatio: 0.8, markPrice: Price("60000")!,
                        maintenanceMargin: Money("12.5")!, time: .milliseconds(8))))
        let liquidation = try parse(
            event("liquidation", #"{"symbol":"BTCUSDT","side":"SELL","price":"59000","quantity":"0.01","time":9}"#)
        ).get()
        #expect(
            liquidation.engineEvent
                == .liquidation(
                    Liquidation(
                        symbol: "BTCUSDT", side: .sell, price: Price("59000")!, quantity: Quantity("0.01")!,
                        time: .milliseconds(9))))
        let regime = try parse(event("regime.shift", #"{"mode":"range","reason":"chop","time":10}"#)).get()
        #expect(
            regime.engineEvent
                == .regimeShift(RegimeShift(mode: .range, source: .webhook, reason: "chop", time: .milliseconds(10))))
    }

    @Test func pingAndUnknownTypes() throws {
        #expect(try parse(#"{"type":"ping"}"#).get() == .ping)
        #expect(try parse(#"{"type":"account.created","data":{}}"#).get() == .ignored(type: "account.created"))
    }

    @Test func notJSONIsMalformed() {
        #expect(parse("not json").failure?.kind == .malformed)
        #expect(parse(#"{"type":"ping""#).failure?.kind == .malformed)
    }

    /// Each bad field, alone, is refused with 422 and named.
    @Test(arguments: [
        (Fixture.orderFilled(price: "\"-1\""), "data.price"),
        (Fixture.orderFilled(price: "\"0\""), "data.price"),
        (Fixture.orderFilled(price: "\"NaN\""), "data.price"),
        (Fixture.orderFilled(price: "\"Infinity\""), "data.price"),
        (Fixture.orderFilled(price: "1e400"), "data.price"),
        (Fixture.orderFilled(price: "true"), "data.price"),
        (Fixture.orderFilled(price: "\"61800.123456789\""), "data.price"),
        (Fixture.orderFilled(price: "null"), "data.price"),
        (Fixture.orderFilled(quantity: "\"-0.002\""), "data.quantity"),
        (Fixture.orderFilled(quantity: "\"0.003\""), "data.cumulativeQuantity"),
        (Fixture.orderFilled(symbol: "btcusdt"), "data.symbol"),
        (Fixture.orderFilled(tradeID: "{}"), "data.tradeId"),
        (Fixture.orderFilled(tradeID: "\"\""), "data.tradeId"),
        (Fixture.orderFilled().replacingOccurrences(of: "\"BUY\"", with: "\"buy\""), "data.side"),
        (Fixture.orderFilled().replacingOccurrences(of: "\"FILLED\"", with: "\"DONE\""), "data.status"),
        (Fixture.orderFilled().replacingOccurrences(of: "1700000000000", with: "-5"), "data.time"),
        (Fixture.orderFilled().replacingOccurrences(of: "1700000000000", with: "1.5"), "data.time"),
        (Fixture.orderFilled().replacingOccurrences(of: "1700000000000", with: "999999999999999"), "data.time"),
        (Fixture.orderFilled().replacingOccurrences(of: "1700000000000", with: "9223372036854775807"), "data.time"),
        (Fixture.orderFilled(price: "\"92233720369\""), "data.price"),
        (Fixture.orderFilled(price: "\"99999999999999999999999\""), "data.price"),
        (Fixture.orderFilled().replacingOccurrences(of: #""feeAsset":"USDT","#, with: ""), "data.feeAsset"),
        (Fixture.orderFilled().replacingOccurrences(of: "2023-11-14T22:13:20.000Z", with: "yesterday"), "timestamp"),
        (#"{"type":"order.filled","timestamp":"2023-11-14T22:13:20Z","data":[1]}"#, "data"),
        (#"{"type":"order.filled","timestamp":"2023-11-14T22:13:20Z"}"#, "data"),
        (#"{"type":7}"#, "type"),
        (#"{"test": 2432232314}"#, "type"),
        (#"{"type":"regime.shift","timestamp":"2023-11-14T22:13:20Z","data":{"mode":"up","time":1}}"#, "data.mode"),
        (
            #"{"type":"margin.warning","timestamp":"2023-11-14T22:13:20+01:00","data":{"symbol":"BTCUSDT","marginRatio":"-1","markPrice":"1","maintenanceMargin":"1","time":1}}"#,
            "data.marginRatio"
        ),
    ])
    func invalidFieldsAreNamed(body: String, field: String) {
        let failure = parse(body).failure
        #expect(failure?.kind == .invalid)
        #expect(failure?.field == field)
    }

    @Test func unconfiguredSymbolIsRefused() {
        #expect(parse(Fixture.orderFilled(), symbols: ["ETHUSDT"]).failure?.field == "data.symbol")
        #expect((try? parse(Fixture.orderFilled(), symbols: ["BTCUSDT"]).get()) != nil)
    }

    @Test func rfc3339Shapes() {
        for good in ["2024-08-08T23:54:00Z", "2024-08-08t23:54:00.123456z", "2024-08-08T23:54:00-05:30"] {
            #expect(RFC3339.isValid(good))
        }
        for bad in ["2024-08-08", "2024-13-08T23:54:00Z", "2024-08-08T23:54:00", "2024-08-08 23:54:00Z", "x"] {
            #expect(!RFC3339.isValid(bad))
        }
    }
}

extension NativeDelivery {
    var engineEvent: EngineEvent? {
        if case .event(_, let event, _) = self { return event }
        return nil
    }
    var eventData: JSONValue? {
        if case .event(_, _, let data) = self { return data }
        return nil
    }
}
