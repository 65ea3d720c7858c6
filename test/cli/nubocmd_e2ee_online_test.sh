#!/usr/bin/env bash
# Black-box test of `nubocmd e2ee init|status|encrypt|forget` against a real nubo-server: the
# first device makes the key and the 12 words, a second device (another HOME) installs the same
# key from them, wrong words and a swapped certificate are refused with their exit codes, a folder
# is encrypted only when empty, and the key can live in the real OS keychain (gnome-keyring in a
# private D-Bus session) as well as in the file store.
#
# usage: nubocmd_e2ee_online_test.sh NUBOCMD NUBO_SERVER
set -uo pipefail

NUBOCMD=${1:?usage: $0 NUBOCMD NUBO_SERVER}
SERVER_BIN=${2:?usage: $0 NUBOCMD NUBO_SERVER}
NUBOCMD=$(realpath "$NUBOCMD")

WORK=$(mktemp -d "${TMPDIR:-/tmp}/nubo-cli-e2ee-XXXXXX")
SERVER_PID=""
FAILURES=0
CHECK=0
export LC_ALL=C.UTF-8

# stop_pid, start_nubo_server, check, rc_is, has
source "$(dirname "${BASH_SOURCE[0]}")/server_lib.sh"

cleanup() {
    stop_pid "$SERVER_PID"
    if [[ "$FAILURES" -gt 0 || "${NUBO_ITEST_KEEP_DATA:-0}" == 1 ]]; then
        echo "kept $WORK"
    else
        rm -rf "$WORK"
    fi
}
trap cleanup EXIT

start_nubo_server "$SERVER_BIN" "$WORK" --add-user alice:secret --add-user bob:secret || true
if [[ -z "$PORT" ]]; then
    echo "FAIL - nubo-server did not start:"
    cat "$WORK/server.out" "$WORK/server.err"
    exit 1
fi
echo secret >"$WORK/password"
chmod 600 "$WORK/password"

# e2ee DEVICE COMMAND [options...]: runs nubocmd e2ee as alice with DEVICE's own HOME and the file
# key store; stdout+stderr to $WORK/DEVICE.out, exit code in RC.
e2ee() {
    local device=$1 command=$2
    shift 2
    mkdir -p "$WORK/$device/home"
    HOME="$WORK/$device/home" XDG_DATA_HOME="$WORK/$device/home/.local/share" \
        "$NUBOCMD" e2ee "$command" --user "${AS_USER:-alice}" --password-file "$WORK/password" --key-store file \
        "$@" >"$WORK/$device.out" 2>&1 </dev/null
    RC=$?
}
twelve_words() { [[ $(wc -w <"$1") == 12 && $(stat -c %a "$1") == 600 ]]; }
mode_600() { [[ $(stat -c %a "$1") == 600 ]]; }

# ---- first device ---------------------------------------------------------------------------------
e2ee laptop status "$URL"
check "status before setup: exit 0, 'not set up'" bash -c "[[ $RC == 0 ]] && grep -q 'not set up' '$WORK/laptop.out'"
e2ee laptop init "$URL" --new-mnemonic-file "$WORK/words"
check "init on the first device: exit 0" rc_is 0 "$WORK/laptop.out"
check "  the 12 words are in the new file, mode 0600" twelve_words "$WORK/words"
check "  the key file is private (0600)" mode_600 "$WORK/laptop/home/.local/share/nubo/e2ee-keys.json"
check "  and no word is printed" bash -c "! grep -qw \"$(cut -d' ' -f1 "$WORK/words")\" '$WORK/laptop.out'"
check "  the 12 words are kept with the key (the app's \"Show the 12 words\" reads them)" \
    grep -qF "$(cat "$WORK/words")" "$WORK/laptop/home/.local/share/nubo/e2ee-keys.json"
e2ee laptop init "$URL"
check "init again: exit 0, already set up" bash -c "[[ $RC == 0 ]] && grep -q 'already set up' '$WORK/laptop.out'"
e2ee laptop status "$URL"
check "status: the key's fingerprint and where it is kept" has "e2ee-keys.json" "$WORK/laptop.out"

# ---- a second device ---------------------------------------------------------------------------------
awk '{ $1 = "zzzz"; print }' "$WORK/words" >"$WORK/typo"
chmod 600 "$WORK/typo"
e2ee desktop init "$URL" --mnemonic-file "$WORK/typo"
check "a word not in the list: exit 4, names its place and suggests words" \
    bash -c "[[ $RC == 4 ]] && grep -q 'word 1' '$WORK/desktop.out'"
