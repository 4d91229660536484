import SpoolCore
import SpoolTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `spoold` with `tracing.otlp.endpoint` exports the spans of a task to an OpenTelemetry collector, in the
/// trace its producer gave, and its exec handler is given the attempt span's context.
@Suite(.timeLimit(.minutes(2))) struct TraceExportTests {
    static let traceID = "4bf92f3577b34da6a3ce929d0e0e4736"
    static let producerSpanID = "00f067aa0ba902b7"

    @Test func spooldExportsATasksSpansInItsProducersTrace() async throws {
        try await OTLPCollector.with { collector in
            try await TemporarySpool.with { directory in
                let handed = "\(directory.path)/traceparent"
                try writeScript(
                    "\(directory.path)/run.sh",
                    #"cat >/dev/null; printf '%s' "$TRACEPARENT" > "\#(handed)""#
                )
                try SpoolFiles.write(
                    """
                    durability: none
                    handlers: {run: {exec: ["\(directory.path)/run.sh"]}}
                    routes: {report: run}
                    tracing:
                      otlp: {endpoint: "\(collector.endpoint)"}
                      service_name: spoold-under-test
                    """,
                    to: "\(directory.path)/spool.yaml"
                )
                let spool = try directory.open(configuration: SpoolConfiguration(durability: .none))
                let daemon = try ChildProcess(
                    "spoold",
                    ["--spool", directory.path, "--log-level", "warning"],
                    environment: ["OTEL_BSP_SCHEDULE_DELAY": "100"]
                )
                defer { daemon.send(SIGKILL) }
                let drop =
                    #"{"id":"traced-1","type":"report","traceparent":"00-\#(Self.traceID)-\#(Self.producerSpanID)-01"}"#
                try SpoolFiles.write(drop, to: "\(directory.path)/incoming/.traced")
                try SpoolFiles.rename(
                    "\(directory.path)/incoming/.traced",
                    to: "\(directory.path)/incoming/traced.json"
                )
                #expect(await eventually(within: 60) { spool.find(id: "traced-1")?.state == .done })
                // The spans still batched are sent at the shutdown.
                daemon.send(SIGTERM)
                #expect(await daemon.waitForExit() == .exited(0), "\(daemon.errorOutput)")

                let traceparent = String(decoding: (try? SpoolFiles.read(handed)) ?? [], as: UTF8.self)
                let parts = traceparent.split(separator: "-").map(String.init)
                try #require(parts.count == 4, "the handler's TRACEPARENT: \(traceparent)")
                #expect(parts[1] == Self.traceID, "the handler is in the producer's trace")

                let exports = collector.exports
                #expect(!exports.isEmpty)
                #expect(exports.allSatisfy { $0.contentType == "application/x-protobuf" })
                // In OTLP's protocol buffers, a Span holds trace_id as field 1, span_id as 2, parent_span_id as 4
                // (each a length-delimited byte string), and its name as 5.
                let inTrace = exports.map { $0.body.occurrences(of: [0x0A, 0x10] + bytes(hex: Self.traceID)) }
                #expect(inTrace.reduce(0, +) >= 4, "enqueue, wait, attempt and finish all in the producer's trace")
                #expect(exports.contains { $0.body.contains([0x22, 0x08] + bytes(hex: Self.producerSpanID)) })
                #expect(
                    exports.contains { $0.body.contains([0x12, 0x08] + bytes(hex: parts[2])) },
                    "the handler's TRACEPARENT names an exported span"
                )
                for text in ["enqueue", "wait", "attempt", "finish", "spool.task.id", "traced-1", "spoold-under-test"] {
                    #expect(exports.contains { $0.body.contains(Array(text.utf8)) }, "\(text)")
                }
            }
        }
    }
}

/// The bytes that hexadecimal digits stand for.
private func bytes(hex: String) -> [UInt8] {
    let digits = Array(hex.utf8)
    return stride(from: 0, to: digits.count - 1, by: 2).compactMap {
        UInt8(String(decoding: digits[$0...$0 + 1], as: UTF8.self), radix: 16)
    }
}

extension [UInt8] {
    /// How many times `pattern` occurs in these bytes.
    fileprivate func occurrences(of pattern: [UInt8]) -> Int {
        guard !pattern.isEmpty, count >= pattern.count else { return 0 }
        return (0...(count - pattern.count)).count { self[$0..<$0 + pattern.count].elementsEqual(pattern) }
    }

    /// Whether `pattern` occurs in these bytes.
    fileprivate func contains(_ pattern: [UInt8]) -> Bool {
        occurrences(of: pattern) > 0
    }
}
