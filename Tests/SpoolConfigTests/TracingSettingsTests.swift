import Testing

@testable import SpoolConfig

@Suite struct TracingSettingsTests {
    @Test func withoutTheSectionNothingIsTraced() throws {
        #expect(try DaemonConfiguration.parse("durability: full\n", source: "spool.yaml").tracing == nil)
    }

    @Test func readsEverySetting() throws {
        let text = """
            tracing:
              otlp: {endpoint: "http://127.0.0.1:4318", protocol: http/json, timeout: 3s}
              service_name: billing-spool
              sample: 0.25
            """
        let tracing = try #require(try DaemonConfiguration.parse(text, source: "spool.yaml").tracing)
        #expect(
            tracing
                == TracingSettings(
                    endpoint: "http://127.0.0.1:4318",
                    wireProtocol: .httpJSON,
                    timeout: 3,
                    serviceName: "billing-spool",
                    sample: 0.25
                )
        )
        #expect(tracing.tracesURL == "http://127.0.0.1:4318/v1/traces")
    }

    @Test func anEndpointAloneTakesTheDefaults() throws {
        let text = "tracing: {otlp: {endpoint: \"https://collector.example.com/otlp/\"}}\n"
        let tracing = try #require(try DaemonConfiguration.parse(text, source: "spool.yaml").tracing)
        #expect(tracing == TracingSettings(endpoint: "https://collector.example.com/otlp/"))
        #expect(tracing.wireProtocol == .httpProtobuf && tracing.serviceName == "spoold" && tracing.sample == 1)
        #expect(tracing.tracesURL == "https://collector.example.com/otlp/v1/traces")
    }

    static let invalid: [InvalidConfiguration] = [
        .init(
            what: "no otlp",
            text: "tracing: {service_name: s}\n",
            error: "1:10: tracing: needs otlp: {endpoint: <collector URL such as http://127.0.0.1:4318>}"
        ),
        .init(
            what: "no endpoint",
            text: "tracing:\n  otlp: {protocol: http/json}\n",
            error: "2:9: tracing.otlp: needs endpoint: <collector URL such as http://127.0.0.1:4318>"
        ),
        .init(
            what: "endpoint without a scheme",
            text: "tracing:\n  otlp: {endpoint: 127.0.0.1:4318}\n",
            error:
                #"2:20: tracing.otlp.endpoint: must be an http:// or https:// URL such as http://127.0.0.1:4318, not "127.0.0.1:4318""#
        ),
        .init(
            what: "endpoint without a host",
            text: "tracing:\n  otlp: {endpoint: \"http://:4318\"}\n",
            error:
                #"2:20: tracing.otlp.endpoint: must be an http:// or https:// URL such as http://127.0.0.1:4318, not "http://:4318""#
        ),
        .init(
            what: "grpc",
            text: "tracing:\n  otlp: {endpoint: \"http://h:4317\", protocol: grpc}\n",
            error: #"2:47: tracing.otlp.protocol: must be http/protobuf or http/json, not "grpc""#
        ),
        .init(
            what: "sample above 1",
            text: "tracing:\n  otlp: {endpoint: \"http://h:4318\"}\n  sample: 2\n",
            error: #"3:11: tracing.sample: must be a number from 0 to 1, not "2""#
        ),
        .init(
            what: "unknown key",
            text: "tracing:\n  otlp: {endpoint: \"http://h:4318\", headers: {a: b}}\n",
            error: #"2:37: unknown key "headers" in tracing.otlp (expected endpoint, protocol, timeout)"#
        ),
    ]

    @Test(arguments: invalid)
    func refusesWithItsPosition(_ invalid: InvalidConfiguration) {
        do {
            _ = try DaemonConfiguration.parse(invalid.text, source: "spool.yaml")
            Issue.record("accepted")
        } catch {
            #expect(error.description == "spool.yaml:" + invalid.error)
        }
    }
}
