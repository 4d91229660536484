#if canImport(Glibc)
import Glibc
#endif

/// Wall-clock time in microseconds since the Unix epoch, comparable across the benchmark's processes.
enum BenchClock {
    static func microseconds() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return Int64(now.tv_sec) * 1_000_000 + Int64(now.tv_nsec) / 1000
    }

    /// Seconds elapsed since `start` (from ``microseconds()``).
    static func seconds(since start: Int64) -> Double {
        Double(microseconds() - start) / 1_000_000
    }
}
