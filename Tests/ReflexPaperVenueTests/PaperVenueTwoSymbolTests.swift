import Foundation
import NIOHTTP1
import ReflexCore
import Testing

@testable import ReflexPaperVenue

extension PaperVenueTests {
    @Suite("PaperVenue with two symbols on one account")
    struct PaperVenueTwoSymbolTests {
        typealias H = PaperVenueHarness

        static let data = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Data")
        static let btcRecording = data.appendingPathComponent("BTCUSDT-trades-2024-08-08-2354.csv").path
        static let ethRecording = data.appendingPathComponent("ETHUSDT-trades-2024-08-08-spot.csv").path

        /// An ETHUSDT tape: like ``PaperVenueHarness/ticks(_:spacing:quantity:)`` but with ids from 7000 and every
        /// trade `shift` ms after the BTCUSDT trade of the same index, so the two tapes interleave.
        static func ethTicks(_ prices: [String], spacing: Int64 = 50, shift: Int64 = 25) -> [Tick] {
            H.ticks(prices, spacing: spacing, quantity: "0.100").map { tick in
                var tick = tick
                tick.time = .milliseconds(tick.time.milliseconds + shift)
                tick.tradeID += 6000
                return tick
            }
        }

        static func configuration(
            btc: [Tick], eth: [Tick], speed: Double, loop: Bool = false
        ) -> PaperVenueConfiguration {
            PaperVenueConfiguration(
                markets: [.init(symbol: "BTCUSDT", tape: .ticks(btc)), .init(symbol: "ethusdt", tape: .ticks(eth))],
                port: 0, speed: speed, loop: loop, loopGap: .seconds(1), tapeStart: .onFirstSubscriber,
                credentials: .init(apiKey: H.apiKey, secret: H.apiSecret))
        }

        /// Runs a two-symbol venue with a user-data connection and a combined market connection (which starts the
        /// tapes), once both symbols have traded.
        static func session(
            btc: [String], eth: [String], _ body: @Sendable (_ port: Int, _ user: H.Inbox) async throws -> Void
        ) async throws {
            let configuration = Self.configuration(
                btc: H.ticks(btc, spacing: 40), eth: Self.ethTicks(eth, spacing: 40, shift: 20), speed: 1)
            try await H.withRunningVenue(configuration) { venue, port in
                let created = try await H.send(.POST, port: port, path: "fapi/v1/listenKey", signing: .none)
                let key = try #require(created.object["listenKey"] as? String)
                try await withThrowingTaskGroup(of: Void.self) { group in
                    let user = H.connect(url: "ws://127.0.0.1:\(port)/private/ws/\(key)", in: &group)
                    try await H.waitForUserStreams(venue)
                    let market = H.connect(
                        url: "ws://127.0.0.1:\(port)/market/stream?streams=btcusdt@aggTrade/ethusdt@aggTrade",
                        in: &group)
                    _ = try await market.wait(count: 2)
                    try await body(port, user)
                    group.cancelAll()
                }
            }
        }

        static func marketOrder(
            port: Int, symbol: String, side: String, quantity: String, id: String
        ) async throws -> H.RESTResult {
            try await H.send(
                .POST, port: port, path: "fapi/v1/order",
                [
                    ("symbol", symbol), ("side", side), ("type", "MARKET"), ("quantity", quantity),
                    ("newClientOrderId", id),
                ])
        }

        static func limitOrder(
            port: Int, symbol: String, price: String, quantity: String, id: String
        ) async throws -> H.RESTResult {
            try await H.send(
                .POST, port: port, path: "fapi/v1/order",
                [
                    ("symbol", symbol), ("side", "BUY"), ("type", "LIMIT"), ("timeInForce", "GTC"),
                    ("quantity", quantity), ("price", price), ("newClientOrderId", id),
                ])
        }

        /// The fill of client order `id` on the user stream.
        static func fill(_ user: H.Inbox, id: String) async throws -> [String: Any] {
            let event = try await user.first("the fill of \(id)") { event in
                let o = event["o"] as? [String: Any]
                return o?["c"] as? String == id && o?["x"] as? String == "TRADE"
            }
            return try #require(event["o"] as? [String: Any])
        }

