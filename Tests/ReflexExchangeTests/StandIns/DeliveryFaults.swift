import Synchronization

/// The paper venue's delivery faults for a stand-in's private messages: each sent twice, and each held until the
/// next one has gone, so that they overtake one another (a held message with nothing behind it goes 300 ms later).
final class DeliveryFaults: Sendable {
    struct Settings: Sendable {
        var duplicate = false
        var reorder = false
    }

    let settings = Mutex(Settings())
    private let held = Mutex<(text: String, tag: String)?>(nil)

    /// Sends `text` to the connections tagged `tag` on `hub`, through the faults switched on.
    func send(_ text: String, to tag: String, on hub: StandInHub) {
        let current = settings.withLock { $0 }
        var messages = [(text: text, tag: tag)]
        if current.reorder {
            // Hold this one; or, with one held already, send this one first and the held one after it.
            let previous = held.withLock { slot -> (text: String, tag: String)? in
                let previous = slot
                slot = previous == nil ? (text, tag) : nil
                return previous
            }
            if let previous {
                messages = [(text, tag), previous]
            } else {
                messages = []
                releaseLater(on: hub)
            }
        }
        for message in messages {
            hub.push(message.text, to: message.tag)
            if current.duplicate { hub.push(message.text, to: message.tag) }
        }
    }

    private func releaseLater(on hub: StandInHub) {
        Task {
            try? await Task.sleep(for: .milliseconds(300))
            if let message = held.withLock({ slot in
                defer { slot = nil }
                return slot
            }) {
                hub.push(message.text, to: message.tag)
                if settings.withLock({ $0.duplicate }) { hub.push(message.text, to: message.tag) }
            }
        }
    }
}
