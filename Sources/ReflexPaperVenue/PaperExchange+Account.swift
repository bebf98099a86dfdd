import ReflexCore

extension PaperExchange {
    /// `GET /fapi/v3/positionRisk`: the symbol's position, listed only when there is one or an open order.
    func positionRiskJSON() -> String {
        let amount = account.positionAmount
        guard amount.raw != 0 || !openOrders().isEmpty || !openAlgoOrders().isEmpty else { return "[]" }
        let mark = markPrice ?? .zero
        let unrealized = account.unrealizedProfit(mark: mark)
        let notional = Money.notional(mark, amount)
        let positionMargin = account.initialMargin(notional.magnitude)
        let orderMargin = openOrderMargin()
        var o = JSONText()
        o.string("symbol", rules.symbol)
        o.string("positionSide", "BOTH")
        o.decimal("positionAmt", amount)
        o.decimal("entryPrice", account.entryPrice)
        o.decimal("breakEvenPrice", account.entryPrice)
        o.decimal("markPrice", mark)
        o.decimal("unRealizedProfit", unrealized)
        o.decimal("liquidationPrice", account.liquidationPrice(tickSize: rules.tickSize))
        o.decimal("isolatedMargin", account.isolatedWallet + unrealized)
        o.decimal("notional", notional)
        o.string("marginAsset", rules.quoteAsset)
        o.decimal("isolatedWallet", account.isolatedWallet)
        o.decimal("initialMargin", positionMargin + orderMargin)
        o.decimal("maintMargin", account.maintenanceMargin(mark: mark))
        o.decimal("positionInitialMargin", positionMargin)
        o.decimal("openOrderInitialMargin", orderMargin)
        o.int("adl", 0)
        o.decimal("bidNotional", Money.zero)
        o.decimal("askNotional", Money.zero)
        // v2 fields, for clients that read them.
        o.string("leverage", String(account.leverage))
        o.string("marginType", "isolated")
        o.bool("isolated", true)
        o.int("updateTime", now)
        return JSONText.array([o.object])
    }

    /// `GET /fapi/v3/account`.
    func accountJSON() -> String {
        let mark = markPrice ?? .zero
        let amount = account.positionAmount
        let unrealized = account.unrealizedProfit(mark: mark)
        let notional = Money.notional(mark, amount)
        let positionMargin = account.initialMargin(notional.magnitude)
        let orderMargin = openOrderMargin()
        let maintenance = account.maintenanceMargin(mark: mark)
        let wallet = account.walletBalance
        let crossWallet = wallet - account.isolatedWallet
        let available = account.availableBalance(openOrderMargin: orderMargin)
        let time = now

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

        var positions: [String] = []
        if amount.raw != 0 {
            var p = JSONText()
            p.string("symbol", rules.symbol)
            p.string("positionSide", "BOTH")
            p.decimal("positionAmt", amount)
            p.decimal("unrealizedProfit", unrealized)
            p.decimal("isolatedMargin", account.isolatedWallet + unrealized)
            p.decimal("notional", notional)
            p.decimal("isolatedWallet", account.isolatedWallet)
            p.decimal("initialMargin", positionMargin)
            p.decimal("maintMargin", maintenance)
            p.int("updateTime", time)
            positions.append(p.object)
        }

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

    /// `GET /fapi/v1/premiumIndex`: mark price = index price = last trade; no funding on the paper venue.
    func premiumIndexJSON() -> String {
        let mark = markPrice ?? .zero
        var o = JSONText()
        o.string("symbol", rules.symbol)
        o.decimal("markPrice", mark)
        o.decimal("indexPrice", mark)
        o.decimal("estimatedSettlePrice", mark)
        o.decimal("lastFundingRate", "0.00000000")
        o.decimal("interestRate", "0.00000000")
        o.int("nextFundingTime", 0)
        o.int("time", now)
        return o.object
    }

    /// `GET /fapi/v3/balance`.
    func balanceJSON() -> String {
        let available = account.availableBalance(openOrderMargin: openOrderMargin())
        var o = JSONText()
        o.string("accountAlias", "paper")
        o.string("asset", account.asset)
        o.decimal("balance", account.walletBalance)
        o.decimal("crossWalletBalance", account.walletBalance - account.isolatedWallet)
        o.decimal("crossUnPnl", Money.zero)
        o.decimal("availableBalance", available)
        o.decimal("maxWithdrawAmount", available)
        o.bool("marginAvailable", true)
        o.int("updateTime", now)
        return JSONText.array([o.object])
    }
}
