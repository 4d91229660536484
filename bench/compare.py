#!/usr/bin/env python3
"""Prints a Markdown report of Spool's benchmark figures side by side with the peer queues' and limit.c's.

Inputs (JSON lines; a missing file or workload shows as "not run"):
  --peers-results  lines of the peers' bench_peers.py, with its "machine" line
  --limit          lines of limit.c ("peer": "limit.c"); other lines in that file are ignored
  --spool          lines of spool-bench ("peer": "spool", and "xargs" for W5)
Several runs of one peer/setting/variant are reduced as `bench_peers.py --markdown` does: median tasks/s,
for W3 the median p50 and p99 and the max of max. Compare figures only within one run on one machine.
"""
import argparse
import datetime
import json
import os
import statistics
import sys

NOT_RUN = "not run"
SPOOL_W1 = ("call", "batch", "none", "python-drop", "python-drop-batch", "python-drop-nosync")


def load(path, keep):
    """The records of the JSON-lines file at path whose "peer" passes keep(); [] when there is no file."""
    if not path or not os.path.exists(path):
        return []
    recs = []
    with open(path) as f:
        for number, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
            except json.JSONDecodeError:
                print(f"{path}:{number}: not JSON, skipped", file=sys.stderr)
                continue
            if keep(rec.get("peer")):
                recs.append(rec)
    return recs


def reduce(runs):
    """One record for several runs: the last run, with the medians (and W3 extremes) over all runs."""
    out = dict(runs[-1], runs=len(runs), partial=any(r.get("partial") for r in runs))
    for key, fn in (("per_s", statistics.median), ("late_ms_p50", statistics.median),
                    ("late_ms_p99", statistics.median), ("late_ms_max", max), ("late_ms_min", min)):
        values = [r[key] for r in runs if r.get(key) is not None]
        if values:
            out[key] = fn(values)
    return out


def group(recs):
    """{(workload, peer, setting, variant): reduced record} over the records without an error."""
    runs = {}
    for r in recs:
        if "error" not in r:
            runs.setdefault((r.get("workload"), r["peer"], r.get("setting"), r.get("variant")), []).append(r)
    return {key: reduce(v) for key, v in sorted(runs.items(), key=lambda kv: [str(x) for x in kv[0]])}


def num(x):
    return NOT_RUN if x is None else f"{x:,.0f}"


def ms(x):
    return NOT_RUN if x is None else f"{x:.1f}"


def div(a, b):
    return None if a is None or not b else a / b


def times(x):
    if x is None:
        return NOT_RUN
    return f"{x:.2f}x" if x >= 0.01 else f"{x:.2g}x"  # two significant digits when tiny


def table(header, rows):
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for row in rows:
        print("| " + " | ".join(str(c) for c in row) + " |")
    print()


