import ReflexCore

/// The venue's one account in isolated margin, as Binance keeps it: one USDT wallet that every symbol's realized
/// PnL and fees land in, and one isolated position per traded symbol, each risking only its own isolated wallet.
///
/// The free balance (what new orders and added margin draw on) is the wallet minus every position's isolated
/// wallet and every open order's margin.
struct FuturesAccount: Sendable {
    /// Margin asset (`USDT`).
    let asset: String
    /// Deposits plus every symbol's realized PnL minus fees.
    private(set) var walletBalance: Money
    private var positions: [String: IsolatedPosition]

    /// An account holding `walletBalance`, flat in every one of `symbols`.
    init(asset: String = "USDT", walletBalance: Money, leverage: Int, symbols: [VenueSymbolRules]) {
        self.asset = asset
        self.walletBalance = walletBalance
        positions = Dictionary(
            uniqueKeysWithValues: symbols.map {
                (
                    $0.symbol,
                    IsolatedPosition(
                        leverage: leverage, maintenanceMarginRate: $0.maintenanceMarginRate,
                        pricePrecision: $0.pricePrecision)
                )
            })
    }

    /// The symbol's position; the venue only asks about symbols it trades.
    func position(_ symbol: String) -> IsolatedPosition {
        guard let position = positions[symbol] else { preconditionFailure("no position for \(symbol)") }
        return position
    }

    /// Margin held by every position.
    var isolatedWallets: Money { positions.values.reduce(Money.zero) { $0 + $1.isolatedWallet } }

    /// The wallet not held by isolated positions (`crossWalletBalance`).
    var crossWalletBalance: Money { walletBalance - isolatedWallets }

    /// Wallet balance not held by any position or by open orders.
    func availableBalance(openOrderMargin: Money) -> Money {
        walletBalance - isolatedWallets - openOrderMargin
    }

    /// Applies one execution of `symbol`; returns its realized PnL, booked with the fee into the one wallet.
    @discardableResult
    mutating func apply(symbol: String, side: Side, price: Price, quantity: Quantity, fee: Money) -> Money {
        guard let realized = positions[symbol]?.apply(side: side, price: price, quantity: quantity) else {
            preconditionFailure("execution for \(symbol), which the venue does not trade")
        }
        walletBalance += realized - fee
        return realized
    }

    /// Liquidates the symbol's position: its isolated wallet is lost from the wallet. Returns the amount lost.
    mutating func liquidate(symbol: String) -> Money {
        let lost = positions[symbol]?.liquidate() ?? .zero
        walletBalance -= lost
        return lost
    }

    /// Moves `amount` from the free balance into the symbol's isolated wallet (Binance's type 1 margin change).
    /// - Returns: false (nothing changed) when the symbol is flat or the free balance is short.
    mutating func addMargin(_ amount: Money, symbol: String, openOrderMargin: Money) -> Bool {
        guard position(symbol).amount.raw != 0, amount.raw > 0,
            availableBalance(openOrderMargin: openOrderMargin) >= amount
        else { return false }
        positions[symbol]?.addMargin(amount)
        return true
    }

    /// Sets the leverage of the symbol's position (Binance keeps leverage per symbol).
    mutating func setLeverage(_ leverage: Int, symbol: String) {
        positions[symbol]?.leverage = leverage
    }
}
