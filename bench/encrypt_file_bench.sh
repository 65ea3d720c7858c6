#!/usr/bin/env bash
# File-to-file encryption with nubocmd, against the sum of what reading and encrypting cost on
# their own (the target of the two-thread pipeline in src/e2ee/file_cipher.cpp).
#
#   bench/encrypt_file_bench.sh [BUILD_DIR] [--size-mib N] [--runs N] [--dir DIR]
#                               [--nubocmd PATH] [--baseline PATH] [--no-build]
#
# On one generated file of N MiB (default 512) it measures, best of --runs (default 3):
#   cat       `cat FILE > /dev/null` with the file in the page cache (it was just written and
#             read once; no cache is dropped), so: reading cached data, no disk
#   openssl   `openssl speed -evp aes-128-gcm -bytes 1048576 -seconds 3`, as seconds for N MiB
#   sum       cat + openssl: what reading and encrypting take one after the other
#   encrypt   `nubocmd e2ee encrypt-file IN OUT` with OUT beside IN (same disk); it includes
#             writing OUT and the fsync before OUT gets its name
#   decrypt   `nubocmd e2ee decrypt-file --tag T OUT PLAIN`, likewise; its ratio is to the same
#             sum (GCM decrypts at the speed it encrypts)
#   dd        `dd bs=1M conv=fsync` of the file to a new file beside it: writing N MiB and the
#             fsync, with no encryption. Not part of the sum; a floor that a file-to-file
#             encryption with an fsync cannot beat, and what dominates on a slow disk.
# and prints seconds, MiB/s, the ratio to the sum (below 1: faster than reading and
# encrypting one after the other) and the CPU time (user+sys) of that fastest run. Figures only, never a pass/fail on time: the exit status
# is non-zero only when something fails or a round trip differs. The numbers are only
# comparable on a quiet machine.
#
# BUILD_DIR defaults to build/release and is configured and built like run_e2ee_bench.sh does
# (only the nubocmd target); --nubocmd PATH uses that binary instead and builds nothing.
# --baseline PATH measures a second nubocmd (e.g. one built from an older commit) on the same
# file, and prints its rows too. --dir DIR puts the files there (default: a temporary folder
# in BUILD_DIR, i.e. on the disk of the build); they are removed at the end.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

build_dir="build/release"
if [[ $# -gt 0 && "$1" != -* ]]; then
    build_dir="$1"
    shift
fi
size_mib=512
runs=3
work_parent=""
nubocmd=""
baseline=""
build=1
while [[ $# -gt 0 ]]; do
    case "$1" in
        --size-mib) size_mib="$2"; shift 2 ;;
        --runs) runs="$2"; shift 2 ;;
        --dir) work_parent="$2"; shift 2 ;;
        --nubocmd) nubocmd="$2"; build=0; shift 2 ;;
        --baseline) baseline="$2"; shift 2 ;;
        --no-build) build=0; shift ;;
        -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) echo "unknown option: $1" >&2; exit 2 ;;
    esac
done