class Report:
    def __init__(self, peers, limit, spool):
        self.peers = group([r for r in peers if r.get("peer") not in ("machine", "limit.c")])
        self.spool = group(spool)
        self.limit = {r["case"]: r for r in limit}  # the last line of each case, as --markdown does
        self.errors = [r for r in peers + spool if "error" in r]

    def peer_rows(self, *workloads):
        return [r for (wl, *_), r in self.peers.items() if wl in workloads]

    def sp(self, workload, setting=None, peer="spool"):
        """Spool's reduced record for a workload (and setting), or None."""
        for (wl, p, s, _), r in self.spool.items():
            if wl == workload and p == peer and setting in (None, s):
                return r
        return None

    def sp_val(self, workload, setting):
        """Spool's tasks/s for a workload (and setting), or None."""
        r = self.sp(workload, setting)
        return r.get("per_s") if r else None

    def sp_all(self, workload):
        return [r for (wl, *_), r in self.spool.items() if wl == workload]

    def lim(self, case, field):
        return self.limit.get(case, {}).get(field)

    def peer_val(self, workload, peer, setting):
        r = self.peers.get((workload, peer, setting, None))
        return r.get("per_s") if r else None

    def fastest_peer(self, workload, field):
        """(value, "peer setting") of the peer row with the largest field, or (None, "")."""
        rows = [r for r in self.peer_rows(workload) if r.get(field) is not None]
        if not rows:
            return None, ""
        best = max(rows, key=lambda r: r[field])
        return best[field], f"{best['peer']} {best['setting']}"

    # ---------------------------------------------------------------- throughput sections
    def throughput(self, title, spool_rows, peer_workloads, bases, limit_rows=()):
        """spool_rows: [(setting, record or None)]; bases: [(column title, Spool tasks/s)];
        limit_rows: [(case, field, label)]. Ratios are Spool's figure divided by each reference row."""
        print(f"### {title}\n")
        header = ["system", "setting (durability)", "tasks/s", "runs"] + [b[0] for b in bases]
        rows = []
        for setting, r in spool_rows:
            if r is None:
                rows.append(["spool", setting, NOT_RUN, ""] + [""] * len(bases))
            else:
                rows.append(["spool", described(r), num(r.get("per_s")), r["runs"]] + [""] * len(bases))
        for case, field, label in limit_rows:
            value = self.lim(case, field)
            dur = self.lim(case, "durability")
            rows.append(["limit.c", f"{case}, {label}" + (f" ({dur})" if dur else ""), num(value),
                         self.lim(case, "runs") or ""]
                        + [times(div(b, value)) for _, b in bases])
        peers = self.peer_rows(*peer_workloads)
        for r in peers:
            setting = described(r) + (f" [{r['workload']}]" if r["workload"] != peer_workloads[0] else "")
            figure = num(r.get("per_s")) + (" (PARTIAL)" if r["partial"] else "")
            rows.append([r["peer"], setting, figure, r["runs"]] + [times(div(b, r.get("per_s"))) for _, b in bases])
        if not peers:
            rows.append(["peers", "", NOT_RUN, ""] + [""] * len(bases))
        table(header, rows)

    def w1(self):
        spool = [(s, self.sp("W1", s)) for s in SPOOL_W1]
        bases = [(f"Spool {s} ÷ this", self.sp_val("W1", s)) for s in ("call", "batch", "none")]
        self.throughput("W1 enqueue throughput (1 producer)", spool, ["W1"], bases,
                        [("split-sync", "enqueue_per_s", "enqueue phase"),
                         ("split-nosync", "enqueue_per_s", "enqueue phase")])

    def w2(self):
        self.throughput("W2 drain throughput (1 consumer, take + ack)", [("enqueue", self.sp("W2"))],
                        ["W2", "W2fork"], [("Spool W2 ÷ this", self.sp_val("W2", None))],
                        [("split-nosync", "claim_ack_per_s", "claim+ack phase")])
        self.throughput("W2x2 drain throughput (2 consumers)", [("enqueue", self.sp("W2x2"))],
                        ["W2x2"], [("Spool W2x2 ÷ this", self.sp_val("W2x2", None))])

    # ---------------------------------------------------------------- other sections
    def w3(self):
        print("### W3 delayed-task punctuality (lateness in ms; lower is better)\n")
        base = self.spool_w3()
        base_p99 = base.get("late_ms_p99") if base else None
        rows = []
        for r in self.sp_all("W3") or [None]:
            rows.append(["spool"] + (w3_cells(r) + [""] if r else ["", "", "", NOT_RUN, "", "", "", ""]))
        peers = self.peer_rows("W3")
        for r in peers:
            rows.append([r["peer"]] + w3_cells(r) + [times(div(base_p99, r.get("late_ms_p99")))])
        if not peers:
            rows.append(["peers", "", "", "", NOT_RUN, "", "", "", ""])
        table(["system", "setting (durability)", "variant", "runs", "n received", "p50", "p99", "max",
               "Spool p99 ÷ this p99"], rows)
        print("(p50/p99: median over runs; max: over all runs)\n")

    def spool_w3(self):
        rows = self.sp_all("W3")
        return next((r for r in rows if r.get("variant") == "random"), rows[0] if rows else None)

    def w4(self):
        print("### W4 memory at scale (pending delayed tasks)\n")
        base = self.sp("W4")
        rows = [["spool"] + w4_cells(base) + ["", ""] if base else ["spool", "", NOT_RUN] + [""] * 6]
        if base and base.get("insert_unflushed_per_s") is not None:
            rows.append(["spool", "unflushed (durability none; same calls, nothing flushed)", num(base.get("n")),
                         num(base.get("insert_unflushed_per_s")), "", "", "", "", ""])
        peers = self.peer_rows("W4")
        for r in peers:
            rows.append([r["peer"]] + w4_cells(r)
                        + [times(div(base and base.get("insert_per_s"), r.get("insert_per_s"))),
                           times(div(base and base.get("rss_after_kb"), r.get("rss_after_kb")))])
        if not peers:
            rows.append(["peers", "", NOT_RUN] + [""] * 6)
        table(["system", "setting", "N held", "inserts/s", "RSS before -> after", "disk bytes/task",
               "first dispatch ms", "Spool inserts/s ÷ this", "Spool RSS after ÷ this"], rows)

    def w5_w6(self):
        print("### W5 exec of a program per task, and W6 local HTTP handler\n")
        base = self.sp_val("W5", None)
        rows = []
        for wl, peer, width in (("W5", "spool", "parallelism"), ("W5", "xargs", "parallelism"),
                                ("W6", "spool", "concurrency")):
            r = self.sp(wl, peer=peer)
            ratio = times(div(base, r.get("per_s"))) if r and peer == "xargs" else ""
            rows.append([wl, peer, r.get("setting"), f"{width} {r.get(width)}", num(r.get("n")),
                         num(r.get("per_s")), ratio] if r else [wl, peer, "", "", "", NOT_RUN, ""])
        table(["workload", "system", "setting", "width", "n", "tasks/s", "Spool W5 ÷ this"], rows)

    def sustained(self):
        print("### SUSTAINED enqueue and drain\n")
        r = self.sp("SUSTAINED")
        if not r:
            table(["seconds", "enqueued", "finished", "enqueue/s", "drain/s"], [["", "", "", NOT_RUN, ""]])
            return
        table(["seconds", "enqueued", "finished", "enqueue/s", "drain/s"],
              [[r.get("seconds"), num(r.get("enqueued")), num(r.get("finished")),
                num(r.get("enqueue_per_s")), num(r.get("drain_per_s"))]])
        windows = r.get("windows") or []
        if windows:
            table(["t s", "enqueue/s", "drain/s", "backlog", "worker RSS MiB"],
                  [[w.get("t_s"), num(w.get("enqueue_per_s")), num(w.get("drain_per_s")), num(w.get("backlog")),
                    ms(w["rss_kb"] / 1024 if w.get("rss_kb") is not None else None)] for w in windows])

    # ---------------------------------------------------------------- targets
    def targets(self):
        print("### Targets\n")
        rows = []

        def ratio_target(name, a, a_label, b, b_label, factor, informative=False):
            r = div(a, b)
            measured = NOT_RUN if r is None else f"{times(r)} ({num(a)} {a_label} / {num(b)} {b_label})"
            if informative:
                rows.append([name, measured, "", NOT_RUN if r is None else "informative"])
            else:
                rows.append([name, measured, f"≥ {factor:g}x", verdict(r, factor, ">=")])

        def bound_target(name, value, bound, unit, fmt):
            rows.append([name, f"{fmt(value)} {unit}" if value is not None else NOT_RUN,
                         f"≤ {bound:,g} {unit}" if bound is not None else NOT_RUN, verdict(value, bound, "<=")])

        call, batch, none = (self.sp_val("W1", s) for s in ("call", "batch", "none"))
        bs_sync = self.peer_val("W1", "beanstalkd", "fsync-always")
        bs_nosync = self.peer_val("W1", "beanstalkd", "no-fsync")
        ratio_target("W1 call ≥ 0.9 × limit.c split-sync enqueue", call, "call",
                     self.lim("split-sync", "enqueue_per_s"), "limit.c", 0.9)
        ratio_target("W1 batch ≥ 2 × beanstalkd fsync-always", batch, "batch", bs_sync, "beanstalkd", 2)
        ratio_target("W1 none ≥ 1 × beanstalkd no-fsync", none, "none", bs_nosync, "beanstalkd", 1)
        ratio_target("W1 none ≥ 0.7 × limit.c split-nosync enqueue", none, "none",
                     self.lim("split-nosync", "enqueue_per_s"), "limit.c", 0.7)
        ratio_target("W1 python-drop ≥ 1 × beanstalkd fsync-always", self.sp_val("W1", "python-drop"),
                     "python-drop", bs_sync, "beanstalkd", 1)
        ratio_target("W1 python-drop-batch ≥ 1 × beanstalkd fsync-always", self.sp_val("W1", "python-drop-batch"),
                     "python-drop-batch", bs_sync, "beanstalkd", 1)
        ratio_target("W1 python-drop-nosync vs beanstalkd fsync-always", self.sp_val("W1", "python-drop-nosync"),
                     "python-drop-nosync", bs_sync, "beanstalkd", 1, informative=True)
        w2 = self.sp_val("W2", None)
        best, who = self.fastest_peer("W2", "per_s")
        ratio_target("W2 ≥ fastest peer's W2", w2, "spool", best, who or "peer", 1)
        ratio_target("W2x2 ≥ 1.6 × Spool's W2", self.sp_val("W2x2", None), "W2x2", w2, "W2", 1.6)
        ratio_target("W2 vs limit.c split-nosync claim+ack", w2, "spool",
                     self.lim("split-nosync", "claim_ack_per_s"), "limit.c", 1, informative=True)
        w3 = self.spool_w3() or {}
        bound_target("W3 p99 lateness", w3.get("late_ms_p99"), 5, "ms", ms)
        bound_target("W3 max lateness", w3.get("late_ms_max"), 20, "ms", ms)
        w4 = self.sp("W4") or {}
        before, after = w4.get("rss_before_kb"), w4.get("rss_after_kb")
        growth = None if before is None or after is None else after - before
        bound_target("W4 spoold RSS with N pending", after, 32768, "kB", num)
        bound_target("W4 RSS growth, 1000 -> N pending", growth, 4096, "kB", num)
        block, inode = w4.get("block_bytes"), w4.get("inode_bytes")
        cap = block + inode if block is not None and inode is not None else None
        bound_target("W4 disk bytes per task (≤ block + inode)", w4.get("disk_bytes_per_task"), cap, "B", num)
        best, who = self.fastest_peer("W4", "insert_per_s")
        ratio_target("W4 inserts/s, each call flushed, ≥ fastest peer's", w4.get("insert_per_s"), "spool", best,
                     who or "peer", 1)
        ratio_target("W4 inserts/s, unflushed, ≥ fastest peer's", w4.get("insert_unflushed_per_s"), "spool unflushed",
                     best, who or "peer", 1)
        bound_target("W4 first dispatch with N pending", w4.get("first_dispatch_ms"), 1000, "ms", ms)
        ratio_target("W5 ≥ 0.9 × xargs -P", self.sp_val("W5", None),
                     "spool", (self.sp("W5", peer="xargs") or {}).get("per_s"), "xargs", 0.9)
        table(["target", "measured", "threshold", "result"], rows)

    def failures(self):
        """The runs that reported an error (left out of the tables above)."""
        if self.errors:
            print("### Failed runs\n")
            table(["system", "workload", "setting", "run", "error"],
                  [[r.get("peer"), r.get("workload"), r.get("setting"), r.get("run", ""), r["error"][:200]]
                   for r in self.errors])


