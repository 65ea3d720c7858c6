#!/usr/bin/env bash
# Black-box regression test: `nubocmd sync` against a hostile server. A reverse proxy in front of a
# real nubo-server (hostile_proxy.py) adds entries to the listing of the user's root folder: folders
# named ".." and ".", files whose names hold an encoded '/', '\' or NUL ("..%2Fx", "%2Fetc%2Fx",
# "nul%00x.txt", ...) and hrefs outside the folder ("/remote.php/dav/files/pwned.txt"). The client
# must refuse them as invalid names (exit 1, named in the output), write nothing outside its sync
# root (which sits in a sandbox folder next to an empty sibling), download only the one real file,
# and send no request for the hostile paths and no request that changes anything on the server.
# Each check prints "ok N - what" or "FAIL N - what"; the script exits 1 on any failure and keeps
# its work folder then.
#
# usage: nubocmd_hostile_names_test.sh NUBOCMD NUBO_SERVER HOSTILE_PROXY_PY
# NUBO_ITEST_KEEP_DATA=1 keeps the work folder of a passing run too.
set -uo pipefail

USAGE="usage: $0 NUBOCMD NUBO_SERVER HOSTILE_PROXY_PY"
NUBOCMD=${1:?$USAGE}
SERVER_BIN=${2:?$USAGE}
PROXY_PY=${3:?$USAGE}

WORK=$(mktemp -d "${TMPDIR:-/tmp}/nubo-cli-hostile-XXXXXX")
SERVER_PID=""
PROXY_PID=""
FAILURES=0
CHECK=0
export HOME="$WORK/home" XDG_DATA_HOME="$WORK/home/.local/share" LC_ALL=C.UTF-8
OUT=$WORK/out # everything this script writes itself (outputs, the proxy's log, the stamps)
SANDBOX=$WORK/sandbox
ROOT=$SANDBOX/root
SRV=$WORK/srv # nubo-server's data and output
mkdir -p "$HOME" "$SRV" "$OUT"

# stop_pid, start_nubo_server, check, rc_is, has
source "$(dirname "${BASH_SOURCE[0]}")/server_lib.sh"

cleanup() {
    stop_pid "$PROXY_PID"
    stop_pid "$SERVER_PID"
    if [[ "$FAILURES" -gt 0 || "${NUBO_ITEST_KEEP_DATA:-0}" == 1 ]]; then
        echo "kept $WORK"
    else
        rm -rf "$WORK"
    fi
}
trap cleanup EXIT


finish() {
    echo
    echo "nubocmd_hostile_names: $((CHECK - FAILURES)) passed, $FAILURES failed"
    [[ "$FAILURES" -eq 0 ]] && exit 0
    exit 1
}


# ---- server, a real file on it, the proxy in front ------------------------------------------------
start_nubo_server "$SERVER_BIN" "$SRV" --add-user alice:secret || true
if [[ -z "$PORT" ]]; then
    echo "FAIL - nubo-server did not start:"
    cat "$SRV/server.out" "$SRV/server.err"
    FAILURES=1
    exit 1
fi
echo secret >"$WORK/password"

# nsync OUT LOCAL SERVER_URL: runs nubocmd sync as alice; stdout+stderr to OUT, exit code in RC.
nsync() {
    "$NUBOCMD" sync --user alice --password-file "$WORK/password" "$2" "$3" >"$1" 2>&1 </dev/null
    RC=$?
}

GOOD="good content, not pwned at all"
mkdir -p "$WORK/seed"
echo "$GOOD" >"$WORK/seed/good.txt"
nsync "$OUT/seed.out" "$WORK/seed" "$URL"
check "seed: good.txt uploaded straight to nubo-server (exit 0)" rc_is 0 "$OUT/seed.out"

PROXY_LOG=$OUT/proxy.log
DAV_ROOT=/remote.php/dav/files/alice
python3 "$PROXY_PY" --upstream "$URL" --log "$PROXY_LOG" --inject "$DAV_ROOT" \
    >"$OUT/proxy.out" 2>"$OUT/proxy.err" &
