import SpoolCore
import Testing

/// A drop made in code rather than kept in `Fixtures/drops/`: too large to commit (the 1 MiB limit), too
/// regular to be worth a file (nesting 64 deep), or one that `Tests/schema/check_schema.py`, which reads
/// every fixture, cannot judge (the schema does not know the latest due time, the years an offset can
/// leave, leap seconds or grapheme counts).
struct GeneratedDrop: Sendable, CustomTestStringConvertible {
    /// What ingest must make of the drop.
    enum Expectation: Sendable {
        /// Moved to `rejected/` with exactly this reason.
        case rejected(String)
        /// Stored with exactly these bytes (a generated id stands as `DropCorpusTests.generatedID`).
        case stored(@Sendable () -> [UInt8])
    }

    var name: String
    var bytes: @Sendable () -> [UInt8]
    var expectation: Expectation
    /// The drop size limit, when not the default 1 MiB.
    var limit: Int? = nil

    var file: String { "\(name).json" }
    var testDescription: String { name }
}

extension GeneratedDrop {
    static let limit = 1_048_576
    static let now = "2026-11-21T10:00:30.000Z"

    /// The bytes of `text`.
    private static func utf8(_ text: String) -> [UInt8] { Array(text.utf8) }

    /// `{"type":"t",<members>}`.
    private static func task(_ members: String) -> [UInt8] { utf8("{\"type\":\"t\",\(members)}") }

    /// The normal form of a task of type `type` with a generated id, accepted at `now`: `middle` holds the
    /// fields between `run_at` and `created_at`, `tail` those after it (unknown fields, `attempts`, ...).
    private static func normal(
        type: String = "t",
        payload: String = "null",
        runAt: String = now,
        middle: String = "",
        tail: String = ""
    ) -> [UInt8] {
        var text = "{\"id\":\"\(DropCorpusTests.generatedID)\",\"queue\":\"default\",\"type\":\"\(type)\","
        text += "\"payload\":\(payload),\"run_at\":\"\(runAt)\""
        if !middle.isEmpty { text += "," + middle }
        text += ",\"created_at\":\"\(now)\""
        if !tail.isEmpty { text += "," + tail }
        return utf8(text + "}\n")
    }

    private static func rejected(_ name: String, _ bytes: @escaping @Sendable () -> [UInt8], _ reason: String)
        -> GeneratedDrop
    {
        GeneratedDrop(name: name, bytes: bytes, expectation: .rejected(reason))
    }

    private static func stored(
        _ name: String,
        _ bytes: @escaping @Sendable () -> [UInt8],
        _ normal: @escaping @Sendable () -> [UInt8]
    ) -> GeneratedDrop {
        GeneratedDrop(name: name, bytes: bytes, expectation: .stored(normal))
    }

    static var all: [GeneratedDrop] { sizes + nesting + times + lengths }

    // MARK: - Sizes, around the 1 MiB limit

