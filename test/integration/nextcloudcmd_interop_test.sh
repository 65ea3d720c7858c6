#!/usr/bin/env bash
# Interop test: the official Nextcloud command-line client (nextcloudcmd, Debian package
# nextcloud-desktop-cmd) syncs a tree up to nubo-server and down into a second folder, then
# propagates edits, renames, moves and deletes both ways; every round must end byte-identical.
#
# usage: nextcloudcmd_interop_test.sh NUBO_SERVER_BINARY
# exit:  0 pass, 1 fail, 77 skipped (nextcloudcmd not installed). Installs nothing.
# NUBO_ITEST_KEEP_DATA=1 keeps the work folder (server data, logs, both local trees).
set -uo pipefail

SERVER_BIN=${1:?usage: $0 NUBO_SERVER_BINARY}
USER_NAME=alice
USER_PASS=secret

if ! command -v nextcloudcmd >/dev/null 2>&1; then
    echo "nextcloudcmd_interop: SKIPPED (nextcloudcmd not installed; apt-get install nextcloud-desktop-cmd)"
    exit 77
fi
if [[ ! -x "$SERVER_BIN" ]]; then
    echo "nextcloudcmd_interop: FAIL (no server binary at $SERVER_BIN)"
    exit 1
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/nubo-ncmd-XXXXXX")
L1="$WORK/local1"
L2="$WORK/local2"
LOGS="$WORK/logs"
mkdir -p "$L1" "$L2" "$LOGS" "$WORK/data" "$WORK/home"
SERVER_PID=""
RUNS=0
ROUND=""

# nextcloudcmd reads its proxy settings from the desktop client's configuration: keep it in here.
export HOME="$WORK/home" XDG_CONFIG_HOME="$WORK/home/.config" XDG_DATA_HOME="$WORK/home/.local/share"
export LC_ALL=C.UTF-8