PROXY_PID=$!
PROXY_PORT=""
for _ in $(seq 100); do
    if [[ "$(wc -l <"$OUT/proxy.out" 2>/dev/null || echo 0)" -ge 1 ]]; then
        PROXY_PORT=$(sed -n 's|^listening on http://[^ ]*:\([0-9][0-9]*\)/\{0,1\}$|\1|p' "$OUT/proxy.out" | head -n 1)
        break
    fi
    kill -0 "$PROXY_PID" 2>/dev/null || break
    sleep 0.1
done
if [[ -z "$PROXY_PORT" ]]; then
    echo "FAIL - hostile_proxy.py did not start:"
    cat "$OUT/proxy.out" "$OUT/proxy.err"
    FAILURES=$((FAILURES + 1))
    finish
fi
PROXY_URL="http://127.0.0.1:$PROXY_PORT"

# The proxy itself works: the listing carries the hostile entries, and one of them "downloads".
curl -s -u alice:secret -X PROPFIND -H 'Depth: 1' "$PROXY_URL$DAV_ROOT/" >"$OUT/listing.xml"
proxy_injects() {
    python3 - "$OUT/listing.xml" 2>&1 <<'EOF'
import sys, xml.etree.ElementTree as ET
hrefs = [e.text for e in ET.parse(sys.argv[1]).getroot().iter("{DAV:}href")]
want = ["/remote.php/dav/files/alice/good.txt", "/remote.php/dav/files/alice/../",
        "/remote.php/dav/files/alice/./", "/remote.php/dav/files/alice/..%2Fx",
        "/remote.php/dav/files/alice/%2E%2E%2Fx", "/remote.php/dav/files/alice/sub%2F..%2F..%2Fx",
        "/remote.php/dav/files/alice/%2Fetc%2Fx", "/remote.php/dav/files/alice/nul%00x.txt",
        "/remote.php/dav/files/alice/back%5Cslash.txt", "/remote.php/dav/files/pwned.txt",
        "/remote.php/dav/files/alice/../pwned-dir/"]
missing = [h for h in want if h not in hrefs]
if missing:
    sys.exit(f"   missing {missing} in {hrefs}")
EOF
}
check "the proxy's listing of the root holds good.txt and the 10 hostile entries (valid XML)" proxy_injects
check "the proxy answers a GET of an injected path with 'pwned'" \
    bash -c "[[ \"\$(curl -s -u alice:secret '$PROXY_URL$DAV_ROOT/..%2Fx')\" == pwned ]]"

# ---- the sandbox: the sync root next to an empty sibling -----------------------------------------
mkdir -p "$ROOT" "$SANDBOX/sibling"

# Everything outside the sync root that a stray write could reach, with type, size, mtime, mode.
snapshot() {
    find "$WORK" \( -path "$ROOT" -o -path "$SRV" -o -path "$OUT" \) -prune -o \
        -printf '%p|%y|%s|%T@|%m\n' | LC_ALL=C sort
}
# Absolute paths the hostile names could reach ('/etc/x', a '..' chain up to '/'); only those that
# do not exist now are checked afterwards.
ABS_CANARIES=()
for p in /etc/x /x /pwned.txt /pwned-dir /remote.php "${TMPDIR:-/tmp}/x" "${TMPDIR:-/tmp}/pwned.txt" \
    "${TMPDIR:-/tmp}/pwned-dir"; do
    [[ -e "$p" ]] || ABS_CANARIES+=("$p")
done

snapshot >"$OUT/before.lst"

outside_unchanged() { # outside_unchanged STAMP: nothing outside root/ created, changed or removed
    snapshot >"$OUT/after.lst"
    local ok=0
    if ! diff "$OUT/before.lst" "$OUT/after.lst" >"$OUT/snap.diff"; then
        echo "   the tree outside the sync root changed:"
        sed 's/^/   | /' "$OUT/snap.diff"
        ok=1
    fi
    find "$WORK" \( -path "$ROOT" -o -path "$SRV" -o -path "$OUT" \) -prune -o -newer "$1" -print \
        >"$OUT/newer.lst"
    if [[ -s "$OUT/newer.lst" ]]; then
        echo "   newer than the run's start, outside the sync root:"
        sed 's/^/   | /' "$OUT/newer.lst"
        ok=1
    fi
    [[ -z "$(ls -A "$SANDBOX/sibling")" ]] || { echo "   sandbox/sibling is not empty:"; ls -lA "$SANDBOX/sibling"; ok=1; }
    return "$ok"
}

