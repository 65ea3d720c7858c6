#!/usr/bin/env bash
# Black-box test of `nubocmd sync` against a real nubo-server on a free loopback port: trees go up
# and down byte-identical, and every option, output mode and exit code the README documents does
# what it says. Each check prints "ok N - what" or "FAIL N - what"; the script exits 1 on any
# failure and keeps its work folder then.
#
# usage: nubocmd_sync_test.sh NUBOCMD NUBO_SERVER
# NUBO_ITEST_KEEP_DATA=1 keeps the work folder of a passing run too.
set -uo pipefail

NUBOCMD=${1:?usage: $0 NUBOCMD NUBO_SERVER}
SERVER_BIN=${2:?usage: $0 NUBOCMD NUBO_SERVER}

WORK=$(mktemp -d "${TMPDIR:-/tmp}/nubo-cli-sync-XXXXXX")
SERVER_PID=""
WATCH_PID=""
FAILURES=0
CHECK=0
# Deleted files go to the trash of this HOME, not the real one.
export HOME="$WORK/home" XDG_DATA_HOME="$WORK/home/.local/share" LC_ALL=C.UTF-8
mkdir -p "$HOME" "$WORK/data"

# stop_pid, start_nubo_server, check, rc_is, has
source "$(dirname "${BASH_SOURCE[0]}")/server_lib.sh"

cleanup() {
    stop_pid "$WATCH_PID"
    stop_pid "$SERVER_PID"
    if [[ "$FAILURES" -gt 0 || "${NUBO_ITEST_KEEP_DATA:-0}" == 1 ]]; then
        echo "kept $WORK"
    else
        rm -rf "$WORK"
    fi
}
trap cleanup EXIT


# ---- server --------------------------------------------------------------------------------------
start_nubo_server "$SERVER_BIN" "$WORK" --add-user alice:secret || true
if [[ -z "$PORT" ]]; then
    echo "FAIL - nubo-server did not start:"
    cat "$WORK/server.out" "$WORK/server.err"
    FAILURES=1
    exit 1
fi
echo secret >"$WORK/password"
echo wrong >"$WORK/wrong-password"

# nsync OUT LOCAL [options...]: runs nubocmd sync as alice; stdout+stderr to OUT, exit code in RC.
nsync() {
    local out=$1 local_dir=$2
    shift 2
    "$NUBOCMD" sync --user alice --password-file "$WORK/password" "$@" "$local_dir" "$URL" >"$out" 2>&1 </dev/null
    RC=$?
}

same_tree() { diff -r -x '.nubo_journal.db*' "$1" "$2" >"$WORK/diff.out" 2>&1 || { cat "$WORK/diff.out"; false; }; }

# ---- 1-3: a tree goes up, comes down identical ----------------------------------------------------
L1=$WORK/l1 L2=$WORK/l2
mkdir -p "$L1/docs/deep" "$L1/pics" "$L1/skipme" "$L2"
echo "hello" >"$L1/hello.txt"
printf 'x%.0s' $(seq 5000) >"$L1/docs/long.txt"
head -c 300000 /dev/urandom >"$L1/pics/photo.bin"
echo "deep" >"$L1/docs/deep/file with spaces.txt"
echo "ünïcødé" >"$L1/docs/ünïcødé.txt"
echo "not for everyone" >"$L1/skipme/private.txt"
: >"$L1/empty.txt"

nsync "$WORK/up.out" "$L1"
check "upload: exit 0" rc_is 0 "$WORK/up.out"
check "upload: summary counts 7 uploads, 0 errors" \
    has "^uploaded 7, downloaded 0, moved 0, deleted 0, conflicts 0, errors 0 in " "$WORK/up.out"
check "upload: one line per item (uploaded docs/deep/file with spaces.txt)" \
    has "^uploaded docs/deep/file with spaces.txt$" "$WORK/up.out"

nsync "$WORK/down.out" "$L2"
check "download into a second folder: exit 0 and 7 downloads" \
    bash -c "[[ $RC == 0 ]] && grep -q '^uploaded 0, downloaded 7, ' '$WORK/down.out'"
