#!/usr/bin/env bash
# Side-by-side sync benchmark: nubocmd and the official nextcloudcmd, each against its own fresh
# nubo-server on loopback, on the same generated trees. Prints wall time, CPU time and peak RSS of
# each client per case, checks every result (a fast wrong sync shows as FAILED) and the ratios.
#
#   bench/run_sync_bench.sh [BUILD_DIR] [--quick] [--only CASE]... [--json FILE] [--no-build] [--no-bulk]
#
# CASE: upload-5000 download-5000 resync-5000 resync-100k upload-500-slow upload-1g download-1g,
#       and (only when asked for) million
# --quick: 10 000 files instead of 100 000 for resync-100k, 64 MiB instead of 1 GiB, 100 000
#       files instead of 1 000 000 for million.
# --no-build: use the binaries already in BUILD_DIR (e.g. while someone else builds it).
# --no-bulk: the servers do not advertise bulk upload (by default both clients may use it).
# SYNC_BENCH_CLIENTS="nubocmd" (or "nextcloudcmd") runs one client only.
# SYNC_BENCH_TIMEOUT (seconds, default 3600) bounds each client run; SYNC_BENCH_KEEP=1 keeps
# the work folder; SYNC_BENCH_PYTHON_TIMER=1 measures with python instead of /usr/bin/time.
set -uo pipefail
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tool="$repo_root/bench/sync_bench_tool.py"
all_cases=(upload-5000 download-5000 resync-5000 resync-100k upload-500-slow upload-1g download-1g)
extra_cases=(million) # run only when asked for: nubocmd only, it takes long

