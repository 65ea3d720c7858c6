#!/usr/bin/env bash
# Crash test with an end-to-end encrypted folder: `nubocmd sync` is killed with SIGKILL at random
# moments while it writes into and out of the encrypted folder "vault" (new files, some above the
# 10 MiB chunked-upload threshold, edits, moves between the plain folder and the vault) and while
# a second device (set up from the 12 words) downloads and decrypts them. After every kill comes
# a clean run, which must succeed at once: the lock the killed run held is aborted by it (the
# token is in the journal), nothing it staged survives, no "locked" error. After each round the
# two devices' folders are identical byte for byte; at the end, in addition, no temporary file is
# left in either folder, the server holds no lock, lists only 32-hex names in the vault, and what
# `nubocmd e2ee export` decrypts from the server is exactly the first device's vault.
#
# usage: nubocmd_e2ee_crash_test.sh NUBOCMD NUBO_SERVER [SEED]
# The seed is printed first; pass it again to replay the same sizes, changes and kill times.
# NUBO_E2EE_CRASH_ROUNDS=N changes the number of rounds (default 6).
# NUBO_ITEST_KEEP_DATA=1 keeps the work folder of a passing run too (a failing one is always kept).
set -uo pipefail

NUBOCMD=${1:?usage: $0 NUBOCMD NUBO_SERVER [SEED]}
SERVER_BIN=${2:?usage: $0 NUBOCMD NUBO_SERVER [SEED]}
SEED=${3:-$RANDOM}
RANDOM=$SEED
ROUNDS=${NUBO_E2EE_CRASH_ROUNDS:-6}
NUBOCMD=$(realpath "$NUBOCMD")
echo "nubocmd_e2ee_crash: seed $SEED, $ROUNDS rounds (rerun with: $0 $NUBOCMD $SERVER_BIN $SEED)"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/nubo-cli-e2ee-crash-XXXXXX")
SERVER_PID=""
SYNC_PID=""
FAILED=0
KILLS=0
ORPHANS=0
export LC_ALL=C.UTF-8

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

# A short lock timeout: a kill that lands after the server granted a lock and before its token
# reached the journal leaves a lock nobody can release (the protocol has the server pick the
# token); only the server's timeout ends it. clean() tells that case from a real stuck lock.
LOCK_TIMEOUT=8
start_nubo_server "$SERVER_BIN" "$WORK" --add-user alice:secret --lock-timeout "$LOCK_TIMEOUT" || true
[[ -n "$PORT" ]] || fail "nubo-server did not start: $(cat "$WORK/server.out" "$WORK/server.err")"
echo secret >"$WORK/password"
chmod 600 "$WORK/password"

# as DEVICE COMMAND...: nubocmd as alice with DEVICE's own HOME (and so its own file key store).
as() {
    local device=$1
    shift
    mkdir -p "$WORK/$device/home"
    HOME="$WORK/$device/home" XDG_DATA_HOME="$WORK/$device/home/.local/share" "$NUBOCMD" "$@" </dev/null
}
e2ee() { # e2ee DEVICE COMMAND [options...]; output in $WORK/DEVICE.e2ee.out, exit code in RC
    local device=$1 command=$2
    shift 2
    as "$device" e2ee "$command" --user alice --password-file "$WORK/password" --key-store file "$@" \
        >"$WORK/$device.e2ee.out" 2>&1
    RC=$?
}

# ---- E2EE on two devices, an encrypted folder ---------------------------------------------------
e2ee one init "$URL" --new-mnemonic-file "$WORK/words"
[[ "$RC" == 0 ]] || fail "e2ee init on device one: $(cat "$WORK/one.e2ee.out")"
curl -s -o /dev/null -u alice:secret -X MKCOL "$URL/remote.php/dav/files/alice/vault"
e2ee one encrypt "$URL" /vault
[[ "$RC" == 0 ]] || fail "e2ee encrypt /vault: $(cat "$WORK/one.e2ee.out")"
e2ee two init "$URL" --mnemonic-file "$WORK/words"
[[ "$RC" == 0 ]] || fail "e2ee init on device two from the 12 words: $(cat "$WORK/two.e2ee.out")"

ONE=$WORK/one/sync TWO=$WORK/two/sync
mkdir -p "$ONE" "$TWO"

# sync_run DEVICE LOG [options...]: one complete run; its exit code in RC.
sync_run() {
    local device=$1 log=$2
    shift 2
    local dir=$WORK/$device/sync
    as "$device" sync --user alice --password-file "$WORK/password" --key-store file "$@" "$dir" "$URL" >>"$log" 2>&1
    RC=$?
}

