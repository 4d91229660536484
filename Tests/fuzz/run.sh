#!/usr/bin/env bash
# Fuzzes the JSON parser, the task decoder and the file-name parsers with libFuzzer and AddressSanitizer
# (LeakSanitizer included).
#
#   Tests/fuzz/run.sh [seconds] [target...]
#
# `seconds` is the time per target (default 20); the targets are json, task and names (default: all three).
# The script builds SpoolCore and what it depends on with coverage instrumentation into .build/fuzz (a
# SwiftPM build of our own package, with its own scratch path, so it never disturbs .build/debug), links
# each Tests/fuzz/Fuzz*.swift against it with `swiftc -sanitize=fuzzer,address` (the toolchain's own
# libclang_rt.fuzzer and libclang_rt.asan), seeds it from the drop corpus, and runs it. It exits non-zero
# when a target crashes, leaks, times out or fails one of its checks; the input that did so is kept in
# .build/fuzz/artifacts/<target>/ and a command to replay it is printed. The corpus each run grows is kept
# in .build/fuzz/corpus/<target>/, so that a later run starts where this one stopped.
#
# Environment: FUZZ_FLAGS adds libFuzzer flags (for example `-jobs=2 -workers=2`).
set -euo pipefail

seconds=${1:-20}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(json task names)

root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
fuzz=.build/fuzz
drops=Tests/SpoolCoreTests/Fixtures/drops

# The modules SpoolCore is linked from: itself and everything it depends on, Swift and C.
modules=(SpoolCore SpoolSystem SystemPackage CSystem CSpoolLinux Logging CoreMetrics Tracing Instrumentation ServiceContextModule)

echo "== building SpoolCore with coverage and AddressSanitizer into $fuzz"
swift build --scratch-path "$fuzz" -c release --target SpoolCore \
    -Xswiftc -sanitize=fuzzer,address -Xswiftc -g -Xcc -fsanitize=fuzzer-no-link,address
products=$fuzz/release
objects=()
for module in "${modules[@]}"; do
    found=("$products/$module.build/"*.o)
    [ -e "${found[0]}" ] || { echo "no objects for $module in $products" >&2; exit 1; }
    objects+=("${found[@]}")
done
system_map=$(find "$fuzz/checkouts/swift-system/Sources/CSystem" -name module.modulemap | head -n 1)
linker=()
command -v ld.lld >/dev/null 2>&1 && linker=(-use-ld=lld)

# name, source, longest input, dictionary, seed folders
describe() {
    case $1 in
        json) echo "FuzzJSONParser 16384 json.dict $drops/good $drops/bad" ;;
        task) echo "FuzzTaskRecord 16384 task.dict $drops/good $drops/bad $drops/normal" ;;
        names) echo "FuzzNames 300 names.dict $fuzz/seeds/names" ;;
        *) echo "unknown target: $1 (expected json, task or names)" >&2; return 1 ;;
    esac
}

# Names seeds: one of each form, valid and nearly valid.
mkdir -p "$fuzz/seeds/names"
i=0
for name in 1795300000123.01JD2ZK6W0ABCDEFGHJKMNPQRS.json 0000000000000.a.json 9999999999999.A-z_0.json \
    1795300000123.a.b.json app1.4711.912345 h.0.0 host.2147483647.18446744073709551615 20261121 20260229 \
    202611210930 00000229 99991231 order-7731.json .hidden.json; do
    i=$((i + 1))
    printf '%s' "$name" >"$fuzz/seeds/names/$i"
done

export SWIFT_BACKTRACE=enable=no  # libFuzzer reports crashes; Swift's backtracer would hang on them
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
symbolizer=$(command -v llvm-symbolizer || true)
[ -z "$symbolizer" ] || export ASAN_SYMBOLIZER_PATH=$symbolizer

failed=()
for target in "${targets[@]}"; do
    spec=$(describe "$target") || exit 2
    read -r source max_len dict seeds <<<"$spec"
    binary=$fuzz/bin/$target
    mkdir -p "$fuzz/bin" "$fuzz/corpus/$target" "$fuzz/artifacts/$target" "$fuzz/logs"
    echo "== linking $binary"
    swiftc -O -g -parse-as-library -sanitize=fuzzer,address "${linker[@]}" -module-name "$source" \
        -I "$products/Modules" \
        -Xcc -fmodule-map-file="$products/CSpoolLinux.build/module.modulemap" \
        -Xcc -fmodule-map-file="$system_map" \
        "Tests/fuzz/$source.swift" "${objects[@]}" -o "$binary"
    log=$fuzz/logs/$target.log
    echo "== fuzzing $target for ${seconds}s (max_len $max_len), log in $log"
    # shellcheck disable=SC2086  # seeds and FUZZ_FLAGS are lists
    if "$binary" -max_total_time="$seconds" -max_len="$max_len" -timeout=10 -rss_limit_mb=2048 \
        -use_value_profile=1 -print_final_stats=1 -dict="Tests/fuzz/$dict" \
        -artifact_prefix="$fuzz/artifacts/$target/" ${FUZZ_FLAGS:-} \
        "$fuzz/corpus/$target" $seeds >"$log" 2>&1; then
        runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
        coverage=$(grep -o 'cov: [0-9]*' "$log" | tail -n 1)
        echo "   $target: ok, ${runs:-?} runs, $coverage, corpus $(find "$fuzz/corpus/$target" -type f | wc -l) inputs"
    else
        status=$?
        echo "   $target: FAILED (exit $status)"
        grep -E "^(==[0-9]+==ERROR|SUMMARY|artifact_prefix)|Fatal error|Test unit written" \
            "$log" | head -n 20 || true
        for artifact in "$fuzz/artifacts/$target/"*; do
            [ -e "$artifact" ] && echo "   replay: SWIFT_BACKTRACE=enable=no $binary $artifact"
        done
        failed+=("$target")
    fi
done

if [ ${#failed[@]} -gt 0 ]; then
    echo "fuzzing failed: ${failed[*]}"
    exit 1
fi
echo "fuzzing passed: ${targets[*]}"
