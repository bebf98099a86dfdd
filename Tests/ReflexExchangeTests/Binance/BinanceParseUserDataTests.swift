import Foundation
import ReflexCore
import ReflexExchange
import Testing

struct BinanceParseUserDataTests {
    @Test func newOrderUpdateIsAccepted() throws {
        let message = BinanceParse.userData(try Fixture.text("order_trade_update.json"))
        #expect(
            message
                == .events([
                    .orderAccepted(
                        OrderAccepted(
                            clientOrderID: "TEST", venueOrderID: "8886774", time: .milliseconds(1_568_879_465_650)))
                ]))
    }

    @Test func tradeExecutionIsAFill() throws {
        guard case .events(let events) = BinanceParse.userData(try Fixture.text("order_trade_update_fill.json")),
            case .orderFilled(let fill) = events.first
        else {
            Issue.record("expected one fill")
            return
        }
        #expect(events.count == 1)
        #expect(fill.clientOrderID == "e-42")
        #expect(fill.venueOrderID == "8886775")
        #expect(fill.tradeID == "5266583935")
        #expect(fill.side == .buy)
        #expect(fill.price.description == "61800.30")
        #expect(fill.quantity.description == "0.010")
        #expect(fill.cumulativeQuantity?.description == "0.010")
        #expect(fill.isFinal)
        #expect(fill.fee.description == "0.24720120")
        #expect(fill.feeAsset == "USDT")
    }

    @Test func autocloseFillIsALiquidation() throws {
        let message = BinanceParse.userData(try Fixture.text("order_trade_update_liquidation.json"))
        #expect(
            message
                == .events([
                    .liquidation(
                        Liquidation(
                            symbol: "BTCUSDT", side: .sell, price: Price("55120.50")!, quantity: Quantity("0.020")!,
                            time: .milliseconds(1_568_879_465_650)))
                ]))
    }

    @Test func accountUpdateListsEveryPosition() throws {
        guard case .events(let events) = BinanceParse.userData(try Fixture.text("account_update.json")) else {
            Issue.record("expected events")
            return
        }
        let positions = events.compactMap { event -> PositionUpdate? in
            if case .positionChanged(let update) = event { return update }
            return nil
        }
        #expect(positions.map(\.quantity.description) == ["0", "20", "-10"])
        #expect(positions.map(\.entryPrice.description) == ["0.00000", "6563.66500", "6563.86000"])
        #expect(positions.allSatisfy { $0.time == .milliseconds(1_564_745_798_938) })
    }

    @Test func marginCallIsAWarningWithTheRatio() throws {
        guard case .events(let events) = BinanceParse.userData(try Fixture.text("margin_call.json")),
            case .marginWarning(let warning) = events.first
        else {
            Issue.record("expected a margin warning")
            return
        }
        #expect(warning.symbol == "ETHUSDT")
        #expect(warning.markPrice.description == "187.17127")
        #expect(warning.maintenanceMargin.description == "1.614445")
        // Crossed: balance = cross wallet 3.16812045 + uPnL -1.166074 = 2.00204645; ratio = 1.614445 / 2.00204645.
        #expect(abs(warning.marginRatio - 1.614445 / 2.00204645) < 1e-12)
    }

    @Test func algoUpdatesMapByStatus() throws {
        let canceled = BinanceParse.userData(try Fixture.text("algo_update.json"))
        #expect(
            canceled
                == .events([
                    .orderCanceled(
                        OrderCanceled(
                            clientOrderID: "Q5xaq5EGKgXXa0fD7fs0Ip", reason: "CANCELED",
                            time: .milliseconds(1_750_515_742_303)))
                ]))
        let rejected = try Fixture.text("algo_update.json").replacingOccurrences(
            of: "\"X\":\"CANCELED\"", with: "\"X\":\"REJECTED\"")
        guard case .events(let events) = BinanceParse.userData(rejected),
            case .orderRejected(let rejection) = events.first
        else {
            Issue.record("expected a rejection")
            return
        }
        #expect(rejection.reason == "Reduce Only reject")
    }

    @Test func listenKeyExpiryIsRecognised() throws {
        #expect(BinanceParse.userData(try Fixture.text("listen_key_expired.json")) == .listenKeyExpired)
    }

    @Test func unknownAndBrokenMessagesDoNotThrow() {
        #expect(
            BinanceParse.userData("{\"e\":\"ACCOUNT_CONFIG_UPDATE\",\"E\":1}")
                == .ignored(eventType: "ACCOUNT_CONFIG_UPDATE"))
        for text in ["", "{", "{\"e\":\"ORDER_TRADE_UPDATE\",\"E\":1}", "[]", "{\"x\":1}"] {
            guard case .malformed = BinanceParse.userData(text) else {
                Issue.record("expected malformed for \(text)")
                continue
            }
        }
    }
}
