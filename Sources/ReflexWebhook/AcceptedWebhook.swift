public import ReflexCore

/// The listener routes that carry events.
public enum WebhookRoute: String, Hashable, Sendable {
    /// `POST /webhooks/events`, Standard Webhooks signed.
    case events = "/webhooks/events"
    /// `POST /webhooks/tradingview`, shared secret in the body.
    case tradingView = "/webhooks/tradingview"
}

/// A delivery that passed every check, handed to the engine exactly once.
public struct AcceptedWebhook: Hashable, Sendable {
    /// `webhook-id` for signed deliveries; a listener-made `tv_…` id for TradingView alerts.
    public var id: String
    public var route: WebhookRoute
    /// The wire type (`order.filled`, `regime.shift`, `control`).
    public var type: String
    public var event: EngineEvent
    /// The `data` object as received (the whole alert minus its secret for TradingView), for printing and journals.
    public var data: JSONValue
    /// Source address of the request.
    public var source: String
    /// When the listener accepted it.
    public var receivedAt: Timestamp

    public init(
        id: String, route: WebhookRoute, type: String, event: EngineEvent, data: JSONValue, source: String,
        receivedAt: Timestamp
    ) {
        self.id = id
        self.route = route
        self.type = type
        self.event = event
        self.data = data
        self.source = source
        self.receivedAt = receivedAt
    }

    /// One JSON line: `{"id":…,"route":…,"type":…,"data":…}`.
    public var jsonLine: String {
        var text = "{\"id\":"
        JSONValue.writeString(id, to: &text)
        text += ",\"route\":"
        JSONValue.writeString(route.rawValue, to: &text)
        text += ",\"type\":"
        JSONValue.writeString(type, to: &text)
        text += ",\"event\":"
        JSONValue.writeString(event.kind, to: &text)
        text += ",\"data\":" + data.jsonText + "}"
        return text
    }
}