    static var sizes: [GeneratedDrop] {
        // `{"type":"t","payload":"` and `"}` around the padding.
        let padding = limit - 25
        let pad: @Sendable (Int) -> String = { String(repeating: "x", count: $0) }
        let digits = String(repeating: "9", count: 40)
        let keys = (0..<60_000).map { "\"f\($0)\":\($0)" }.joined(separator: ",")
        let elements = "[" + Array(repeating: "0", count: 500_000).joined(separator: ",") + "]"
        return [
            stored(
                "size-at-limit",
                { task("\"payload\":\"\(pad(padding))\"") },
                { normal(payload: "\"\(pad(padding))\"") }
            ),
            stored(
                "size-one-under-limit",
                { task("\"payload\":\"\(pad(padding - 1))\"") },
                { normal(payload: "\"\(pad(padding - 1))\"") }
            ),
            rejected(
                "size-one-past-limit",
                { task("\"payload\":\"\(pad(padding + 1))\"") },
                "too large: 1048577 bytes (limit 1048576)"
            ),
            stored(
                "whitespace-padded-to-limit",
                { utf8("{\"type\":\"t\"}" + String(repeating: " ", count: limit - 12)) },
                { normal() }
            ),
            rejected(
                "whitespace-padded-one-past-limit",
                { utf8("{\"type\":\"t\"}" + String(repeating: "\n", count: limit - 11)) },
                "too large: 1048577 bytes (limit 1048576)"
            ),
            stored(
                "number-of-a-megabyte-in-payload",
                { task("\"payload\":" + String(repeating: "7", count: limit - 23)) },
                { normal(payload: String(repeating: "7", count: limit - 23)) }
            ),
            rejected(
                "number-of-a-megabyte-in-timeout",
                { task("\"timeout\":" + String(repeating: "9", count: limit - 23)) },
                "timeout: \(digits)… is out of range (0 to 604800)"
            ),
            rejected(
                "number-of-a-megabyte-in-max-attempts",
                { task("\"max_attempts\":" + String(repeating: "9", count: limit - 28)) },
                "max_attempts: \(digits)… is out of range (1 to 10000)"
            ),
            stored(
                "fraction-of-a-megabyte-in-delay",
                { task("\"delay\":0." + String(repeating: "0", count: limit - 30) + "1") },
                { normal() }
            ),
            stored(
                "unknown-key-of-a-megabyte",
                { task("\"\(String(repeating: "k", count: limit - 17))\":1") },
                { normal(tail: "\"\(String(repeating: "k", count: limit - 17))\":1") }
            ),
            rejected(
                "duplicate-key-of-half-a-megabyte",
                {
                    let key = String(repeating: "k", count: 500_000)
                    return task("\"\(key)\":1,\"\(key)\":2")
                },
                "invalid JSON: duplicate key \"\(String(repeating: "k", count: 60))…\" at byte 500017"
            ),
            stored("60000-unknown-fields", { task(keys) }, { normal(tail: keys) }),
            stored("half-a-million-array-elements", { task("\"payload\":\(elements)") }, { normal(payload: elements) }),
            rejected(
                "type-of-a-megabyte",
                { utf8("{\"type\":\"\(String(repeating: "t", count: limit - 12))\"}") },
                "type: longer than 128 characters"
            ),
            GeneratedDrop(
                name: "attempt-error-of-a-mebibyte",
                bytes: { task("\"attempts\":[{\"error\":\"\(String(repeating: "e", count: 1 << 20))\"}]") },
                expectation: .stored({
                    normal(
                        tail: "\"attempts\":[{\"attempt\":1,\"finished_at\":\"1970-01-01T00:00:00.000Z\",\"error\":\""
                            + String(repeating: "e", count: 1 << 20) + "\"}]"
                    )
                }),
                limit: 3 << 20
            ),
            GeneratedDrop(
                name: "attempt-error-one-past-a-mebibyte",
                bytes: { task("\"attempts\":[{\"error\":\"\(String(repeating: "e", count: (1 << 20) + 1))\"}]") },
                expectation: .rejected("attempts: error: longer than 1048576 characters"),
                limit: 3 << 20
            ),
        ]
    }

    // MARK: - Nesting, around 64 levels

    /// `levels` nested containers around `0`, alternating arrays and objects when `mixed`, objects only
    /// when `objects`, arrays otherwise; and the byte offset of the last opener inside the container.
    private static func nested(_ levels: Int, objects: Bool = false, mixed: Bool = false) -> (String, Int) {
        var openers: [String] = []
        for level in 0..<levels {
            let isObject = mixed ? level % 2 == 1 : objects
            openers.append(isObject ? "{\"a\":" : "[")
        }
        let closers = openers.reversed().map { $0 == "[" ? "]" : "}" }
        return (openers.joined() + "0" + closers.joined(), openers.dropLast().map(\.utf8.count).reduce(0, +))
    }

