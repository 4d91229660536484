#!/usr/bin/env bash
# Runs the peer queue harness (bench_peers.py, limit.c) and Spool's spool-bench on this machine, one after the
# other, and writes a side-by-side Markdown report (bench/compare.py). Figures compare only within one run.
set -euo pipefail

usage() {
  cat <<'EOF'
usage: bench/side-by-side.sh --peers DIR [--quick] [--runs N] [--skip-peers] [--skip-limit] [--out DIR]

  --peers DIR    the peer harness folder (bench_peers.py, setup.sh, run_limit.sh, limit.c); default $SPOOL_PEERS.
                 It may be read-only: it is copied to a work folder under /var/tmp and run from there.
  --quick        one run per workload and fewer tasks (rougher figures); limit.c runs only the two cases the
                 comparison needs
  --runs N       N runs per peer workload (the harness's default is 3), and limit.c's two cases N times each
  --skip-peers   do not run setup.sh and bench_peers.py (an existing OUT/peers.jsonl is reused)
  --skip-limit   do not run limit.c (an existing OUT/limit.jsonl is reused)
  --out DIR      where peers.jsonl, limit.jsonl, spool.jsonl and side-by-side.md go
                 (default: /var/tmp/spool-side-by-side-DATE)

setup.sh installs beanstalkd, redis-server and Python clients: run as root. A full run takes well over an
hour (the peers about 45 minutes, limit.c about 22).
SETTLE=SECONDS (default 62) sets limit.c's pause before each run.
EOF
}

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BASE=/var/tmp   # spool-bench makes its spools here, and the peers' work copy goes here: one filesystem
PEERS="${SPOOL_PEERS:-}"
QUICK=0 SKIP_PEERS=0 SKIP_LIMIT=0 RUNS=
OUT="$BASE/spool-side-by-side-$(date +%Y%m%d-%H%M%S)"
while [ $# -gt 0 ]; do
  case "$1" in
    --peers) PEERS="${2:?--peers needs a folder}"; shift 2 ;;
    --quick) QUICK=1; shift ;;
    --runs) RUNS="${2:?--runs needs a number}"; shift 2 ;;
    --skip-peers) SKIP_PEERS=1; shift ;;
    --skip-limit) SKIP_LIMIT=1; shift ;;
    --out) OUT="${2:?--out needs a folder}"; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "side-by-side.sh: unknown argument $1" >&2; usage >&2; exit 2 ;;
  esac
done
if [ "$SKIP_PEERS$SKIP_LIMIT" != 11 ] && [ ! -f "$PEERS/bench_peers.py" ]; then
  echo "side-by-side.sh: give the peer harness folder with --peers DIR or SPOOL_PEERS (no bench_peers.py in '$PEERS')" >&2
  exit 2
fi
mkdir -p "$OUT"
OUT="$(cd "$OUT" && pwd)"

# The machine line, in the form bench_peers.py writes its own, for the filesystem the spools live on.
machine_line() {
  local src fstype opts journal=""
  read -r src fstype opts < <(findmnt -n -o SOURCE,FSTYPE,OPTIONS --target "$BASE")
  if [ "$fstype" = ext4 ]; then
    # ext4 has a journal when jbd2 lists the device (e.g. /proc/fs/jbd2/vda-8)
    if compgen -G "/proc/fs/jbd2/$(basename "$src")-*" >/dev/null; then journal="; ext4 journal: yes"
    else journal="; ext4 journal: NO journal"; fi
  fi
  # Every file the kernel keeps an inode for lengthens the chains of its inode and dentry hash tables, which
  # every create and lookup walks: a machine holding millions of files runs every workload slower.
  echo "nproc=$(nproc), kernel $(uname -r), fs $fstype at $BASE ($opts$journal), $(swift --version 2>&1 | sed -n 1p)," \
    "$(cut -f1 /proc/sys/fs/inode-nr) inodes in memory at the start"
}
MACHINE="$(machine_line)"
echo "machine: $MACHINE"
echo "results: $OUT"

cd "$ROOT"
swift build -c release --product spool-bench
swift build -c release --product spoold

if [ "$SKIP_PEERS$SKIP_LIMIT" != 11 ]; then
  # setup.sh compiles limit into its own folder and bench_peers.py writes run/ next to itself: work on a copy.
  WORK="$(mktemp -d "$BASE/spool-peers.XXXXXX")"
  trap 'rm -rf "$WORK"' EXIT
  cp -R "$PEERS/." "$WORK/"
  chmod -R u+w "$WORK"
fi

if [ "$SKIP_PEERS" = 0 ]; then
  (cd "$WORK" && bash setup.sh)
  rm -f "$OUT/peers.jsonl"   # bench_peers.py appends
  options=()
  [ "$QUICK" = 1 ] && options=(--runs 1 --n 5000 --w4-n 200000)
  [ -n "$RUNS" ] && options+=(--runs "$RUNS")
  (cd "$WORK" && BENCH_RESULTS="$OUT/peers.jsonl" python3 bench_peers.py --all "${options[@]}")
fi

if [ "$SKIP_LIMIT" = 0 ]; then
  rm -f "$OUT/limit.jsonl"   # limit appends
  if [ "$QUICK" = 1 ] || [ -n "$RUNS" ]; then
    # run_limit.sh always runs all eight cases three times; the comparison needs these two
    (cd "$WORK" && { [ -x limit ] || cc -O2 -Wall -o limit limit.c; } \
      && timeout 900 ./limit -d "$WORK/spool_limit" -c split-nosync,split-sync -r "${RUNS:-1}" -w "${SETTLE:-62}" \
           -j "$OUT/limit.jsonl")
  else
    bash "$WORK/run_limit.sh" "$OUT/limit.jsonl"
  fi
fi

rm -f "$OUT/spool.jsonl"   # spool-bench appends
# Like the file peers and limit.c, each workload that creates files starts after a 62 s settle (none in --quick).
# ext4 without a journal scans past inodes freed in the last 60 s (360 s while their inode table block is
# unwritten) on every create, so spool-bench waits 370 s after the peers and limit.c have deleted their files,
# and runs in two parts with another such wait between them: W1 first, on a filesystem with nothing to write
# back (a later W1 flushes the backlog of every earlier workload with its syncfs calls); its Python drops,
# which spoold deletes once it has written each task's normal form, and its spools' removal come before the wait.
spool_options=(--settle 62)
[ "$QUICK" = 1 ] && spool_options=(--quick)
wait_for_freed_inodes() {
  [ "$QUICK" = 1 ] && return
  echo "side-by-side: waiting 370 s for freed inodes to become reusable"
  sleep 370
}
wait_for_freed_inodes
.build/release/spool-bench --workload W1 "${spool_options[@]}" --directory "$BASE" --json "$OUT/spool.jsonl"
wait_for_freed_inodes
.build/release/spool-bench --workload W2,W3,W4,W5,W6,SUSTAINED "${spool_options[@]}" --directory "$BASE" \
  --json "$OUT/spool.jsonl"

python3 bench/compare.py --peers-results "$OUT/peers.jsonl" --limit "$OUT/limit.jsonl" --spool "$OUT/spool.jsonl" \
  --machine "$MACHINE" | tee "$OUT/side-by-side.md"