build_dir="$repo_root/build/release"
if [[ $# -gt 0 && "$1" != -* ]]; then
    build_dir="$1"
    shift
    [[ "$build_dir" == /* ]] || build_dir="$(pwd)/$build_dir"
fi
quick=0 build=1 bulk=1 json_out="" only=()
while [[ $# -gt 0 ]]; do
    case "$1" in
        --quick) quick=1 ;;
        --no-build) build=0 ;;
        --no-bulk) bulk=0 ;;
        --json) json_out="${2:?--json needs a file}"; [[ "$json_out" == /* ]] || json_out="$(pwd)/$json_out"; shift ;;
        --only)
            [[ " ${all_cases[*]} ${extra_cases[*]} " == *" ${2:-} "* ]] ||
                { echo "unknown case '${2:-}' (cases: ${all_cases[*]} ${extra_cases[*]})" >&2; exit 2; }
            only+=("$2"); shift ;;
        -h|--help) sed -n "2,15p" "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "unknown option $1" >&2; exit 2 ;;
    esac
    shift
done
[[ ${#only[@]} -gt 0 ]] || only=("${all_cases[@]}")
selected() { [[ " ${only[*]} " == *" $1 "* ]]; }

n_small=5000 small_dirs=50 small_size=4096
n_many=100000 many_dirs=1000 many_size=64 big_size=$((1024 * 1024 * 1024)) big_label="1 GiB"
n_slow=500 slow_dirs=5 slow_delay_ms=30 # a WAN: every request waits 30 ms at the server
n_million=1000000 million_dirs=1000 million_size=1
if [[ $quick == 1 ]]; then
    n_many=10000 many_dirs=100 big_size=$((64 * 1024 * 1024)) big_label="64 MiB" n_million=100000 million_dirs=100
fi
server_args=()
[[ $bulk == 1 ]] && server_args+=(--bulk-upload)
client_timeout=${SYNC_BENCH_TIMEOUT:-3600}

# ---- build ----------------------------------------------------------------------------------------
if [[ $build == 1 ]]; then
    if [[ "$build_dir" == "$repo_root/build/release" ]]; then
        (cd "$repo_root" && cmake --preset release -DNUBO_BUILD_SERVER=ON >/dev/null)
    else
        cmake -S "$repo_root" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DNUBO_BUILD_SERVER=ON >/dev/null
    fi || { echo "cmake configure failed" >&2; exit 1; }
    cmake --build "$build_dir" --target nubo-server >/dev/null || { echo "building nubo-server failed" >&2; exit 1; }
    cmake --build "$build_dir" --target nubocmd >/dev/null 2>&1 || echo "note: nubocmd did not build; its column is skipped" >&2
fi
server_bin="$build_dir/src/server/nubo-server"
nubocmd="$build_dir/src/cli/nubocmd"
[[ -x "$server_bin" ]] || { echo "no nubo-server at $server_bin" >&2; exit 1; }
build_type=$(sed -n 's/^CMAKE_BUILD_TYPE:[A-Z]*=//p' "$build_dir/CMakeCache.txt" 2>/dev/null)

export LC_ALL=C.UTF-8
work=$(mktemp -d "${TMPDIR:-/tmp}/nubo-sync-bench-XXXXXX")
server_pid=""
stop_server() {
    if [[ -n "$server_pid" ]]; then
        kill -TERM "$server_pid" 2>/dev/null
        for _ in $(seq 100); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$server_pid" 2>/dev/null
        wait "$server_pid" 2>/dev/null
        server_pid=""
    fi
}
cleanup() {
    stop_server
    if [[ "${SYNC_BENCH_KEEP:-0}" == 1 ]]; then echo "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
results="$work/results.tsv"
: >"$results"
mkdir -p "$work/logs"

if [[ -x /usr/bin/time && "${SYNC_BENCH_PYTHON_TIMER:-0}" != 1 ]]; then
    timer() { /usr/bin/time -f '%e %U %S %M %x' -o "$1" "${@:2}"; }
else
    timer() { python3 "$tool" time "$1" -- "${@:2}"; }
fi
clk_tck=$(getconf CLK_TCK)
server_cpu_ticks() { awk '{print $14 + $15}' "/proc/$server_pid/stat" 2>/dev/null || echo 0; }

# ---- the trees, generated once for both clients ------------------------------------------------------
gen="$work/gen"
mkdir -p "$gen"
need_small=0 need_many=0 need_big=0 need_slow=0 need_million=0
selected upload-5000 || selected download-5000 || selected resync-5000 && need_small=1
selected resync-100k && need_many=1
selected upload-500-slow && need_slow=1
selected million && need_million=1
selected upload-1g || selected download-1g && need_big=1
t0=$SECONDS
[[ $need_small == 1 ]] && python3 "$tool" gen-tree "$gen/small" $n_small $small_dirs $small_size 1
[[ $need_many == 1 ]] && python3 "$tool" gen-tree "$gen/many" $n_many $many_dirs $many_size 2
[[ $need_slow == 1 ]] && python3 "$tool" gen-tree "$gen/slow" $n_slow $slow_dirs $small_size 4
[[ $need_million == 1 ]] && python3 "$tool" gen-tree "$gen/million" $n_million $million_dirs $million_size 5
[[ $need_big == 1 ]] && python3 "$tool" gen-file "$gen/big/big.bin" $big_size 3
echo "generated the trees in $((SECONDS - t0)) s under $work" >&2

# ---- one client run -----------------------------------------------------------------------------------
# sync_once CLIENT LOCAL REMOTE_PATH LABEL: runs the client once, timed; sets r_wall r_cpu r_rss r_rc,
# r_reqs (requests the server logged, by method) and r_srv_cpu (server CPU seconds meanwhile).
runs=0
sync_once() {
    local client=$1 local_dir=$2 remote=$3 label=$4 home out log before ticks
    runs=$((runs + 1))
    home="$work/home-$runs" out="$work/time-$runs" log="$work/logs/$client-$label.log"
    mkdir -p "$home/.config" "$home/.local/share" "$work/logs"
    # What setup wrote (generated trees, copies, deleted trees) is flushed first: its writeback
    # otherwise lands on whichever client runs next (it made nubocmd's 1 GiB upload take 9.6 s
    # right after the trees were generated, against 4.7 s on a quiet disk).
    sync
    before=$(wc -l <"$data/access.log") ticks=$(server_cpu_ticks)
    if [[ $client == nextcloudcmd ]]; then
        (export HOME="$home" XDG_CONFIG_HOME="$home/.config" XDG_DATA_HOME="$home/.local/share"
         timer "$out" timeout "$client_timeout" nextcloudcmd --non-interactive --trust -s \
             -u "$user" -p "$password" --max-sync-retries 1 --path "$remote" "$local_dir" "$url") >"$log" 2>&1
    else
        (export HOME="$home" XDG_CONFIG_HOME="$home/.config" XDG_DATA_HOME="$home/.local/share"
         timer "$out" timeout "$client_timeout" "$nubocmd" sync --user "$user" --password-file "$work/password" \
             --max-sync-retries 1 --silent --path "$remote" "$local_dir" "$url") >"$log" 2>&1
    fi
    sleep 0.2 # the server logs a request just after answering it
    # /usr/bin/time writes "wall user sys rss rc" (after a line about a failure), the python timer
    # "wall cpu rss rc"
    local fields
    read -r -a fields < <(tail -n 1 "$out" 2>/dev/null)
    if [[ ${#fields[@]} == 5 ]]; then
        r_wall=${fields[0]} r_rss=${fields[3]} r_rc=${fields[4]}
        r_cpu=$(awk -v u="${fields[1]}" -v s="${fields[2]}" 'BEGIN{printf "%.2f", u + s}')
    elif [[ ${#fields[@]} == 4 ]]; then
        r_wall=${fields[0]} r_cpu=${fields[1]} r_rss=${fields[2]} r_rc=${fields[3]}
    else
        r_wall="" r_cpu="" r_rss="" r_rc="no timing (${fields[*]:-nothing})"
    fi
    r_srv_cpu=$(awk -v a="$ticks" -v b="$(server_cpu_ticks)" -v t="$clk_tck" 'BEGIN{printf "%.2f", (b - a) / t}')
    r_reqs=$(python3 "$tool" log-summary "$data/access.log" $((before + 1)))
    r_log=$log
}

# record CASE CLIENT STATUS [NOTE]: one result line from the last sync_once
record() {
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$r_wall" "$r_cpu" "$r_rss" "$r_reqs" \
        "$r_srv_cpu" "${4:-}" >>"$results"
    printf '  %-14s %-12s %-6s wall %ss cpu %ss rss %s KiB; server: %s (cpu %ss) %s\n' "$1" "$2" "$3" \
        "$r_wall" "$r_cpu" "$r_rss" "$r_reqs" "$r_srv_cpu" "${4:-}" >&2
}
record_na() { printf '%s\t%s\t%s\t\t\t\t\t\t\n' "$1" "$2" "$3" >>"$results"; }

# same_tree A B: the two local trees hold the same files and bytes (journals aside)
same_tree() {
    diff -r -x '.sync_*' -x '._sync_*' -x '.nubo_journal.db*' -x '.csync_journal.db*' \
        -x '.nextcloudsync.log*' -x '.owncloudsync.log*' "$1" "$2" >"$work/diff" 2>&1
}

# measured CASE CLIENT LOCAL REMOTE CHECK...: one run, then CHECK (a command) decides ok or FAILED.
measured() {
    local case=$1 client=$2 local_dir=$3 remote=$4
    shift 4
    sync_once "$client" "$local_dir" "$remote" "$case"
    if [[ "$r_rc" != 0 ]]; then
        record "$case" "$client" FAILED "exit $r_rc, log $r_log"
        tail -n 5 "$r_log" >&2
        return 1
    fi
    local why
    if ! why=$("$@" 2>&1); then
        record "$case" "$client" FAILED "$(tail -n 1 <<<"$why")"
        echo "$why" | tail -n 5 >&2
        return 1
    fi
    record "$case" "$client" ok
}

check_remote() { python3 "$tool" verify-remote "$url" "$user" "$password" "$@"; }
check_local() { # check_local EXPECTED LOCAL
    same_tree "$1" "$2" || { head -n 5 "$work/diff"; echo "local tree differs from the source tree"; return 1; }
}
check_nochange() { # check_nochange EXPECTED LOCAL: the tree is intact and nothing was transferred
    check_local "$1" "$2" || return 1
    if [[ " $r_reqs " != *" changes=0 "* ]]; then
        echo "a no-change sync transferred: $r_reqs"
        return 1
    fi
}

# ---- one client's suite, on its own server ----------------------------------------------------------
# start_server DATA [ARGS...]: a fresh nubo-server for the current user; sets server_pid, url, data.
start_server() {
    data=$1
    shift
    local out="$data.out"
    mkdir -p "$data"
    "$server_bin" --data "$data" --listen 127.0.0.1:0 --add-user "$user:$password" "${server_args[@]}" "$@" \
        >"$out" 2>"$data.err" &
    server_pid=$!
    local port=""
    for _ in $(seq 100); do
        port=$(sed -n '1s|^listening on http://127.0.0.1:\([0-9]*\)$|\1|p' "$out")
        [[ -n "$port" ]] && break
        sleep 0.1
    done
    [[ -n "$port" ]] || { echo "nubo-server did not start: $(cat "$data.err")" >&2; exit 1; }
    url="http://127.0.0.1:$port"
    touch "$data/access.log"
}

run_client() {
    local client=$1
    user="bench_$client" password="secret-$RANDOM$RANDOM"
    printf '%s' "$password" >"$work/password"
    start_server "$work/data-$client"
    for d in /small /many /big /million; do python3 "$tool" mkcol "$url" "$user" "$password" "$d" || exit 1; done
    local l="$work/local-$client"
    mkdir -p "$l"
    echo "== $client ($url, user $user)" >&2

    if [[ $need_small == 1 ]]; then
        cp -a "$gen/small" "$l/small-up"
        if measured upload-5000 "$client" "$l/small-up" /small check_remote /small "$gen/small"; then
            if selected download-5000; then
                mkdir "$l/small-down"
                measured download-5000 "$client" "$l/small-down" /small check_local "$gen/small"  "$l/small-down"
            fi
            if selected resync-5000; then
                # The first sync after an upload lists again every folder the upload changed (their
                # ETags moved); the no-change case is the one after it.
                measured "(first) resync-5000" "$client" "$l/small-up" /small check_nochange "$gen/small" "$l/small-up"
                measured resync-5000 "$client" "$l/small-up" /small check_nochange "$gen/small" "$l/small-up"
            fi
        else
            selected download-5000 && record_na download-5000 "$client" "skipped (upload failed)"
            selected resync-5000 && record_na resync-5000 "$client" "skipped (upload failed)"
        fi
        rm -rf "$l/small-up" "$l/small-down"
    fi

    if [[ $need_many == 1 ]]; then
        cp -a "$gen/many" "$l/many"
        echo "  uploading $n_many files for resync-100k (setup, not a measured case)..." >&2
        if measured "(setup) upload-${n_many}" "$client" "$l/many" /many check_remote /many "$gen/many" --sizes-only; then
            measured "(first) resync-100k" "$client" "$l/many" /many check_nochange "$gen/many" "$l/many"
            measured resync-100k "$client" "$l/many" /many check_nochange "$gen/many" "$l/many"
        else
            record_na resync-100k "$client" "skipped (upload failed)"
        fi
        rm -rf "$l/many"
    fi

    if [[ $need_big == 1 ]]; then
        cp -a "$gen/big" "$l/big-up"
        if measured upload-1g "$client" "$l/big-up" /big check_remote /big "$gen/big"; then
            if selected download-1g; then
                mkdir "$l/big-down"
                measured download-1g "$client" "$l/big-down" /big check_local "$gen/big" "$l/big-down"
            fi
        else
            selected download-1g && record_na download-1g "$client" "skipped (upload failed)"
        fi
        rm -rf "$l/big-up" "$l/big-down"
    fi
    if [[ $need_million == 1 && $client == nubocmd ]]; then
        cp -a "$gen/million" "$l/million"
        if measured "million: upload" "$client" "$l/million" /million check_remote /million "$gen/million" --sizes-only; then
            measured "million: (first) resync" "$client" "$l/million" /million check_nochange "$gen/million" "$l/million"
            measured "million: resync" "$client" "$l/million" /million check_nochange "$gen/million" "$l/million"
        fi
        rm -rf "$l/million"
    elif [[ $need_million == 1 ]]; then
        record_na "million: upload" "$client" "not run: nubocmd only (it would take hours)"
    fi
    stop_server
    cp "$data/access.log" "$work/logs/access-$client.log"
    [[ "${SYNC_BENCH_KEEP:-0}" == 1 ]] || rm -rf "$data"

    if [[ $need_slow == 1 ]]; then
        # Its own server, every request delayed as over a WAN.
        start_server "$work/data-$client-slow" --faults "* * delay=$slow_delay_ms"
        python3 "$tool" mkcol "$url" "$user" "$password" /slow || exit 1
        cp -a "$gen/slow" "$l/slow"
        measured upload-500-slow "$client" "$l/slow" /slow check_remote /slow "$gen/slow"
        rm -rf "$l/slow"
        stop_server
        cp "$data/access.log" "$work/logs/access-$client-slow.log"
        [[ "${SYNC_BENCH_KEEP:-0}" == 1 ]] || rm -rf "$data"
    fi
    [[ "${SYNC_BENCH_KEEP:-0}" == 1 ]] || rm -rf "$l"
}

# Rows of a client that cannot run: the cases that were asked for, with the reason.
skip_client() {
    local c
    for c in "${all_cases[@]}"; do
        selected "$c" || continue
        [[ $c == resync-100k ]] && record_na "(setup) upload-${n_many}" "$1" "$2"
        [[ $c == resync-* ]] && record_na "(first) $c" "$1" "$2"
        record_na "$c" "$1" "$2"
    done
}

load_at_start=$(cut -d' ' -f1-3 /proc/loadavg)
wanted() { [[ " ${SYNC_BENCH_CLIENTS:-nubocmd nextcloudcmd} " == *" $1 "* ]]; }
if ! wanted nubocmd; then
    skip_client nubocmd "not selected (SYNC_BENCH_CLIENTS)"
elif [[ -x "$nubocmd" ]] && "$nubocmd" sync --help >/dev/null 2>&1; then
    run_client nubocmd
else
    skip_client nubocmd "nubocmd sync: not available yet"
fi
if ! wanted nextcloudcmd; then
    skip_client nextcloudcmd "not selected (SYNC_BENCH_CLIENTS)"
elif command -v nextcloudcmd >/dev/null 2>&1; then
    run_client nextcloudcmd
else
    skip_client nextcloudcmd "nextcloudcmd: not installed"
fi

ncmd_version=$(nextcloudcmd --version 2>/dev/null | head -n 1)
python3 "$tool" report "$results" ${json_out:+--json "$json_out"} \
    --header "machine: $(nproc) cores, load average at start $load_at_start; build: ${build_type:-?} ($build_dir)" \
    --header "sizes: ${n_small} x ${small_size} B in ${small_dirs} folders; ${n_many} x ${many_size} B in ${many_dirs} folders; ${n_slow} x ${small_size} B with ${slow_delay_ms} ms per request; ${big_label}$([[ $need_million == 1 ]] && echo "; ${n_million} x ${million_size} B in ${million_dirs} folders")$([[ $quick == 1 ]] && echo ' (--quick)')" \
    --header "servers: nubo-server ${server_args[*]:-(no bulk upload)}" \
    --header "clients: $("$nubocmd" --version 2>/dev/null | head -n 1 || echo "nubocmd ?"); ${ncmd_version:-nextcloudcmd not installed}"
