#!/usr/bin/env bash
# End-to-end encrypted folders in the sync engine: `nubocmd sync` into an encrypted folder against
# the same sync into a plain folder, on the same fresh nubo-server (one per scenario), in one run.
# Prints figures and ratios (encrypted / plain) next to their goals; never a pass or fail on time.
#
#   bench/e2ee_sync_bench.sh [BUILD_DIR] [--quick] [--only SCENARIO]... [--no-build]
#
# SCENARIO: small     1 000 files of 4 KiB up, three times alternating (the best counts), and
#                     down on a second device, which checks them
#           big       1 MiB then 1 GiB up and down (second device): MB/s and nubocmd's peak RSS
#           nochange  10 000 files in 100 folders uploaded, then syncs with nothing to do:
#                     wall time, PROPFIND and GET meta-data requests
# --quick: 100 files, 64 MiB and 1 000 files instead (a smoke run).
# --no-build: use the binaries already in BUILD_DIR.
# E2EE_BENCH_TIMEOUT (seconds, default 900) bounds each nubocmd run; E2EE_BENCH_KEEP=1 keeps the
# work folder; TMPDIR says where it goes (it needs ~6 GiB free for `big`). E2EE_BENCH_WRAP puts a
# command before each nubocmd sync, %l standing for the run's label (for a profile, e.g.
# E2EE_BENCH_WRAP='perf record -g -o /tmp/%l.perf'; the times then include the profiler).
set -uo pipefail
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tool="$repo_root/bench/sync_bench_tool.py"
all_scenarios=(small big nochange)

