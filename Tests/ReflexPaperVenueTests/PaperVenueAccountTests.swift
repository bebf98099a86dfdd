import ReflexCore
import Testing

@testable import ReflexPaperVenue

extension PaperVenueTests {
    @Suite("PaperVenue isolated margin account")
    struct PaperVenueAccountTests {
        static func account(leverage: Int = 10) -> IsolatedMarginAccount {
            IsolatedMarginAccount(
                walletBalance: Money("10000")!, leverage: leverage, maintenanceMarginRate: 0.004, pricePrecision: 2)
        }

        @Test("opening, adding and closing books entry price, isolated margin and realized PnL exactly")
        func openAddClose() {
            var account = Self.account()
            account.apply(side: .buy, price: Price("60000.0")!, quantity: Quantity("0.010")!, fee: Money("0.3")!)
            #expect(account.positionAmount == Quantity("0.01")!)
            #expect(account.isolatedWallet == Money("60")!)
            account.apply(side: .buy, price: Price("61000.0")!, quantity: Quantity("0.010")!, fee: Money("0.305")!)
            #expect(account.entryPrice.description == "60500.00")
            #expect(account.isolatedWallet == Money("121")!)
            #expect(account.unrealizedProfit(mark: Price("61500")!) == Money("20")!)
            let realized = account.apply(
                side: .sell, price: Price("62000.0")!, quantity: Quantity("0.005")!, fee: .zero)
            #expect(realized == Money("7.5")!)
            #expect(account.positionAmount == Quantity("0.015")!)
            #expect(account.isolatedWallet == Money("90.75")!)
            #expect(account.walletBalance == Money("10006.895")!)
            // Flip: close 0.015 and open 0.005 short at 59000.
            let flip = account.apply(side: .sell, price: Price("59000.0")!, quantity: Quantity("0.020")!, fee: .zero)
            #expect(flip == Money("-22.5")!)
            #expect(account.positionAmount == Quantity("-0.005")!)
            #expect(account.entryPrice.description == "59000.00")
            #expect(account.isolatedWallet == Money("29.5")!)
        }

        @Test("margin ratio and liquidation price agree: the ratio is 1 at the liquidation price")
        func liquidationPrice() throws {
            var long = Self.account(leverage: 100)
            long.apply(side: .buy, price: Price("60000.0")!, quantity: Quantity("0.010")!, fee: .zero)
            let price = long.liquidationPrice(tickSize: Price("0.10")!)
            #expect(price.description == "59638.60")
            let below = try #require(long.marginRatio(mark: Price("59638.5")!))
            let above = try #require(long.marginRatio(mark: Price("59700")!))
            #expect(below >= 1 && above < 1)

            var short = Self.account(leverage: 50)
            short.apply(side: .sell, price: Price("60000.0")!, quantity: Quantity("0.010")!, fee: .zero)
            let shortPrice = short.liquidationPrice(tickSize: Price("0.10")!)
            #expect(try #require(short.marginRatio(mark: shortPrice)) < 1)
            #expect(try #require(short.marginRatio(mark: shortPrice + Price("0.2")!)) >= 1)
            #expect(short.liquidate() == Money("12")!)
            #expect(short.positionAmount.isZero && short.walletBalance == Money("9988")!)
        }

        @Test("instrument filters: tick, step, precision and minimums with Binance's codes")
        func instrumentFilters() {
            let rules = VenueSymbolRules.forSymbol("btcusdt")
            #expect(rules.validate(price: Price("61800.30")!, parameter: "price") == nil)
            #expect(rules.validate(price: Price("61800.35")!, parameter: "price")?.code == -4014)
            #expect(rules.validate(price: Price("61800.351")!, parameter: "price")?.code == -1111)
            #expect(rules.validate(quantity: Quantity("0.001")!, isMarket: true) == nil)
            #expect(rules.validate(quantity: Quantity("0.0015")!, isMarket: true)?.code == -1111)
            #expect(rules.validate(quantity: Quantity("0")!, isMarket: true)?.code == -4003)
            #expect(rules.validate(quantity: Quantity("500")!, isMarket: true)?.code == -4005)
            #expect(rules.validate(quantity: Quantity("500")!, isMarket: false) == nil)
            let unknown = VenueSymbolRules.forSymbol("DOGEUSDT")
            #expect(unknown.baseAsset == "DOGE" && unknown.quoteAsset == "USDT")
        }
    }
}

extension PaperVenueTests {
    @Suite("PaperVenue symbol resolution")
    struct PaperVenueSymbolTests {
        @Test("the file's own symbol wins, then --symbol, then a Binance-style file name; none gives nil")
        func resolution() {
            let binanceName = "/data/BTCUSDT-trades-2024-08-08.csv"
            // A reader symbol equal to the name's came from the name: --symbol overrides it.
            #expect(Tape.resolveSymbol(fileSymbol: "BTCUSDT", option: nil, path: binanceName) == "BTCUSDT")
            #expect(Tape.resolveSymbol(fileSymbol: "BTCUSDT", option: "ethusdt", path: binanceName) == "ETHUSDT")
            // A Tardis file says its symbol itself.
            #expect(
                Tape.resolveSymbol(fileSymbol: "SOLUSDT", option: "ETHUSDT", path: "/data/tardis_trades.csv.gz")
                    == "SOLUSDT")
            #expect(Tape.resolveSymbol(fileSymbol: nil, option: "btcusdt", path: "/tmp/trades.csv") == "BTCUSDT")
            #expect(Tape.resolveSymbol(fileSymbol: nil, option: nil, path: "/tmp/trades.csv") == nil)
        }
    }
}
