import ArgumentParser

extension Reflex {
    /// `reflex webhook …`: run the listener alone, or sign and send test deliveries.
    struct Webhook: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run the webhook listener alone, or sign and send deliveries to one.",
            subcommands: [WebhookListen.self, WebhookSend.self, WebhookPing.self])
    }
}
