#!/usr/bin/env bash
# Interop test of bulk upload: the official Nextcloud command-line client (nextcloudcmd, Debian
# package nextcloud-desktop-cmd) against nubo-server --bulk-upload. nextcloudcmd 3.4+ sends new
# small files as one POST /remote.php/dav/bulk when the capabilities advertise dav.bulkupload;
# the files must arrive with their contents and mtimes, in few requests, and come down intact.
#
# Empty files are left out on purpose: nextcloudcmd before 3.9 (Debian 12 ships 3.7.3) fails any
# bulk batch that holds an empty file inside the client, before a byte reaches the server
# ("UnknownNetworkError", nextcloud/desktop#5871). That is why nubo-server leaves bulk upload off
# by default.
#
# usage: nextcloudcmd_bulk_test.sh NUBO_SERVER_BINARY
# exit:  0 pass, 1 fail, 77 skipped (nextcloudcmd not installed). Installs nothing.
# NUBO_ITEST_KEEP_DATA=1 keeps the work folder (server data, logs, both local trees).
set -uo pipefail

SERVER_BIN=${1:?usage: $0 NUBO_SERVER_BINARY}
USER_NAME=alice
USER_PASS=secret

if ! command -v nextcloudcmd >/dev/null 2>&1; then
    echo "nextcloudcmd_bulk: SKIPPED (nextcloudcmd not installed; apt-get install nextcloud-desktop-cmd)"
    exit 77
