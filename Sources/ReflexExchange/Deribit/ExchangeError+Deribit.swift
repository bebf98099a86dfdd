extension ExchangeError {
    // MARK: Deribit JSON-RPC error codes (docs.deribit.com "Error codes")
    //
    // Deribit's codes are positive and may collide with another venue's (Bybit's 10004 is a bad signature, Deribit's
    // an unknown order): compare them only with errors from a Deribit client.

    /// `order_not_found`.
    public static let deribitOrderNotFound = 10004
    /// `not_enough_funds`.
    public static let deribitNotEnoughFunds = 10009
    /// `too_many_requests`.
    public static let deribitTooManyRequests = 10028
    /// `unauthorized`: a private method before (or without) `public/auth`.
    public static let deribitUnauthorized = 13009
    /// `invalid_credentials`.
    public static let deribitInvalidCredentials = 13004
}