no_hostile_files() { # nothing named pwned*, x or etc anywhere, no file holding the proxy's "pwned"
    local ok=0 p
    find "$WORK" \( -path "$OUT" -o -path "$SRV" \) -prune -o \( -name 'pwned*' -o -name x -o -name etc -o -name 'nul*' \
        -o -name '*slash.txt' -o -name '..?*' \) -print >"$OUT/names.lst"
    if [[ -s "$OUT/names.lst" ]]; then
        echo "   hostile names on disk:"
        sed 's/^/   | /' "$OUT/names.lst"
        ok=1
    fi
    grep -rlx --binary-files=text pwned "$WORK" --exclude-dir=out --exclude-dir=srv >"$OUT/pwned.lst"
    if [[ -s "$OUT/pwned.lst" ]]; then
        echo "   files with the proxy's 'pwned' content:"
        sed 's/^/   | /' "$OUT/pwned.lst"
        ok=1
    fi
    for p in "${ABS_CANARIES[@]}"; do
        [[ -e "$p" ]] && { echo "   created outside the work folder: $p"; ok=1; }
    done
    return "$ok"
}

root_only_good() { # inside the root exactly good.txt (besides the journal), with the server's content
    local entries
    entries=$(cd "$ROOT" && find . -mindepth 1 ! -name '.nubo_journal.db*' | LC_ALL=C sort | tr '\n' ' ')
    [[ "$entries" == "./good.txt " ]] || { echo "   in the sync root: $entries"; return 1; }
    [[ "$(cat "$ROOT/good.txt")" == "$GOOD" ]] || { echo "   good.txt holds: $(head -c 200 "$ROOT/good.txt")"; return 1; }
}

# log_checks SLICE ALLOW_DOWNLOAD: the requests of one run (one "METHOD PATH" a line)
no_changing_request() {
    ! grep -E '^(PUT|MOVE|DELETE|MKCOL|COPY|PROPPATCH|LOCK|UNLOCK) ' "$1" >"$OUT/bad.lst" ||
        { echo "   changing requests:"; sed 's/^/   | /' "$OUT/bad.lst"; false; }
}
gets_only() { # gets_only SLICE REGEX: every GET path matches REGEX
    ! grep '^GET ' "$1" | grep -v -E "^GET ($2)" >"$OUT/bad.lst" ||
        { echo "   unexpected GETs:"; sed 's/^/   | /' "$OUT/bad.lst"; false; }
}
paths_inside() { # every request is for the user's folder, or /status.php or /ocs/...
    ! cut -d ' ' -f 2- "$1" | grep -v -E "^($DAV_ROOT(/|\$|\\?)|/status\\.php(\$|\\?)|/ocs/)" >"$OUT/bad.lst" ||
        { echo "   requests outside $DAV_ROOT/:"; sed 's/^/   | /' "$OUT/bad.lst"; false; }
}
no_hostile_paths() {
    ! grep -i -E '\.\.|%2e%2e|%2e\.|\.%2e|pwned|etc|%00|%5c|%2f' "$1" >"$OUT/bad.lst" ||
        { echo "   requests for hostile paths:"; sed 's/^/   | /' "$OUT/bad.lst"; false; }
}
output_clean() { # no raw control bytes (ESC, NUL, ...) besides newline and tab in the output
    python3 - "$1" 2>&1 <<'EOF'
import sys
data = open(sys.argv[1], "rb").read()
bad = sorted({b for b in data if b < 0x20 and b not in (0x09, 0x0A)} | ({0x7F} & set(data)))
if bad:
    sys.exit(f"   raw control bytes {[hex(b) for b in bad]} in the output")
EOF
}
names_invalid() { # every hostile entry is reported as an invalid name
    python3 - "$1" 2>&1 <<'EOF'
import sys
lines = [l for l in open(sys.argv[1], encoding="utf-8", errors="replace") if "invalid name" in l]
if len(lines) < 10:
    sys.exit(f"   {len(lines)} 'invalid name' lines, expected one for each of the 10 hostile entries")
for token in ["'..'", "'.'", "../x", "sub/../../x", "/etc/x", "nul", "slash.txt", "pwned.txt", "pwned-dir"]:
    if not any(token in l for l in lines):
        sys.exit(f"   no 'invalid name' line names {token}")
EOF
}
all_of() { # all_of "CMD ARGS" ...: runs each (words split; no spaces in the arguments), all must pass
    local c ok=0
    # shellcheck disable=SC2086 # the words are separate arguments
    for c in "$@"; do $c || ok=1; done
    return "$ok"
}
show_on_fail() { "$@" || { echo "   output:"; sed 's/^/   | /' "$OUT/run.out"; false; }; }