    static var nesting: [GeneratedDrop] {
        // The top-level object is the first level: a payload may nest 63 more.
        let payloadAt = 22  // `{"type":"t","payload":`
        var drops: [GeneratedDrop] = []
        for (kind, objects, mixed) in [("arrays", false, false), ("objects", true, false), ("mixed", false, true)] {
            let (fits, _) = nested(63, objects: objects, mixed: mixed)
            let (deeper, offset) = nested(64, objects: objects, mixed: mixed)
            drops.append(stored("\(kind)-64-deep", { task("\"payload\":\(fits)") }, { normal(payload: fits) }))
            drops.append(
                rejected(
                    "\(kind)-65-deep",
                    { task("\"payload\":\(deeper)") },
                    "invalid JSON: nesting deeper than 64 at byte \(payloadAt + offset)"
                )
            )
        }
        let (fits, _) = nested(63, objects: true)
        let (deeper, offset) = nested(64)
        drops += [
            rejected(
                "hundred-thousand-open-brackets",
                { task("\"payload\":" + String(repeating: "[", count: 100_000)) },
                "invalid JSON: nesting deeper than 64 at byte 85"
            ),
            stored("http-64-deep", { task("\"http\":\(fits)") }, { normal(middle: "\"http\":\(fits)") }),
            stored("unknown-field-64-deep", { task("\"x\":\(fits)") }, { normal(tail: "\"x\":\(fits)") }),
            rejected(
                "result-65-deep",
                { task("\"result\":\(deeper)") },
                "invalid JSON: nesting deeper than 64 at byte \(21 + offset)"
            ),
            rejected(
                "attempt-entry-65-deep",
                { task("\"attempts\":[{\"x\":\(nested(62).0)}]") },
                "invalid JSON: nesting deeper than 64 at byte 90"
            ),
        ]
        return drops
    }

    // MARK: - Times