check "download: both trees identical (diff -r)" same_tree "$L1" "$L2"

# ---- 4: --json ------------------------------------------------------------------------------------
echo "changed" >>"$L1/hello.txt"
head -c 400000 /dev/urandom >"$L1/pics/photo2.bin"
"$NUBOCMD" sync --json --user alice --password-file "$WORK/password" "$L1" "$URL" >"$WORK/json.out" 2>"$WORK/json.err"
RC=$?
json_ok() {
    python3 - "$WORK/json.out" <<'EOF'
import json, sys
events = [json.loads(line) for line in open(sys.argv[1], encoding="utf-8")]
kinds = [e["event"] for e in events]
assert "phase" in kinds and "item" in kinds and kinds[-1] == "summary", kinds
items = {e["path"]: e for e in events if e["event"] == "item"}
assert items["hello.txt"]["action"] == "upload" and items["hello.txt"]["ok"] is True, items
assert items["pics/photo2.bin"]["bytes"] == 400000, items
summary = events[-1]
assert summary["uploaded"] == 2 and summary["in_sync"] is True and summary["errors"] == [], summary
EOF
}
check "--json: exit 0; every line parses; item and summary events with the right fields" \
    bash -c "[[ $RC == 0 ]] && $(declare -f json_ok); WORK='$WORK' json_ok"
# The last progress event of the upload pass must reach the planned bytes. It does not while the
# engine's upload progress falls back by each file's size when the upload ends (Qt reports
# uploadProgress(0, 0) at the finish and HttpClient passes it on); see the report of issue 4.
progress_ok() {
    python3 - "$WORK/json.out" <<'EOF'
import json, sys
events = [json.loads(line) for line in open(sys.argv[1], encoding="utf-8")]
progress = [e for e in events if e["event"] == "progress"]
assert progress, "no progress events"
last = progress[-1]
assert last["bytes"] == last["total"], f"transfer ended at {last['bytes']} of {last['total']} bytes"
values = [e["bytes"] for e in progress]
assert values == sorted(values), f"progress went backwards: {values}"
EOF
}
check "--json: byte progress ends at the planned total and never goes backwards" progress_ok
nsync "$WORK/down2.out" "$L2"
check "a second folder follows the --json run" same_tree "$L1" "$L2"

# ---- 5-8: credentials and account errors ---------------------------------------------------------
"$NUBOCMD" sync --user alice --password-file "$WORK/wrong-password" "$L2" "$URL" >"$WORK/wrong.out" 2>&1
RC=$?
check "wrong password: exit 4" rc_is 4 "$WORK/wrong.out"
check "wrong password: the message names the problem" has "refused user 'alice' and this password" "$WORK/wrong.out"

"$NUBOCMD" sync --user alice --password-file "$WORK/password" "$L2" "http://127.0.0.1:1" >"$WORK/unreach.out" 2>&1
RC=$?
check "unreachable server: exit 4 and 'cannot reach'" \
    bash -c "[[ $RC == 4 ]] && grep -q 'cannot reach' '$WORK/unreach.out'"

"$NUBOCMD" sync --user alice --password-file "$WORK/no-such-file" "$L2" "$URL" >"$WORK/nofile.out" 2>&1
RC=$?
check "--password-file missing: exit 2" rc_is 2 "$WORK/nofile.out"

for args in "--silent --json" "--password secret" "--max-sync-retries 0" "--uplimit fast" "--bogus" ""; do
    # shellcheck disable=SC2086 # the words are separate arguments
    "$NUBOCMD" sync --user alice --password-file "$WORK/password" $args "$L2" >"$WORK/usage.out" 2>&1
    RC=$?
    check "usage error '${args:-missing SERVER_URL}': exit 2" rc_is 2 "$WORK/usage.out"
done

