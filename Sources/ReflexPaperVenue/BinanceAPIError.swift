import Foundation
import Hummingbird

/// A Binance error answer: `{"code":-1022,"msg":"Signature for this request is not valid."}` with the HTTP status the
/// real exchange uses, so client libraries classify the venue's errors exactly as Binance's.
struct BinanceAPIError: Error, HTTPResponseError, Equatable {
    /// Binance's negative error code.
    var code: Int
    var msg: String
    var status: HTTPResponse.Status

    init(code: Int, msg: String, status: HTTPResponse.Status = .badRequest) {
        self.code = code
        self.msg = msg
        self.status = status
    }

    /// `-1102`: a mandatory parameter is missing or malformed.
    init(code: Int = -1102, parameter: String) {
        self.init(
            code: code, msg: "Mandatory parameter '\(parameter)' was not sent, was empty/null, or malformed.")
    }

    static let badSignature = BinanceAPIError(code: -1022, msg: "Signature for this request is not valid.")
    static let staleTimestamp = BinanceAPIError(
        code: -1021, msg: "Timestamp for this request is outside of the recvWindow.")
    static let futureTimestamp = BinanceAPIError(
        code: -1021, msg: "Timestamp for this request was 1000ms ahead of the server's time.")
    static let badAPIKeyFormat = BinanceAPIError(code: -2014, msg: "API-key format invalid.", status: .unauthorized)
    static let rejectedAPIKey = BinanceAPIError(
        code: -2015, msg: "Invalid API-key, IP, or permissions for action.", status: .unauthorized)
    static let badPrecision = BinanceAPIError(code: -1111, msg: "Precision is over the maximum defined for this asset.")
    static let badSymbol = BinanceAPIError(code: -1121, msg: "Invalid symbol.")
    static let marginInsufficient = BinanceAPIError(code: -2019, msg: "Margin is insufficient.")
    static let reduceOnlyRejected = BinanceAPIError(code: -2022, msg: "ReduceOnly Order is rejected.")
    static let unknownOrder = BinanceAPIError(code: -2011, msg: "Unknown order sent.")
    static let noSuchOrder = BinanceAPIError(code: -2013, msg: "Order does not exist.")
    static let duplicateClientID = BinanceAPIError(code: -4116, msg: "ClientOrderId is duplicated.")
    static let invalidClientID = BinanceAPIError(code: -4015, msg: "Client order id is not valid.")
    static let useAlgoEndpoint = BinanceAPIError(
        code: -4120, msg: "Order type not supported for this endpoint. Please use the Algo Order API endpoints instead."
    )
    static let invalidListenKey = BinanceAPIError(
        code: -1125,
        msg: "This listenKey does not exist. Please use `POST /fapi/v1/listenKey` to recreate `listenKey`")
    static let positionSideMismatch = BinanceAPIError(
        code: -4061, msg: "Order's position side does not match user's setting.")
    /// The "execution status unknown" 503: the request may or may not have been carried out.
    static let unknownOutcome = BinanceAPIError(
        code: -1007,
        msg: "Timeout waiting for response from backend server. Send status unknown; execution status unknown.",
        status: .serviceUnavailable)
    static let serviceUnavailable = BinanceAPIError(
        code: -1001, msg: "Service Unavailable.", status: .serviceUnavailable)

    static func invalidEnum(_ parameter: String, code: Int) -> BinanceAPIError {
        let names = [-1115: "timeInForce", -1116: "orderType", -1117: "side"]
        return .init(code: code, msg: "Invalid \(names[code] ?? parameter).")
    }

    static func notRequired(_ parameter: String) -> BinanceAPIError {
        .init(code: -1106, msg: "Parameter '\(parameter)' sent when not required.")
    }

    /// The JSON body, as Binance prints it.
    var json: String {
        #"{"code":\#(code),"msg":"\#(JSONText.escaped(msg))"}"#
    }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        Response(
            status: status, headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(string: json)))
    }
}
