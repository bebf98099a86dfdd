import Foundation
import ReflexCore
import Testing

@testable import ReflexLive

@Suite("Journal encoder")
struct JournalEncoderTests {
    private func encoded(_ value: some Encodable) throws -> [UInt8] {
        var bytes: [UInt8] = []
        try JournalEncoder().encode(value, into: &bytes)
        return bytes
    }

    /// Reads back to the same value, and to the same JSON structure as Foundation's encoder writes.
    private func expectSameAsFoundation<Value: Codable & Equatable>(_ value: Value) throws {
        let ours = try encoded(value)
        #expect(
            try JSONDecoder().decode(Value.self, from: Data(ours)) == value, "\(String(decoding: ours, as: UTF8.self))")
        let theirs = try JSONEncoder().encode(value)
        let ourTree = try JSONSerialization.jsonObject(with: Data(ours), options: [.fragmentsAllowed]) as? NSObject
        let theirTree = try JSONSerialization.jsonObject(with: theirs, options: [.fragmentsAllowed]) as? NSObject
        #expect(ourTree != nil && ourTree == theirTree, "\(String(decoding: ours, as: UTF8.self))")
    }

    private static let time = Timestamp.milliseconds(1_723_161_256_322)

    @Test("Every kind of event the runtime journals as JSON")
    func events() throws {
        let events: [EngineEvent] = [
            .barClosed(
                Bar(
                    openTime: Self.time, interval: .minutes(1), open: Price("61800.30")!, high: Price("61810.00")!,
                    low: Price("61790.1")!, close: Price("61805.20")!, volume: Quantity("12.345")!, trades: 42)),
            .orderAccepted(
                OrderAccepted(clientOrderID: ClientOrderID("rfx-1-e"), venueOrderID: "123", time: Self.time)),
            .orderFilled(
                OrderFilled(
                    symbol: "BTCUSDT", clientOrderID: ClientOrderID("rfx-1-e"), venueOrderID: "4001",
                    tradeID: "t-77", side: .buy, price: Price("61800.30")!, quantity: Quantity("0.004")!,
                    cumulativeQuantity: Quantity("0.010")!, isFinal: true, fee: Money("0.02472012")!,
                    feeAsset: "USDT", time: Self.time)),
            .orderFilled(
                OrderFilled(
                    symbol: "BTCUSDT", clientOrderID: ClientOrderID("rfx-1-e"), tradeID: "t-78", side: .sell,
                    price: Price("61800.3")!, quantity: Quantity("0.001")!, isFinal: false, fee: Money("0")!,
                    time: Self.time)),
            .orderRejected(
                OrderRejected(clientOrderID: ClientOrderID("rfx-1-e"), reason: "-4164 notional", time: Self.time)),
            .orderCanceled(
                OrderCanceled(clientOrderID: ClientOrderID("rfx-1-sl"), reason: "filled \"tp\"", time: Self.time)),
            .positionChanged(
                PositionUpdate(
                    symbol: "BTCUSDT", quantity: Quantity("-0.010")!, entryPrice: Price("61800.30")!,
                    markPrice: Price("61750")!, marginRatio: 0.1, time: Self.time)),
            .positionChanged(
                PositionUpdate(symbol: "BTCUSDT", quantity: Quantity("0")!, entryPrice: Price("0")!, time: Self.time)),
            .marginWarning(
                MarginWarning(
                    symbol: "BTCUSDT", marginRatio: 0.87654321, markPrice: Price("59600.0")!,
                    maintenanceMargin: Money("12.5")!, time: Self.time)),
            .liquidation(
                Liquidation(
                    symbol: "BTCUSDT", side: .sell, price: Price("59000.1")!, quantity: Quantity("0.010")!,
                    time: Self.time)),
            .regimeShift(
                RegimeShift(
                    mode: .range, source: .webhook, reason: "ATR fell\nbelow 0.5× — \\ \u{1}", time: Self.time)),
            .control(ControlCommand(action: .setMode(.trend), time: Self.time)),
            .control(
                ControlCommand(action: .setParam(name: "riskFraction", value: 1e-5), source: "ops", time: Self.time)),
            .control(ControlCommand(action: .flatten, time: Self.time)),
            .control(ControlCommand(action: .reconcile, source: "account stream reconnect", time: Self.time)),
            .timer(Self.time),
            .orderRejected(
                OrderRejected(
                    clientOrderID: ClientOrderID("rfx-2-x"), reason: "binance -2022: ReduceOnly Order is rejected.",
                    kind: .contradictsPosition, time: Self.time)),
            .venueState(
                VenueState(
                    symbol: "BTCUSDT", quantity: Quantity("-0.401")!, entryPrice: Price("61800.30")!,
                    openOrders: [
                        .init(
                            clientOrderID: ClientOrderID("rfx-3-sl"), filledQuantity: Quantity("0.100")!,
                            conditional: true),
                        .init(clientOrderID: ClientOrderID("rfx-4-tp"), filledQuantity: .zero, conditional: true),
                    ], fenceSequence: 4, reason: "periodic", requestID: 7, time: Self.time)),
            .venueState(
                VenueState(
                    symbol: "BTCUSDT", quantity: .zero, entryPrice: .zero, openOrders: [], fenceSequence: 0,
                    reason: "start-up", time: Self.time)),
            .reconciliationFailed(ReconciliationFailed(symbol: "BTCUSDT", reason: "HTTP 503", time: Self.time)),
        ]
        for event in events { try expectSameAsFoundation(event) }
    }

    @Test("Every event and command of a real session, replayed from its journal, encodes the same way")
    func session() throws {
        let path = JournalTests.scratch()
        let (_, commands) = try JournalTests.journaledSession(path: path, ticks: 25_000)
        #expect(commands.contains { if case .place = $0 { true } else { false } })
        #expect(commands.contains { if case .record = $0 { true } else { false } })
        for command in commands { try expectSameAsFoundation(command) }
        var events = 0
        for line in try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n") where line.hasPrefix("E\t")
        {
            try expectSameAsFoundation(try JSONDecoder().decode(EngineEvent.self, from: Data(line.dropFirst(2).utf8)))
            events += 1
        }
        #expect(events > 10, "the session filled and cancelled orders")
        try expectSameAsFoundation(EngineCommand.addMargin(symbol: "BTCUSDT", amount: Money("25.5")!))
        try expectSameAsFoundation(
            EngineCommand.reconcile(
                ReconcileRequest(id: 3, symbol: "BTCUSDT", reason: "exit rfx-2-x: -2022", fenceSequence: 12)))
    }

    @Test("Numbers read back exactly; a non-finite one is refused and nothing is written")
    func numbers() throws {
        for value in [
            0.1, 1e-5, -0.0, 12_345.678_9, 1e300, Double.leastNonzeroMagnitude, Double.leastNormalMagnitude,
            123_456_789_012.5,
        ] {
            let bytes = try encoded([value])
            let back = try JSONDecoder().decode([Double].self, from: Data(bytes))
            #expect(back.map(\.bitPattern) == [value.bitPattern], "\(String(decoding: bytes, as: UTF8.self))")
        }
        var bytes: [UInt8] = [1, 2, 3]
        #expect(throws: EncodingError.self) { try JournalEncoder().encode(["ok": 1, "bad": Double.nan], into: &bytes) }
        #expect(bytes == [1, 2, 3])
        #expect(
            String(decoding: try encoded([Int64.min, Int64.max]), as: UTF8.self)
                == "[-9223372036854775808,9223372036854775807]")
    }

    @Test("Types Foundation's encoder treats specially are refused rather than written differently")
    func specialTypes() {
        #expect(throws: EncodingError.self) { try encoded(["at": Date(timeIntervalSince1970: 0)]) }
        #expect(throws: EncodingError.self) { try encoded(Data([1, 2])) }
    }
}
