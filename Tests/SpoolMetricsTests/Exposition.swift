import SpoolTestSupport
import Testing

/// An exposition as Python's `prometheus_client` reads it (`text_string_to_metric_families`), in a child
/// process: the reference parser of the Prometheus project, so that what Prometheus would scrape is checked,
/// not what our own emitter meant to write.
struct Exposition {
    /// Each sample's value, keyed by ``key(_:_:)``.
    private(set) var values: [String: Double] = [:]
    /// Each sample's metric family type (`counter`, `gauge`, `histogram`), keyed by ``key(_:_:)``.
    private(set) var types: [String: String] = [:]

    /// The Python of the virtual environment `make test-deps` makes, as the schema check uses.
    static let python = repositoryRoot + "/.build/venv/bin/python3"
    private static let repositoryRoot = String(#filePath).split(separator: "/").dropLast(3).map { "/\($0)" }.joined()

    /// Prints one line per sample: the family's type, the sample's name with its labels sorted, its value.
    private static let script = """
        import sys
        from prometheus_client.parser import text_string_to_metric_families
        for family in text_string_to_metric_families(sys.stdin.read()):
            for sample in family.samples:
                labels = ",".join(f"{k}={v}" for k, v in sorted(sample.labels.items()))
                print(family.type, f"{sample.name}{{{labels}}}", repr(float(sample.value)))
        """

    /// Parses `text`; records an issue, and returns no samples, when the parser refuses it.
    init(_ text: [UInt8]) throws {
        let result = try ChildProcess.run(
            Exposition.python,
            ["-c", Exposition.script],
            input: String(decoding: text, as: UTF8.self)
        )
        guard result.status == 0 else {
            Issue.record("prometheus_client refused the exposition (run make test-deps): \(result.error)")
            return
        }
        for line in result.output.split(separator: "\n") {
            let fields = line.split(separator: " ")
            guard fields.count == 3, let value = Double(fields[2]) else {
                Issue.record("unexpected line from the parser: \(line)")
                continue
            }
            values[String(fields[1])] = value
            types[String(fields[1])] = String(fields[0])
        }
    }

    /// The key of sample `name` with `labels`: `name{label=value,...}`, labels sorted by name.
    static func key(_ name: String, _ labels: [String: String] = [:]) -> String {
        "\(name){\(labels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ","))}"
    }

    /// The value of sample `name` with `labels`; `nil` if there is none.
    subscript(_ name: String, _ labels: [String: String] = [:]) -> Double? {
        values[Exposition.key(name, labels)]
    }

    /// The samples whose name starts with `prefix` and that differ from `expected`, one line each: every
    /// counter, gauge and histogram count, but not histogram buckets and sums (whose values depend on timing).
    func differences(from expected: [String: Double], prefix: String) -> [String] {
        let compared = values.filter { key, _ in
            let name = key.prefix { $0 != "{" }
            return name.hasPrefix(prefix) && !name.hasSuffix("_bucket") && !name.hasSuffix("_sum")
        }
        return Set(compared.keys).union(expected.keys).sorted().compactMap { key in
            guard compared[key] != expected[key] else { return nil }
            return
                "\(key): \(compared[key].map { "\($0)" } ?? "missing"), expected \(expected[key].map { "\($0)" } ?? "none")"
        }
    }
}