printf 'machine 127.0.0.1\nlogin alice\npassword secret\n' >"$HOME/.netrc"
chmod 600 "$HOME/.netrc"
echo "via netrc" >"$L2/netrc.txt"
"$NUBOCMD" sync --netrc "$L2" "$URL" >"$WORK/netrc.out" 2>&1 </dev/null
RC=$?
check "--netrc (login and password from ~/.netrc): exit 0, uploaded" \
    bash -c "[[ $RC == 0 ]] && grep -q '^uploaded netrc.txt$' '$WORK/netrc.out'"

echo secret | "$NUBOCMD" sync "$L2" "http://alice@127.0.0.1:$PORT" >"$WORK/stdin.out" 2>&1
RC=$?
check "user in the URL, password on standard input: exit 0" rc_is 0 "$WORK/stdin.out"

# ---- 9: --path ------------------------------------------------------------------------------------
L3=$WORK/l3
mkdir -p "$L3"
nsync "$WORK/path.out" "$L3" --path /docs
check "--path /docs: exit 0 and only that folder's contents" \
    bash -c "[[ $RC == 0 ]] && [[ ! -e '$L3/hello.txt' ]] && diff -r -x '.nubo_journal.db*' '$L1/docs' '$L3'"

# ---- 10: --exclude --------------------------------------------------------------------------------
printf '# build output\n*.tmp\nbuild/\n' >"$WORK/exclude.lst"
echo "scratch" >"$L1/notes.tmp"
mkdir -p "$L1/build"
echo "obj" >"$L1/build/a.o"
echo "kept" >"$L1/kept.txt"
nsync "$WORK/excl.out" "$L1" --exclude "$WORK/exclude.lst"
nsync "$WORK/excl2.out" "$L2" --exclude "$WORK/exclude.lst"
check "--exclude: *.tmp and build/ stay local, the rest syncs" \
    bash -c "[[ -e '$L2/kept.txt' && ! -e '$L2/notes.tmp' && ! -e '$L2/build' ]]"

# ---- 11: --unsynced-folders -----------------------------------------------------------------------
L4=$WORK/l4
mkdir -p "$L4/local-only"
echo "mine" >"$L4/local-only/mine.txt"
printf 'skipme\n/local-only/\n' >"$WORK/unsynced.lst"
nsync "$WORK/unsynced.out" "$L4" --unsynced-folders "$WORK/unsynced.lst" --exclude "$WORK/exclude.lst"
L5=$WORK/l5
mkdir -p "$L5"
nsync "$WORK/unsynced2.out" "$L5" --exclude "$WORK/exclude.lst"
check "--unsynced-folders: skipme not downloaded, local-only not uploaded, the rest synced" \
    bash -c "[[ $RC == 0 && ! -e '$L4/skipme' && -e '$L4/hello.txt' && -e '$L5/skipme/private.txt' && \
                ! -e '$L5/local-only' ]]"