awk '{ t = $1; $1 = $2; $2 = t; print }' "$WORK/words" >"$WORK/swapped"
chmod 600 "$WORK/swapped"
e2ee desktop init "$URL" --mnemonic-file "$WORK/swapped"
check "two words swapped: exit 4, the words do not open the key" \
    bash -c "[[ $RC == 4 ]] && grep -q 'do not open the key' '$WORK/desktop.out'"
e2ee desktop init "$URL" --mnemonic-file "$WORK/words"
check "the right 12 words on a second device: exit 0" rc_is 0 "$WORK/desktop.out"
fp() { grep -o '[0-9a-f][0-9a-f]\(:[0-9a-f][0-9a-f]\)\{31\}' "$1" | head -n 1; }
e2ee laptop status "$URL"
cp "$WORK/laptop.out" "$WORK/laptop-status.out"
e2ee desktop status "$URL"
check "  both devices hold the same key" bash -c "[[ -n \"$(fp "$WORK/laptop-status.out")\" && \"$(fp "$WORK/laptop-status.out")\" == \"$(fp "$WORK/desktop.out")\" ]]"

# ---- encrypting a folder -------------------------------------------------------------------------------
curl -s -o /dev/null -u alice:secret -X MKCOL "$URL/remote.php/dav/files/alice/full"
curl -s -o /dev/null -u alice:secret -T "$WORK/password" "$URL/remote.php/dav/files/alice/full/file.txt"
curl -s -o /dev/null -u alice:secret -X MKCOL "$URL/remote.php/dav/files/alice/vault"
e2ee laptop encrypt "$URL" /full
check "encrypt a folder that is not empty: exit 2, says why" \
    bash -c "[[ $RC == 2 ]] && grep -q 'not empty' '$WORK/laptop.out'"
e2ee laptop encrypt "$URL" /vault
check "encrypt an empty folder: exit 0" rc_is 0 "$WORK/laptop.out"
e2ee laptop status "$URL"
check "  status lists it" has "/vault" "$WORK/laptop.out"

# What encrypt wrote is what the offline tool verifies, given only the server's replies and the
# key the 12 words open: the signature, the certificate's issuer, the key checksum, the counter.
fileid=$(curl -s -u alice:secret -X PROPFIND -H 'Depth: 0' \
    --data '<d:propfind xmlns:d="DAV:" xmlns:oc="http://owncloud.org/ns"><d:prop><oc:fileid/></d:prop></d:propfind>' \
    "$URL/remote.php/dav/files/alice/vault" | sed -n 's|.*<oc:fileid>\([0-9]*\)</oc:fileid>.*|\1|p')
api="$URL/ocs/v2.php/apps/end_to_end_encryption/api/v2"
hdr=(-H 'OCS-APIREQUEST: true' -H 'X-E2EE-SUPPORTED: true' -u alice:secret)
curl -s "${hdr[@]}" -D "$WORK/meta.headers" "$api/meta-data/$fileid?format=json" >"$WORK/meta.json"
sed -n 's/^[Xx]-[Nn][Cc]-[Ee]2[Ee][Ee]-[Ss][Ii][Gg][Nn][Aa][Tt][Uu][Rr][Ee]: *\([^\r]*\).*/\1/p' "$WORK/meta.headers" >"$WORK/meta.sig"
curl -s "${hdr[@]}" "$api/server-key?format=json" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["ocs"]["data"]["public-key"], end="")' >"$WORK/server-key.pem"
"$NUBOCMD" e2ee unwrap-key --mnemonic-file "$WORK/words" --envelope <(curl -s "${hdr[@]}" "$api/private-key?format=json" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["ocs"]["data"]["private-key"])') >"$WORK/alice.pem" 2>"$WORK/unwrap.err"
"$NUBOCMD" e2ee open-metadata --metadata "$WORK/meta.json" --private-key "$WORK/alice.pem" --user alice \
    --signature "$WORK/meta.sig" --server-key "$WORK/server-key.pem" >"$WORK/open.out" 2>&1
RC=$?
verified_first_metadata() {
    python3 - "$WORK/open.out" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
meta = doc["metadata"]
ok = doc["verified"] is True and meta["counter"] >= 1 and meta["files"] == {} and meta["folders"] == {} \
    and len(meta["keyChecksums"]) == 1
sys.exit(0 if ok else 1)
PY
}
check "  its metadata verifies offline (open-metadata: signed, issued, checksum listed, empty, counter 1)" \
    bash -c "[[ $RC == 0 ]] && $(declare -f verified_first_metadata); WORK='$WORK' verified_first_metadata || { cat '$WORK/open.out'; false; }"