fi
[[ -x "$SERVER_BIN" ]] || { echo "nextcloudcmd_bulk: FAIL (no server binary at $SERVER_BIN)"; exit 1; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/nubo-ncmd-bulk-XXXXXX")
L1="$WORK/local1"
L2="$WORK/local2"
LOGS="$WORK/logs"
mkdir -p "$L1" "$L2" "$LOGS" "$WORK/data" "$WORK/home"
SERVER_PID=""
RUNS=0
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
    if [[ "${NUBO_ITEST_KEEP_DATA:-0}" == 1 ]]; then echo "kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
fail() {
    NUBO_ITEST_KEEP_DATA=1
    echo "---- FAILURE: $*" >&2
    [[ -s "$WORK/server.err" ]] && tail -n 40 "$WORK/server.err" >&2
    echo "nextcloudcmd_bulk: FAIL ($*)"
    exit 1
}

"$SERVER_BIN" --data "$WORK/data" --listen 127.0.0.1:0 --add-user "$USER_NAME:$USER_PASS" --bulk-upload \
    >"$WORK/server.out" 2>"$WORK/server.err" &
SERVER_PID=$!
PORT=""
for _ in $(seq 100); do
    if [[ "$(wc -l <"$WORK/server.out")" -ge 1 ]]; then
        PORT=$(sed -n 's|^listening on http://[^ ]*:\([0-9][0-9]*\)/\{0,1\}$|\1|p' <<<"$(head -n 1 "$WORK/server.out")")
        [[ -n "$PORT" ]] || fail "unexpected first line from nubo-server: $(head -n 1 "$WORK/server.out")"
        break
    fi
    kill -0 "$SERVER_PID" 2>/dev/null || fail "nubo-server exited before listening"
    sleep 0.1
done
[[ -n "$PORT" ]] || fail "nubo-server printed no address within 10 s"
URL="http://127.0.0.1:$PORT"
LOG="$WORK/data/access.log"

# As in nextcloudcmd_interop_test.sh. "Server does not support X-OC-MTime" is a warning
# nextcloudcmd 3.7 prints for every bulk-uploaded file against any server: Nextcloud's reply
# has no X-OC-MTime key either.
ERROR_PATTERN='\[ (critical|fatal) |Could not complete propagation|OCC::SyncFileItem::(NormalError|FatalError|SoftError|DetailError|BlacklistedError|Conflict|FileNameInvalid|FileIgnored)|CSYNC_INSTRUCTION_(CONFLICT|ERROR|IGNORE)|Error transferring|Error downloading|Error uploading|Server replied with an error|Sync Error|ERROR|Network error'
BENIGN_PATTERN='QStandardPaths|[Pp]roxy|[Kk]ey[Cc]hain|XDG_RUNTIME_DIR|System exclude list file could not be read|with status OCC::SyncFileItem::Success and error|insecure|Qt5Keychain'

sync_dir() { # sync_dir LABEL DIR
    local label=$1 dir=$2 log rc errors
    RUNS=$((RUNS + 1))
    log="$LOGS/$(printf '%02d' "$RUNS")-$label.log"
    timeout 180 nextcloudcmd --non-interactive --trust -h -u "$USER_NAME" -p "$USER_PASS" \
        --max-sync-retries 1 "$dir" "$URL" >"$log" 2>&1
    rc=$?
    errors=$(grep -E "$ERROR_PATTERN" "$log" | grep -Ev "$BENIGN_PATTERN" | head -n 20)
    [[ -z "$errors" ]] || echo "$errors" >&2
    [[ $rc -eq 0 ]] || fail "nextcloudcmd ($label) exited with $rc; log: $log"
    [[ -z "$errors" ]] || fail "nextcloudcmd ($label) printed error lines (above); log: $log"
    kill -0 "$SERVER_PID" 2>/dev/null || fail "nubo-server died during nextcloudcmd ($label)"
}

compare_trees() { # compare_trees WHAT
    local out m1 m2
    out=$(diff -r -x '.sync_*' -x '._sync_*' -x '.nextcloudsync.log*' "$L1" "$L2" 2>&1) ||
        { echo "$out" | head -n 40 >&2; fail "$1: local1 and local2 differ"; }
    m1=$(cd "$L1" && find . -type f ! -name '.sync_*' ! -name '._sync_*' ! -name '.nextcloudsync.log*' -printf '%P %Ts\n' | LC_ALL=C sort)
    m2=$(cd "$L2" && find . -type f ! -name '.sync_*' ! -name '._sync_*' ! -name '.nextcloudsync.log*' -printf '%P %Ts\n' | LC_ALL=C sort)
    [[ "$m1" == "$m2" ]] || { diff <(echo "$m1") <(echo "$m2") | head -n 20 >&2; fail "$1: modification times differ"; }
}

count() { grep -c -E "$1" "$LOG"; }

# ---- round 1: 40 small new files in nested and non-ASCII folders, plus one of 3 MB -------------------
mkdir -p "$L1/docs/nested" "$L1/Grüße" "$L1/with space"
for i in $(seq 1 30); do printf 'small file %d\n' "$i" >"$L1/docs/f$i.txt"; done
for i in $(seq 1 5); do head -c $((1000 * i + 3)) /dev/urandom >"$L1/docs/nested/r$i.bin"; done
printf 'grüße\n' >"$L1/Grüße/ä ö ü.txt"
printf 'spaces\n' >"$L1/with space/file with spaces.txt"
printf 'percent\n' >"$L1/100% & more #1.txt"
printf '# 日本語\n' >"$L1/日本語.md"
# The boundary nextcloudcmd uses, inside a file: the parts are framed by length.
printf -- '--boundary_.oOo._\r\n--boundary_.oOo._--\r\n' >"$L1/boundary-lookalike.txt"
head -c $((3 * 1024 * 1024)) /dev/urandom >"$L1/big.bin"
touch -d '2021-03-04 05:06:07 UTC' "$L1/docs/f1.txt"
SMALL=$(find "$L1" -type f ! -name big.bin | wc -l)

sync_dir up "$L1"
BULKS=$(count 'POST /remote.php/dav/bulk 200 ')
PUTS=$(count '^[^ ]+ PUT /remote.php/dav/files/')
[[ $BULKS -ge 1 ]] || fail "nextcloudcmd did not use bulk upload (no POST /remote.php/dav/bulk in the access log)"
[[ $(count 'POST /remote.php/dav/bulk [^2]') -eq 0 ]] || fail "a bulk request was refused: $(grep 'dav/bulk' "$LOG")"
[[ $PUTS -le 1 ]] || fail "$PUTS single PUTs for $SMALL small files and one large one: bulk upload was not used for all"
echo "round 1: $SMALL small files in $BULKS bulk request(s), $PUTS PUT(s)"

sync_dir down "$L2"
compare_trees "round 1"
sync_dir up-again "$L1" # nothing to do: no new uploads
[[ $(count 'POST /remote.php/dav/bulk') -eq $BULKS ]] || fail "a second sync uploaded again in bulk"

# ---- round 2: edits of known files and new files; both must arrive -----------------------------------
sleep 1
printf 'small file 2, second version\n' >"$L1/docs/f2.txt"
printf 'edited\n' >>"$L1/Grüße/ä ö ü.txt"
for i in $(seq 1 5); do printf 'new %d\n' "$i" >"$L1/docs/nested/new$i.txt"; done
sync_dir up2 "$L1"
sync_dir down2 "$L2"
compare_trees "round 2"
echo "round 2: $(( $(count 'POST /remote.php/dav/bulk 200 ') - BULKS )) more bulk request(s), $(( $(count '^[^ ]+ PUT /remote.php/dav/files/') - PUTS )) more PUT(s)"

echo "nextcloudcmd_bulk: PASS ($RUNS nextcloudcmd runs)"
