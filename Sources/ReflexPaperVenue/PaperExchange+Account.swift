import ReflexCore

extension PaperExchange {
    /// `GET /fapi/v3/positionRisk`: the symbol's position, or every symbol's when nil, each listed only when there
    /// is a position or an open order of that symbol.
    func positionRiskJSON(symbol: String? = nil) -> String {
        let listed = symbol.map { [$0] } ?? symbols
        return JSONText.array(listed.compactMap { positionRiskRow($0) })
    }

    private func positionRiskRow(_ symbol: String) -> String? {
        let position = account.position(symbol)
        let amount = position.amount
        guard amount.raw != 0 || !openOrders(symbol: symbol).isEmpty || !openAlgoOrders(symbol: symbol).isEmpty
        else { return nil }
        let rules = self.rules(symbol)
        let mark = markPrice(symbol) ?? .zero
        let unrealized = position.unrealizedProfit(mark: mark)
        let notional = Money.notional(mark, amount)
        let positionMargin = position.initialMargin(notional.magnitude)
        let orderMargin = openOrderMargin(symbol: symbol)
        var o = JSONText()
        o.string("symbol", symbol)
        o.string("positionSide", "BOTH")
        o.decimal("positionAmt", amount)
        o.decimal("entryPrice", position.entryPrice)
        o.decimal("breakEvenPrice", position.entryPrice)
        o.decimal("markPrice", mark)
        o.decimal("unRealizedProfit", unrealized)
        o.decimal("liquidationPrice", position.liquidationPrice(tickSize: rules.tickSize))
        o.decimal("isolatedMargin", position.isolatedWallet + unrealized)
        o.decimal("notional", notional)
        o.string("marginAsset", rules.quoteAsset)
        o.decimal("isolatedWallet", position.isolatedWallet)
        o.decimal("initialMargin", positionMargin + orderMargin)
        o.decimal("maintMargin", position.maintenanceMargin(mark: mark))
        o.decimal("positionInitialMargin", positionMargin)
        o.decimal("openOrderInitialMargin", orderMargin)
        o.int("adl", 0)
        o.decimal("bidNotional", Money.zero)
        o.decimal("askNotional", Money.zero)
        // v2 fields, for clients that read them.
        o.string("leverage", String(position.leverage))
        o.string("marginType", "isolated")
        o.bool("isolated", true)
        o.int("updateTime", now)
        return o.object
    }

    /// `GET /fapi/v3/account`: the one wallet, totals summed over every symbol, and each open position.
    func accountJSON() -> String {
        let time = now
        var unrealized = Money.zero
        var positionMargin = Money.zero
        var maintenance = Money.zero
        var positions: [String] = []
        for symbol in symbols {
            let position = account.position(symbol)
            let mark = markPrice(symbol) ?? .zero
            let amount = position.amount
            let symbolUnrealized = position.unrealizedProfit(mark: mark)
            let notional = Money.notional(mark, amount)
            let symbolMargin = position.initialMargin(notional.magnitude)
            let symbolMaintenance = position.maintenanceMargin(mark: mark)
            unrealized += symbolUnrealized
            positionMargin += symbolMargin
            maintenance += symbolMaintenance
            guard amount.raw != 0 else { continue }
            var p = JSONText()
            p.string("symbol", symbol)
            p.string("positionSide", "BOTH")
            p.decimal("positionAmt", amount)
            p.decimal("unrealizedProfit", symbolUnrealized)
            p.decimal("isolatedMargin", position.isolatedWallet + symbolUnrealized)
            p.decimal("notional", notional)
            p.decimal("isolatedWallet", position.isolatedWallet)
            p.decimal("initialMargin", symbolMargin)
            p.decimal("maintMargin", symbolMaintenance)
            p.int("updateTime", time)
            positions.append(p.object)
        }
        let orderMargin = openOrderMargin()
        let wallet = account.walletBalance
        let crossWallet = account.crossWalletBalance
        let available = account.availableBalance(openOrderMargin: orderMargin)

        var asset = JSONText()
        asset.string("asset", account.asset)
        asset.decimal("walletBalance", wallet)
        asset.decimal("unrealizedProfit", unrealized)
        asset.decimal("marginBalance", wallet + unrealized)
        asset.decimal("maintMargin", maintenance)
        asset.decimal("initialMargin", positionMargin + orderMargin)
        asset.decimal("positionInitialMargin", positionMargin)
        asset.decimal("openOrderInitialMargin", orderMargin)
        asset.decimal("crossWalletBalance", crossWallet)
        asset.decimal("crossUnPnl", Money.zero)
        asset.decimal("availableBalance", available)
        asset.decimal("maxWithdrawAmount", available)
        asset.int("updateTime", time)

        var o = JSONText()
        o.decimal("totalInitialMargin", positionMargin + orderMargin)
        o.decimal("totalMaintMargin", maintenance)
        o.decimal("totalWalletBalance", wallet)
        o.decimal("totalUnrealizedProfit", unrealized)
        o.decimal("totalMarginBalance", wallet + unrealized)
        o.decimal("totalPositionInitialMargin", positionMargin)
        o.decimal("totalOpenOrderInitialMargin", orderMargin)
        o.decimal("totalCrossWalletBalance", crossWallet)
        o.decimal("totalCrossUnPnl", Money.zero)
        o.decimal("availableBalance", available)
        o.decimal("maxWithdrawAmount", available)
        o.raw("assets", JSONText.array([asset.object]))
        o.raw("positions", JSONText.array(positions))
        return o.object
    }

    /// `GET /fapi/v1/premiumIndex` for one symbol: mark price = index price = last trade; no funding on the paper
    /// venue.
    func premiumIndexJSON(symbol: String) -> String {
        let mark = markPrice(symbol) ?? .zero
        var o = JSONText()
        o.string("symbol", symbol)
        o.decimal("markPrice", mark)
        o.decimal("indexPrice", mark)
        o.decimal("estimatedSettlePrice", mark)
        o.decimal("lastFundingRate", "0.00000000")
        o.decimal("interestRate", "0.00000000")
        o.int("nextFundingTime", 0)
        o.int("time", now)
        return o.object
    }

    /// `GET /fapi/v1/ticker/price` for one symbol.
    func tickerPriceJSON(symbol: String) -> String {
        let price = markPrice(symbol) ?? .zero
        return #"{"symbol":"\#(symbol)","price":"\#(price)","time":\#(now)}"#
    }

    /// `GET /fapi/v3/balance`: the one USDT wallet.
    func balanceJSON() -> String {
        let available = account.availableBalance(openOrderMargin: openOrderMargin())
        var o = JSONText()
        o.string("accountAlias", "paper")
        o.string("asset", account.asset)
        o.decimal("balance", account.walletBalance)
        o.decimal("crossWalletBalance", account.crossWalletBalance)
        o.decimal("crossUnPnl", Money.zero)
        o.decimal("availableBalance", available)
        o.decimal("maxWithdrawAmount", available)
        o.bool("marginAvailable", true)
        o.int("updateTime", now)
        return JSONText.array([o.object])
    }
}
