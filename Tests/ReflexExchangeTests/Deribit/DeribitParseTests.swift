import Foundation
import ReflexCore
import Testing

@testable import ReflexExchange

struct DeribitParseTests {
    static let perpetual = DeribitInstrument(
        name: "BTC-PERPETUAL", unit: .usdContracts(contractSize: Quantity("10")!), tickSize: Price("0.5")!,
        minimumAmount: Quantity("10")!, settlementCurrency: "BTC")

    @Test func tradeSampleIsReadExactly() throws {
        let trades = try DeribitParse.trades(
            try JSONValue.parse("[\(try VenueFixture.text("Deribit", "user_trade.json"))]"))
        let trade = try #require(trades.first)
        #expect(trade.tradeID == "48079254")
        #expect(trade.sequence == 30_289_432)
        #expect(trade.price == Price("8954"))
        #expect(trade.amount == Quantity("20"))
        #expect(trade.fee == Money("0.00000168"))
        #expect(trade.direction == .sell)
        #expect(trade.orderState == "filled")
        #expect(trade.label == nil)
    }

    @Test func userTradeBecomesAFillInBaseUnits() throws {
        let trades = try DeribitParse.trades(
            try JSONValue.parse("[\(try VenueFixture.text("Deribit", "user_trade.json"))]"))
        let events = DeribitParse.fillEvents(try #require(trades.first), instrument: Self.perpetual)
        guard case .orderFilled(let fill)? = events.first else {
            Issue.record("expected a fill, got \(events)")
            return
        }
        // 20 USD at 8954 USD/BTC = 0.00223363… BTC, truncated to 10⁻⁸.
        #expect(fill.quantity == Quantity("0.00223363"))
        #expect(fill.clientOrderID == "deribit-4008965646")
        #expect(fill.tradeID == "48079254")
        #expect(fill.isFinal)
        #expect(fill.fee == Money("0.00000168") && fill.feeAsset == "BTC")
        #expect(fill.time == .milliseconds(1_590_484_156_350))
    }

    @Test func liquidationTradeBecomesALiquidation() throws {
        let text = try VenueFixture.text("Deribit", "user_trade.json").replacingOccurrences(
            of: #""amount": 20}"#, with: #""amount": 20, "liquidation": "M"}"#)
        let trade = try #require(try DeribitParse.trades(try JSONValue.parse("[\(text)]")).first)
        #expect(DeribitParse.fillEvents(trade, instrument: Self.perpetual).map(\.kind) == ["liquidation"])
    }

    @Test func messagesAreClassified() throws {
        guard
            case .notification(let channel, _) = DeribitParse.message(
                try VenueFixture.text("Deribit", "notification.json"))
        else {
            Issue.record("notification not recognised")
            return
        }
        #expect(channel == "deribit_price_index.btc_usd")
        #expect(
            DeribitParse.message(#"{"jsonrpc":"2.0","method":"heartbeat","params":{"type":"test_request"}}"#)
                == .heartbeat(type: "test_request"))
        #expect(
            DeribitParse.message(#"{"jsonrpc":"2.0","id":7,"result":"ok"}"#) == .result(id: 7, result: .string("ok")))
        #expect(
            DeribitParse.message(#"{"jsonrpc":"2.0","id":8,"error":{"code":10009,"message":"not_enough_funds"}}"#)
                == .error(id: 8, code: 10009, message: "not_enough_funds"))
    }

    @Test(arguments: [
        "", "{", "[1]", #"{"jsonrpc":"2.0","method":"subscription"}"#,
        #"{"jsonrpc":"2.0","method":"surprise","params":{}}"#,
        #"{"jsonrpc":"2.0","id":"x","result":1}"#,
    ])
    func malformedMessagesAreReportedNotFatal(_ text: String) {
        guard case .malformed = DeribitParse.message(text) else {
            Issue.record("\(text) was not reported as malformed")
            return
        }
    }

    @Test func usdContractsConvertExplicitlyBothWays() {
        let instrument = Self.perpetual
        #expect(instrument.venueAmount(forBase: Quantity("0.01")!, at: Price("60000")!) == Quantity("600"))
        // 0.0123 BTC at 60000 = 738 USD, rounded down to whole 10-USD contracts.
        #expect(instrument.venueAmount(forBase: Quantity("0.0123")!, at: Price("60000")!) == Quantity("730"))
        #expect(instrument.venueAmount(forBase: Quantity("0.0001")!, at: Price("60000")!).isZero)
        #expect(instrument.baseQuantity(forVenueAmount: Quantity("600")!, at: Price("60000")!) == Quantity("0.01"))
        #expect(instrument.baseQuantity(forVenueAmount: Quantity("600")!, at: Price("60000")!).description == "0.01")
        let linear = DeribitInstrument(
            name: "BTC_USDC-PERPETUAL", unit: .base, tickSize: Price("1")!, minimumAmount: Quantity("0.001")!,
            settlementCurrency: "USDC")
        #expect(linear.venueAmount(forBase: Quantity("0.0123")!, at: Price("60000")!) == Quantity("0.012"))
        #expect(linear.baseQuantity(forVenueAmount: Quantity("0.012")!, at: Price("60000")!) == Quantity("0.012"))
    }

    @Test("A reduce-only order rounds up onto the contract grid (the venue caps it at the position)")
    func reduceOnlyRoundsUp() {
        let instrument = Self.perpetual
        // 0.0123 BTC at 60000 = 738 USD: 730 for an entry (never more than sized), 740 for a close (never less).
        #expect(instrument.venueAmount(forBase: Quantity("0.0123")!, at: Price("60000")!) == Quantity("730"))
        #expect(
            instrument.venueAmount(forBase: Quantity("0.0123")!, at: Price("60000")!, reduceOnly: true)
                == Quantity("740"))
        // A whole multiple stays as it is.
        #expect(
            instrument.venueAmount(forBase: Quantity("0.01")!, at: Price("60000")!, reduceOnly: true) == Quantity("600")
        )
    }

    @Test func requestsAreJSONRPC2() throws {
        let text = DeribitRPC.request(
            id: 42, method: "public/subscribe",
            params: [("channels", DeribitRPC.strings(["trades.BTC-PERPETUAL.100ms"]))])
        // Same members as the documented request (member order aside).
        let documented = try JSONValue.parse(try VenueFixture.text("Deribit", "subscribe_request.json"))
        let ours = try JSONValue.parse(text)
        for key in ["jsonrpc", "method", "id", "params"] {
            #expect(BybitStandIn.member(ours, key) == BybitStandIn.member(documented, key))
        }
    }

    @Test func instrumentUnitComesFromTheInstrumentType() throws {
        let reversed = try DeribitParse.instrument(
            try JSONValue.parse(
                #"{"tick_size":0.5,"min_trade_amount":10,"contract_size":10,"instrument_type":"reversed","instrument_name":"BTC-PERPETUAL","settlement_currency":"BTC"}"#
            ))
        #expect(reversed == Self.perpetual)
        #expect(throws: WireFormatError.self) {
            try DeribitParse.instrument(try JSONValue.parse(#"{"tick_size":0.5,"instrument_name":"X"}"#))
        }
    }
}
