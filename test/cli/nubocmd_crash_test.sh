#!/usr/bin/env bash
# Crash test: `nubocmd sync` is killed with SIGKILL at random moments during a large sync (300
# small files in 10 folders and two 30 MiB files that go through chunked upload), rerun, killed
# again, ..., then run to completion; the same for the download into a fresh folder. Afterwards
# the result must be complete, nothing partial may be visible (no temporary files, no conflict
# copies, no truncated files on either side) and nothing may be lost (every file has the content
# it was created with).
#
# usage: nubocmd_crash_test.sh NUBOCMD NUBO_SERVER [SEED]
# The seed is printed first; pass it again to replay the same sizes and kill times.
# NUBO_ITEST_KEEP_DATA=1 keeps the work folder of a passing run too (a failing one is always kept).
set -uo pipefail

NUBOCMD=${1:?usage: $0 NUBOCMD NUBO_SERVER [SEED]}
SERVER_BIN=${2:?usage: $0 NUBOCMD NUBO_SERVER [SEED]}
SEED=${3:-$RANDOM}
RANDOM=$SEED
echo "nubocmd_crash: seed $SEED (rerun with: $0 $NUBOCMD $SERVER_BIN $SEED)"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/nubo-cli-crash-XXXXXX")
SERVER_PID=""
SYNC_PID=""
FAILED=0
export HOME="$WORK/home" XDG_DATA_HOME="$WORK/home/.local/share" LC_ALL=C.UTF-8
mkdir -p "$HOME" "$WORK/data"

# stop_pid, start_nubo_server
source "$(dirname "${BASH_SOURCE[0]}")/server_lib.sh"

cleanup() {
    stop_pid "$SYNC_PID"
    stop_pid "$SERVER_PID"
    if [[ "$FAILED" != 0 || "${NUBO_ITEST_KEEP_DATA:-0}" == 1 ]]; then
        echo "kept $WORK"
    else
        rm -rf "$WORK"
    fi
}
trap cleanup EXIT

problem() { # a failed check; the others still run, so one report shows everything
    FAILED=1
    echo "FAIL: $* (seed $SEED)"
}
fail() {
    problem "$@"
    exit 1
}

start_nubo_server "$SERVER_BIN" "$WORK" --add-user alice:secret || true
[[ -n "$PORT" ]] || fail "nubo-server did not start: $(cat "$WORK/server.out" "$WORK/server.err")"
echo secret >"$WORK/password"

# ---- the tree, and a manifest of what every file must contain ------------------------------------
UP=$WORK/up DOWN=$WORK/down CHECK=$WORK/check
mkdir -p "$UP" "$DOWN" "$CHECK"
for folder in $(seq -w 0 9); do
    mkdir -p "$UP/folder $folder"
    for i in $(seq -w 0 29); do
        kib=$((RANDOM % 200 + 1))
        head -c $((kib * 1024)) /dev/urandom >"$UP/folder $folder/file $i.bin"
    done
done
mkdir -p "$UP/large"
head -c $((30 * 1024 * 1024)) /dev/urandom >"$UP/large/one.bin"
head -c $((30 * 1024 * 1024)) /dev/urandom >"$UP/large/two.bin"
(cd "$UP" && find . -type f -print0 | sort -z | xargs -0 sha1sum) >"$WORK/manifest"
echo "tree: $(wc -l <"$WORK/manifest") files, $(du -sh "$UP" | cut -f1)"

# run_sync LOCAL LOG: one complete run; its exit code in RC.
run_sync() {
    "$NUBOCMD" sync --user alice --password-file "$WORK/password" "$1" "$URL" >>"$2" 2>&1 </dev/null
    RC=$?
}

# kill_rounds LOCAL LOG ROUNDS: start a sync, SIGKILL it after 0.2-2.5 s, again and again.
# The limit keeps the large files in flight long enough for kills to land inside chunked uploads.
kill_rounds() {
    local local_dir=$1 log=$2 rounds=$3 delay
    for round in $(seq "$rounds"); do
        delay=$(printf '0.%03d' $((RANDOM % 1000)))
        delay=$(awk -v d="$delay" -v r=$((RANDOM % 3)) 'BEGIN { printf "%.3f", 0.2 + d + r * 0.5 }')
        echo "--- round $round: kill -9 after ${delay}s" >>"$log"
        "$NUBOCMD" sync --user alice --password-file "$WORK/password" --uplimit 20000 --downlimit 20000 \
            "$local_dir" "$URL" >>"$log" 2>&1 </dev/null &
        SYNC_PID=$!
        sleep "$delay"
        if kill -0 "$SYNC_PID" 2>/dev/null; then
            kill -KILL "$SYNC_PID"
            echo "  round $round: killed after ${delay}s"
        else
            echo "  round $round: the run finished before ${delay}s"
        fi
        wait "$SYNC_PID" 2>/dev/null
        SYNC_PID=""
    done
}

# finish LOCAL LOG WHAT: runs until in sync; a run that reports failed items may be retried once,
# since items killed mid-way are blacklisted only with a short back-off.
finish() {
    run_sync "$1" "$2"
    [[ "$RC" == 0 ]] || fail "$3: the final run exited $RC: $(tail -n 20 "$2")"
}

no_partials() { # no temporary files, no conflict copies, no files outside the manifest
    local where=$1 stray
    stray=$(cd "$where" && find . -name '.*.~nubo*' -o -name '*(conflicted copy*')
    [[ -z "$stray" ]] || problem "$where: left-overs are visible:"$'\n'"$stray"
}

matches_manifest() {
    local where=$1 what=$2
    (cd "$where" && find . -type f ! -name '.nubo_journal.db*' ! -name '.*.~nubo*' -print0 | sort -z | xargs -0 sha1sum) \
        >"$WORK/actual" || true
    diff "$WORK/manifest" "$WORK/actual" >"$WORK/manifest.diff" ||
        problem "$what differs from what was created:"$'\n'"$(head -n 20 "$WORK/manifest.diff")"
}

echo "upload:"
kill_rounds "$UP" "$WORK/up.log" 5
finish "$UP" "$WORK/up.log" "upload"
echo "download:"
kill_rounds "$DOWN" "$WORK/down.log" 5
finish "$DOWN" "$WORK/down.log" "download"

# A clean third folder shows exactly what the server holds.
finish "$CHECK" "$WORK/check.log" "check download"

no_partials "$UP"
no_partials "$DOWN"
no_partials "$CHECK"
matches_manifest "$UP" "the uploaded folder"
matches_manifest "$DOWN" "the downloaded folder"
matches_manifest "$CHECK" "the server's tree"
diff -r -x '.nubo_journal.db*' -x '.*.~nubo*' "$UP" "$DOWN" >"$WORK/updown.diff" 2>&1 ||
    problem "diff -r up down:"$'\n'"$(head -n 20 "$WORK/updown.diff")"
run_sync "$UP" "$WORK/up.log"
grep -q '^uploaded 0, downloaded 0, moved 0, deleted 0, conflicts 0, errors 0 ' <(tail -n 1 "$WORK/up.log") ||
    problem "a run after the end still had work: $(tail -n 5 "$WORK/up.log")"

[[ "$FAILED" == 0 ]] || exit 1
echo "nubocmd_crash: passed (seed $SEED): $(wc -l <"$WORK/manifest") files complete on both sides and the server"