def verdict(value, bound, op):
    if value is None or bound is None:
        return NOT_RUN
    return "met" if (value >= bound if op == ">=" else value <= bound) else "NOT met"


def described(r):
    return f"{r.get('setting')} ({r['durability']})" if r.get("durability") else str(r.get("setting"))


def w3_cells(r):
    return [described(r), r.get("variant") or "", r["runs"], r.get("n"),
            ms(r.get("late_ms_p50")), ms(r.get("late_ms_p99")), ms(r.get("late_ms_max"))]


def w4_cells(r):
    partial = " (PARTIAL)" if r.get("partial") else ""
    rss = " -> ".join(NOT_RUN if r.get(k) is None else f"{r[k] / 1024:.1f} MiB"
                      for k in ("rss_before_kb", "rss_after_kb"))
    return [described(r), f"{num(r.get('n'))}{partial}", num(r.get("insert_per_s")), rss,
            num(r.get("disk_bytes_per_task")), ms(r.get("first_dispatch_ms")) if "first_dispatch_ms" in r else ""]


def machine_text(m):
    return (f"nproc={m.get('nproc')}, kernel {m.get('kernel')}, fs {m.get('fs')} ({m.get('mount_opts')}; "
            f"ext4 journal: {m.get('ext4_journal')}), Python {m.get('python')}")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--peers-results", help="JSON lines of bench_peers.py")
    ap.add_argument("--limit", help="JSON lines of limit.c")
    ap.add_argument("--spool", help="JSON lines of spool-bench")
    ap.add_argument("--machine", help="machine line of the Spool run, printed under the peers' one")
    args = ap.parse_args()

    peers = load(args.peers_results, lambda p: p != "limit.c")
    report = Report(peers, load(args.limit, lambda p: p == "limit.c"), load(args.spool, lambda p: True))
    print("# Spool side by side with its peers\n")
    print(f"Date: {datetime.date.today().isoformat()}\n")
    machines = [r for r in peers if r.get("peer") == "machine"]
    if machines:
        m = machines[-1]
        print(f"Machine (peers run, {m.get('ts', 'time not recorded')}): {machine_text(m)}\n")
    if args.machine:
        print(f"Machine (this run): {args.machine}\n")
    if not machines and not args.machine:
        print("Machine: not recorded\n")
    for name, path in (("peers", args.peers_results), ("limit.c", args.limit), ("spool", args.spool)):
        if not path or not os.path.exists(path):
            print(f"No {name} results ({path or 'no file given'}): its columns say \"{NOT_RUN}\".\n")
    print("Ratios divide Spool's figure by the row's figure (measured in the same run).\n")
    report.w1()
    report.w2()
    report.w3()
    report.w4()
    report.w5_w6()
    report.sustained()
    report.targets()
    report.failures()


if __name__ == "__main__":
    main()
