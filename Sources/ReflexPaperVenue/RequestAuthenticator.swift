import Crypto

/// Checks Binance's request security (A3): the `X-MBX-APIKEY` header, the hex HMAC-SHA256 signature over the exact
/// `totalParams`, and `timestamp` against `recvWindow`.
struct RequestAuthenticator: Sendable {
    /// Binance's security types that the venue serves.
    enum Security {
        /// TRADE and USER_DATA: key, signature and timestamp.
        case signed
        /// USER_STREAM and MARKET_DATA: key only.
        case apiKey
    }

    /// The configured credentials; nil accepts any key and skips the signature (an open local venue).
    let credentials: PaperVenueConfiguration.Credentials?

    /// Throws the error Binance would answer, or returns when the request may proceed.
    /// - Parameter now: server time in milliseconds.
    func authenticate(
        apiKey: String?, parameters: RequestParameters, security: Security, now: Int64
    ) throws(BinanceAPIError) {
        guard let apiKey, !apiKey.isEmpty else { throw .badAPIKeyFormat }
        if let credentials, apiKey != credentials.apiKey { throw .rejectedAPIKey }
        guard security == .signed else { return }
        guard let timestampText = parameters["timestamp"] else { throw BinanceAPIError(parameter: "timestamp") }
        guard let timestamp = Int64(timestampText) else { throw BinanceAPIError(parameter: "timestamp") }
        let recvWindow = try parameters.int64("recvWindow") ?? 5000
        guard recvWindow > 0, recvWindow <= 60_000 else {
            throw BinanceAPIError(code: -1131, msg: "recvWindow must be less than 60000")
        }
        if let credentials {
            guard let signature = parameters.signature, let mac = Self.hexBytes(signature) else { throw .badSignature }
            let valid = HMAC<SHA256>.isValidAuthenticationCode(
                mac, authenticating: Array(parameters.signedPayload.utf8), using: credentials.secretKey)
            guard valid else { throw .badSignature }
        }
        // Binance's own rule, verbatim: timestamp < serverTime + 1000 && serverTime - timestamp <= recvWindow.
        guard timestamp < now + 1000 else { throw .futureTimestamp }
        guard now - timestamp <= recvWindow else { throw .staleTimestamp }
    }

    /// Decodes hex (either case; Binance says the signature is not case sensitive); nil if malformed.
    static func hexBytes(_ text: String) -> [UInt8]? {
        let utf8 = Array(text.utf8)
        guard utf8.count == 64 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(32)
        var index = 0
        while index < utf8.count {
            guard let high = RequestParameters.hexValue(utf8[index]),
                let low = RequestParameters.hexValue(utf8[index + 1])
            else { return nil }
            bytes.append(high << 4 | low)
            index += 2
        }
        return bytes
    }
}
