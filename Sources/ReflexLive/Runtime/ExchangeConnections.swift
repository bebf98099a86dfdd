import ReflexExchange
import ServiceLifecycle

/// Closes the venue client's REST connections when the bot stops: after the runtime has let its last orders finish
/// (the service group stops services in reverse order, and this one is added before the runtime), and at once when
/// the group is cancelled. A server waits for its connections when it stops; the embedded paper venue would
/// otherwise wait for ever for a keep-alive connection that no request used.
struct ExchangeConnections: Service {
    let client: any ExchangeClient

    func run() async throws {
        try? await gracefulShutdown()
        client.shutdown()
    }
}