if [[ "$build_dir" != /* ]]; then
    if [[ -d "$build_dir" ]]; then build_dir="$(cd "$build_dir" && pwd)"; else build_dir="$repo_root/$build_dir"; fi
fi

if [[ -z "$nubocmd" ]]; then
    if (( build )); then
        if [[ ! -f "$build_dir/CMakeCache.txt" || ( ! -f "$build_dir/build.ninja" && ! -f "$build_dir/Makefile" ) ]]; then
            echo "configuring $build_dir (cmake --preset release)" >&2
            if [[ "$build_dir" == "$repo_root/build/release" ]]; then
                (cd "$repo_root" && cmake --preset release)
            else
                (cd "$repo_root" && cmake --preset release -B "$build_dir")
            fi
        fi
        cmake --build "$build_dir" --target nubocmd
    fi
    nubocmd="$build_dir/src/cli/nubocmd"
fi
for binary in "$nubocmd" ${baseline:+"$baseline"}; do
    [[ -x "$binary" ]] || { echo "error: $binary is not an executable" >&2; exit 1; }
done
command -v openssl > /dev/null || { echo "error: openssl is not installed" >&2; exit 1; }

[[ -n "$work_parent" ]] || work_parent="$build_dir"
[[ -d "$work_parent" ]] || work_parent="${TMPDIR:-/tmp}"
work="$(mktemp -d "$work_parent/encrypt-file-bench.XXXXXX")"
trap 'rm -rf "$work"' EXIT

plain="$work/plain.bin"
blob="$work/plain.blob"
out="$work/roundtrip.bin"
key="$(openssl rand -base64 16)"
nonce="$(openssl rand -base64 16)"
bytes=$(( size_mib * 1024 * 1024 ))

# Runs "$@" `runs` times (`before` untimed first each time) and prints the wall and CPU
# (user+sys, children included) seconds of the fastest run.
best_of() {
    local best="" best_cpu="" timing wall cpu
    local TIMEFORMAT='%R %U %S'
    for (( i = 0; i < runs; i++ )); do
        [[ -n "${before:-}" ]] && eval "$before"
        timing=$( { time "$@" > /dev/null; } 2>&1 | tail -1 )
        wall=$(cut -d' ' -f1 <<< "$timing")
        cpu=$(awk '{printf "%.3f", $2 + $3}' <<< "$timing")
        if [[ -z "$best" ]] || (( $(echo "$wall < $best" | bc -l) )); then best=$wall; best_cpu=$cpu; fi
    done
    printf '%.3f %s' "$best" "$best_cpu"
}

echo "generating $size_mib MiB of random data in $work" >&2
openssl rand -out "$plain" "$bytes" 2> /dev/null || head -c "$bytes" /dev/urandom > "$plain"
cat "$plain" > /dev/null # into the page cache

echo "measuring cat" >&2
read -r cat_s cat_cpu <<< "$(before="" best_of cat "$plain")"

echo "measuring openssl speed (3 s a run)" >&2
openssl_s=""
for (( r = 0; r < runs; r++ )); do
    # Last line: "AES-128-GCM   123456.78k" (thousands of bytes per second).
    rate_k=$(openssl speed -evp aes-128-gcm -bytes 1048576 -seconds 3 2> /dev/null | awk '/^(AES-128-GCM|aes-128-gcm)/ {v = $NF} END {sub(/k$/, "", v); print v}')
    [[ -n "$rate_k" ]] || { echo "error: cannot read the rate from openssl speed" >&2; exit 1; }
    s=$(echo "$bytes / ($rate_k * 1000)" | bc -l)
    if [[ -z "$openssl_s" ]] || (( $(echo "$s < $openssl_s" | bc -l) )); then openssl_s=$s; fi
done
openssl_s=$(printf '%.3f' "$openssl_s")
sum_s=$(printf '%.3f' "$(echo "$cat_s + $openssl_s" | bc -l)")

rows=()
row() { # label seconds [cpu-seconds]
    local rate ratio
    rate=$(printf '%.0f' "$(echo "$size_mib / $2" | bc -l)")
    ratio=$(printf '%.2f' "$(echo "$2 / $sum_s" | bc -l)")
    rows+=("$(printf '%-28s %9s %9s %9s %9s' "$1" "$2" "$rate" "$ratio" "${3:-}")")
}
row "cat (warm cache)" "$cat_s" "$cat_cpu"
row "openssl speed aes-128-gcm" "$openssl_s"
row "sum" "$sum_s"

echo "measuring dd (write and fsync)" >&2
read -r dd_s dd_cpu <<< "$(before='rm -f "$work/dd.bin"' best_of dd if="$plain" of="$work/dd.bin" bs=1M conv=fsync status=none)"
rm -f "$work/dd.bin"
row "dd write+fsync (reference)" "$dd_s" "$dd_cpu"

measure() { # label nubocmd
    local label="$1" binary="$2" enc enc_cpu dec dec_cpu tag
    echo "measuring $label encrypt-file" >&2
    tag=$("$binary" e2ee encrypt-file --key "$key" --nonce "$nonce" "$plain" "$blob") # warm-up, and the tag
    read -r enc enc_cpu <<< "$(before='rm -f "$blob"' best_of "$binary" e2ee encrypt-file --key "$key" --nonce "$nonce" "$plain" "$blob")"
    echo "measuring $label decrypt-file" >&2
    read -r dec dec_cpu <<< "$(before='rm -f "$out"' best_of "$binary" e2ee decrypt-file --key "$key" --nonce "$nonce" --tag "$tag" "$blob" "$out")"
    if ! cmp -s "$plain" "$out"; then
        echo "error: $label: the decrypted file differs from the original" >&2
        exit 1
    fi
    row "$label encrypt-file" "$enc" "$enc_cpu"
    row "$label decrypt-file" "$dec" "$dec_cpu"
    rm -f "$blob" "$out"
}
[[ -n "$baseline" ]] && measure "baseline" "$baseline"
measure "nubocmd" "$nubocmd"

echo
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg); $size_mib MiB, best of $runs; $(openssl version | cut -d' ' -f1-2)"
printf '%-28s %9s %9s %9s %9s\n' "" "seconds" "MiB/s" "÷ sum" "cpu s"
printf '%s\n' "${rows[@]}"
