// spool-test-worker: a small command-line tool the crash and race tests run as a child process.
//
// It performs one spool operation, optionally under a fault plan that SIGKILLs the process just before a
// chosen system call, so that a test can look at what a crash at that instant leaves behind. Arguments are
// parsed by hand (no ArgumentParser) to keep the tool's own system calls few and predictable.
//
//   spool-test-worker enqueue <spool> <count> [--id-prefix P] [--delay SECONDS] [--queue Q] [--crash-at CALL:N]
//       Enqueues <count> tasks of type "test" with payload {"n": i} (i from 0). With --id-prefix the task ids
//       are "<P>-<i>" (producer ids, reserved in ids/); without it Spool generates ULIDs. With --delay the
//       tasks are due SECONDS from now (scheduled/), otherwise now (active/). Prints one id per line.
//
//   spool-test-worker ingest <spool> <drop-name> [--crash-at CALL:N]
//       Ingests incoming/<drop-name>. Prints "accepted <id> <queue>", "rejected <name>" or "skipped".
//
//   spool-test-worker claim <spool> <queue> <then> [--crash-at CALL:N]
//       <then>: complete | complete-result | fail | fail-permanent | hand-back
//       Claims the oldest task of active/<queue>/ and applies the outcome: complete (bare rename to done/),
//       complete-result (rewrite with result {"ok": true}, then done/), fail (a failed attempt, retried by
//       the task's backoff or dead when spent), fail-permanent (dead/), hand-back (back to active/, no
//       attempt counted). The crash point covers the WHOLE sequence: listing active/, the claim (utimensat,
//       rename into running/, read) and the outcome, counted from the first call after the spool is open.
//       Exits 3 if there was nothing to claim.
//
//   spool-test-worker drain <spool> <queue> <log-file>
//       Claims tasks until active/<queue>/ is empty (durability none); for each claimed task appends one
//       line "<id> <attempt> <pid>\n" to <log-file> (O_APPEND|O_CREAT, one write(2) per line), then
//       completes it. Prints "drained <count>".
//
// --crash-at CALL:N installs SyscallFaults().inject(.crash, into: CALL, after: N) around the operation only
// (the spool is opened before it): the process SIGKILLs itself just before the (N+1)-th call named CALL.
// CALL is one of the names in `crashableCalls`. Debug builds only (ENABLE_MOCKING); a release build refuses.
//
// Exit status: 0 done, 1 the operation failed (message on stderr), 2 bad usage, 3 nothing to claim.

#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Musl)
@preconcurrency import Musl
#endif

exit(TestWorker.main(Array(CommandLine.arguments.dropFirst())))