        @Test("a combined stream delivers both symbols' trades in time order, ids consecutive per symbol")
        func combinedStreamInterleaves() async throws {
            let btc = H.ticks(["61800.30", "61800.4", "61799.90", "61801", "61800.00", "61802.10"], spacing: 50)
            let eth = Self.ethTicks(["2600.10", "2600.20", "2600.15", "2599.90", "2600.00", "2601.05"])
            try await H.withVenue(Self.configuration(btc: btc, eth: eth, speed: 100)) { port in
                try await withThrowingTaskGroup(of: Void.self) { group in
                    let inbox = H.connect(
                        url: "ws://127.0.0.1:\(port)/market/stream?streams=btcusdt@aggTrade/ethusdt@aggTrade",
                        in: &group)
                    let messages = try await inbox.wait(count: btc.count + eth.count).compactMap(H.object)
                    #expect(messages.count == btc.count + eth.count)
                    let streams = messages.map { $0["stream"] as? String ?? "" }
                    #expect(
                        streams == Array(repeating: ["btcusdt@aggTrade", "ethusdt@aggTrade"], count: 6).flatMap { $0 })
                    let data = messages.compactMap { $0["data"] as? [String: Any] }
                    let times = data.compactMap { $0["T"] as? Int }
                    #expect(times == times.sorted() && times.count == data.count)
                    let ids = { (symbol: String) in
                        data.filter { $0["s"] as? String == symbol }.compactMap { $0["a"] as? Int }
                    }
                    #expect(ids("BTCUSDT") == Array(1000...1005))
                    #expect(ids("ETHUSDT") == Array(7000...7005))
                    let ethPrices = data.filter { $0["s"] as? String == "ETHUSDT" }.compactMap { $0["p"] as? String }
                    #expect(ethPrices == eth.map { $0.price.description })
                    group.cancelAll()
                }
            }
        }