# clean DEVICE WHAT: a run that must succeed at once, with no "locked" error: whatever a killed run
# left (its lock, staged blobs, temporary files, items half-done) is dealt with by this run.
clean() {
    local device=$1 what=$2 log=$WORK/$1.log
    echo "--- clean run ($what)" >>"$log"
    # start: the first line the next run writes (tail -n +N prints from line N on; the line
    # before it belongs to an earlier run, whose errors must not be read as this one's).
    local start
    start=$(($(wc -l <"$log") + 1))
    sync_run "$device" "$log"
    if [[ "$RC" != 0 ]] && tail -n +"$start" "$log" | grep -q 'is locked by another client' && orphaned_lock; then
        ORPHANS=$((ORPHANS + 1))
        echo "  $what: the last kill orphaned a lock (granted, token never received); waiting for its timeout"
        echo "--- clean run again after the lock timeout ($what)" >>"$log"
        sleep $((LOCK_TIMEOUT + 1))
        start=$(($(wc -l <"$log") + 1))
        sync_run "$device" "$log"
        # The items the lock held up wait out their retry back-off first.
        local wait
        wait=$(tail -n +"$start" "$log" | sed -n 's/.*next try in \([0-9]*\) s.*/\1/p' | sort -n | tail -n 1)
        if [[ "$RC" != 0 && -n "$wait" ]]; then
            sleep $((wait + 1))
            echo "--- clean run again after the back-off of ${wait} s ($what)" >>"$log"
            start=$(($(wc -l <"$log") + 1))
            sync_run "$device" "$log"
        fi
    fi
    if [[ "$RC" != 0 ]]; then
        problem "$what: the clean run on device $device exited $RC:"$'\n'"$(tail -n +"$start" "$log" | tail -n 20)"
    elif tail -n +"$start" "$log" | grep -qi 'locked'; then
        problem "$what: the clean run on device $device reported a lock:"$'\n'"$(tail -n +"$start" "$log" | grep -i locked)"
    fi
}

# orphaned_lock: the server holds a lock whose token no device's journal has (so no run of ours
# could release it: a kill between the lock's reply and the journal write). A lock whose token a
# journal does have is a real stuck lock: the next run of that device must abort it at once.
orphaned_lock() {
    [[ -n "$(command -v sqlite3)" ]] || return 1
    local token
    token=$(sqlite3 "$WORK/data/nubo.sqlite" "SELECT token FROM e2ee_locks" | head -n 1)
    [[ -n "$token" ]] || return 1
    ! grep -qF "$token" <(sqlite3 "$ONE/.nubo_journal.db" "SELECT value FROM settings WHERE key = 'e2ee-locks'"
        sqlite3 "$TWO/.nubo_journal.db" "SELECT value FROM settings WHERE key = 'e2ee-locks'")
}

# killed DEVICE WHAT: starts a sync and SIGKILLs it after 0.1-2.0 s (seeded). The rate limits keep
# the large files in flight long enough for kills to land inside chunked uploads and downloads.
killed() {
    local device=$1 what=$2 log=$WORK/$1.log delay
    delay=$(awk -v d=$((RANDOM % 1000)) -v r=$((RANDOM % 4)) 'BEGIN { printf "%.3f", 0.1 + d / 1000 + r * 0.3 }')
    echo "--- $what: kill -9 after ${delay}s" >>"$log"
    # nubocmd itself in the background (not a function's subshell), so that the kill reaches it.
    HOME="$WORK/$device/home" XDG_DATA_HOME="$WORK/$device/home/.local/share" "$NUBOCMD" sync --user alice \
        --password-file "$WORK/password" --key-store file --uplimit 5000 --downlimit 5000 \
        "$WORK/$device/sync" "$URL" >>"$log" 2>&1 </dev/null &
    SYNC_PID=$!
    sleep "$delay"
    if kill -0 "$SYNC_PID" 2>/dev/null; then
        kill -KILL "$SYNC_PID"
        KILLS=$((KILLS + 1))
        echo "  $what: killed after ${delay}s"
    else
        echo "  $what: the run finished before ${delay}s"
    fi
    wait "$SYNC_PID" 2>/dev/null
    SYNC_PID=""
}

