/// Bybit drops a connection that sends nothing: the client sends `{"op":"ping"}` every 20 s (spec B3).
enum BybitHeartbeat {
    static let message = #"{"req_id":"ping","op":"ping"}"#

    /// Sends the ping every `interval` until cancelled (dropped silently while disconnected).
    static func run(_ socket: ResilientWebSocket, every interval: Duration) async {
        while true {
            do { try await Task.sleep(for: interval) } catch { return }
            socket.send(message)
        }
    }
}
