import Foundation
public import ReflexWebhook

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// The operator commands' side of the control API: finds the bot through its config, signs, posts.
public struct ControlClient: Sendable {
    public let baseURL: String
    let secret: WebhookSecret

    /// Finds the running bot of `config`: its listener address, and the control secret from the environment
    /// variable the config names or, by default, from the file `reflex run` created in the state folder.
    public init(config: DeploymentConfig, secrets: SecretStore = SecretStore()) throws {
        let scheme = config.listener.tlsCert == nil ? "http" : "https"
        let host = config.listener.host == "0.0.0.0" ? "127.0.0.1" : config.listener.host
        baseURL = "\(scheme)://\(host):\(config.listener.port)"
        let text: String
        if let name = config.controlSecretEnv {
            text = try secrets.require(name, for: "control secret")
        } else {
            let folder = try StateFolder(path: config.stateDirectory)
            guard let stored = folder.existingSecret("control.secret") else {
                throw DeploymentError(
                    "no control secret in \(folder.file("control.secret")): is `reflex run` running with this config on this machine?"
                )
            }
            text = stored
        }
        secret = try WebhookSecret(text)
    }

    public init(baseURL: String, secret: WebhookSecret) {
        self.baseURL = baseURL
        self.secret = secret
    }

    /// Sends one request, for one market or (`symbol` nil) every market; returns the HTTP status and body.
    public func send(_ request: OperatorRequest, symbol: String? = nil) async throws -> (status: Int, body: String) {
        guard let url = URL(string: "\(baseURL)/control/\(request.path)") else {
            throw DeploymentError("bad control URL \(baseURL)")
        }
        // The market is in the signed body, so a relay cannot point the command at another market.
        let body = Array((symbol.map { #"{"symbol":"\#($0)"}"# } ?? "{}").utf8)
        let id = "ctl_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        var http = URLRequest(url: url)
        http.httpMethod = "POST"
        http.httpBody = Data(body)
        // Longer than the bot's wait for a command to be applied (10 s), which a busy host can need.
        http.timeoutInterval = 15
        http.setValue("application/json", forHTTPHeaderField: "Content-Type")
        for header in StandardWebhookSigner(secret: secret).headers(
            id: id, timestamp: Int64(Date().timeIntervalSince1970), body: body)
        {
            http.setValue(header.value, forHTTPHeaderField: header.name)
        }
        do {
            let (data, response) = try await URLSession.shared.data(for: http)
            return ((response as? HTTPURLResponse)?.statusCode ?? 0, String(decoding: data, as: UTF8.self))
        } catch {
            throw DeploymentError("cannot reach the bot at \(baseURL): \(error.localizedDescription)")
        }
    }
}