log_slice() { # log_slice FROM OUTFILE: the proxy's log after line FROM
    tail -n +"$(($1 + 1))" "$PROXY_LOG" >"$2"
}

# ---- run 1 ---------------------------------------------------------------------------------------
touch "$OUT/stamp1"
LOG_FROM=$(wc -l <"$PROXY_LOG")
nsync "$OUT/run1.out" "$ROOT" "$PROXY_URL"
log_slice "$LOG_FROM" "$OUT/run1.log"
cp "$OUT/run1.out" "$OUT/run.out"
check "run 1: exit 1 (items could not be synced)" rc_is 1 "$OUT/run1.out"
check "run 1: nothing outside the sync root created, changed or removed" outside_unchanged "$OUT/stamp1"
check "run 1: no file named pwned*, x, etc, nul*, ..* anywhere, none holding 'pwned', no /etc/x" no_hostile_files
check "run 1: the sync root holds good.txt with the right content and nothing else" root_only_good
listed_and_downloaded() {
    grep -q "^PROPFIND $DAV_ROOT/\\{0,1\\}\$" "$1" && grep -q "^GET $DAV_ROOT/good.txt\$" "$1" ||
        { echo "   requests:"; sed 's/^/   | /' "$1"; false; }
}
check "run 1: the client listed the root through the proxy and downloaded good.txt" \
    listed_and_downloaded "$OUT/run1.log"
check "run 1: no PUT, MOVE, DELETE, MKCOL, COPY, PROPPATCH, LOCK" no_changing_request "$OUT/run1.log"
check "run 1: no GET but /status.php, /ocs/... and good.txt" \
    gets_only "$OUT/run1.log" "/status\\.php(\$|\\?)|/ocs/|$DAV_ROOT/good\\.txt\$"
check "run 1: no request outside $DAV_ROOT/ (but /status.php, /ocs/...)" paths_inside "$OUT/run1.log"
check "run 1: no request path with .., %2E%2E, pwned, etc, %00, %5C, %2F" no_hostile_paths "$OUT/run1.log"
check "run 1: the output names each hostile entry an 'invalid name'" show_on_fail names_invalid "$OUT/run1.out"
check "run 1: no raw ESC, NUL or other control bytes in the output" show_on_fail output_clean "$OUT/run1.out"

# ---- run 2: the same again; nothing is downloaded again ------------------------------------------
touch "$OUT/stamp2"
LOG_FROM=$(wc -l <"$PROXY_LOG")
nsync "$OUT/run2.out" "$ROOT" "$PROXY_URL"
log_slice "$LOG_FROM" "$OUT/run2.log"
cp "$OUT/run2.out" "$OUT/run.out"
check "run 2: exit 1 again" rc_is 1 "$OUT/run2.out"
check "run 2: no GET of a file (only /status.php and /ocs/... at connect)" \
    gets_only "$OUT/run2.log" "/status\\.php(\$|\\?)|/ocs/"
check "run 2: no PUT, MOVE, DELETE, MKCOL, COPY, PROPPATCH, LOCK" no_changing_request "$OUT/run2.log"
check "run 2: no request outside $DAV_ROOT/ and none for a hostile path" \
    all_of "paths_inside $OUT/run2.log" "no_hostile_paths $OUT/run2.log"
check "run 2: still nothing outside the sync root, no hostile file, good.txt alone in the root" \
    all_of "outside_unchanged $OUT/stamp2" no_hostile_files root_only_good
check "run 2: the output names the hostile entries again, no raw control bytes" \
    show_on_fail all_of "names_invalid $OUT/run2.out" "output_clean $OUT/run2.out"

finish
