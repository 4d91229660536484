import SpoolTestSupport

/// A TCP port on 127.0.0.1 where connecting hangs: a socket listening with a backlog of one, filled and
/// never accepted from, so the kernel drops further connection requests. Run by a Python child process.
struct UnresponsiveListener {
    /// The port.
    let port: Int
    private let child: ChildProcess

    /// Starts the listener, writing its script into `directory`.
    init(in directory: TemporarySpool) async throws {
        let script = "\(directory.path)/unresponsive-listener.py"
        try SpoolFiles.write(
            """
            import socket, time
            server = socket.socket()
            server.bind(("127.0.0.1", 0))
            server.listen(0)
            fillers = []
            for _ in range(3):
                filler = socket.socket()
                filler.setblocking(False)
                filler.connect_ex(server.getsockname())
                fillers.append(filler)
            time.sleep(0.2)
            print(server.getsockname()[1], flush=True)
            time.sleep(120)

            """,
            to: script
        )
        child = try ChildProcess("/usr/bin/env", ["python3", script])
        let deadline = ContinuousClock.now + .seconds(10)
        var port: Int?
        while port == nil {
            guard ContinuousClock.now < deadline else {
                child.send(9)
                _ = await child.wait()
                throw TaskFixture.Failure(description: "the listener did not start: \(child.errorOutput)")
            }
            try await Task.sleep(for: .milliseconds(20))
            port = child.output.split(separator: "\n").first.flatMap { Int($0) }
        }
        self.port = port ?? 0
    }

    /// Stops the listener.
    func stop() {
        child.send(9)  // SIGKILL
        _ = child.wait()
    }
}