# nubocmd sync reads the encrypted folder with the key this device holds.
mkdir -p "$WORK/desktop-sync"
HOME="$WORK/desktop/home" XDG_DATA_HOME="$WORK/desktop/home/.local/share" "$NUBOCMD" sync --user alice \
    --password-file "$WORK/password" --key-store file "$WORK/desktop-sync" "$URL" >"$WORK/desktop-sync.out" 2>&1 </dev/null
RC=$?
check "nubocmd sync --key-store file: exit 0, the encrypted folder is there" \
    bash -c "[[ $RC == 0 ]] && test -d '$WORK/desktop-sync/vault' || { cat '$WORK/desktop-sync.out'; false; }"
mkdir -p "$WORK/nokey-sync"
HOME="$WORK/nokey/home" XDG_DATA_HOME="$WORK/nokey/home/.local/share" "$NUBOCMD" sync --user alice \
    --password-file "$WORK/password" --key-store file "$WORK/nokey-sync" "$URL" >"$WORK/nokey-sync.out" 2>&1 </dev/null
RC=$?
check "  a device without the key leaves it alone and says how to add the 12 words" \
    bash -c "[[ $RC == 0 ]] && grep -q 'nubocmd e2ee init' '$WORK/nokey-sync.out' && ! test -e '$WORK/nokey-sync/vault'"
e2ee desktop export "$URL" /vault "$WORK/rescued"
check "export of the (empty) encrypted folder: exit 0, an empty OUT_DIR" \
    bash -c "[[ $RC == 0 ]] && grep -q 'exported 0 files' '$WORK/desktop.out' && test -d '$WORK/rescued'"
e2ee desktop export "$URL" /full "$WORK/rescued-plain"
check "export of a plain folder: exit 2, it is not encrypted" \
    bash -c "[[ $RC == 2 ]] && grep -q 'not end-to-end encrypted' '$WORK/desktop.out'"
e2ee laptop encrypt "$URL" /vault/inner
check "encrypt a folder inside an encrypted one: exit 2, says why" \
    bash -c "[[ $RC == 2 ]] && grep -q 'inside the encrypted folder' '$WORK/laptop.out'"

# ---- what the engine writes opens with the offline tools -----------------------------------------------
# nubocmd sync uploads into the encrypted folder; given only the 12 words and the server's replies,
# open-metadata verifies the metadata the engine wrote and decrypt-file gives back the content.
printf 'written by the engine, marker 6f0a\n' >"$WORK/desktop-sync/vault/engine.txt"
HOME="$WORK/desktop/home" XDG_DATA_HOME="$WORK/desktop/home/.local/share" "$NUBOCMD" sync --user alice \
    --password-file "$WORK/password" --key-store file --json "$WORK/desktop-sync" "$URL" >"$WORK/upload-sync.out" 2>&1 </dev/null
RC=$?
check "nubocmd sync uploads into the encrypted folder: exit 0, the --json item says encrypted" \
    bash -c "[[ $RC == 0 ]] && grep '\"path\":\"vault/engine.txt\"' '$WORK/upload-sync.out' | grep -q '\"encrypted\":true' || { cat '$WORK/upload-sync.out'; false; }"
curl -s "${hdr[@]}" -D "$WORK/meta2.headers" "$api/meta-data/$fileid?format=json" >"$WORK/meta2.json"
sed -n 's/^[Xx]-[Nn][Cc]-[Ee]2[Ee][Ee]-[Ss][Ii][Gg][Nn][Aa][Tt][Uu][Rr][Ee]: *\([^\r]*\).*/\1/p' "$WORK/meta2.headers" >"$WORK/meta2.sig"
"$NUBOCMD" e2ee open-metadata --metadata "$WORK/meta2.json" --private-key "$WORK/alice.pem" --user alice \
    --signature "$WORK/meta2.sig" --server-key "$WORK/server-key.pem" >"$WORK/open2.out" 2>&1
RC=$?
read -r blob_id file_key file_nonce file_tag < <(python3 - "$WORK/open2.out" <<'PY'
import json, sys
try:
    doc = json.load(open(sys.argv[1]))
    for fid, f in doc["metadata"]["files"].items():
        if f["filename"] == "engine.txt" and doc["verified"] is True:
            print(fid, f["key"], f["nonce"], f["authenticationTag"])
except Exception:
    pass
PY
)
check "  its metadata verifies offline and names the file under a random 32-hex id" \
    bash -c "[[ $RC == 0 && '$blob_id' =~ ^[0-9a-f]{32}$ ]] || { cat '$WORK/open2.out'; false; }"