build_dir="$repo_root/build/release"
if [[ $# -gt 0 && "$1" != -* ]]; then
    build_dir="$1"
    shift
    [[ "$build_dir" == /* ]] || build_dir="$(pwd)/$build_dir"
fi
quick=0 build=1 only=()
while [[ $# -gt 0 ]]; do
    case "$1" in
        --quick) quick=1 ;;
        --no-build) build=0 ;;
        --only)
            [[ " ${all_scenarios[*]} " == *" ${2:-} "* ]] ||
                { echo "unknown scenario '${2:-}' (scenarios: ${all_scenarios[*]})" >&2; exit 2; }
            only+=("$2"); shift ;;
        -h|--help) sed -n "2,18p" "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "unknown option $1" >&2; exit 2 ;;
    esac
    shift
done
[[ ${#only[@]} -gt 0 ]] || only=("${all_scenarios[@]}")
selected() { [[ " ${only[*]} " == *" $1 "* ]]; }

n_small=1000 small_size=4096
big_size=$((1024 * 1024 * 1024)) big_label="1 GiB" ref_size=$((1024 * 1024)) ref_label="1 MiB"
nc_dirs=100 nc_per_dir=100 nc_size=64
if [[ $quick == 1 ]]; then n_small=100 big_size=$((64 * 1024 * 1024)) big_label="64 MiB" nc_dirs=10; fi
n_nochange=$((nc_dirs * nc_per_dir))
client_timeout=${E2EE_BENCH_TIMEOUT:-900}

# ---- build ----------------------------------------------------------------------------------------
if [[ $build == 1 ]]; then
    if [[ "$build_dir" == "$repo_root/build/release" ]]; then
        (cd "$repo_root" && cmake --preset release -DNUBO_BUILD_SERVER=ON >/dev/null)
    elif [[ ! -f "$build_dir/CMakeCache.txt" ]]; then
        cmake -S "$repo_root" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release -DNUBO_BUILD_SERVER=ON \
            -DNUBO_BUILD_TESTS=OFF -DNUBO_BUILD_BENCH=OFF >/dev/null
    fi || { echo "cmake configure failed" >&2; exit 1; }
    cmake --build "$build_dir" --target nubocmd nubo-server >/dev/null ||
        { echo "building nubocmd and nubo-server failed" >&2; exit 1; }
fi
server_bin="$build_dir/src/server/nubo-server"
nubocmd="$build_dir/src/cli/nubocmd"
[[ -x "$server_bin" && -x "$nubocmd" ]] || { echo "no nubo-server or nubocmd in $build_dir" >&2; exit 1; }
build_type=$(sed -n 's/^CMAKE_BUILD_TYPE:[A-Z]*=//p' "$build_dir/CMakeCache.txt" 2>/dev/null)

export LC_ALL=C.UTF-8
work=$(mktemp -d "${TMPDIR:-/tmp}/nubo-e2ee-sync-bench-XXXXXX")
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
    if [[ "${E2EE_BENCH_KEEP:-0}" == 1 ]]; then echo "kept $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
rows="$work/rows.tsv" notes="$work/notes.txt"
: >"$rows"
: >"$notes"
mkdir -p "$work/logs"

# Peak RSS comes from /usr/bin/time (Debian package `time`); without it, python's getrusage.
if [[ -x /usr/bin/time ]]; then
    timer() { /usr/bin/time -f '%e %U %S %M %x' -o "$1" "${@:2}"; }
    timer_name="/usr/bin/time"
else
    timer() { python3 "$tool" time "$1" -- "${@:2}"; }
    timer_name="python getrusage (install the 'time' package for /usr/bin/time)"
fi

# ---- one server per scenario, with an E2EE account and two devices ------------------------------
user=alice password="secret-$RANDOM$RANDOM"
printf '%s\n' "$password" >"$work/password"
chmod 600 "$work/password"

# start_server DIR: a fresh nubo-server with its data in DIR/data; sets url, data.
start_server() {
    local dir=$1 port=""
    data="$dir/data"
    mkdir -p "$data"
    "$server_bin" --data "$data" --listen 127.0.0.1:0 --add-user "$user:$password" >"$dir/server.out" 2>"$dir/server.err" &
    server_pid=$!
    for _ in $(seq 100); do
        port=$(sed -n '1s|^listening on http://127.0.0.1:\([0-9]*\)$|\1|p' "$dir/server.out")
        [[ -n "$port" ]] && break
        kill -0 "$server_pid" 2>/dev/null || break
        sleep 0.1
    done
    [[ -n "$port" ]] || { echo "nubo-server did not start: $(cat "$dir/server.err")" >&2; exit 1; }
    url="http://127.0.0.1:$port"
    touch "$data/access.log"
}

# as_device DEVICE nubocmd-args...: nubocmd with DEVICE's own HOME (its key in the file store)
as_device() {
    local home="$scenario_dir/$1"
    shift
    mkdir -p "$home/.config" "$home/.local/share"
    HOME="$home" XDG_CONFIG_HOME="$home/.config" XDG_DATA_HOME="$home/.local/share" "$@" </dev/null
}

# setup_e2ee: device `up` makes the key (12 words to a file), device `down` installs it from them.
setup_e2ee() {
    as_device up "$nubocmd" e2ee init --user "$user" --password-file "$work/password" --key-store file \
        --new-mnemonic-file "$scenario_dir/words" "$url" >"$scenario_dir/init-up.out" 2>&1 ||
        { echo "e2ee init failed:"; cat "$scenario_dir/init-up.out"; return 1; } >&2
    as_device down "$nubocmd" e2ee init --user "$user" --password-file "$work/password" --key-store file \
        --mnemonic-file "$scenario_dir/words" "$url" >"$scenario_dir/init-down.out" 2>&1 ||
        { echo "e2ee init (second device) failed:"; cat "$scenario_dir/init-down.out"; return 1; } >&2
}

# make_pair NAME: the remote folders /NAME-enc/vault (end-to-end encrypted) and /NAME-plain/data.
# Each sync root (--path /NAME-enc, /NAME-plain) holds one folder, so both runs do the same work
# but for the encryption (an encrypted folder is never a sync root itself).
make_pair() {
    local name=$1 d
    for d in "/$name-enc" "/$name-enc/vault" "/$name-plain" "/$name-plain/data"; do
        python3 "$tool" mkcol "$url" "$user" "$password" "$d" || return 1
    done
    as_device up "$nubocmd" e2ee encrypt --user "$user" --password-file "$work/password" --key-store file \
        "$url" "/$name-enc/vault" >"$scenario_dir/encrypt-$name.out" 2>&1 ||
        { echo "e2ee encrypt /$name-enc/vault failed:"; cat "$scenario_dir/encrypt-$name.out"; return 1; } >&2
}

# sync_once DEVICE LOCAL REMOTE_PATH LABEL: one timed `nubocmd sync`; sets r_wall r_cpu r_rss (KiB)
# r_rc, and r_from, the first access-log line of its requests.
sync_once() {
    local device=$1 local_dir=$2 remote=$3 label=$4 out="$scenario_dir/time-$4"
    r_log="$work/logs/$scenario-$label.log"
    r_from=$(($(wc -l <"$data/access.log") + 1))
    local wrap=()
    [[ -n "${E2EE_BENCH_WRAP:-}" ]] && read -r -a wrap <<<"${E2EE_BENCH_WRAP//%l/$label}"
    as_device "$device" timer "$out" timeout "$client_timeout" "${wrap[@]}" "$nubocmd" sync --user "$user" \
        --password-file "$work/password" --key-store file --max-sync-retries 1 --silent \
        --path "$remote" "$local_dir" "$url" >"$r_log" 2>&1
    sleep 0.2 # the server logs a request just after answering it
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
    if [[ "$r_rc" != 0 ]]; then
        echo "  $label: nubocmd sync exit $r_rc, log $r_log:" >&2
        tail -n 5 "$r_log" >&2
    fi
    printf '  %-28s wall %ss cpu %ss rss %s KiB exit %s; %s\n' "$label" "$r_wall" "$r_cpu" "$r_rss" "$r_rc" \
        "$(requests "$r_from")" >&2
}

# requests FROM_LINE: what the server logged from that line on, by kind. lock/unlock/meta-* are the
# end-to-end-encryption API (POST/DELETE lock/ID, GET/PUT/POST/DELETE meta-data/ID); get is a GET
# of file content; ocs-other the rest of OCS (capabilities, keys); changes = put+delete+move+mkcol;
# propfind-vault the PROPFINDs of the encrypted folder and what is inside it.
requests() {
    awk -v from="$1" '
        NR < from || NF < 3 { next }
        {
            m = $2; t = $3
            if (t ~ /end_to_end_encryption\/api\/v[0-9]+\/lock\//) k = (m == "POST" ? "lock" : m == "DELETE" ? "unlock" : "lock-" m)
            else if (t ~ /end_to_end_encryption\/api\/v[0-9]+\/meta-data\//) k = "meta-" m
            else if (t ~ /^\/ocs\//) k = "ocs-other"
            else if (t ~ /^\/remote\.php\// && m == "GET") k = "get"
            else if (t ~ /^\/remote\.php\//) k = tolower(m)
            else k = "other"
            n[k]++
            if (k == "propfind" && t ~ /-enc\/vault(\/|$)/) n["propfind-vault"]++
            if (k == "put" || k == "delete" || k == "move" || k == "mkcol" || k == "copy") changes++
            total++
        }
        END {
            s = "requests=" total + 0
            split("propfind propfind-vault get put mkcol move delete lock unlock meta-GET meta-PUT meta-POST meta-DELETE ocs-other other", order, " ")
            for (i = 1; i in order; i++) if (order[i] in n) { s = s " " order[i] "=" n[order[i]]; seen[order[i]] = 1 }
            for (k in n) if (!(k in seen)) s = s " " k "=" n[k]
            print s " changes=" changes + 0
        }' "$data/access.log"
}
count_of() { # count_of KIND "requests output": the number after KIND=, 0 when absent
    local v
    v=$(tr ' ' '\n' <<<"$2" | sed -n "s/^$1=//p")
    echo "${v:-0}"
}

# same_tree A B: the same files and bytes, journals aside
same_tree() {
    diff -r -x '.sync_*' -x '._sync_*' -x '.nubo_journal.db*' -x '.nubo*' "$1" "$2" >"$scenario_dir/diff" 2>&1 ||
        { echo "  local trees $1 and $2 differ:" >&2; head -n 5 "$scenario_dir/diff" >&2; return 1; }
}

# remote_files PATH: "FILES BYTES" of the remote tree under PATH (for an encrypted one: the blobs)
remote_files() {
    BENCH_DIR="$repo_root/bench" python3 - "$url" "$user" "$password" "$1" <<'PY'
import os, sys
sys.path.insert(0, os.environ["BENCH_DIR"])
from sync_bench_tool import Dav
listing = Dav(*sys.argv[1:4]).listing(sys.argv[4])
sizes = [v for v in listing.values() if v is not None]
print(len(sizes), sum(sizes))
PY
}

# ---- rows of the table ----------------------------------------------------------------------------
# row WHAT ENCRYPTED PLAIN RATIO GOAL
row() { printf '%s\t%s\t%s\t%s\t%s\n' "$@" >>"$rows"; }
note() { printf '%s\n' "$*" >>"$notes"; echo "  note: $*" >&2; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{ if (a == "" || b == "" || b + 0 == 0) print "-"; else printf "%.2f", a / b }'; }
mibps() { awk -v s="$1" -v w="$2" 'BEGIN{ if (w == "" || w + 0 == 0) print ""; else printf "%.1f", s / 1048576 / w }'; }
mib() { awk -v k="$1" 'BEGIN{ if (k == "") print "-"; else printf "%.0f MiB", k / 1024 }'; }
verdict() { # verdict VALUE OP LIMIT: "met" or "NOT met" (or "-" without a value)
    awk -v v="$1" -v op="$2" -v l="$3" 'BEGIN{ if (v == "-" || v == "") print "-"; else if ((op == "<=" && v <= l) || (op == ">=" && v >= l)) print "met"; else print "NOT met" }'
}
free_gib() { df -Pk "$1" | awk 'NR == 2 { printf "%d", $4 / 1048576 }'; }

# begin_scenario NAME: a fresh server and the two devices
begin_scenario() {
    scenario=$1
    scenario_dir="$work/$scenario"
    mkdir -p "$scenario_dir"
    start_server "$scenario_dir"
    setup_e2ee || exit 1
    echo "== $scenario ($url, free disk $(free_gib "$work") GiB, load $(cut -d' ' -f1-3 /proc/loadavg))" >&2
}
end_scenario() {
    stop_server
    cp "$data/access.log" "$work/logs/access-$scenario.log"
    [[ "${E2EE_BENCH_KEEP:-0}" == 1 ]] || rm -rf "$scenario_dir"
}

# ---- 1. many small files up ---------------------------------------------------------------------
scenario_small() {
    begin_scenario small
    local s=$scenario_dir enc_up="" plain_up="" enc_reqs="" enc_down plain_down enc_up_cpu="" plain_up_cpu=""
    local enc_down_cpu plain_down_cpu round kind walls_enc="" walls_plain="" enc_failed=0 plain_failed=0
    python3 "$tool" gen-tree "$s/gen" "$n_small" 10 "$small_size" 11
    # Three rounds, each into a fresh pair of remote folders, alternating which goes first (a
    # warm page cache or server database favours the second); the best wall time of each counts.
    for round in 1 2 3; do
        make_pair "small$round" || exit 1
        local order=(enc plain)
        [[ $round == 2 ]] && order=(plain enc)
        for kind in "${order[@]}"; do
            if [[ $kind == enc ]]; then
                mkdir -p "$s/up-enc-$round" && cp -a "$s/gen" "$s/up-enc-$round/vault"
                sync_once up "$s/up-enc-$round" "/small$round-enc" "upload-${n_small}-enc-$round"
                [[ $r_rc == 0 ]] || { enc_failed=1; continue; }
                walls_enc+=" $r_wall"
                if [[ $round == 1 ]]; then
                    enc_reqs=$(requests "$r_from")
                    local blobs
                    blobs=$(remote_files /small1-enc/vault)
                    [[ "$blobs" == "$n_small $((n_small * (small_size + 16)))" ]] ||
                        note "the encrypted folder holds '$blobs' (files bytes) on the server, expected $n_small blobs of $((small_size + 16)) B"
                fi
                if faster "$r_wall" "$enc_up"; then enc_up=$r_wall enc_up_cpu=$r_cpu; fi
            else
                mkdir -p "$s/up-plain-$round" && cp -a "$s/gen" "$s/up-plain-$round/data"
                sync_once up "$s/up-plain-$round" "/small$round-plain" "upload-${n_small}-plain-$round"
                [[ $r_rc == 0 ]] || { plain_failed=1; continue; }
                walls_plain+=" $r_wall"
                [[ $round == 1 ]] && { python3 "$tool" verify-remote "$url" "$user" "$password" /small1-plain/data "$s/gen" >/dev/null ||
                    note "the plain upload of $n_small files is not what was sent"; }
                if faster "$r_wall" "$plain_up"; then plain_up=$r_wall plain_up_cpu=$r_cpu; fi
            fi
        done
    done
    # A failed run leaves no figure: the row says FAILED rather than the best of the others.
    [[ $enc_failed == 1 ]] && enc_up=""
    [[ $plain_failed == 1 ]] && plain_up=""
    local r
    r=$(ratio "$enc_up" "$plain_up")
    row "upload ${n_small} x 4 KiB, best of 3: wall (cpu)" "${enc_up:-FAILED} s (${enc_up_cpu:-} s)" "${plain_up:-FAILED} s (${plain_up_cpu:-} s)" "$r" "<= 1.3: $(verdict "$r" '<=' 1.3)"
    row "  the three runs (s)" "${walls_enc# }" "${walls_plain# }" "" ""
    row "  its requests (encrypted)" "lock $(count_of lock "$enc_reqs"), unlock $(count_of unlock "$enc_reqs"), meta-data GET $(count_of meta-GET "$enc_reqs") / PUT $(count_of meta-PUT "$enc_reqs") / POST $(count_of meta-POST "$enc_reqs")" \
        "" "" "1 lock, 1 unlock"
    row "  all requests (encrypted run)" "${enc_reqs#requests=}" "" "" ""

    # The second device downloads both folders; that checks the encrypted upload byte by byte.
    mkdir -p "$s/down-enc" "$s/down-plain"
    sync_once down "$s/down-enc" /small1-enc "download-${n_small}-enc"
    [[ $r_rc == 0 ]] && same_tree "$s/gen" "$s/down-enc/vault" && enc_down=$r_wall enc_down_cpu=$r_cpu || enc_down=""
    sync_once down "$s/down-plain" /small1-plain "download-${n_small}-plain"
    [[ $r_rc == 0 ]] && same_tree "$s/gen" "$s/down-plain/data" && plain_down=$r_wall plain_down_cpu=$r_cpu || plain_down=""
    row "download ${n_small} x 4 KiB: wall (cpu)" "${enc_down:-FAILED} s (${enc_down_cpu:-} s)" "${plain_down:-FAILED} s (${plain_down_cpu:-} s)" "$(ratio "$enc_down" "$plain_down")" ""
    end_scenario
}

# faster NEW OLD: whether wall time NEW beats OLD (or OLD is empty).
faster() { [[ -z "$2" ]] || awk -v a="$1" -v b="$2" 'BEGIN{exit !(a < b)}'; }
# best A B: the smaller of two wall times (A may be empty); most A B: the larger (RSS).
best() { [[ -z "$1" ]] && echo "$2" || awk -v a="$1" -v b="$2" 'BEGIN{print (b < a ? b : a)}'; }
most() { [[ -z "$1" ]] && echo "$2" || awk -v a="$1" -v b="$2" 'BEGIN{print (b > a ? b : a)}'; }

# ---- 2. one big file up and down ----------------------------------------------------------------
# big_pair NAME SIZE: SIZE bytes up into /NAME-enc/vault and /NAME-plain/data, then down on the
# second device; sets the b_* figures (wall seconds, peak RSS KiB) or leaves them empty on failure.
big_pair() {
    local name=$1 size=$2 s=$scenario_dir
    make_pair "$name" || exit 1
    mkdir -p "$s/$name-up-enc/vault" "$s/$name-up-plain/data"
    python3 "$tool" gen-file "$s/$name-up-enc/vault/$name.bin" "$size" 21
    # One file, two names: the plain upload reads the same bytes (and saves the disk a copy).
    ln "$s/$name-up-enc/vault/$name.bin" "$s/$name-up-plain/data/$name.bin" 2>/dev/null ||
        cp "$s/$name-up-enc/vault/$name.bin" "$s/$name-up-plain/data/$name.bin"
    cat "$s/$name-up-enc/vault/$name.bin" >/dev/null # both runs start from the page cache
    b_up_enc="" b_up_plain="" b_down_enc="" b_down_plain=""
    b_rss_up_enc="" b_rss_up_plain="" b_rss_down_enc="" b_rss_down_plain=""
    # Each timed run starts with nothing left to write back: the run before it (the server storing
    # 1 GiB, a download just checked) would otherwise slow down the page cache writes of the next.
    sync
    sync_once up "$s/$name-up-enc" "/$name-enc" "upload-$name-enc"
    if [[ $r_rc == 0 ]]; then
        local blobs
        blobs=$(remote_files "/$name-enc/vault")
        if [[ "$blobs" == "1 $((size + 16))" ]]; then
            b_up_enc=$r_wall b_rss_up_enc=$r_rss
        else
            note "after the encrypted upload of $name the server holds '$blobs' (files bytes)"
        fi
    fi
    sync
    sync_once up "$s/$name-up-plain" "/$name-plain" "upload-$name-plain"
    [[ $r_rc == 0 && "$(remote_files "/$name-plain/data")" == "1 $size" ]] && b_up_plain=$r_wall b_rss_up_plain=$r_rss
    # Downloads alternate, three of each, and the best wall time counts: how fast the kernel
    # takes 1 GiB into the page cache varies between runs on a shared machine by 2x and more,
    # whichever client runs (perf showed the same copy at 230 and at 4 900 samples).
    local round kind folder
    for round in 1 2 3; do
        for kind in enc plain; do
            [[ $kind == enc ]] && folder=vault || folder=data
            rm -rf "$s/$name-down-$kind"
            mkdir -p "$s/$name-down-$kind"
            sync
            sync_once down "$s/$name-down-$kind" "/$name-$kind" "download-$name-$kind"
            if [[ $r_rc == 0 ]] && cmp -s "$s/$name-up-$kind/$folder/$name.bin" "$s/$name-down-$kind/$folder/$name.bin"; then
                if [[ $kind == enc ]]; then
                    b_down_enc=$(best "$b_down_enc" "$r_wall") b_rss_down_enc=$(most "$b_rss_down_enc" "$r_rss")
                else
                    b_down_plain=$(best "$b_down_plain" "$r_wall") b_rss_down_plain=$(most "$b_rss_down_plain" "$r_rss")
                fi
            else
                note "the $kind download of $name (round $round) is missing or differs"
            fi
        done
    done
    rm -rf "$s/$name-down-enc" "$s/$name-down-plain" "$s/$name-up-enc" "$s/$name-up-plain"
}

scenario_big() {
    local need_gib=$((6 * big_size / 1073741824 + 1)) have
    have=$(free_gib "${TMPDIR:-/tmp}")
    if [[ $have -lt $need_gib ]]; then
        note "big: skipped, $have GiB free under ${TMPDIR:-/tmp} and it needs about $need_gib GiB"
        row "up/down $big_label" "skipped (disk)" "" "" ""
        return
    fi
    begin_scenario big
    big_pair ref "$ref_size"
    local ref_up_enc=$b_rss_up_enc ref_up_plain=$b_rss_up_plain ref_down_enc=$b_rss_down_enc ref_down_plain=$b_rss_down_plain
    big_pair big "$big_size"
    local up_e up_p down_e down_p r
    up_e=$(mibps "$big_size" "$b_up_enc") up_p=$(mibps "$big_size" "$b_up_plain")
    down_e=$(mibps "$big_size" "$b_down_enc") down_p=$(mibps "$big_size" "$b_down_plain")
    r=$(ratio "$up_e" "$up_p")
    row "upload $big_label: MiB/s (wall)" "${up_e:-FAILED} (${b_up_enc:--} s)" "${up_p:-FAILED} (${b_up_plain:--} s)" "$r" ">= 0.8: $(verdict "$r" '>=' 0.8)"
    r=$(ratio "$down_e" "$down_p")
    row "download $big_label: MiB/s (wall)" "${down_e:-FAILED} (${b_down_enc:--} s)" "${down_p:-FAILED} (${b_down_plain:--} s)" "$r" ">= 0.8: $(verdict "$r" '>=' 0.8)"
    r=$(ratio "$b_rss_up_enc" "$ref_up_enc")
    row "peak RSS upload $big_label / $ref_label" "$(mib "$b_rss_up_enc") / $(mib "$ref_up_enc") = $r" \
        "$(mib "$b_rss_up_plain") / $(mib "$ref_up_plain") = $(ratio "$b_rss_up_plain" "$ref_up_plain")" \
        "$(ratio "$b_rss_up_enc" "$b_rss_up_plain")" "flat (~1.0): $(verdict "$r" '<=' 1.25)"
    r=$(ratio "$b_rss_down_enc" "$ref_down_enc")
    row "peak RSS download $big_label / $ref_label" "$(mib "$b_rss_down_enc") / $(mib "$ref_down_enc") = $r" \
        "$(mib "$b_rss_down_plain") / $(mib "$ref_down_plain") = $(ratio "$b_rss_down_plain" "$ref_down_plain")" \
        "$(ratio "$b_rss_down_enc" "$b_rss_down_plain")" "flat (~1.0): $(verdict "$r" '<=' 1.25)"
    end_scenario
}

# ---- 3. syncs with nothing to do on many encrypted files ----------------------------------------
# nochange_goal RUN PROPFINDS INSIDE_VAULT META_GETS: right after the upload every folder's ETag
# moved (the upload changed them after discovery read them), so each is listed again and its
# metadata fetched once at most; on the next sync nothing moved: the root's PROPFIND (plus the
# --path check) and no metadata.
nochange_goal() {
    if [[ $1 == second ]]; then
        echo "meta GET <= folders listed in vault: $([[ $4 -le $3 ]] && echo met || echo "NOT met")"
    else
        echo "1+1 (--path check) / 0: $([[ $2 -le 2 && $4 == 0 ]] && echo met || echo "NOT met")"
    fi
}
scenario_nochange() {
    begin_scenario nochange
    make_pair nc || exit 1
    local s=$scenario_dir
    python3 "$tool" gen-tree "$s/gen" "$n_nochange" "$nc_dirs" "$nc_size" 31
    mkdir -p "$s/enc" "$s/plain"
    cp -a "$s/gen" "$s/enc/vault"
    cp -a "$s/gen" "$s/plain/data"
    local kind dir remote ok
    declare -A wall cpu propfind pvault metaget reqs
    for kind in enc plain; do
        [[ $kind == enc ]] && remote=/nc-enc || remote=/nc-plain
        echo "  uploading $n_nochange files ($kind; setup, not measured)..." >&2
        sync_once up "$s/$kind" "$remote" "setup-upload-$kind"
        ok=$r_rc
        local run
        for run in second third; do
            sync_once up "$s/$kind" "$remote" "nochange-$run-$kind"
            reqs[$kind-$run]=$(requests "$r_from")
            if [[ $ok == 0 && $r_rc == 0 && "$(count_of changes "${reqs[$kind-$run]}")" == 0 &&
                  "$(count_of get "${reqs[$kind-$run]}")" == 0 ]]; then
                wall[$kind-$run]=$r_wall cpu[$kind-$run]=$r_cpu
            else
                wall[$kind-$run]=""
                note "nochange $run sync ($kind) failed or transferred: exit $r_rc, ${reqs[$kind-$run]}"
            fi
            propfind[$kind-$run]=$(count_of propfind "${reqs[$kind-$run]}")
            pvault[$kind-$run]=$(count_of propfind-vault "${reqs[$kind-$run]}")
            metaget[$kind-$run]=$(count_of meta-GET "${reqs[$kind-$run]}")
        done
        # A true no-change sync takes a fraction of a second: the best of three of them.
        local i again
        for i in 2 3; do
            sync_once up "$s/$kind" "$remote" "nochange-third-$kind-again$i"
            again=$(requests "$r_from")
            if [[ -n "${wall[$kind-third]}" && $r_rc == 0 && "$(count_of changes "$again")" == 0 ]]; then
                wall[$kind-third]=$(awk -v a="${wall[$kind-third]}" -v b="$r_wall" 'BEGIN{print (b < a ? b : a)}')
            fi
        done
    done
    # Both devices' trees stay as generated.
    same_tree "$s/gen" "$s/enc/vault" || note "the encrypted tree changed locally"
    local folders=$((nc_dirs + 1)) label
    for run in second third; do
        [[ $run == second ]] && label="2nd sync (right after the upload)" || label="3rd sync (nothing changed since; best of 3)"
        row "no-change $n_nochange files, $label: wall (cpu)" "${wall[enc-$run]:-FAILED} s (${cpu[enc-$run]:-} s)" \
            "${wall[plain-$run]:-FAILED} s (${cpu[plain-$run]:-} s)" \
            "$(ratio "${wall[enc-$run]}" "${wall[plain-$run]}")" ""
        # One PROPFIND (Depth 0) is nubocmd's check that --path exists, before discovery.
        row "  PROPFIND (of them inside vault) / GET meta-data" \
            "${propfind[enc-$run]} (${pvault[enc-$run]}) / ${metaget[enc-$run]}" \
            "${propfind[plain-$run]} / ${metaget[plain-$run]}" "" \
            "$(nochange_goal "$run" "${propfind[enc-$run]}" "${pvault[enc-$run]}" "${metaget[enc-$run]}")"
        row "  all requests (encrypted run)" "${reqs[enc-$run]#requests=}" "" "" ""
    done
    note "nochange: the encrypted tree is $folders folders (vault and $nc_dirs inside it) of $nc_per_dir files of $nc_size B"
    end_scenario
}

load_at_start=$(cut -d' ' -f1-3 /proc/loadavg)
t_start=$SECONDS
selected small && scenario_small
selected big && scenario_big
selected nochange && scenario_nochange

# ---- the table ------------------------------------------------------------------------------------
echo
echo "machine: $(nproc) cores, load average at start $load_at_start, at end $(cut -d' ' -f1-3 /proc/loadavg); build: ${build_type:-?} ($build_dir)"
echo "nubocmd: $("$nubocmd" --version 2>/dev/null | head -n 1); peak RSS by $timer_name; total $((SECONDS - t_start)) s"
echo "sizes: $n_small x $small_size B; $ref_label and $big_label; $n_nochange x $nc_size B in $nc_dirs folders$([[ $quick == 1 ]] && echo ' (--quick)')"
python3 - "$rows" <<'PY'
import sys
rows = [["", "encrypted", "plain", "enc/plain", "goal"]]
with open(sys.argv[1]) as f:
    rows += [line.rstrip("\n").split("\t") for line in f]
widths = [max(len(r[i]) for r in rows) for i in range(5)]
for n, r in enumerate(rows):
    print(" | ".join(c.ljust(widths[i]) for i, c in enumerate(r)).rstrip())
    if n == 0:
        print("-+-".join("-" * w for w in widths))
PY
echo "wall = elapsed seconds of one nubocmd sync (--key-store file in both columns), cpu = its user+sys seconds"
echo "(small uploads: best of 3 alternating rounds, with that run's cpu; no-change syncs: best of 3, the first"
echo "run's cpu; big downloads: best of 3 alternating runs, peak RSS the highest); MiB/s = file size / wall;"
echo "ratios are of wall times; the rest are one sample each, on a machine that may be shared: compare ratios,"
echo "not absolute figures."
if [[ -s "$notes" ]]; then
    echo "notes:"
    sed 's/^/  /' "$notes"
fi
