import ReflexExchange
import Testing

struct BinanceSignerTests {
    @Test func reproducesTheUSDMFuturesDocsVector() {
        let signer = BinanceSigner(secretKey: "2b5eb11e18796d12d88f13dc27dbbd02c2cc51ff7059765ed9821957d82bb4d9")
        let payload =
            "symbol=BTCUSDT&side=BUY&type=LIMIT&quantity=1&price=9000&timeInForce=GTC&recvWindow=5000&timestamp=1591702613943"
        #expect(signer.signature(for: payload) == "3c661234138461fcc7a7d8746c6558c9842d4e10870d2ecbedf7777cad694af9")
    }

    @Test func reproducesTheSpotDocsVector() {
        let signer = BinanceSigner(secretKey: "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j")
        let payload =
            "symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559"
        #expect(signer.signature(for: payload) == "c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71")
    }

    @Test func signsTheNonASCIIVectorAfterPercentEncoding() {
        let signer = BinanceSigner(secretKey: "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j")
        var query = BinanceQuery()
        query.append("symbol", "１２３４５６")
        for (key, value) in [
            ("side", "BUY"), ("type", "LIMIT"), ("timeInForce", "GTC"), ("quantity", "1"), ("price", "0.1"),
            ("recvWindow", "5000"), ("timestamp", "1499827319559"),
        ] {
            query.append(key, value)
        }
        #expect(query.encoded.hasPrefix("symbol=%EF%BC%91%EF%BC%92%EF%BC%93%EF%BC%94%EF%BC%95%EF%BC%96&side=BUY"))
        #expect(
            signer.signature(for: query.encoded) == "e1353ec6b14d888f1164ae9af8228a3dbd508bc82eb867db8ab6046442f33ef3")
    }

    @Test func queryAndBodyAreSignedJoinedWithoutSeparator() {
        let signer = BinanceSigner(secretKey: "2b5eb11e18796d12d88f13dc27dbbd02c2cc51ff7059765ed9821957d82bb4d9")
        let query = "symbol=BTCUSDT&side=BUY&type=LIMIT&quantity=1"
        let body = "&price=9000&timeInForce=GTC&recvWindow=5000&timestamp=1591702613943"
        #expect(signer.signature(query: query, body: body) == signer.signature(for: query + body))
        #expect(
            signer.signature(query: query, body: body)
                == "3c661234138461fcc7a7d8746c6558c9842d4e10870d2ecbedf7777cad694af9")
    }

    @Test func signatureIsAppendedLast() {
        let signer = BinanceSigner(secretKey: "secret")
        let signed = signer.signed(query: "a=1&b=2")
        #expect(signed.hasPrefix("a=1&b=2&signature="))
        #expect(signed.split(separator: "=").last?.count == 64)
    }

    @Test func credentialsNeverPrintTheSecret() {
        let credentials = BinanceCredentials(apiKey: "abcdef123456", secretKey: "top-secret-value")
        #expect(!"\(credentials)".contains("top-secret-value"))
    }
}
