/// An error from a venue or from talking to it: a code, the venue's message, and whether trying again can help.
///
/// Venue codes are the venue's own (Binance's are negative); Reflex's own conditions use the positive codes below,
/// so a new venue adds codes without changing this type.
public struct ExchangeError: Error, Hashable, Sendable, CustomStringConvertible {
    /// Numeric error code (venue code or one of Reflex's).
    public var code: Int
    /// Human-readable message, the venue's when it sent one.
    public var message: String
    /// HTTP status of the response, if there was one.
    public var httpStatus: Int?
    /// How long the venue asked us to wait (`Retry-After`), if it did.
    public var retryAfter: Duration?

    public init(code: Int, message: String, httpStatus: Int? = nil, retryAfter: Duration? = nil) {
        self.code = code
        self.message = message
        self.httpStatus = httpStatus
        self.retryAfter = retryAfter
    }

    public var description: String {
        let status = httpStatus.map { " (HTTP \($0))" } ?? ""
        return "exchange error \(code)\(status): \(message)"
    }

    /// True when the same request may succeed later (after a back-off, a clock resync or a reconnect).
    public var isRetryable: Bool {
        if Self.retryableCodes.contains(code) { return true }
        if let status = httpStatus, status == 429 || status == 418 || status >= 500 { return true }
        return false
    }

    /// True when a request that changes state may or may not have executed: look it up before deciding.
    public var isOutcomeUnknown: Bool {
        code == Self.executionUnknown || code == Self.binanceTimeout || code == Self.transport
    }

    private static let retryableCodes: Set<Int> = [
        binanceUnknown, binanceDisconnected, binanceTooManyRequests, binanceTimeout, binanceTooManyOrders,
        binanceInvalidTimestamp, transport, executionUnknown, rateLimited, ipBanned,
    ]

    // MARK: Reflex's own codes

    /// The request could not be sent or no response arrived (connection refused, reset, timeout).
    public static let transport = 1
    /// The venue answered with something that is not what the endpoint documents.
    public static let malformedResponse = 2
    /// Sent, but the venue could not say whether it executed (HTTP 503 "Unknown error").
    public static let executionUnknown = 3
    /// An HTTP error status without a venue error body (the status is in `httpStatus`).
    public static let httpError = 4
    /// The venue adapter does not offer the operation.
    public static let unsupported = 5
    /// HTTP 429: request rate limit broken.
    public static let rateLimited = 429
    /// HTTP 418: IP banned for ignoring 429s.
    public static let ipBanned = 418

    // MARK: Binance USDⓈ-M codes (spec A8)

    public static let binanceUnknown = -1000
    public static let binanceDisconnected = -1001
    public static let binanceTooManyRequests = -1003
    public static let binanceTimeout = -1007
    public static let binanceTooManyOrders = -1015
    public static let binanceInvalidTimestamp = -1021
    public static let binanceInvalidSignature = -1022
    public static let binanceMandatoryParameter = -1102
    public static let binanceBadPrecision = -1111
    public static let binanceBadSymbol = -1121
    public static let binanceInvalidListenKey = -1125
    public static let binanceNewOrderRejected = -2010
    public static let binanceCancelRejected = -2011
    public static let binanceNoSuchOrder = -2013
    public static let binanceRejectedAPIKey = -2015
    public static let binanceBalanceInsufficient = -2018
    public static let binanceMarginInsufficient = -2019
    public static let binanceWouldImmediatelyTrigger = -2021
    public static let binanceReduceOnlyRejected = -2022
    public static let binancePriceOffTick = -4014
    public static let binanceQuantityOffStep = -4023
    public static let binanceMinNotional = -4164
    public static let binanceUseAlgoEndpoint = -4120
}
