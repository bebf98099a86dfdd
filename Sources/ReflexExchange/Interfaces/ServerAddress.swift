/// Where a venue URL points: `scheme://host[:port]/rest`, split the way SwiftNIO connects to it. Shared by the REST
/// pool (`http`/`https`) and the WebSocket connection (`ws`/`wss`).
struct ServerAddress: Sendable {
    /// Host without IPv6 brackets.
    var host: String
    var port: Int
    /// Host and port as written in the URL (the `Host` header).
    var authority: String
    /// Whether the scheme is the TLS one.
    var secure: Bool
    /// Path and query after the authority (`/` when there is none).
    var target: String

    /// The TLS server name (SNI carries names, never addresses).
    var serverName: String? { host.allSatisfy { $0.isNumber || $0 == "." || $0 == ":" } ? nil : host }

    /// - Parameter schemes: the plain and the TLS scheme, e.g. `("http", "https")`.
    /// - Throws: a message naming the URL and what was expected.
    init(_ url: String, schemes: (plain: String, secure: String)) throws(TransportError) {
        let rest: Substring
        if url.hasPrefix(schemes.secure + "://") {
            secure = true
            rest = url.dropFirst(schemes.secure.count + 3)
        } else if url.hasPrefix(schemes.plain + "://") {
            secure = false
            rest = url.dropFirst(schemes.plain.count + 3)
        } else {
            throw TransportError("\"\(url)\": expected a \(schemes.plain):// or \(schemes.secure):// URL")
        }
        let end = rest.firstIndex { $0 == "/" || $0 == "?" } ?? rest.endIndex
        let authority = rest[..<end]
        guard !authority.isEmpty else { throw TransportError("\"\(url)\": no host") }
        target = rest[end...].isEmpty ? "/" : rest[end...].hasPrefix("?") ? "/" + rest[end...] : String(rest[end...])
        self.authority = String(authority)
        host = String(authority)
        port = secure ? 443 : 80
        // `host:8765`, `[::1]:8765` or a bare host.
        if let colon = authority.lastIndex(of: ":"), !authority[colon...].contains("]") {
            guard let number = Int(authority[authority.index(after: colon)...]), (1...65535).contains(number) else {
                throw TransportError("\"\(url)\": the port is not a number in 1…65535")
            }
            port = number
            host = String(authority[..<colon])
        }
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
    }
}
