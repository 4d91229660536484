/// Where `spoold` exports its spans, from the `tracing` section of `spool.yaml`: to an OpenTelemetry
/// collector over OTLP/HTTP. Without the section the daemon traces nothing and pays nothing for it.
public struct TracingSettings: Sendable, Hashable {
    /// How spans are encoded on the wire.
    public enum WireProtocol: String, Sendable, Hashable, CaseIterable {
        /// Protocol buffers, `Content-Type: application/x-protobuf`: what every collector takes.
        case httpProtobuf = "http/protobuf"
        /// JSON, `Content-Type: application/json`.
        case httpJSON = "http/json"
    }

    /// The collector's base URL, `http://` or `https://`; spans are sent to `<endpoint>/v1/traces`, as with
    /// `OTEL_EXPORTER_OTLP_ENDPOINT`.
    public var endpoint: String
    /// The encoding. Default ``WireProtocol/httpProtobuf``.
    public var wireProtocol: WireProtocol
    /// How long one export may take, in seconds. Default 10.
    public var timeout: Double
    /// The `service.name` of the spans' resource. Default `spoold`.
    public var serviceName: String
    /// The fraction of new traces recorded, from 0 to 1; a task whose trace was given follows its parent's
    /// decision. Default 1: every trace.
    public var sample: Double

    /// Creates settings; every parameter but the endpoint has its documented default.
    public init(
        endpoint: String,
        wireProtocol: WireProtocol = .httpProtobuf,
        timeout: Double = 10,
        serviceName: String = "spoold",
        sample: Double = 1
    ) {
        self.endpoint = endpoint
        self.wireProtocol = wireProtocol
        self.timeout = timeout
        self.serviceName = serviceName
        self.sample = sample
    }

    /// The URL spans are sent to: the endpoint with `/v1/traces` appended.
    public var tracesURL: String {
        endpoint.hasSuffix("/") ? "\(endpoint)v1/traces" : "\(endpoint)/v1/traces"
    }
}
