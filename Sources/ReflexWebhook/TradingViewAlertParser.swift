public import ReflexCore

/// Authenticates and reads a TradingView-style alert, which cannot sign: the shared secret travels in the body
/// (`{"secret": "…", "mode": "trend"}` or `{"secret": "…", "action": "pause"}`). Pure: time comes in as an argument.
public struct TradingViewAlertParser: Sendable {
    public var secret: SharedSecret
    /// Symbols an alert may name in `symbol` (one market); nil accepts any well-formed symbol.
    public var symbols: Set<String>?

    public init(secret: SharedSecret, symbols: Set<String>? = nil) {
        self.secret = secret
        self.symbols = symbols
    }

    /// Returns the engine event the alert asks for.
    /// - Throws: ``WebhookRejection``: `.unauthenticated` when the secret cannot be found or does not match
    ///   (nothing else is looked at then), `.invalid` naming the field when an authenticated alert is unusable.
    public func parse(_ body: [UInt8], now: Timestamp) throws(WebhookRejection) -> (
        type: String, event: EngineEvent, data: JSONValue
    ) {
        // Without JSON there is no secret to check, so this is an authentication failure, not a 400.
        guard let document = try? JSONParser.parse(body), case .object(let members) = document else {
            throw WebhookRejection(.unauthenticated, field: "secret", "body is not a JSON object with a secret")
        }
        guard case .string(let candidate) = document["secret"] ?? .null else {
            throw WebhookRejection(.unauthenticated, field: "secret", "missing")
        }
        guard secret.matches(candidate) else { throw WebhookRejection(.unauthenticated, field: "secret", "no match") }

        let fields = try EventFields(document, path: "")
        let data = JSONValue.object(members.filter { $0.key != "secret" })
        let reason = try fields.optionalString("reason")
        let symbol = try fields.optionalSymbol("symbol", allowed: symbols)
        switch (document["mode"] ?? .null, document["action"] ?? .null) {
        case (.null, .null):
            throw WebhookRejection(.invalid, field: "mode", "an alert needs \"mode\" (trend, range) or \"action\"")
        case (_, .null):
            let mode = try fields.choice("mode", NativeEventParser.modes)
            let shift = RegimeShift(mode: mode, source: .tradingView, reason: reason, time: now, symbol: symbol)
            return ("regime.shift", .regimeShift(shift), data)
        case (.null, _):
            let action = try fields.choice("action", Self.actions)
            return (
                "control", .control(ControlCommand(action: action, source: "tradingview", time: now, symbol: symbol)),
                data
            )
        default:
            throw WebhookRejection(.invalid, field: "action", "send either \"mode\" or \"action\", not both")
        }
    }

    static let actions: [String: ControlAction] = [
        "pause": .pause, "resume": .resume, "flatten": .flatten,
        "trend": .setMode(.trend), "range": .setMode(.range),
    ]
}
