public import SpoolCore

extension Spool {
    /// Claims the oldest task of `queue` this process can get, or `nil` if none waits: a test's worker.
    public func claimNext(queue: String = "default") throws -> ClaimedTask? {
        for name in try oldestActive(queue: queue, limit: 10).names {
            if let task = try claim(name, queue: queue) { return task }
        }
        return nil
    }
}
