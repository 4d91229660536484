import Testing

@testable import SpoolConfig

/// A configuration text and the one-line error it must give.
struct InvalidConfiguration: CustomTestStringConvertible, Sendable {
    let what: String
    let text: String
    let error: String

    var testDescription: String { what }
}

@Suite struct ConfigurationErrorTests {
    static let topLevelKeys =
        "durability, watch, poll_interval, janitor_interval, lease, timeout, max_attempts, max_task_bytes, retry, "
        + "retention, shutdown_grace, workers, queues, default_concurrency, handlers, routes, api, cron, dead_limit, "
        + "tracing"
    static let execKeys = "exec, env, dir, retry_exit_codes, permanent_exit_codes, kill_grace, max_output"
    static let passwordRule =
        "a password must be given as a bcrypt hash ($2y$ or $2b$, a cost from 04 to 31, then 53 characters),"
        + " as htpasswd -B or spoolctl hash-password print it"
    static let durationSyntax = #"a duration: seconds, or a number with unit ms, s, m, h or d such as "90s" or "1.5h""#

    static let unknownKeys: [InvalidConfiguration] = [
        .init(
            what: "top level",
            text: "durabilty: full\n",
            error: "1:1: unknown key \"durabilty\" at the top level (expected \(topLevelKeys))"
        ),
        .init(
            what: "workers",
            text: "workers:\n  concurency: 4\n",
            error: #"2:3: unknown key "concurency" in workers (expected concurrency, order, claim_window)"#
        ),
        .init(
            what: "queue",
            text: "queues:\n  media:\n    weigth: 2\n",
            error:
                #"3:5: unknown key "weigth" in queues.media (expected concurrency, weight, handler, retention, dead_limit, rate)"#
        ),
        .init(
            what: "retention",
            text: "retention: {failed: 1d}\n",
            error: #"1:13: unknown key "failed" in retention (expected done, dead)"#
        ),
        .init(
            what: "api",
            text: "api: {port: 1}\n",
            error: #"1:7: unknown key "port" in api (expected listen, auth, delay_queue)"#
        ),
        .init(
            what: "exec handler",
            text: "handlers:\n  h:\n    exec: x\n    cmd: y\n",
            error: "4:5: unknown key \"cmd\" in handlers.h (expected \(execKeys))"
        ),
        .init(
            what: "tier",
            text: "retry: {tiers: [{every: 1m, for: 1h, max: 3}]}\n",
            error: #"1:38: unknown key "max" in retry.tiers[0] (expected every, for)"#
        ),
    ]

