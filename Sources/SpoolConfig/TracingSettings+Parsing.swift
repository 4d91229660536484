extension TracingSettings {
    /// Reads the `tracing` section: `otlp` (required: `endpoint`, and optionally `protocol` and `timeout`),
    /// `service_name` and `sample`. Headers (a collector's API key) are not read here, so that no secret
    /// travels with the spool's backups: `OTEL_EXPORTER_OTLP_HEADERS` gives them.
    init(config node: ConfigNode) throws(ConfigProblem) {
        let settings = try node.mapping(allowedKeys: ["otlp", "service_name", "sample"])
        guard let otlpNode = settings["otlp"] else {
            throw node.problem("needs otlp: {endpoint: <collector URL such as http://127.0.0.1:4318>}")
        }
        let otlp = try otlpNode.mapping(allowedKeys: ["endpoint", "protocol", "timeout"])
        guard let endpoint = otlp["endpoint"] else {
            throw otlpNode.problem("needs endpoint: <collector URL such as http://127.0.0.1:4318>")
        }
        self.init(endpoint: try Self.endpoint(endpoint))
        if let node = otlp["protocol"] {
            wireProtocol = try node.choice(WireProtocol.allCases.map { ($0.rawValue, $0) })
        }
        timeout = try otlp["timeout"]?.duration(atMost: 300) ?? timeout
        serviceName = try settings["service_name"]?.string() ?? serviceName
        sample = try settings["sample"]?.number(in: 0...1) ?? sample
    }

    /// An `http://` or `https://` URL with a host, without a query or a fragment.
    private static func endpoint(_ node: ConfigNode) throws(ConfigProblem) -> String {
        let expectation = "an http:// or https:// URL such as http://127.0.0.1:4318"
        let url = try node.string()
        guard let scheme = ["http://", "https://"].first(where: { url.lowercased().hasPrefix($0) }) else {
            throw node.mismatch(expectation)
        }
        let host = url.dropFirst(scheme.count).prefix { $0 != "/" && $0 != ":" }
        guard !host.isEmpty, !url.contains(where: { $0.isWhitespace || $0 == "?" || $0 == "#" }) else {
            throw node.mismatch(expectation)
        }
        return url
    }
}
