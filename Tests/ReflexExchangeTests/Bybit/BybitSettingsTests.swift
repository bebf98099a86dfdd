import Foundation
import ReflexCore
import Testing

@testable import ReflexExchange

/// The shipped configs' venue sections must stay readable (re-check against the deployment-config decoder when it
/// lands: its schema is not final).
struct VenueSettingsTests {
    static func section(_ file: String, _ key: String) throws -> JSONValue {
        let url = VenueFixture.testsDirectory.deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Config").appendingPathComponent(file)
        let document = try JSONValue.parse(try String(contentsOf: url, encoding: .utf8))
        return try #require(BybitStandIn.member(document, key))
    }

    @Test func bybitTestnetConfigReads() throws {
        let settings = try BybitSettings(
            try Self.section("bybit-testnet.json", "bybit"),
            environment: ["BYBIT_API_KEY": "key", "BYBIT_API_SECRET": "secret"])
        #expect(settings.urls == .testnet)
        #expect(settings.credentials?.apiKey == "key")
        #expect(settings.rest.recvWindow == 5000)
        #expect(settings.stream.pingInterval == .seconds(20))
    }

    @Test func bybitSettingsNameTheFaultyKey() throws {
        let section = try Self.section("bybit-testnet.json", "bybit")
        #expect(
            throws: ConfigurationError(
                path: "bybit.apiKeyEnv", message: "environment variable BYBIT_API_KEY is not set")
        ) {
            try BybitSettings(section, environment: [:])
        }
        guard case .object(var members) = section else { return }
        members.append((key: "recvWindw", value: .number("5000")))
        do {
            _ = try BybitSettings(.object(members), environment: ["BYBIT_API_KEY": "k", "BYBIT_API_SECRET": "s"])
            Issue.record("a misspelt key was accepted")
        } catch {
            #expect(error.path == "bybit.recvWindw")
        }
    }

    @Test func deribitTestnetConfigReads() throws {
        let settings = try DeribitSettings(
            try Self.section("deribit-testnet.json", "deribit"),
            environment: ["DERIBIT_CLIENT_ID": "id", "DERIBIT_CLIENT_SECRET": "secret"])
        #expect(settings.urls == .testnet)
        #expect(settings.credentials.grant == .clientSignature)
        #expect(settings.currencies == ["BTC"])
        #expect(settings.session.heartbeatSeconds == 10)
    }
}
