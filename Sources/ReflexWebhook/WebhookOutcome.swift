import HTTPTypes
import Hummingbird
import ReflexCore

/// What the listener answers to one request, and what it logs about it.
struct WebhookOutcome: Sendable {
    var status: HTTPResponse.Status
    /// One word for logs: accepted, duplicate, ignored, ok, rejected, rate_limited.
    var result: String
    /// JSON answer body.
    var body: String
    var type: String?
    var id: String?
    var rejection: WebhookRejection?
    var retryAfterSeconds: Int?

    static func answer(_ status: HTTPResponse.Status, _ word: String, type: String? = nil, id: String? = nil)
        -> WebhookOutcome
    {
        var text = "{\"status\":"
        JSONValue.writeString(word, to: &text)
        if let id {
            text += ",\"id\":"
            JSONValue.writeString(id, to: &text)
        }
        if let type {
            text += ",\"type\":"
            JSONValue.writeString(type, to: &text)
        }
        return WebhookOutcome(status: status, result: word, body: text + "}", type: type, id: id)
    }

    static func rejected(_ rejection: WebhookRejection, type: String? = nil, id: String? = nil) -> WebhookOutcome {
        var text = "{\"status\":\"rejected\",\"error\":"
        JSONValue.writeString(rejection.reason, to: &text)
        if let field = rejection.field {
            text += ",\"field\":"
            JSONValue.writeString(field, to: &text)
        }
        return WebhookOutcome(
            status: HTTPResponse.Status(code: rejection.statusCode), result: "rejected", body: text + "}", type: type,
            id: id,
            rejection: rejection)
    }

    static func rateLimited(retryAfter seconds: Int) -> WebhookOutcome {
        WebhookOutcome(
            status: .tooManyRequests, result: "rate_limited", body: "{\"status\":\"rate_limited\"}",
            retryAfterSeconds: seconds)
    }

    var response: Response {
        var headers: HTTPFields = [.contentType: "application/json"]
        if let retryAfterSeconds { headers[.retryAfter] = String(retryAfterSeconds) }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: body)))
    }
}