    static let wrongValues: [InvalidConfiguration] = [
        .init(
            what: "integer",
            text: "max_attempts: many\n",
            error: #"1:15: max_attempts: must be an integer from 1 to 10000, not "many""#
        ),
        .init(
            what: "no value",
            text: "max_attempts:\nlease: 5s\n",
            error: "1:14: max_attempts: must be an integer from 1 to 10000, not empty"
        ),
        .init(
            what: "mapping for a duration",
            text: "lease: {a: 1}\n",
            error: "1:8: lease: must be \(durationSyntax), not a mapping"
        ),
        .init(
            what: "bad duration",
            text: "poll_interval: soon\n",
            error: "1:16: poll_interval: must be \(durationSyntax), not \"soon\""
        ),
        .init(
            what: "zero duration",
            text: "lease: 0s\n",
            error: #"1:8: lease: must be a duration longer than 0 seconds, not "0s""#
        ),
        .init(
            what: "negative duration",
            text: "shutdown_grace: -1s\n",
            error: #"1:17: shutdown_grace: must be a duration of at least 0 seconds, not "-1s""#
        ),
        .init(
            what: "timeout too long",
            text: "timeout: 8d\n",
            error: #"1:10: timeout: must be a duration of at most 7d, not "8d""#
        ),
        .init(
            what: "zero concurrency",
            text: "workers: {concurrency: 0}\n",
            error: #"1:24: workers.concurrency: must be an integer ≥ 1, not "0""#
        ),
        .init(
            what: "zero weight",
            text: "queues:\n  media: {weight: 0}\n",
            error: #"2:19: queues.media.weight: must be an integer from 1 to 1000000, not "0""#
        ),
        .init(
            what: "jitter",
            text: "retry:\n  exponential: {jitter: 1.5}\n",
            error: #"2:25: retry.exponential.jitter: must be a number from 0 to 1, not "1.5""#
        ),
        .init(
            what: "maximum below initial",
            text: "retry: {exponential: {initial: 1m, max: 30s}}\n",
            error: #"1:41: retry.exponential.max: must be a duration of at least initial (1m), not "30s""#
        ),
        .init(
            what: "port",
            text: "api:\n  listen: 127.0.0.1:70000\n",
            error: "2:11: api.listen: port must be from 1 to 65535, not 70000"
        ),
        .init(
            what: "short token",
            text: "api: {auth: {tokens: [abc]}}\n",
            error: "1:23: api.auth.tokens[0]: a token must be 16 to 4096 printable ASCII characters without spaces"
                + " (make one with: head -c 32 /dev/urandom | base64)"
        ),
        .init(
            what: "relative token file",
            text: "api: {auth: {token_file: tokens}}\n",
            error: #"1:26: api.auth.token_file: must be an absolute path, not "tokens""#
        ),
        .init(
            what: "missing token file",
            text: "api: {auth: {token_file: /nonexistent/tokens}}\n",
            error: "1:26: api.auth.token_file: cannot read /nonexistent/tokens (a UTF-8 file of at most 1 MiB)"
        ),
        .init(
            what: "open",
            text: "api: {auth: {open: yes}}\n",
            error: #"1:20: api.auth.open: must be true or false, not "yes""#
        ),
        .init(
            what: "user name",
            text: "api: {auth: {users: {\"ada lovelace\": x}}}\n",
            error: #"1:22: api.auth.users: invalid user name "ada lovelace" (must match [A-Za-z0-9_.@-]{1,64})"#
        ),
        .init(
            what: "password instead of its hash",
            text: "api: {auth: {users: {ada: hunter2-hunter2}}}\n",
            error: "1:27: api.auth.users.ada: \(passwordRule)"
        ),
        .init(
            what: "md5 hash",
            text: "api: {auth: {users: {ada: \"$apr1$5nrp5F7f$4mR0h6mjzcJxCCy0t/MsS.\"}}}\n",
            error: "1:27: api.auth.users.ada: \(passwordRule)"
        ),
        .init(
            what: "relative users file",
            text: "api: {auth: {users_file: htpasswd}}\n",
            error: #"1:26: api.auth.users_file: must be an absolute path, not "htpasswd""#
        ),
        .init(
            what: "secure cookies",
            text: "api: {auth: {secure_cookies: yes}}\n",
            error: #"1:30: api.auth.secure_cookies: must be true, false or auto, not "yes""#
        ),
        .init(
            what: "delay queue",
            text: "api: {delay_queue: Notify}\n",
            error: #"1:20: api.delay_queue: must be a queue name: [a-z0-9_-]{1,64}, not "Notify""#
        ),
        .init(
            what: "address",
            text: "api: {listen: nowhere}\n",
            error: #"1:15: api.listen: must be an address host:port such as 127.0.0.1:8470, or a port, not "nowhere""#
        ),
        .init(
            what: "durability",
            text: "durability: fast\n",
            error: #"1:13: durability: must be full, enqueue or none, not "fast""#
        ),
        .init(what: "watch", text: "watch: fanotify\n", error: #"1:8: watch: must be inotify or poll, not "fanotify""#),
        .init(
            what: "order",
            text: "workers:\n  order: random\n",
            error: #"2:10: workers.order: must be strict or weighted, not "random""#
        ),
        .init(
            what: "exit code",
            text: "handlers:\n  h:\n    exec: x\n    retry_exit_codes: [0]\n",
            error: #"4:24: handlers.h.retry_exit_codes[0]: must be an integer from 1 to 255, not "0""#
        ),
        .init(
            what: "multi-line value",
            text: "durability: |\n  fast\n  er\n",
            error: #"1:13: durability: must be full, enqueue or none, not "fast\ner\n""#
        ),
    ]

    static let names: [InvalidConfiguration] = [
        .init(
            what: "queue name",
            text: "queues:\n  Media: {}\n",
            error: #"2:3: queues: invalid queue name "Media" (must match [a-z0-9_-]{1,64})"#
        ),
        .init(
            what: "handler name",
            text: "handlers:\n  \"re size\": {exec: x}\n",
            error: #"2:3: handlers: invalid handler name "re size" (must match [A-Za-z0-9_.-]{1,64})"#
        ),
        .init(
            what: "task type",
            text: "handlers: {h: {exec: x}}\nroutes:\n  \"a\\tb\": h\n",
            error: #"3:3: routes: invalid task type "a\tb" (1 to 128 characters, no control characters)"#
        ),
        .init(
            what: "variable name",
            text: "handlers:\n  h:\n    exec: x\n    env: {1A: b}\n",
            error: #"4:11: handlers.h.env: invalid variable name "1A" (must match [A-Za-z_][A-Za-z0-9_]*)"#
        ),
        .init(
            what: "route to a missing handler",
            text: "routes:\n  resize: resizer\n",
            error: #"2:11: routes.resize: no handler named "resizer""#
        ),
        .init(
            what: "queue with a missing handler",
            text: "queues:\n  media:\n    handler: nope\n",
            error: #"3:14: queues.media.handler: no handler named "nope""#
        ),
    ]

    static let handlers: [InvalidConfiguration] = [
        .init(
            what: "both kinds",
            text: "handlers:\n  h:\n    exec: x\n    http: http://a/\n",
            error: "4:5: handlers.h: sets both exec and http; a handler is one or the other"
        ),
        .init(
            what: "neither kind",
            text: "handlers:\n  h:\n    env: {A: b}\n",
            error: "3:5: handlers.h: must set exec (a command) or http (a URL template)"
        ),
        .init(
            what: "empty exec vector",
            text: "handlers:\n  h: {exec: []}\n",
            error: "2:13: handlers.h.exec: must not be an empty argument vector"
        ),
        .init(
            what: "empty program",
            text: "handlers:\n  h: {exec: [\"\", x]}\n",
            error: #"2:14: handlers.h.exec[0]: must be a non-empty string, not """#
        ),
        .init(
            what: "null exec",
            text: "handlers:\n  h: {exec: ~}\n",
            error: "2:13: handlers.h.exec: must be a program or an argument vector, not empty"
        ),
        .init(
            what: "http key on an exec handler",
            text: "handlers:\n  h:\n    exec: x\n    method: GET\n",
            error: #"4:5: handlers.h: "method" is for http handlers, and this one is exec"#
        ),
        .init(
            what: "exec key on an http handler",
            text: "handlers:\n  h:\n    http: http://a/\n    env: {}\n",
            error: #"4:5: handlers.h: "env" is for exec handlers, and this one is http"#
        ),
        .init(
            what: "exit code in both lists",
            text: "handlers:\n  h:\n    exec: x\n    retry_exit_codes: [65]\n",
            error: "4:23: handlers.h.retry_exit_codes: 65 is also one of the permanent_exit_codes"
        ),
        .init(
            what: "placeholder",
            text: "handlers:\n  h: {http: \"http://a/{nope}\"}\n",
            error: #"2:13: handlers.h.http: unknown placeholder "{nope}" "#
                + "(expected {id}, {queue}, {type}, {attempt} or {key})"
        ),
        .init(
            what: "unmatched brace",
            text: "handlers:\n  h: {http: \"http://a/{id\"}\n",
            error: #"2:13: handlers.h.http: unmatched "{" in the URL template"#
        ),
        .init(
            what: "header name",
            text: "handlers:\n  h:\n    http: http://a/\n    headers: {\"X Y\": z}\n",
            error: #"4:15: handlers.h.headers: invalid header name "X Y""#
        ),
        .init(
            what: "scheme",
            text: "handlers:\n  h: {http: ftp://x}\n",
            error: "2:13: handlers.h.http: must be an http:// or https:// URL template, "
                + #"or {} when each task brings its own http.url, not "ftp://x""#
        ),
        .init(
            what: "method",
            text: "handlers:\n  h: {http: {}, method: \"GE T\"}\n",
            error: #"2:25: handlers.h.method: must be an HTTP method such as POST, not "GE T""#
        ),
    ]

    static let retries: [InvalidConfiguration] = [
        .init(
            what: "no strategy",
            text: "retry: {}\n",
            error: "1:8: retry: must set one of table, exponential or tiers"
        ),
        .init(
            what: "two strategies",
            text: "retry:\n  table: [1s]\n  tiers: [{every: 1m, for: 1h}]\n",
            error: "3:3: retry: must set only one of table, exponential or tiers, not table and tiers"
        ),
        .init(
            what: "empty table",
            text: "retry: {table: []}\n",
            error: "1:16: retry.table: must list 1 to 100 durations, not 0"
        ),
        .init(
            what: "tier without for",
            text: "retry:\n  tiers: [{every: 1m}]\n",
            error: "2:11: retry.tiers[0]: each tier must set every and for"
        ),
    ]

    static let documents: [InvalidConfiguration] = [
        .init(what: "list at the top", text: "- a\n- b\n", error: "1:1: the top level: must be a mapping, not a list"),
        .init(
            what: "scalar at the top",
            text: "hello\n",
            error: #"1:1: the top level: must be a mapping, not "hello""#
        ),
        .init(what: "list as a key", text: "? [a]\n: 1\n", error: "1:3: the top level: keys must be names, not a list"),
        .init(what: "repeated top-level key", text: "lease: 1s\nlease: 2s\n", error: #"1:1: duplicate key "lease""#),
        .init(
            what: "repeated nested key",
            text: "workers:\n  order: strict\n  order: weighted\n",
            error: #"2:3: duplicate key "order""#
        ),
        .init(
            what: "keys equal as text only",
            text: "queues:\n  1: {}\n  \"1\": {}\n",
            error: #"3:3: queues: duplicate key "1""#
        ),
    ]

    static let crons: [InvalidConfiguration] = [
        .init(what: "cron not a list", text: "cron: {}\n", error: "1:7: cron: must be a list, not a mapping"),
        .init(
            what: "cron entry without spec",
            text: "cron:\n  - name: a\n    task: {type: t}\n",
            error: "2:5: cron[0]: spec: required"
        ),
        .init(
            what: "cron spec",
            text: "cron:\n  - name: a\n    spec: \"61 * * * *\"\n    task: {type: t}\n",
            error: #"3:11: cron[0].spec: cron spec "61 * * * *": minute field: 61 is out of range 0-59"#
        ),
        .init(
            what: "cron zone",
            text: "cron:\n  - {name: a, spec: \"@daily\", time_zone: Moon/Base, task: {type: t}}\n",
            error:
                #"2:42: cron[0].time_zone: time zone "Moon/Base" is not in the tz database (such as Europe/Berlin, or UTC)"#
        ),
        .init(
            what: "cron missed policy",
            text: "cron:\n  - {name: a, spec: \"@daily\", missed: sometimes, task: {type: t}}\n",
            error: #"2:39: cron[0].missed: must be skip, once or all, not "sometimes""#
        ),
        .init(
            what: "cron task without type",
            text: "cron:\n  - {name: a, spec: \"@daily\", task: {queue: q}}\n",
            error: "2:5: cron[0]: cron entry a: task: type: required"
        ),
        .init(
            what: "cron task with id",
            text: "cron:\n  - {name: a, spec: \"@daily\", task: {type: t, id: x}}\n",
            error: "2:5: cron[0]: cron entry a: task: id is set for each tick"
        ),
        .init(
            what: "cron name",
            text: "cron:\n  - {name: \"a b\", spec: \"@daily\", task: {type: t}}\n",
            error: #"2:12: cron[0].name: must be a name matching [A-Za-z0-9_-]{1,45}, not "a b""#
        ),
        .init(
            what: "cron names repeated",
            text:
                "cron:\n  - {name: a, spec: \"@daily\", task: {type: t}}\n  - {name: a, spec: \"@daily\", task: {type: t}}\n",
            error: #"3:5: cron[1]: a second entry named "a""#
        ),
    ]

    @Test(arguments: unknownKeys + wrongValues + names + handlers + retries + documents + crons)
    func reportsOneLineWithPosition(_ invalid: InvalidConfiguration) {
        #expect(throws: ConfigurationError.self) { try DaemonConfiguration.parse(invalid.text, source: "x.yaml") }
        do {
            _ = try DaemonConfiguration.parse(invalid.text, source: "spool.yaml")
        } catch {
            #expect(error.description == "spool.yaml:" + invalid.error)
            #expect(!error.description.contains("\n"))
        }
    }

    @Test(arguments: [
        ("a: [1, 2\nb: 3\n", "spool.yaml:2:2: invalid YAML: "),
        ("key: value\n  bad: indent\n", "spool.yaml:2:6: invalid YAML: "),
        ("a: 1\n---\nb: 2\n", "spool.yaml:2:1: invalid YAML: "),
        ("a: *nope\n", "spool.yaml:1:4: invalid YAML: "),
        ("a: \"x\n", "spool.yaml:2:1: invalid YAML: "),
        ("a: b\nc: \u{1}\n", "spool.yaml:2:4: invalid YAML: "),
    ])
    func reportsYAMLSyntaxErrorsWithYamsPosition(text: String, prefix: String) {
        do {
            _ = try DaemonConfiguration.parse(text, source: "spool.yaml")
            Issue.record("no error for \(text.debugDescription)")
        } catch {
            #expect(error.description.hasPrefix(prefix), "\(error.description)")
            #expect(!error.description.contains("\n"))
        }
    }

    @Test func describesErrorsWithoutPositionBySourceOnly() {
        #expect(ConfigurationError(source: "a.yaml", reason: "no such file").description == "a.yaml: no such file")
        let positioned = ConfigurationError(source: "a.yaml", line: 3, column: 7, reason: "bad\nthing")
        #expect(positioned.description == "a.yaml:3:7: bad thing")
    }
}
