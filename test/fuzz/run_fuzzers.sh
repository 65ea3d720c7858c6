#!/usr/bin/env bash
# Builds the libFuzzer targets (preset "fuzz", clang++-19) and runs each for a bounded time
# on a throwaway copy of its seed corpus. Usage: bash test/fuzz/run_fuzzers.sh [seconds per target, default 20]
# Exits non-zero if any target crashes, leaks, times out or runs out of memory.
set -euo pipefail

seconds="${1:-20}"
if ! [[ "$seconds" =~ ^[0-9]+$ ]] || [ "$seconds" -lt 1 ]; then
    echo "usage: $0 [seconds per target]" >&2
    exit 2
fi

if ! command -v clang++-19 >/dev/null 2>&1; then
    echo "clang++-19 is not installed: skipping the fuzz targets"
    exit 0
fi

source_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
build_dir="$source_dir/build/fuzz"
corpus_dir="$source_dir/test/fuzz/corpus"
targets=(fuzz_metadata_document fuzz_metadata_inner fuzz_envelope fuzz_verify_folder)

cd "$source_dir"
if [ ! -f "$build_dir/CMakeCache.txt" ]; then
    cmake --preset fuzz
fi
cmake --build "$build_dir" --target "${targets[@]}"

work="$(mktemp -d "${TMPDIR:-/tmp}/nubo-fuzz.XXXXXX")"
trap 'rm -rf "$work"' EXIT

failed=()
for target in "${targets[@]}"; do
    echo "=== $target (${seconds}s)"
    mkdir -p "$work/$target/corpus" "$work/$target/artifacts"
    cp -R "$corpus_dir/$target/." "$work/$target/corpus/"
    log="$work/$target/log.txt"
    status=0
    "$build_dir/test/fuzz/$target" "$work/$target/corpus" \
        -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 \
        -artifact_prefix="$work/$target/artifacts/" >"$log" 2>&1 || status=$?
    grep -E '^#[0-9]+[[:space:]]+(INITED|DONE)' "$log" || true
    grep -E '^stat::(number_of_executed_units|average_exec_per_sec|peak_rss_mb)' "$log" || true
    if [ "$status" -ne 0 ]; then
        saved="$build_dir/fuzz-artifacts/$target"
        mkdir -p "$saved"
        cp -R "$work/$target/artifacts/." "$saved/" 2>/dev/null || true
        cp "$log" "$saved/log.txt"
        echo "!!! $target failed (exit $status); log and crashing inputs kept in $saved"
        grep -E -A40 '==ERROR|runtime error|SUMMARY|deadly signal|Timeout|out-of-memory' "$log" | head -80 || true
        failed+=("$target")
    fi
done

if [ "${#failed[@]}" -ne 0 ]; then
    echo "fuzzing failed: ${failed[*]}"
    exit 1
fi
echo "all ${#targets[@]} fuzz targets ran ${seconds}s each without a finding"
