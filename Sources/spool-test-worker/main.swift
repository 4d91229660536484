// spool-test-worker: a small command-line tool the crash and race tests run as a child process.
//
// It performs one spool operation, optionally under a fault plan that SIGKILLs the process just before a
// chosen system call, so that a test can look at what a crash at that instant leaves behind. Arguments are
// parsed by hand (no ArgumentParser) to keep the tool's own system calls few and predictable.
//
//   spool-test-worker enqueue <spool> <count> [--id-prefix P] [--delay SECONDS] [--queue Q] [--unique-key K]
//                             [--crash-at CALL:N]
//       Enqueues <count> tasks of type "test" with payload {"n": i} (i from 0). With --id-prefix the task ids
//       are "<P>-<i>" (producer ids, reserved in ids/); without it Spool generates ULIDs. With --delay the
//       tasks are due SECONDS from now (scheduled/), otherwise now (active/). With --unique-key task i holds the
//       unique key "<K>-<i>". Prints one id per line.
//
//   spool-test-worker ingest <spool> <drop-name> [--crash-at CALL:N | --stop-at CALL:N]
//       Ingests incoming/<drop-name>. Prints "accepted <id> <queue>", "rejected <name>" or "skipped".
//
//   spool-test-worker enqueue-group <spool> <group-id> [--crash-at CALL:N]
//       Enqueues the group of the workflow crash tests (``TestWorker/crashGroup(id:)``): three members of type
//       "test" in queue "default", the first with the id "<group-id>-m0" (reserved in ids/), the others with
//       generated ids, and a callback of type "callback" in queue "callback". Prints "group <id> <member ids>".
//
//   spool-test-worker claim <spool> <queue> <then> [--crash-at CALL:N | --stop-at CALL:N]
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
//   spool-test-worker produce <spool> <ack-log> [--durability D] [--run TAG] [--id-every N] [--delay-every N]
//                             [--batch-every N] [--burst N --pause-ms MS] [--skip-call CALL]
//       The load of the power-loss tests: enqueues tasks of type "test" with payload {"run": TAG, "n": i}
//       (i from 0, TAG default "p") until killed, and after each enqueue returned appends "<id>\n" to
//       <ack-log> (O_APPEND|O_CREAT, one write(2) per line), so line i of the log is task i. Every N-th task
//       (--id-every, default 3; 0 for none) has the id "<TAG>-<i>", the others a generated ULID; every N-th
//       (--delay-every, default 5; 0 for none) is due 1 to 90 seconds from now (scheduled/), the others now.
//       With --batch-every N every N-th call is a batch enqueue (enqueue(contentsOf:)) of the next 8 tasks,
//       whose ids are appended with one write(2) once it returned. With --burst N --pause-ms MS it sleeps MS
//       milliseconds after every N calls. D is the durability level (full, enqueue or none; default enqueue).
//
//   spool-test-worker work <spool> <finish-log> [--durability D] [--queue Q] [--skip-call CALL]
//       Claims due tasks of <queue> (default "default") until killed. Of every ten claims, one fails and is
//       retried in an hour, one fails permanently (dead/), two succeed with a result and six succeed bare.
//       After each move to done/ or dead/ returned it appends "<id> done\n" or "<id> dead\n" to <finish-log>.
//
//   spool-test-worker recover <spool> [--durability D]
//       What a daemon does at start after a power loss: one janitor pass, then a sweep promoting every task
//       due by now; waits for deferred deletions. Prints "janitor <report>".
//
//   spool-test-worker cron <spool> <spec> <start-ms> <ticks> [--at MS]
//       A cron scheduler racing others: schedules entry "race" (<spec>, UTC) from <start-ms>, and fires its
//       next <ticks> ticks as fast as it can, each at its own time, after waiting until wall-clock time MS
//       (--at, so that racing processes start together). Prints "fired <id>" for each tick it fired itself.
//
// --crash-at CALL:N installs SyscallFaults().inject(.crash, into: CALL, after: N) around the operation only
// (the spool is opened before it): the process SIGKILLs itself just before the (N+1)-th call named CALL.
// CALL is one of the names in `crashableCalls`. Debug builds only (ENABLE_MOCKING); a release build refuses.
//
// --stop-at CALL:N (claim only) installs SyscallFaults().inject(.stop, into: CALL, after: N) likewise: the process
// stops itself with SIGSTOP just before the (N+1)-th call named CALL, and makes the call once it gets SIGCONT,
// so that a test can act on the spool at that instant. Debug builds only.
//
// --skip-call CALL (CALL one of fsync, fdatasync, syncfs) installs SyscallFaults().inject(.skip, into: CALL)
// for the whole run: every such call is skipped and reports success, a deliberately weakened Spool for the
// power-loss tests to catch. Debug builds only, like --crash-at.
//
// Exit status: 0 done, 1 the operation failed (message on stderr), 2 bad usage, 3 nothing to claim.

#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Musl)
@preconcurrency import Musl
#endif

exit(TestWorker.main(Array(CommandLine.arguments.dropFirst())))