# random_file PATH KIB: KIB KiB of random bytes.
random_file() {
    mkdir -p "$(dirname "$1")"
    head -c $(($2 * 1024)) /dev/urandom >"$1"
}
# pick DIR: one regular file below DIR (seeded choice among the sorted names), "" if none.
pick() {
    local files
    mapfile -t files < <(cd "$1" && find . -type f ! -name '.nubo_journal.db*' ! -name '.*.~nubo*' | sort)
    ((${#files[@]})) && echo "$1/${files[RANDOM % ${#files[@]}]#./}"
}

stray_files() { # temporary files and conflict copies below $1
    (cd "$1" && find . -name '.*.~nubo*' -o -name '*(conflicted copy*')
}
same_trees() { # $1 and $2 hold the same files, byte for byte
    diff -r -x '.nubo_journal.db*' -x '.*.~nubo*' "$1" "$2" >"$WORK/trees.diff" 2>&1
}

# The start: a plain folder with files to move into the vault later, both devices synced.
for i in $(seq 1 6); do random_file "$ONE/plain/p$i.bin" $((RANDOM % 300 + 1)); done
clean one "first upload"
clean two "first download"

for round in $(seq "$ROUNDS"); do
    echo "round $round:"
    # Device one: new files in the vault (one above the chunk threshold), an edit, moves across.
    for i in $(seq $((RANDOM % 8 + 3))); do
        random_file "$ONE/vault/r$round/f$i.bin" $((RANDOM % 400 + 1))
    done
    random_file "$ONE/vault/big-$round.bin" $((10 * 1024 + 512 + RANDOM % 3072))
    if f=$(pick "$ONE/vault") && [[ -n "$f" ]]; then random_file "$f" $((RANDOM % 200 + 1)); fi
    if f=$(pick "$ONE/plain") && [[ -n "$f" ]]; then mv "$f" "$ONE/vault/in-$round-$(basename "$f")"; fi
    if f=$(pick "$ONE/vault/r$round"); [[ -n "$f" ]]; then mv "$f" "$ONE/plain/out-$round-$(basename "$f")"; fi
    killed one "round $round, device one"
    ((RANDOM % 2)) && killed one "round $round, device one again"
    clean one "round $round, device one"

    # Device two: a move out of the vault and one into it, while its download is killed.
    if f=$(pick "$TWO/vault") && [[ -n "$f" ]]; then mv "$f" "$TWO/plain/back-$round-$(basename "$f")"; fi
    if f=$(pick "$TWO/plain") && [[ -n "$f" ]]; then mv "$f" "$TWO/vault/from-two-$round-$(basename "$f")"; fi
    killed two "round $round, device two"
    ((RANDOM % 2)) && killed two "round $round, device two again"
    clean two "round $round, device two"
    clean one "round $round, device one takes device two's moves"
    # A file device two moved across the vault's boundary while device one edited it: the edit
    # stays at the old place and comes down on device two in its next run (the engine's rule, see
    # propagator.cpp and E2eeSync.AFileMovedOutOfTheVaultWhileEditedElsewhereKeepsBothVersions).
    if ! same_trees "$ONE" "$TWO"; then
        echo "  round $round: the devices differ after one run each; one more run each"
        clean two "round $round, device two again"
        clean one "round $round, device one again"
    fi
    same_trees "$ONE" "$TWO" || problem "round $round: the devices differ:"$'\n'"$(head -n 20 "$WORK/trees.diff")"
    [[ "$FAILED" == 0 ]] || exit 1
done

# ---- the end: nothing left over, nothing locked, the server holds exactly the vault -------------
clean one "final"
clean two "final"
for device in one two; do
    stray=$(stray_files "$WORK/$device/sync")
    [[ -z "$stray" ]] || problem "device $device: left-overs are visible:"$'\n'"$stray"
    tail -n 1 "$WORK/$device.log" | grep -q '^uploaded 0, downloaded 0, moved 0, deleted 0, conflicts 0, errors 0 ' ||
        problem "device $device: a run after the end still had work: $(tail -n 3 "$WORK/$device.log")"
done
same_trees "$ONE" "$TWO" || problem "the devices differ at the end:"$'\n'"$(head -n 20 "$WORK/trees.diff")"
if [[ -n "$(command -v sqlite3)" ]]; then
    locks=$(sqlite3 "$WORK/data/nubo.sqlite" "SELECT count(*) FROM e2ee_locks")
    [[ "$locks" == 0 ]] || problem "the server still holds $locks E2EE lock(s)"
fi
curl -s -u alice:secret -X PROPFIND -H 'Depth: 1' "$URL/remote.php/dav/files/alice/vault/" |
    grep -o '<d:href>[^<]*</d:href>' | sed 's|<d:href>||; s|</d:href>||; s|/$||; s|.*/||' | sed 1d >"$WORK/vault.names"
[[ -s "$WORK/vault.names" ]] || problem "the server lists nothing in the vault"
! grep -qvE '^[0-9a-f]{32}$' "$WORK/vault.names" ||
    problem "plain names in the vault on the server:"$'\n'"$(grep -vE '^[0-9a-f]{32}$' "$WORK/vault.names" | head)"
e2ee two status "$URL"
[[ "$RC" == 0 ]] && grep -q '^  /vault ' "$WORK/two.e2ee.out" ||
    problem "e2ee status does not show the folder: $(cat "$WORK/two.e2ee.out")"
e2ee two export "$URL" /vault "$WORK/exported"
[[ "$RC" == 0 ]] || problem "e2ee export of the vault exited $RC: $(tail -n 5 "$WORK/two.e2ee.out")"
same_trees "$ONE/vault" "$WORK/exported" ||
    problem "what the server decrypts to differs from device one's vault:"$'\n'"$(head -n 20 "$WORK/trees.diff")"

[[ "$FAILED" == 0 ]] || exit 1
echo "nubocmd_e2ee_crash: passed (seed $SEED): $KILLS kills ($ORPHANS orphaned a lock), $(grep -c 'abort=true' "$WORK/data/access.log") locks of killed" \
    "runs aborted; $(find "$ONE/vault" -type f | wc -l) encrypted files ($(du -sh "$ONE/vault" | cut -f1))" \
    "identical on both devices and on the server, no lock left"
