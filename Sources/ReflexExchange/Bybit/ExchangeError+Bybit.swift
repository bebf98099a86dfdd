extension ExchangeError {
    // MARK: Bybit v5 `retCode`s (spec B1, BYBIT `error.mdx`)
    //
    // Bybit's codes are positive and do not collide with Reflex's own (1–4, 418, 429); they may collide with another
    // venue's, so compare them only with errors from a Bybit client.

    /// Parameter error.
    public static let bybitParameterError = 10001
    /// Request time outside `recvWindow`: resynchronise the clock and retry.
    public static let bybitTimestampOutsideWindow = 10002
    /// Invalid API key.
    public static let bybitInvalidAPIKey = 10003
    /// "Error sign": the signature does not match.
    public static let bybitInvalidSignature = 10004
    /// "Too many visits!": per-UID rate limit.
    public static let bybitTooManyVisits = 10006
    /// Order does not exist (cancel of a gone order).
    public static let bybitNoSuchOrder = 110001
    /// Price out of the permitted range.
    public static let bybitPriceOutOfRange = 110003
    /// Wallet balance insufficient.
    public static let bybitInsufficientWalletBalance = 110004
    /// Available balance insufficient.
    public static let bybitInsufficientAvailableBalance = 110007
    /// Insufficient available balance for the order cost.
    public static let bybitInsufficientOrderCost = 110012
    /// Quantity truncated to zero by the step size.
    public static let bybitQuantityTruncatedToZero = 110017
    /// Order notional below the lower limit.
    public static let bybitNotionalBelowMinimum = 110094

    /// True for the Bybit codes after which the same request can succeed (rate limit, clock drift).
    public var isBybitRetryable: Bool {
        code == Self.bybitTooManyVisits || code == Self.bybitTimestampOutsideWindow || isRetryable
    }

    /// The typed error for a Bybit envelope with `retCode != 0`.
    static func bybit(retCode: Int, retMessage: String, httpStatus: Int? = nil, retryAfter: Duration? = nil)
        -> ExchangeError
    {
        ExchangeError(
            code: retCode, message: retMessage.isEmpty ? "bybit retCode \(retCode)" : retMessage,
            httpStatus: httpStatus, retryAfter: retryAfter)
    }
}