stop_server() {
    if [[ -n "$SERVER_PID" ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill -TERM "$SERVER_PID" 2>/dev/null
        for _ in $(seq 100); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
        kill -0 "$SERVER_PID" 2>/dev/null && kill -KILL "$SERVER_PID" 2>/dev/null
        wait "$SERVER_PID" 2>/dev/null
    fi
    SERVER_PID=""
}

cleanup() {
    stop_server
    if [[ "${NUBO_ITEST_KEEP_DATA:-0}" == 1 ]]; then
        echo "kept $WORK"
    else
        rm -rf "$WORK"
    fi
}
trap cleanup EXIT

fail() {
    NUBO_ITEST_KEEP_DATA=1 # keep the logs and trees of a failed run for inspection
    echo "---- FAILURE in round '${ROUND}': $*" >&2
    if [[ -s "$WORK/server.err" ]]; then
        echo "---- nubo-server stderr (last 40 lines):" >&2
        tail -n 40 "$WORK/server.err" >&2
    fi
    echo "nextcloudcmd_interop: FAIL ($*)"
    exit 1
}

# ---- server ------------------------------------------------------------------------------------
"$SERVER_BIN" --data "$WORK/data" --listen 127.0.0.1:0 --add-user "$USER_NAME:$USER_PASS" \
    >"$WORK/server.out" 2>"$WORK/server.err" &
SERVER_PID=$!
PORT=""
for _ in $(seq 100); do
    if [[ "$(wc -l <"$WORK/server.out")" -ge 1 ]]; then # a complete first line
        line=$(head -n 1 "$WORK/server.out")
        PORT=$(sed -n 's|^listening on http://[^ ]*:\([0-9][0-9]*\)/\{0,1\}$|\1|p' <<<"$line")
        [[ -n "$PORT" ]] || fail "unexpected first line from nubo-server: $line"
        break
    fi
    kill -0 "$SERVER_PID" 2>/dev/null || fail "nubo-server exited before listening"
    sleep 0.1
done
[[ -n "$PORT" ]] || fail "nubo-server printed no address within 10 s"
URL="http://127.0.0.1:$PORT"

# ---- helpers -------------------------------------------------------------------------------------
# Lines of nextcloudcmd output that mean something went wrong: critical/fatal messages (including
# its failed Q_ASSERTs), items that did not propagate, error or conflict statuses and instructions.
# Plain warnings are not errors: nextcloudcmd logs ordinary renames and moves at warning level.
ERROR_PATTERN='\[ (critical|fatal) |Could not complete propagation|OCC::SyncFileItem::(NormalError|FatalError|SoftError|DetailError|BlacklistedError|Conflict|FileNameInvalid|FileIgnored)|CSYNC_INSTRUCTION_(CONFLICT|ERROR|IGNORE)|Error transferring|Error downloading|Error uploading|Server replied with an error|Sync Error|ERROR'
# Warnings that are not about this sync's correctness: the environment (no keychain, no desktop
# config, no per-folder exclude files), plain http, and nextcloudcmd 3.7 logging every successful
# remote mkdir as "Could not complete propagation ... with status Success and error: Unknown error".
BENIGN_PATTERN='QStandardPaths|[Pp]roxy|[Kk]ey[Cc]hain|XDG_RUNTIME_DIR|System exclude list file could not be read|with status OCC::SyncFileItem::Success and error|insecure|Qt5Keychain'

sync_dir() { # sync_dir LABEL DIR
    local label=$1 dir=$2 log rc
    RUNS=$((RUNS + 1))
    log="$LOGS/$(printf '%02d' "$RUNS")-$label.log"
    timeout 180 nextcloudcmd --non-interactive --trust -h -u "$USER_NAME" -p "$USER_PASS" \
        --max-sync-retries 1 "$dir" "$URL" >"$log" 2>&1
    rc=$?
    local errors
    errors=$(grep -E "$ERROR_PATTERN" "$log" | grep -Ev "$BENIGN_PATTERN" | head -n 20)
    if [[ $rc -ne 0 ]]; then
        {
            echo "---- error lines:"
            echo "${errors:-(none matched)}"
            echo "---- last lines:"
            tail -n 15 "$log"
        } >&2
        fail "nextcloudcmd ($label) exited with $rc; log: $log"
    fi
    if [[ -n "$errors" ]]; then
        echo "$errors" >&2
        fail "nextcloudcmd ($label) printed error lines (above); log: $log"
    fi
    kill -0 "$SERVER_PID" 2>/dev/null || fail "nubo-server died during nextcloudcmd ($label)"
}

# Converge: run nextcloudcmd on DIR until a run (the second or later) leaves the local tree as it
# was; at most 4 runs. The last run is always one that had nothing to do locally.
sync_until_stable() { # sync_until_stable LABEL DIR
    local label=$1 dir=$2 before after i
    for i in 1 2 3 4; do
        before=$(tree_state "$dir")
        sync_dir "$label-$i" "$dir"
        after=$(tree_state "$dir")
        if [[ $i -ge 2 && "$before" == "$after" ]]; then return 0; fi
    done
    fail "nextcloudcmd ($label) still changed $dir on its 4th run"
}

EXCLUDES=(-x '.sync_*' -x '._sync_*' -x '.csync_journal.db*' -x '.nextcloudsync.log*' -x '.owncloudsync.log*'
          -x '*.~*')

# Paths, sizes and contents' hashes (no journals), for equality checks and messages.
tree_state() {
    (cd "$1" && find . -mindepth 1 \( -name '.sync_*' -o -name '._sync_*' -o -name '.csync_journal.db*' \
        -o -name '.nextcloudsync.log*' -o -name '.owncloudsync.log*' \) -prune -o -print0 |
        LC_ALL=C sort -z |
        while IFS= read -r -d '' p; do
            if [[ -d "$p" ]]; then echo "D $p"; else echo "F $p $(sha1sum <"$p" | cut -c1-40)"; fi
        done)
}

compare_trees() { # compare_trees WHAT
    local out
    if ! out=$(diff -r "${EXCLUDES[@]}" "$L1" "$L2" 2>&1); then
        echo "$out" | head -n 40 >&2
        fail "$1: local1 and local2 differ"
    fi
    # modification times survive the round trip through the server (X-OC-Mtime, getlastmodified)
    local m1 m2
    m1=$(cd "$L1" && find . -type f ! -name '.sync_*' ! -name '._sync_*' ! -name '.nextcloudsync.log*' \
        -printf '%P %Ts\n' | LC_ALL=C sort)
    m2=$(cd "$L2" && find . -type f ! -name '.sync_*' ! -name '._sync_*' ! -name '.nextcloudsync.log*' \
        -printf '%P %Ts\n' | LC_ALL=C sort)
    if [[ "$m1" != "$m2" ]]; then
        diff <(echo "$m1") <(echo "$m2") | head -n 20 >&2
        fail "$1: modification times differ between local1 and local2"
    fi
}

expect_conflict_free() {
    local c
    c=$(find "$L1" "$L2" -name '*conflicted copy*' -o -name '*_conflict-*' | head -n 5)
    [[ -z "$c" ]] || fail "conflict files appeared: $c"
}

# ---- round 1: a fresh tree up, then down into an empty folder --------------------------------------
ROUND="initial upload and download"
mkdir -p "$L1/docs/nested/deeper/deepest" "$L1/Grüße" "$L1/emptydir" "$L1/with space" "$L1/Ünïcödé ñ/sub"
printf 'readme\n' >"$L1/docs/readme.txt"
printf 'deep\n' >"$L1/docs/nested/deeper/deepest/file.txt"
printf 'grüße\n' >"$L1/Grüße/ä ö ü.txt"
printf '# 日本語\n' >"$L1/日本語.md"
printf 'spaces\n' >"$L1/with space/file with spaces.txt"
printf 'percent\n' >"$L1/100% & more #1.txt"
printf 'hidden\n' >"$L1/.hidden-file"
: >"$L1/empty.txt"
: >"$L1/docs/empty2"
: >"$L1/Ünïcödé ñ/sub/ß"
head -c $((300 * 1024)) /dev/urandom >"$L1/binary.bin"
head -c $((64 * 1024 + 7)) /dev/urandom >"$L1/docs/nested/odd-size.bin"
# Larger than nextcloudcmd's chunk size (10 MB by default): uploaded with chunking v2.
head -c $((24 * 1024 * 1024 + 3)) /dev/urandom >"$L1/docs/large.bin"
touch -d '2021-03-04 05:06:07 UTC' "$L1/docs/readme.txt"
FILES=$(find "$L1" -type f | wc -l)
DIRS=$(find "$L1" -mindepth 1 -type d | wc -l)

sync_until_stable up "$L1"
sync_until_stable down "$L2"
grep -q 'MOVE /remote.php/dav/uploads/.* 20[14] ' "$WORK/data/access.log" ||
    fail "the large file was not uploaded with chunked upload v2 (no assembling MOVE in the access log)"
compare_trees "$ROUND"

# ---- round 2: edits, renames, moves and deletes on local1 ---------------------------------------------
ROUND="changes made on local1"
sleep 1 # distinct modification times for the edits
printf 'readme, second version\n' >>"$L1/docs/readme.txt"
head -c $((300 * 1024)) /dev/urandom >"$L1/binary.bin"
mv "$L1/日本語.md" "$L1/日本語-renamed.md"
mv "$L1/docs/nested/deeper" "$L1/Grüße/deeper"
mv "$L1/docs/nested/odd-size.bin" "$L1/Ünïcödé ñ/odd-size moved.bin"
rm "$L1/empty.txt"
rm -r "$L1/with space"
printf 'new\n' >"$L1/Grüße/new ß.txt"
mkdir -p "$L1/newdir/sub"
printf 'in a new folder\n' >"$L1/newdir/sub/file.txt"
: >"$L1/newdir/empty-new"

sync_until_stable up "$L1"
sync_until_stable down "$L2"
compare_trees "$ROUND"
[[ -f "$L2/日本語-renamed.md" && ! -e "$L2/日本語.md" ]] || fail "rename did not reach local2"
[[ -f "$L2/Grüße/deeper/deepest/file.txt" && ! -e "$L2/docs/nested/deeper" ]] || fail "folder move did not reach local2"
[[ ! -e "$L2/with space" && ! -e "$L2/empty.txt" ]] || fail "deletes did not reach local2"

# ---- round 3: changes the other way, made on local2 ---------------------------------------------------
ROUND="changes made on local2"
sleep 1
printf 'edited on local2\n' >"$L2/Grüße/ä ö ü.txt"
rm "$L2/docs/empty2"
mv "$L2/newdir" "$L2/newdir-renamed"
printf 'from local2\n' >"$L2/docs/from-local2.txt"

sync_until_stable up-from-2 "$L2"
sync_until_stable down-to-1 "$L1"
compare_trees "$ROUND"
expect_conflict_free

# ---- the server is still healthy and stops cleanly -------------------------------------------------------
ROUND="shutdown"
kill -0 "$SERVER_PID" 2>/dev/null || fail "nubo-server is not running any more"
kill -TERM "$SERVER_PID"
rc=0
for _ in $(seq 100); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$SERVER_PID" 2>/dev/null; then
    fail "nubo-server did not stop within 10 s of SIGTERM"
fi
wait "$SERVER_PID" || rc=$?
SERVER_PID=""
[[ $rc -eq 0 ]] || fail "nubo-server exited with $rc after SIGTERM"

echo "nextcloudcmd_interop: PASS ($FILES files and $DIRS folders up and down, 3 rounds of changes compared byte for byte, $RUNS nextcloudcmd runs, $(nextcloudcmd --version 2>/dev/null | head -n 1))"
exit 0