curl -s -u alice:secret -H 'X-E2EE-SUPPORTED: true' "$URL/remote.php/dav/files/alice/vault/$blob_id" >"$WORK/engine.blob"
"$NUBOCMD" e2ee decrypt-file --key "$file_key" --nonce "$file_nonce" --tag "$file_tag" "$WORK/engine.blob" \
    "$WORK/engine.plain" >"$WORK/decrypt2.out" 2>&1
RC=$?
check "  decrypt-file opens the blob the engine uploaded, byte for byte; the blob is not plaintext" \
    bash -c "[[ $RC == 0 ]] && cmp -s '$WORK/engine.plain' '$WORK/desktop-sync/vault/engine.txt' && ! grep -q 'marker 6f0a' '$WORK/engine.blob' || { cat '$WORK/decrypt2.out'; false; }"

# ---- forget ----------------------------------------------------------------------------------------------
e2ee desktop forget "$URL"
check "forget: exit 0" rc_is 0 "$WORK/desktop.out"
e2ee desktop status "$URL"
check "  then the device is not set up" has "not set up" "$WORK/desktop.out"

# ---- the real OS keychain --------------------------------------------------------------------------------
if command -v dbus-run-session >/dev/null && command -v gnome-keyring-daemon >/dev/null; then
    KH=$WORK/keychain-home
    mkdir -p "$KH/run" && chmod 700 "$KH/run"
    HOME=$KH XDG_DATA_HOME=$KH/data XDG_RUNTIME_DIR=$KH/run DBUS_SESSION_BUS_ADDRESS= \
        dbus-run-session -- sh -c '
            echo unlock | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1 || exit 77
            "$0" e2ee init --user alice --password-file "$1" --mnemonic-file "$2" "$3" || exit $?
            "$0" e2ee status --user alice --password-file "$1" "$3"' \
        "$NUBOCMD" "$WORK/password" "$WORK/words" "$URL" >"$WORK/keychain.out" 2>&1 </dev/null
    RC=$?
    if [[ $RC == 77 ]]; then
        echo "skipped - gnome-keyring-daemon could not start"
    else
        check "with the OS keychain (gnome-keyring): init and status succeed, the key is there" \
            bash -c "[[ $RC == 0 ]] && grep -q 'kept in the OS keychain' '$WORK/keychain.out' && ! test -e '$KH/data/nubo/e2ee-keys.json'"
    fi
    # Without any Secret Service the default store says what to do.
    HOME=$KH DBUS_SESSION_BUS_ADDRESS=unix:path=/nonexistent "$NUBOCMD" e2ee status --user alice \
        --password-file "$WORK/password" "$URL" >"$WORK/nokeychain.out" 2>&1 </dev/null
    RC=$?
    check "no Secret Service: a clear error that names --key-store file" \
        bash -c "[[ $RC != 0 ]] && grep -q 'keychain does not answer' '$WORK/nokeychain.out' && grep -q -- '--key-store file' '$WORK/nokeychain.out'"
else
    echo "skipped - the keychain checks need dbus-run-session and gnome-keyring-daemon"
fi

# ---- a swapped certificate -----------------------------------------------------------------------------
AS_USER=bob e2ee bob init "$URL" --new-mnemonic-file "$WORK/bob-words"
check "bob sets up his own key: exit 0" rc_is 0 "$WORK/bob.out"
sqlite3_bin=$(command -v sqlite3 || true)
if [[ -n "$sqlite3_bin" ]]; then
    "$sqlite3_bin" "$WORK/data/nubo.sqlite" \
        "UPDATE e2ee_public_keys SET certificate = (SELECT certificate FROM e2ee_public_keys WHERE user = 'bob') WHERE user = 'alice'"
    e2ee laptop status "$URL"
    check "the server hands out bob's certificate as alice's: exit 3, nothing trusted" \
        bash -c "[[ $RC == 3 ]] && grep -q 'another certificate' '$WORK/laptop.out'"
    HOME="$WORK/laptop/home" XDG_DATA_HOME="$WORK/laptop/home/.local/share" "$NUBOCMD" sync --user alice \
        --password-file "$WORK/password" --key-store file "$WORK/desktop-sync" "$URL" >"$WORK/swap-sync.out" 2>&1 </dev/null
    RC=$?
    check "  and nubocmd sync stops the encrypted folder with that reason (exit 1), keeping it here" \
        bash -c "[[ $RC == 1 ]] && grep -q 'another certificate' '$WORK/swap-sync.out' && test -d '$WORK/desktop-sync/vault'"
else
    echo "skipped - the swapped-certificate check needs the sqlite3 tool"
fi

echo
echo "nubocmd_e2ee_online: $((CHECK - FAILURES)) passed, $FAILURES failed"
[[ "$FAILURES" == 0 ]]
