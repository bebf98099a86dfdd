import ArgumentParser
import Foundation
import ReflexCore
import ReflexWebhook

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Options shared by `send` and `ping`.
struct WebhookTarget: ParsableArguments {
    @Option(help: "Listener URL, e.g. http://127.0.0.1:8787/webhooks/events.")
    var url: String
    @Option(help: "Environment variable holding the whsec_ secret to sign with.")
    var secretEnv: String

    func secret() throws -> WebhookSecret {
        guard let value = ProcessInfo.processInfo.environment[secretEnv], !value.isEmpty else {
            throw ValidationError("environment variable \(secretEnv) is not set")
        }
        do {
            guard let first = try WebhookSecret.list(value).first else {
                throw ValidationError("\(secretEnv) is empty")
            }
            return first
        } catch let error as WebhookSecret.FormatError {
            throw ValidationError("\(secretEnv): \(error)")
        }
    }

    /// Signs and posts one event; prints the status and answer; fails unless the answer is 2xx.
    func deliver(type: String, data: String, id: String?) async throws {
        guard let target = URL(string: url), target.scheme == "http" || target.scheme == "https" else {
            throw ValidationError("--url must be an http or https URL")
        }
        let parsedData: JSONValue
        do {
            parsedData = try JSONParser.parse(Array(data.utf8))
        } catch {
            throw ValidationError("--data is not JSON: \(error)")
        }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let now = Date()
        let envelope = JSONValue.object([
            ("type", .string(type)), ("timestamp", .string(formatter.string(from: now))), ("data", parsedData),
        ])
        let body = Array(envelope.jsonText.utf8)
        let messageID = id ?? "msg_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        var request = URLRequest(url: target)
        request.httpMethod = "POST"
        request.httpBody = Data(body)
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        let signer = StandardWebhookSigner(secret: try secret())
        for header in signer.headers(id: messageID, timestamp: Int64(now.timeIntervalSince1970), body: body) {
            request.setValue(header.value, forHTTPHeaderField: header.name)
        }
        let (answer, response) = try await URLSession.shared.data(for: request)
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        print("\(status) \(String(decoding: answer, as: UTF8.self))")
        guard (200..<300).contains(status) else { throw ExitCode(1) }
    }
}

/// `reflex webhook send`: sign one event the Standard Webhooks way and post it.
struct WebhookSend: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "send", abstract: "Sign one event (Standard Webhooks) and post it; print the answer.")

    @OptionGroup var target: WebhookTarget
    @Option(help: "Event type, e.g. order.filled, regime.shift.")
    var type: String
    @Option(help: "The event's data object as JSON.")
    var data: String
    @Option(help: "webhook-id (default: a new random id). Reuse one to see duplicate handling.")
    var id: String?

    func run() async throws { try await target.deliver(type: type, data: data, id: id) }
}

/// `reflex webhook ping`: the test delivery every sender offers.
struct WebhookPing: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ping", abstract: "Send a signed ping; the listener answers 200 and applies nothing.")

    @OptionGroup var target: WebhookTarget

    func run() async throws { try await target.deliver(type: "ping", data: "{}", id: nil) }
}