        @Test("looping tapes of different lengths restart together, shifted alike; ids stay consecutive per symbol")
        func loopShiftsEveryTapeAlike() async throws {
            // BTCUSDT spans 200 ms, ETHUSDT is one trade: each pass is 200 ms + the 1 s gap later than the last.
            let btc = H.ticks(["100.0", "100.1", "100.2"], spacing: 100)
            let eth = Self.ethTicks(["20.00"], shift: 50)
            try await H.withVenue(Self.configuration(btc: btc, eth: eth, speed: 20, loop: true)) { port in
                try await withThrowingTaskGroup(of: Void.self) { group in
                    let inbox = H.connect(
                        url: "ws://127.0.0.1:\(port)/market/stream?streams=btcusdt@aggTrade/ethusdt@aggTrade",
                        in: &group)
                    let data = try await inbox.wait(count: 8).compactMap { H.object($0)?["data"] as? [String: Any] }
                    let symbols = data.compactMap { $0["s"] as? String }
                    #expect(
                        symbols == [
                            "BTCUSDT", "ETHUSDT", "BTCUSDT", "BTCUSDT", "BTCUSDT", "ETHUSDT", "BTCUSDT", "BTCUSDT",
                        ])
                    let times = data.compactMap { $0["T"] as? Int }
                    let start = Int(btc[0].time.milliseconds)
                    #expect(times.map { $0 - start } == [0, 50, 100, 200, 1200, 1250, 1300, 1400])
                    #expect(data.compactMap { $0["a"] as? Int } == [1000, 7000, 1001, 1002, 1003, 7001, 1004, 1005])
                    group.cancelAll()
                }
            }
        }

        @Test("an ETHUSDT order fills from ETHUSDT trades only; one wallet, a position per symbol")
        func ordersFillPerSymbolOnOneWallet() async throws {
            // 16 s of steady tapes: every order fills at its own symbol's price however slow the machine.
            let btc = Array(repeating: "60000.0", count: 400)
            let eth = Array(repeating: "2600.00", count: 400)
            try await Self.session(btc: btc, eth: eth) { port, user in
                let placed = try await Self.marketOrder(
                    port: port, symbol: "ETHUSDT", side: "BUY", quantity: "0.100", id: "eth-1")
                #expect(placed.status == 200)
                #expect(placed.object["symbol"] as? String == "ETHUSDT")
                let ethFill = try await Self.fill(user, id: "eth-1")
                #expect(ethFill["s"] as? String == "ETHUSDT")
                #expect(ethFill["L"] as? String == "2600.00")
                #expect(ethFill["n"] as? String == "0.13000000")  // 260 × 0.05 % taker
                let update = try await user.first("the ETHUSDT account update") { event in
                    let positions = (event["a"] as? [String: Any])?["P"] as? [[String: Any]]
                    return event["e"] as? String == "ACCOUNT_UPDATE" && positions?.first?["s"] as? String == "ETHUSDT"
                }
                let position = try #require(((update["a"] as? [String: Any])?["P"] as? [[String: Any]])?.first)
                #expect(position["pa"] as? String == "0.100")
                #expect(position["iw"] as? String == "26.00000000")

                // BTCUSDT is untouched: flat, no orders, so not listed.
                let flat = try await H.send(.GET, port: port, path: "fapi/v3/positionRisk", [("symbol", "BTCUSDT")])
                #expect(flat.status == 200 && flat.body == "[]")

                _ = try await Self.marketOrder(
                    port: port, symbol: "BTCUSDT", side: "BUY", quantity: "0.010", id: "btc-1")
                let btcFill = try await Self.fill(user, id: "btc-1")
                #expect(btcFill["s"] as? String == "BTCUSDT")
                #expect(btcFill["L"] as? String == "60000.0")
                let btcUpdate = try await user.first("the BTCUSDT account update") { event in
                    let positions = (event["a"] as? [String: Any])?["P"] as? [[String: Any]]
                    return event["e"] as? String == "ACCOUNT_UPDATE" && positions?.first?["s"] as? String == "BTCUSDT"
                }
                // The balance carries both symbols' fees; the cross wallet is what neither position holds.
                let balance = try #require(((btcUpdate["a"] as? [String: Any])?["B"] as? [[String: Any]])?.first)
                #expect(balance["wb"] as? String == "9999.57000000")
                #expect(balance["cw"] as? String == "9913.57000000")

                let all = try await H.send(.GET, port: port, path: "fapi/v3/positionRisk")
                #expect(all.array.map { $0["symbol"] as? String } == ["BTCUSDT", "ETHUSDT"])
                #expect(all.array.map { $0["positionAmt"] as? String } == ["0.010", "0.100"])
                #expect(all.array.map { $0["isolatedWallet"] as? String } == ["60.00000000", "26.00000000"])
                let eth1 = try await H.send(.GET, port: port, path: "fapi/v2/positionRisk", [("symbol", "ETHUSDT")])
                #expect(eth1.array.count == 1)
                #expect(eth1.array.first?["symbol"] as? String == "ETHUSDT")
                #expect(eth1.array.first?["entryPrice"] as? String == "2600.00")

                let account = try await H.send(.GET, port: port, path: "fapi/v3/account")
                #expect(account.object["totalWalletBalance"] as? String == "9999.57000000")
                #expect(account.object["totalPositionInitialMargin"] as? String == "86.00000000")
                #expect(account.object["availableBalance"] as? String == "9913.57000000")
                #expect(account.object["totalUnrealizedProfit"] as? String == "0.00000000")
                let positions = try #require(account.object["positions"] as? [[String: Any]])
                #expect(positions.map { $0["symbol"] as? String } == ["BTCUSDT", "ETHUSDT"])
                let assets = try #require(account.object["assets"] as? [[String: Any]])
                #expect(assets.count == 1 && assets.first?["walletBalance"] as? String == "9999.57000000")
                let wallet = try await H.send(.GET, port: port, path: "fapi/v2/balance")
                #expect(wallet.array.count == 1)
                #expect(wallet.array.first?["balance"] as? String == "9999.57000000")
                #expect(wallet.array.first?["availableBalance"] as? String == "9913.57000000")

                // Closing ETHUSDT leaves BTCUSDT open.
                let close = try await H.send(
                    .POST, port: port, path: "fapi/v1/order",
                    [
                        ("symbol", "ETHUSDT"), ("side", "SELL"), ("type", "MARKET"), ("quantity", "0.100"),
                        ("reduceOnly", "true"), ("newOrderRespType", "RESULT"),
                    ])
                #expect(close.object["status"] as? String == "FILLED")
                #expect(close.object["avgPrice"] as? String == "2600.00")
                let after = try await H.send(.GET, port: port, path: "fapi/v3/positionRisk")
                #expect(after.array.map { $0["symbol"] as? String } == ["BTCUSDT"])
                let reduceFlat = try await H.send(
                    .POST, port: port, path: "fapi/v1/order",
                    [
                        ("symbol", "ETHUSDT"), ("side", "SELL"), ("type", "MARKET"), ("quantity", "0.010"),
                        ("reduceOnly", "true"),
                    ])
                #expect(reduceFlat.code == -2022)  // ETHUSDT is flat: another symbol's position reduces nothing here
            }
        }

        @Test("isolated margin: a BTCUSDT liquidation loses only that position's margin; ETHUSDT stays open")
        func liquidationIsIsolatedPerSymbol() async throws {
            // As the one-symbol liquidation test: 100× long 0.01 BTCUSDT at 60000, ratio 1 near 59 640, 8 s first.
            let btc =
                Array(repeating: "60000.0", count: 200) + ["59900.0", "59800.0", "59700.0", "59660.0", "59600.0"]
                + Array(repeating: "59500.0", count: 20)
            let eth = Array(repeating: "2600.00", count: 225)
            try await Self.session(btc: btc, eth: eth) { port, user in
                let leverage = try await H.send(
                    .POST, port: port, path: "fapi/v1/leverage", [("symbol", "BTCUSDT"), ("leverage", "100")])
                #expect(leverage.status == 200)
                _ = try await Self.marketOrder(port: port, symbol: "ETHUSDT", side: "BUY", quantity: "0.100", id: "e")
                _ = try await Self.fill(user, id: "e")
                _ = try await Self.marketOrder(port: port, symbol: "BTCUSDT", side: "BUY", quantity: "0.010", id: "b")
                _ = try await Self.fill(user, id: "b")
                let call = try await user.first("the margin call") { $0["e"] as? String == "MARGIN_CALL" }
                #expect((call["p"] as? [[String: Any]])?.map { $0["s"] as? String } == ["BTCUSDT"])
                let liquidation = try await user.first("the liquidation") { event in
                    ((event["o"] as? [String: Any])?["c"] as? String)?.hasPrefix("autoclose-") == true
                }
                #expect((liquidation["o"] as? [String: Any])?["s"] as? String == "BTCUSDT")
                let risk = try await H.send(.GET, port: port, path: "fapi/v3/positionRisk")
                #expect(risk.array.map { $0["symbol"] as? String } == ["ETHUSDT"])
                #expect(risk.array.first?["isolatedWallet"] as? String == "26.00000000")
                // Lost: BTCUSDT's 6 USDT isolated margin and both entry fees (0.3 + 0.13); ETHUSDT's margin is held.
                let balance = try await H.send(.GET, port: port, path: "fapi/v3/balance")
                #expect(balance.array.first?["balance"] as? String == "9993.57000000")
                #expect(balance.array.first?["crossWalletBalance"] as? String == "9967.57000000")
            }
        }

        @Test("open orders of every symbol, per-symbol client ids, leverage and -1121 for an untraded symbol")
        func restDispatchesBySymbol() async throws {
            let configuration = Self.configuration(
                btc: H.ticks(["60000.0"]), eth: Self.ethTicks(["2600.00"]), speed: 1)
            try await H.withVenue(configuration) { port in
                let leverage = try await H.send(
                    .POST, port: port, path: "fapi/v1/leverage", [("symbol", "ETHUSDT"), ("leverage", "20")])
                #expect(leverage.object["symbol"] as? String == "ETHUSDT")
                // The same client id may rest on both symbols, as on Binance.
                let btc = try await Self.limitOrder(
                    port: port, symbol: "BTCUSDT", price: "50000.0", quantity: "0.010", id: "rest-1")
                let eth = try await Self.limitOrder(
                    port: port, symbol: "ETHUSDT", price: "2000.00", quantity: "0.100", id: "rest-1")
                #expect(btc.status == 200 && eth.status == 200)
                let ethID = try #require(eth.object["orderId"] as? Int)
                let duplicate = try await Self.limitOrder(
                    port: port, symbol: "ETHUSDT", price: "2000.00", quantity: "0.100", id: "rest-1")
                #expect(duplicate.code == -4116)

                let open = try await H.send(.GET, port: port, path: "fapi/v1/openOrders")
                #expect(open.array.map { $0["symbol"] as? String } == ["BTCUSDT", "ETHUSDT"])
                #expect(open.array.map { $0["price"] as? String } == ["50000.0", "2000.00"])
                let ethOpen = try await H.send(.GET, port: port, path: "fapi/v1/openOrders", [("symbol", "ethusdt")])
                #expect(ethOpen.array.map { $0["orderId"] as? Int } == [ethID])
                // An order is found under its own symbol only.
                let wrongSymbol = try await H.send(
                    .GET, port: port, path: "fapi/v1/order", [("symbol", "BTCUSDT"), ("orderId", String(ethID))])
                #expect(wrongSymbol.code == -2013)
                let byClientID = try await H.send(
                    .GET, port: port, path: "fapi/v1/order", [("symbol", "ETHUSDT"), ("origClientOrderId", "rest-1")])
                #expect(byClientID.object["orderId"] as? Int == ethID)

                // Open orders list their symbols on positionRisk, each at its own leverage.
                let risk = try await H.send(.GET, port: port, path: "fapi/v3/positionRisk")
                #expect(risk.array.map { $0["symbol"] as? String } == ["BTCUSDT", "ETHUSDT"])
                #expect(risk.array.map { $0["leverage"] as? String } == ["10", "20"])
                #expect(risk.array.map { $0["openOrderInitialMargin"] as? String } == ["50.00000000", "10.00000000"])
                let balance = try await H.send(.GET, port: port, path: "fapi/v3/balance")
                #expect(balance.array.first?["availableBalance"] as? String == "9940.00000000")

                let info = try await H.send(.GET, port: port, path: "fapi/v1/exchangeInfo", signing: .none, apiKey: nil)
                let listed = try #require(info.object["symbols"] as? [[String: Any]])
                #expect(listed.map { $0["symbol"] as? String } == ["BTCUSDT", "ETHUSDT"])
                #expect((info.object["assets"] as? [[String: Any]])?.count == 1)
                let tickers = try await H.send(
                    .GET, port: port, path: "fapi/v1/ticker/price", signing: .none, apiKey: nil)
                #expect(tickers.array.map { $0["symbol"] as? String } == ["BTCUSDT", "ETHUSDT"])
                let premium = try await H.send(
                    .GET, port: port, path: "fapi/v1/premiumIndex", [("symbol", "ETHUSDT")], signing: .none, apiKey: nil
                )
                #expect(premium.object["symbol"] as? String == "ETHUSDT")

                let untraded: [(HTTPMethod, String, [(String, String)], H.Signing)] = [
                    (.GET, "fapi/v1/openOrders", [("symbol", "SOLUSDT")], .valid),
                    (.GET, "fapi/v1/openAlgoOrders", [("symbol", "SOLUSDT")], .valid),
                    (.GET, "fapi/v3/positionRisk", [("symbol", "SOLUSDT")], .valid),
                    (.GET, "fapi/v1/aggTrades", [("symbol", "SOLUSDT")], .none),
                    (.GET, "fapi/v1/ticker/price", [("symbol", "SOLUSDT")], .none),
                    (.GET, "fapi/v1/premiumIndex", [("symbol", "SOLUSDT")], .none),
                    (.GET, "fapi/v1/order", [("symbol", "SOLUSDT"), ("orderId", String(ethID))], .valid),
                    (.DELETE, "fapi/v1/order", [("symbol", "SOLUSDT"), ("orderId", String(ethID))], .valid),
                    (.DELETE, "fapi/v1/allOpenOrders", [("symbol", "SOLUSDT")], .valid),
                    (.POST, "fapi/v1/leverage", [("symbol", "SOLUSDT"), ("leverage", "5")], .valid),
                    (.POST, "fapi/v1/marginType", [("symbol", "SOLUSDT"), ("marginType", "ISOLATED")], .valid),
                    (.POST, "fapi/v1/positionMargin", [("symbol", "SOLUSDT"), ("amount", "1"), ("type", "1")], .valid),
                    (
                        .POST, "fapi/v1/order",
                        [("symbol", "SOLUSDT"), ("side", "BUY"), ("type", "MARKET"), ("quantity", "1")], .valid
                    ),
                    (
                        .POST, "fapi/v1/algoOrder",
                        [
                            ("algoType", "CONDITIONAL"), ("symbol", "SOLUSDT"), ("side", "SELL"),
                            ("type", "STOP_MARKET"), ("triggerPrice", "100"), ("quantity", "1"),
                        ], .valid
                    ),
                ]
                for (method, path, parameters, signing) in untraded {
                    let answer = try await H.send(
                        method, port: port, path: path, parameters, signing: signing,
                        apiKey: signing == .none ? nil : H.apiKey)
                    #expect(answer.status == 400, "\(path)")
                    #expect(answer.body == #"{"code":-1121,"msg":"Invalid symbol."}"#, "\(path)")
                }

                let canceled = try await H.send(
                    .DELETE, port: port, path: "fapi/v1/allOpenOrders", [("symbol", "ETHUSDT")])
                #expect(canceled.status == 200)
                let left = try await H.send(.GET, port: port, path: "fapi/v1/openOrders")
                #expect(left.array.map { $0["symbol"] as? String } == ["BTCUSDT"])
            }
        }

        @Test("aggTrades backfills each symbol by its own ids; a single-symbol stream carries only that symbol")
        func perSymbolBackfill() async throws {
            let btc = H.ticks((0..<12).map { "6000\($0 % 10).0" }, spacing: 10)
            let eth = Self.ethTicks((0..<10).map { "260\($0).00" }, spacing: 10, shift: 5)
            try await H.withVenue(Self.configuration(btc: btc, eth: eth, speed: .infinity)) { port in
                try await withThrowingTaskGroup(of: Void.self) { group in
                    let inbox = H.connect(url: "ws://127.0.0.1:\(port)/market/ws/ethusdt@aggTrade", in: &group)
                    let messages = try await inbox.wait(count: eth.count).compactMap(H.object)
                    #expect(messages.allSatisfy { $0["s"] as? String == "ETHUSDT" })
                    #expect(messages.compactMap { $0["a"] as? Int } == Array(7000...7009))
                    try await H.withTimeout(30, "the BTCUSDT tape to finish") {
                        while true {
                            let latest = try await H.send(
                                .GET, port: port, path: "fapi/v1/aggTrades", [("symbol", "BTCUSDT"), ("limit", "1")],
                                signing: .none, apiKey: nil)
                            if latest.array.first?["a"] as? Int == 1011 { return }
                            try await Task.sleep(for: .milliseconds(10))
                        }
                    }
                    let ethGap = try await H.send(
                        .GET, port: port, path: "fapi/v1/aggTrades",
                        [("symbol", "ETHUSDT"), ("fromId", "7003"), ("limit", "4")], signing: .none, apiKey: nil)
                    #expect(ethGap.array.compactMap { $0["a"] as? Int } == [7003, 7004, 7005, 7006])
                    #expect(
                        ethGap.array.compactMap { $0["p"] as? String } == ["2603.00", "2604.00", "2605.00", "2606.00"])
                    let btcGap = try await H.send(
                        .GET, port: port, path: "fapi/v1/aggTrades",
                        [("symbol", "btcusdt"), ("fromId", "1009"), ("limit", "10")], signing: .none, apiKey: nil)
                    #expect(btcGap.array.compactMap { $0["a"] as? Int } == [1009, 1010, 1011])
                    // By time: the same window holds trades of both symbols, each answered for its own.
                    let start = String(btc[2].time.milliseconds)
                    let end = String(btc[4].time.milliseconds)
                    let window = { (symbol: String) in
                        try await H.send(
                            .GET, port: port, path: "fapi/v1/aggTrades",
                            [("symbol", symbol), ("startTime", start), ("endTime", end)], signing: .none, apiKey: nil)
                    }
                    #expect(try await window("BTCUSDT").array.compactMap { $0["a"] as? Int } == [1002, 1003, 1004])
                    #expect(try await window("ETHUSDT").array.compactMap { $0["a"] as? Int } == [7002, 7003])
                    group.cancelAll()
                }
            }
        }

        @Test("the two recordings in Data/ replay on one combined stream, merged by trade time, every trade once")
        func recordedFilesMerge() async throws {
            let btcCount =
                try String(contentsOfFile: Self.btcRecording, encoding: .utf8).split(separator: "\n").count - 1
            let ethCount = try String(contentsOfFile: Self.ethRecording, encoding: .utf8).split(separator: "\n").count
            #expect(try Tape.symbol(ofFile: Self.ethRecording) == "ETHUSDT")
            let configuration = PaperVenueConfiguration(
                markets: [
                    .init(symbol: "BTCUSDT", tape: .file(path: Self.btcRecording)),
                    .init(symbol: "ETHUSDT", tape: .file(path: Self.ethRecording)),
                ],
                port: 0, speed: .infinity, tapeStart: .onFirstSubscriber)
            try await H.withVenue(configuration) { port in
                try await withThrowingTaskGroup(of: Void.self) { group in
                    let inbox = H.connect(
                        url: "ws://127.0.0.1:\(port)/market/stream?streams=btcusdt@aggTrade/ethusdt@aggTrade",
                        in: &group)
                    let messages = try await inbox.wait(count: btcCount + ethCount, seconds: 180)
                    // Read the few fields by text: parsing 27k JSON objects would dominate the test.
                    var lastTime = 0
                    var ids: [String: [Int]] = [:]
                    var outOfOrder = 0
                    for message in messages {
                        let stream = Self.field(message, "stream") ?? ""
                        let symbol = Self.field(message, "s") ?? ""
                        guard let id = Self.number(message, "a"), let time = Self.number(message, "T") else { continue }
                        #expect(stream == symbol.lowercased() + "@aggTrade")
                        if time < lastTime { outOfOrder += 1 }
                        lastTime = time
                        ids[symbol, default: []].append(id)
                    }
                    #expect(outOfOrder == 0)
                    #expect(ids["BTCUSDT"] == Array(5_266_583_935..<(5_266_583_935 + btcCount)))
                    #expect(ids["ETHUSDT"] == Array(1_520_538_925..<(1_520_538_925 + ethCount)))
                    // ETHUSDT's recording starts 0.7 s before BTCUSDT's and ends 1.3 s after it.
                    #expect(Self.field(messages.first ?? "", "s") == "ETHUSDT")
                    #expect(Self.field(messages.last ?? "", "s") == "ETHUSDT")
                    #expect(Self.number(messages.first ?? "", "T") == 1_723_161_255_611)
                    #expect(Self.number(messages.last ?? "", "T") == 1_723_161_600_982)
                    group.cancelAll()
                }
            }
        }

        /// The string value of `"name":"…"` in a message.
        static func field(_ message: String, _ name: String) -> String? {
            guard let start = message.range(of: "\"\(name)\":\"") else { return nil }
            return String(message[start.upperBound...].prefix { $0 != "\"" })
        }

        /// The integer value of `"name":…` in a message.
        static func number(_ message: String, _ name: String) -> Int? {
            guard let start = message.range(of: "\"\(name)\":") else { return nil }
            return Int(message[start.upperBound...].prefix { $0.isNumber })
        }
    }
}
