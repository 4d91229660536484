import SpoolCore
import SpoolTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `GET /metrics` of a running `spoold`, read by Prometheus's own Python parser, after a known workload
/// enqueued over the API and run by an exec handler.
@Suite struct MetricsEndpointTests {
    @Test func theDaemonServesItsCountsToAScraperWithAToken() async throws {
        try await TemporarySpool.with { directory in
            let port = freePort()
            try writeScript("\(directory.path)/fail-odd.sh", #"case "$SPOOL_TASK_ID" in odd*) exit 65;; esac"#)
            try SpoolFiles.write(
                apiSection(port: port) + """
                    queues: {work: {handler: run}}
                    handlers:
                      run: {exec: ["\(directory.path)/fail-odd.sh"]}
                    """,
                to: "\(directory.path)/spool.yaml"
            )
            let spool = try directory.open()
            let daemon = try ChildProcess("spoold", ["--spool", directory.path])
            defer { daemon.send(SIGKILL) }
            #expect(await waitForListener(port: port))
            let calls = ["even1", "even2", "even3", "odd1"].map {
                #"call("POST", "/v1/tasks", b'{"id":"\#($0)","queue":"work","type":"t"}')"#
            }
            let answers = try callAPI(port: port, calls)
            #expect(answers.compactMap { $0.arrayValue?.first?.integerValue } == [201, 201, 201, 201])
            #expect(
                await eventually {
                    spool.stats().queues.first { $0.queue == "work" }.map { $0[.done] == 3 && $0[.dead] == 1 } ?? false
                }
            )
            let script = """
                import json, sys, urllib.request, urllib.error
                from prometheus_client.parser import text_string_to_metric_families
                url = "http://127.0.0.1:\(port)/metrics"
                try:
                    urllib.request.urlopen(url)
                    print("open")
                except urllib.error.HTTPError as error:
                    print(error.code)
                request = urllib.request.Request(url, headers={"Authorization": "Bearer \(apiTestToken)"})
                with urllib.request.urlopen(request) as response:
                    print(response.headers["Content-Type"])
                    text = response.read().decode()
                for family in text_string_to_metric_families(text):
                    for sample in family.samples:
                        labels = ",".join(f"{k}={v}" for k, v in sorted(sample.labels.items()))
                        print(f"{sample.name}{{{labels}}}", float(sample.value))
                """
            let run = try ChildProcess.run(repositoryRoot + "/.build/venv/bin/python3", ["-c", script])
            #expect(run.status == 0, "\(run.error)")
            let lines = run.output.split(separator: "\n").map(String.init)
            #expect(lines.first == "401", "a scrape without the token is refused")
            #expect(lines.dropFirst().first?.hasPrefix("text/plain; version=0.0.4") == true)
            let samples = Dictionary(
                lines.dropFirst(2).compactMap { line -> (String, Double)? in
                    let parts = line.split(separator: " ")
                    return parts.count == 2 ? (String(parts[0]), Double(parts[1]) ?? -1) : nil
                },
                uniquingKeysWith: { first, _ in first }
            )
            #expect(samples["spool_tasks_enqueued_total{queue=work,source=library}"] == 4, "\(samples)")
            #expect(samples["spool_tasks_finished_total{outcome=succeeded,queue=work}"] == 3)
            #expect(samples["spool_tasks_finished_total{outcome=dead,queue=work}"] == 1)
            #expect(samples["spool_tasks{queue=work,state=done}"] == 3)
            #expect(samples["spool_tasks{queue=work,state=dead}"] == 1)
            #expect(samples["spool_attempt_duration_seconds_count{queue=work}"] == 4)
            daemon.send(SIGTERM)
            #expect(await daemon.wait() == 0)
        }
    }
}
