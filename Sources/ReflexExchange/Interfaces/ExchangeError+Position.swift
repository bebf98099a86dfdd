public import ReflexCore

extension ExchangeError {
    /// Binance's "order's position side does not match user's setting".
    public static let binancePositionSideMismatch = -4061

    /// Whether this refusal of a reduce-only order says the venue's position is not what the engine believes:
    /// nothing to reduce (Binance -2022, Bybit 110017), no margin to close with (Binance -2019, Bybit's and
    /// Deribit's insufficient funds), a position side that does not match (Binance -4061). Retrying cannot fix
    /// that; reading the venue can.
    public func contradictsPosition(reduceOnly: Bool) -> Bool {
        switch code {
        case Self.binancePositionSideMismatch: return true
        case Self.binanceReduceOnlyRejected, Self.binanceMarginInsufficient, Self.bybitQuantityTruncatedToZero,
            Self.bybitInsufficientWalletBalance, Self.bybitInsufficientAvailableBalance,
            Self.bybitInsufficientOrderCost,
            Self.deribitNotEnoughFunds:
            return reduceOnly
        default: return false
        }
    }

    /// The engine's kind for this refusal of `intent`.
    public func rejectionKind(of intent: OrderIntent) -> OrderRejected.Kind {
        if contradictsPosition(reduceOnly: intent.reduceOnly) { return .contradictsPosition }
        if code == Self.binanceWouldImmediatelyTrigger && intent.type.isConditional { return .wouldTrigger }
        return .refused
    }
}
