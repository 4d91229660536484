import NIOPosix

/// Runs `body`, which reads or writes the spool, on NIO's pool of blocking threads, never on an event
/// loop: a slow disk delays that request, not every connection the loop serves.
func offLoop<Value: Sendable>(_ body: @escaping @Sendable () throws -> Value) async throws -> Value {
    try await NIOThreadPool.singleton.runIfActive(body)
}
