import Crypto
import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Reads a Binance-shaped venue over signed REST with nothing of Reflex's client code: URLSession, HMAC-SHA256 and
/// JSONSerialization, as an outside observer would. Retries the venue's injected 503s.
struct SignedVenueReader {
    let port: Int
    let apiKey: String
    let secret: String

    /// The signed GET's JSON answer.
    func get(_ path: String, symbol: String) async throws -> Any {
        var lastError: (any Error)?
        for _ in 0..<8 {
            let query = "symbol=\(symbol)&recvWindow=60000&timestamp=\(Int64(Date().timeIntervalSince1970 * 1000))"
            let mac = HMAC<SHA256>.authenticationCode(
                for: Data(query.utf8), using: SymmetricKey(data: Data(secret.utf8)))
            let signature = mac.map { String(format: "%02x", $0) }.joined()
            var request = URLRequest(
                url: URL(string: "http://127.0.0.1:\(port)\(path)?\(query)&signature=\(signature)")!)
            request.setValue(apiKey, forHTTPHeaderField: "X-MBX-APIKEY")
            request.timeoutInterval = 10
            do {
                let (data, response) = try await URLSession.shared.data(for: request)
                let status = (response as? HTTPURLResponse)?.statusCode ?? 0
                if status == 200 { return try JSONSerialization.jsonObject(with: data) }
                lastError = ReadError(message: "\(path): HTTP \(status): \(String(decoding: data, as: UTF8.self))")
            } catch {
                lastError = error
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw lastError ?? ReadError(message: "\(path): no answer")
    }

    /// The signed position amount (`positionAmt`), "0" when the venue lists none.
    func position(symbol: String) async throws -> Decimal {
        let rows = try await get("/fapi/v3/positionRisk", symbol: symbol) as? [[String: Any]] ?? []
        let amount = rows.first { $0["symbol"] as? String == symbol }?["positionAmt"] as? String ?? "0"
        return Decimal(string: amount) ?? 0
    }

    /// Client ids of the open plain and conditional (algo) orders.
    func openOrderIDs(symbol: String) async throws -> [String] {
        let plain = try await get("/fapi/v1/openOrders", symbol: symbol) as? [[String: Any]] ?? []
        let algo = try await get("/fapi/v1/openAlgoOrders", symbol: symbol) as? [[String: Any]] ?? []
        return plain.compactMap { $0["clientOrderId"] as? String } + algo.compactMap { $0["clientAlgoId"] as? String }
    }

    struct ReadError: Error, CustomStringConvertible {
        var message: String
        var description: String { message }
    }
}
