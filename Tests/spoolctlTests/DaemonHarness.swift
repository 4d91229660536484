import SpoolCore
import SpoolSystem
import SpoolTestSupport

#if canImport(Glibc)
import Glibc
#endif

/// Seconds since `start` on the system clock.
func seconds(since start: Timestamp) -> Double {
    Double(SystemClock().now.milliseconds - start.milliseconds) / 1000
}

/// Writes an executable shell script at `path`.
/// The JSON values of `text`, one per line (JSON Lines, as `spoolctl --json` prints).
func jsonLines(_ text: String) throws -> [JSONValue] {
    try text.split(separator: "\n").map { try JSONParser.parse(Array($0.utf8)) }
}

func writeScript(_ path: String, _ body: String) throws {
    try SpoolFiles.write("#!/bin/sh\n" + body + "\n", to: path)
    chmod(path, 0o755)
}

/// Sets up `directory` for daemons running one slow exec handler: queue `work` runs a script that appends
/// `start <attempt>` to `log`, sleeps `seconds` (in a child of its own process group), then appends
/// `end <attempt>`; retries come 100 ms after a failure. `settings` are added to `spool.yaml`.
func writeSlowHandlerSpool(_ directory: TemporarySpool, log: String, seconds: Int, settings: String = "") throws {
    try writeScript(
        "\(directory.path)/slow.sh",
        """
        echo "start $SPOOL_TASK_ATTEMPT" >> "\(log)"
        sleep \(seconds) &
        wait
        echo "end $SPOOL_TASK_ATTEMPT" >> "\(log)"
        """
    )
    try SpoolFiles.write(
        settings + """
            retry: {table: [100ms]}
            queues: {work: {handler: slow}}
            handlers:
              slow: {exec: ["\(directory.path)/slow.sh"]}
            """,
        to: "\(directory.path)/spool.yaml"
    )
}

/// The lines of the text file at `path`; none if it does not exist.
func lines(of path: String) -> [String] {
    String(decoding: (try? SpoolFiles.read(path)) ?? [], as: UTF8.self).split(separator: "\n").map(String.init)
}

/// Makes the HTTP `calls` to the API on 127.0.0.1:`port` from a Python client, each a Python expression
/// `call(METHOD, PATH[, BODY])`; returns `[status, body]` for each, in order.
func callAPI(port: Int, _ calls: [String]) throws -> [JSONValue] {
    let client = """
        import json, urllib.request, urllib.error
        def call(method, path, body=None):
            headers = {"Authorization": "Bearer \(apiTestToken)", "Content-Type": "application/json"}
            request = urllib.request.Request(
                "http://127.0.0.1:\(port)" + path, method=method, data=body, headers=headers)
            try:
                with urllib.request.urlopen(request) as response:
                    return response.status, json.load(response)
            except urllib.error.HTTPError as error:
                return error.code, json.load(error)
        print(json.dumps([\(calls.joined(separator: ", "))]))
        """
    let result = try ChildProcess.run("/usr/bin/env", ["python3", "-c", client])
    guard result.status == 0 else { throw SpoolError(.io, "the API client failed: \(result.error)") }
    return try JSONParser.parse(Array(result.output.utf8)).arrayValue ?? []
}

/// The token the daemons of these tests accept.
let apiTestToken = "spool-test-token-0123456789"

/// The `api` section of a test's spool.yaml: listening on `port` of 127.0.0.1, with ``apiTestToken``.
func apiSection(port: Int) -> String {
    "api: {listen: \"127.0.0.1:\(port)\", auth: {tokens: [\(apiTestToken)]}}\n"
}

/// The repository root, found from this file's path.
let repositoryRoot = String(#filePath).split(separator: "/").dropLast(3).map { "/\($0)" }.joined()

/// A TCP port that was free a moment ago on 127.0.0.1.
func freePort() -> Int {
    let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(socket) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
            bind(socket, pointer, length)
            return getsockname(socket, pointer, &length)
        }
    }
    return Int(UInt16(bigEndian: address.sin_port))
}

/// Waits until something accepts connections on 127.0.0.1:`port`.
func waitForListener(port: Int) async -> Bool {
    await eventually {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }
}

/// `spoold` with its wall clock moved by `offset`, through the `faketime` wrapper (libfaketime), which
/// runs it as its child. The monotonic clocks are left alone, as a wall-clock jump leaves them: the
/// runtime times its sleeps with them.
func fakedSpoold(_ offset: String, _ arguments: String...) throws -> ChildProcess {
    try ChildProcess(
        "/usr/bin/env",
        ["FAKETIME_DONT_FAKE_MONOTONIC=1", "/usr/bin/faketime", "-f", offset, "\(ChildProcess.buildFolder)/spoold"]
            + arguments
    )
}

/// Sends SIGTERM to the daemon under `wrapper`; the wrapper then exits with its status.
func stopFaked(_ wrapper: ChildProcess) {
    let children = (try? SpoolFiles.read("/proc/\(wrapper.pid)/task/\(wrapper.pid)/children")) ?? []
    for pid in String(decoding: children, as: UTF8.self).split(separator: " ").compactMap({ Int32($0) }) {
        kill(pid, SIGTERM)
    }
}