# ---- 12: conflicts --------------------------------------------------------------------------------
echo "version one" >"$L1/kept.txt"
echo "version two" >"$L2/kept.txt"
nsync "$WORK/c1.out" "$L1" --exclude "$WORK/exclude.lst"
nsync "$WORK/c2.out" "$L2" --exclude "$WORK/exclude.lst"
conflict_ok() {
    local copies=("$L2"/kept\ \(conflicted\ copy*)
    [[ "$RC" == 0 ]] && has "^conflict kept.txt (kept yours as 'kept (conflicted copy " "$WORK/c2.out" &&
        has ", conflicts 1, " "$WORK/c2.out" && [[ "$(cat "$L2/kept.txt")" == "version one" ]] &&
        [[ -e "${copies[0]}" && "$(cat "${copies[0]}")" == "version two" ]]
}
check "conflict: exit 0, reported, the server's version in place and yours kept as a conflict copy" conflict_ok

# ---- 13: mass delete ------------------------------------------------------------------------------
M1=$WORK/m1 M2=$WORK/m2
mkdir -p "$M1" "$M2"
for i in $(seq 20); do echo "file $i" >"$M1/f$i.txt"; done
nsync "$WORK/m1.out" "$M1" --path mass
nsync "$WORK/m2.out" "$M2" --path mass
rm -f "$M1"/f*.txt
nsync "$WORK/m3.out" "$M1" --path mass
check "deleting 20 of 20 locally: refused with exit 3" rc_is 3 "$WORK/m3.out"
nsync "$WORK/m4.out" "$M1" --path mass --allow-mass-delete
check "... and done with --allow-mass-delete: exit 0, deleted 20" \
    bash -c "[[ $RC == 0 ]] && grep -q ', deleted 20, ' '$WORK/m4.out'"
nsync "$WORK/m5.out" "$M2" --path mass
check "the other folder sees 20 of 20 deleted remotely: exit 3" rc_is 3 "$WORK/m5.out"
check "... the message says what would be deleted and how to allow it" \
    bash -c "grep -q 'delete 20 of' '$WORK/m5.out' && grep -q -- '--allow-mass-delete' '$WORK/m5.out'"
check "... and nothing was deleted locally" bash -c "[[ \$(ls '$M2' | wc -l) == 20 ]]"
nsync "$WORK/m6.out" "$M2" --path mass --allow-mass-delete
check "--allow-mass-delete: exit 0, the 20 files are gone" \
    bash -c "[[ $RC == 0 && \$(ls '$M2' | wc -l) == 0 ]]"

# ---- 14: --uplimit, and SIGINT stops a run with exit 5 ---------------------------------------------
S1=$WORK/s1
mkdir -p "$S1"
head -c 600000 /dev/urandom >"$S1/slow.bin"
nsync "$WORK/up1.out" "$S1" --path limited --uplimit 2000 --downlimit 2000
check "--uplimit/--downlimit accepted: exit 0" rc_is 0 "$WORK/up1.out"
for i in 1 2 3; do head -c 1000000 /dev/urandom >"$S1/big$i.bin"; done
"$NUBOCMD" sync --user alice --password-file "$WORK/password" --path limited --uplimit 200 "$S1" "$URL" \
    >"$WORK/int.out" 2>&1 </dev/null &
INT_PID=$!
sleep 1.5
kill -INT "$INT_PID"
wait "$INT_PID"
RC=$?
check "SIGINT during a run: exit 5 and says it was interrupted" \
    bash -c "[[ $RC == 5 ]] && grep -q 'interrupted' '$WORK/int.out'"
nsync "$WORK/int2.out" "$S1" --path limited
check "... the next run completes it: exit 0" rc_is 0 "$WORK/int2.out"

# ---- 15: TLS: an untrusted certificate is refused (exit 4, says --trust), --trust accepts it ---------
if command -v openssl >/dev/null 2>&1 &&
    openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 -keyout "$WORK/tls.key" \
        -out "$WORK/tls.crt" >/dev/null 2>&1; then
    "$SERVER_BIN" --data "$WORK/tls-data" --listen 127.0.0.1:0 --add-user alice:secret \
        --tls-cert "$WORK/tls.crt" --tls-key "$WORK/tls.key" >"$WORK/tls-server.out" 2>&1 &
    TLS_PID=$!
    TLS_PORT=""
    for _ in $(seq 100); do
        TLS_PORT=$(sed -n 's|^listening on https://[^ ]*:\([0-9][0-9]*\)/\{0,1\}$|\1|p' "$WORK/tls-server.out" 2>/dev/null)
        [[ -n "$TLS_PORT" ]] && break
        sleep 0.1
    done
    T1=$WORK/t1
    mkdir -p "$T1"
    echo "over tls" >"$T1/tls.txt"
    # Under the ASan build, Qt's OpenSSL backend sometimes still holds libcrypto's per-thread
    # error state of its HTTP thread when the process exits after a refused certificate, and
    # LeakSanitizer fails the run (only libcrypto frames: not Nubo's memory). This check is about
    # the exit code and the message, so leak detection is off for this one invocation.
    ASAN_OPTIONS="${ASAN_OPTIONS:-}:detect_leaks=0" \
        "$NUBOCMD" sync --user alice --password-file "$WORK/password" "$T1" "https://127.0.0.1:$TLS_PORT" \
        >"$WORK/tls1.out" 2>&1 </dev/null
    RC=$?
    check "TLS with a self-signed certificate: exit 4, the message points at --trust" \
        bash -c "[[ $RC == 4 ]] && grep -q -- '--trust' '$WORK/tls1.out'"
    "$NUBOCMD" sync --trust --user alice --password-file "$WORK/password" "$T1" "https://127.0.0.1:$TLS_PORT" \
        >"$WORK/tls2.out" 2>&1 </dev/null
    RC=$?
    check "--trust accepts it: exit 0, uploaded" bash -c "[[ $RC == 0 ]] && grep -q '^uploaded tls.txt$' '$WORK/tls2.out'"
    stop_pid "$TLS_PID"
else
    echo "skipped - TLS checks: openssl could not make a test certificate"
fi

# ---- 16: --watch ----------------------------------------------------------------------------------
W1=$WORK/w1 W2=$WORK/w2
mkdir -p "$W1" "$W2"
echo "first" >"$W1/first.txt"
"$NUBOCMD" sync --watch --user alice --password-file "$WORK/password" --path watched "$W1" "$URL" \
    >"$WORK/watch.out" 2>&1 </dev/null &
WATCH_PID=$!
started=""
for _ in $(seq 100); do
    grep -q 'uploaded 1, ' "$WORK/watch.out" && { started=1; break; }
    kill -0 "$WATCH_PID" 2>/dev/null || break
    sleep 0.1
done
if [[ -z "$started" ]] && grep -q -e 'not available' -e 'not implemented' "$WORK/watch.out"; then
    echo "skipped - --watch: the scheduler is not built yet ($(head -n 1 "$WORK/watch.out"))"
    stop_pid "$WATCH_PID"
    WATCH_PID=""
else
    check "--watch: the first run syncs right away" test -n "$started"
    echo "later" >"$W1/later.txt"
    seen=""
    for _ in $(seq 20); do
        nsync "$WORK/w2.out" "$W2" --path watched
        [[ -e "$W2/later.txt" ]] && { seen=1; break; }
        sleep 0.5
    done
    check "--watch: a local change reaches the server within 10 s" test -n "$seen"
    # Nothing changes from here on, so no further runs may start: the scheduler must not take the
    # journal's own writes in the folder for changes.
    sleep 2
    runs_before=$(grep -c '^\[..:..:..\] uploaded ' "$WORK/watch.out")
    sleep 4
    runs_after=$(grep -c '^\[..:..:..\] uploaded ' "$WORK/watch.out")
    check "--watch: an idle folder is not synced again and again ($runs_before runs, $runs_after 4 s later)" \
        test "$runs_before" == "$runs_after"
    # One engine per folder: a second nubocmd on the watched folder stops at once, touching nothing
    # (two engines would delete each other's live temporary files).
    nsync "$WORK/busy.out" "$W1" --path watched
    check "a second sync of a folder being watched exits 6" rc_is 6 "$WORK/busy.out"
    check "  and says another sync of this folder is running" has "another sync of the folder" "$WORK/busy.out"
    "$NUBOCMD" sync --watch --user alice --password-file "$WORK/password" --path watched "$W1" "$URL" \
        >"$WORK/busy-watch.out" 2>&1 </dev/null
    RC=$?
    check "a second --watch of it exits 6 too, instead of waiting" rc_is 6 "$WORK/busy-watch.out"
    kill -INT "$WATCH_PID"
    wait "$WATCH_PID"
    RC=$?
    WATCH_PID=""
    check "--watch: SIGINT stops it with exit 0" rc_is 0 "$WORK/watch.out"
fi

echo
if [[ "$FAILURES" -gt 0 ]]; then
    echo "nubocmd_sync: $FAILURES of $CHECK checks FAILED"
    exit 1
fi
echo "nubocmd_sync: all $CHECK checks passed"