    static var times: [GeneratedDrop] {
        let latestDue = "run_at: must be before 2286-11-20T17:46:39.999Z"
        return [
            rejected("run-at-at-latest-due", { task("\"run_at\":\"2286-11-20T17:46:39.999Z\"") }, latestDue),
            rejected("run-at-in-year-9999", { task("\"run_at\":\"9999-01-01T00:00:00Z\"") }, latestDue),
            rejected("run-at-unix-at-latest-due", { task("\"run_at\":9999999999.999") }, latestDue),
            rejected("run-at-unix-maximum", { task("\"run_at\":253402300799.999") }, latestDue),
            stored(
                "run-at-unix-just-before-latest-due",
                { task("\"run_at\":9999999999.998") },
                { normal(runAt: "2286-11-20T17:46:39.998Z") }
            ),
            stored(
                "run-at-leap-second",
                { task("\"run_at\":\"2026-06-30T23:59:60Z\"") },
                { normal(runAt: "2026-06-30T23:59:59.000Z") }
            ),
            stored(
                "run-at-before-1970",
                { task("\"run_at\":\"1969-12-31T23:59:59.999Z\"") },
                { normal(runAt: "1969-12-31T23:59:59.999Z") }
            ),
            stored(
                "deadline-in-year-0000",
                { task("\"deadline\":\"0000-01-01T00:00:00Z\"") },
                { normal(middle: "\"deadline\":\"0000-01-01T00:00:00.000Z\"") }
            ),
            stored(
                "deadline-last-millisecond-by-offset",
                { task("\"deadline\":\"9999-12-31T22:59:59.999-01:00\"") },
                { normal(middle: "\"deadline\":\"9999-12-31T23:59:59.999Z\"") }
            ),
            rejected(
                "deadline-after-year-9999-by-offset",
                { task("\"deadline\":\"9999-12-31T23:59:59-01:00\"") },
                "deadline: \"9999-12-31T23:59:59-01:00\" is after 9999-12-31T23:59:59.999Z in UTC"
            ),
            rejected(
                "run-at-before-year-0000-by-offset",
                { task("\"run_at\":\"0000-01-01T00:00:00+01:00\"") },
                "run_at: \"0000-01-01T00:00:00+01:00\" is before 0000-01-01T00:00:00.000Z in UTC"
            ),
            rejected(
                "created-at-before-year-0000-by-offset",
                { task("\"created_at\":\"0000-01-01T00:00:00.000+00:01\"") },
                "created_at: \"0000-01-01T00:00:00.000+00:01\" is before 0000-01-01T00:00:00.000Z in UTC"
            ),
            rejected(
                "finished-at-after-year-9999-by-offset",
                { task("\"finished_at\":\"9999-12-31T23:59:59.999-00:01\"") },
                "finished_at: \"9999-12-31T23:59:59.999-00:01\" is after 9999-12-31T23:59:59.999Z in UTC"
            ),
            rejected(
                "attempt-started-at-after-year-9999-by-offset",
                { task("\"attempts\":[{\"started_at\":\"9999-12-31T23:59:00-12:00\"}]") },
                "attempts: started_at: \"9999-12-31T23:59:00-12:00\" is after 9999-12-31T23:59:59.999Z in UTC"
            ),
            rejected(
                "tiers-100001-retries",
                { task("\"backoff\":{\"strategy\":\"tiers\",\"tiers\":[{\"every\":1,\"for\":100001}]}") },
                "backoff: tiers: at most 100000 retries a tier"
            ),
            stored(
                "tiers-100000-retries-of-a-millisecond",
                { task("\"backoff\":{\"strategy\":\"tiers\",\"tiers\":[{\"every\":0.001,\"for\":100}]}") },
                { normal(middle: "\"backoff\":{\"strategy\":\"tiers\",\"tiers\":[{\"every\":0.001,\"for\":100}]}") }
            ),
            GeneratedDrop(
                name: "created-at-given-without-run-at",
                bytes: { task("\"created_at\":\"2026-01-01T00:00:00Z\"") },
                expectation: .stored({
                    utf8(
                        "{\"id\":\"\(DropCorpusTests.generatedID)\",\"queue\":\"default\",\"type\":\"t\","
                            + "\"payload\":null,\"run_at\":\"\(now)\",\"created_at\":\"2026-01-01T00:00:00.000Z\"}\n"
                    )
                })
            ),
            // The same, with a created_at past the latest due time: as run_at, it would be refused when read.
            GeneratedDrop(
                name: "created-at-in-year-4052-without-run-at",
                bytes: { task("\"created_at\":\"4052-11-21T10:00:30Z\"") },
                expectation: .stored({
                    utf8(
                        "{\"id\":\"\(DropCorpusTests.generatedID)\",\"queue\":\"default\",\"type\":\"t\","
                            + "\"payload\":null,\"run_at\":\"\(now)\",\"created_at\":\"4052-11-21T10:00:30.000Z\"}\n"
                    )
                })
            ),
        ]
    }

    // MARK: - Lengths in user-perceived characters

    static var lengths: [GeneratedDrop] {
        let combined: @Sendable (Int) -> String = { String(repeating: "e\u{301}", count: $0) }
        let flags: @Sendable (Int) -> String = { String(repeating: "\u{1F1EB}\u{1F1F7}", count: $0) }
        return [
            stored(
                "type-128-combined-characters",
                { utf8("{\"type\":\"\(combined(128))\"}") },
                { normal(type: combined(128)) }
            ),
            rejected(
                "type-129-combined-characters",
                { utf8("{\"type\":\"\(combined(129))\"}") },
                "type: longer than 128 characters"
            ),
            stored(
                "key-256-flags",
                { task("\"key\":\"\(flags(256))\"") },
                { normal(middle: "\"key\":\"\(flags(256))\"") }
            ),
            rejected(
                "unique-key-257-flags",
                { task("\"unique_key\":\"\(flags(257))\"") },
                "unique_key: longer than 256 characters"
            ),
        ]
    }
}
