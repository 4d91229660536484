import Subprocess

extension BoundedBytes {
    /// Reads `stream` to its end, keeping the first `limit` bytes and discarding the rest, so that a command
    /// writing more than the limit is never blocked on a full pipe.
    static func drain(_ stream: SubprocessOutputSequence, limit: Int) async throws -> BoundedBytes {
        var kept = BoundedBytes(limit: limit)
        for try await buffer in stream where !kept.truncated {
            buffer.withUnsafeBytes { kept.append($0) }
        }
        return kept
    }
}
