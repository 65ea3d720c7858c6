#!/usr/bin/env bash
# Installs what the build needs, builds nubocmd and nubo-server (release preset), and starts the
# embedded reference server on a free loopback port with a demo user.
#
# With a display ($DISPLAY or $WAYLAND_DISPLAY, or --app): builds the desktop app too and starts
# it already set up for the demo user, syncing a folder "Nubo" in the demo's temporary folder
# with the server, which holds a few files; quit it from its menu (or close its window) to end.
# Without one (or with --headless): a real sync walkthrough with nubocmd: a "laptop" and a
# "desktop" folder that sync through the server, a change on each side, and a conflict; then the
# offline E2EE tools on real key material (alice and bob, from the Nextcloud E2EE app's fixtures).
# Everything lives in a temporary folder that is removed at the end.
set -euo pipefail
cd "$(dirname "$0")/.."

mode=headless
if [[ -n "${DISPLAY:-}" || -n "${WAYLAND_DISPLAY:-}" ]]; then mode=app; fi
case "${1:-}" in
--app) mode=app ;;
--headless) mode=headless ;;
"") ;;
*) echo "usage: $0 [--app | --headless]" >&2; exit 2 ;;
esac

bash scripts/setup.sh
cmake --preset release >/dev/null
targets=(nubocmd nubo-server)
[[ $mode == app ]] && targets+=(nubo)
cmake --build --preset release --target "${targets[@]}"
nubocmd=$PWD/build/release/src/cli/nubocmd
server=$PWD/build/release/src/server/nubo-server
data=test/data/cli
work=$(mktemp -d)
server_pid=""
cleanup() {
    if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then
        kill -TERM "$server_pid"
        wait "$server_pid" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT
# Files the sync deletes would go to this trash, never to yours.
export XDG_DATA_HOME="$work/share"

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
show() { (cd "$1" && find . -path ./.nubo_journal.db\* -prune -o -type f -print | sed 's|^\./|  |' | sort); }

step "1. Start nubo-server (the reference server) with user 'demo' on a free loopback port"
"$server" --data "$work/server" --listen 127.0.0.1:0 --add-user demo:correct-horse >"$work/server.out" 2>&1 &
server_pid=$!
port=""
for _ in $(seq 100); do
    port=$(sed -n 's|^listening on http://[^ ]*:\([0-9][0-9]*\)/\{0,1\}$|\1|p' "$work/server.out" 2>/dev/null)
    [[ -n "$port" ]] && break
    sleep 0.1
done
[[ -n "$port" ]] || { cat "$work/server.out"; exit 1; }
url="http://127.0.0.1:$port"
echo "listening on $url"
# The password comes from a file (or ~/.netrc, or standard input), never from the command line.
(umask 077 && echo correct-horse >"$work/password")
sync() { "$nubocmd" sync --user demo --password-file "$work/password" "$@"; }

if [[ $mode == app ]]; then
    step "2. A few files on the server, as another device would leave them"
    mkdir -p "$work/seed/notes" "$work/seed/photos"
    echo "buy milk" >"$work/seed/notes/todo.txt"
    echo "Nubo demo" >"$work/seed/README.txt"
    head -c 3000000 /dev/urandom >"$work/seed/photos/beach.jpg"
    sync "$work/seed" "$url"

    step "3. The desktop app, set up for 'demo' and syncing $work/Nubo"
    # What the account wizard leaves behind (docs: README, "The desktop app"): the account and one
    # folder in nubo.conf, the password in the private file the wizard offers when there is no
    # keychain. Its own config and runtime folders keep it apart from a Nubo you may run.
    export XDG_CONFIG_HOME="$work/config" XDG_RUNTIME_DIR="$work/runtime"
    mkdir -p "$XDG_CONFIG_HOME/Nubo" "$work/Nubo"
    (umask 077 && mkdir -p "$XDG_RUNTIME_DIR")
    cat >"$XDG_CONFIG_HOME/Nubo/nubo.conf" <<CONF
[account]
server=$url
user=demo
pinnedCertificate=
secretsInFile=true

[folders]
1\\local=$work/Nubo
1\\remote=/
1\\paused=false
size=1
CONF
    (umask 077 && printf '{"version": 1, "secrets": {"app-password:demo@%s": "correct-horse"}}\n' "$url" \
        >"$XDG_CONFIG_HOME/Nubo/secrets.json")
    echo "Nubo syncs $work/Nubo with $url as 'demo'. Put files there, or open the settings from the tray."
    echo "Quit Nubo from its tray menu (or close its window) to end the demo."
    "$PWD/build/release/src/gui/nubo"
    printf '\nDemo finished.\n'
    exit 0
fi

step "2. A small tree on the 'laptop', synced up"
mkdir -p "$work/laptop/notes" "$work/laptop/photos" "$work/desktop"
echo "buy milk" >"$work/laptop/notes/todo.txt"
echo "Nubo demo" >"$work/laptop/README.txt"
head -c 300000 /dev/urandom >"$work/laptop/photos/beach.jpg"
sync "$work/laptop" "$url"

step "3. Synced down into the 'desktop' folder"
sync "$work/desktop" "$url"
diff -r -x '.nubo_journal.db*' "$work/laptop" "$work/desktop" && echo "laptop and desktop are identical:"
show "$work/desktop"

step "4. A change on each side: the laptop edits todo.txt, the desktop moves the photo"
echo "buy bread" >>"$work/laptop/notes/todo.txt"
mkdir -p "$work/desktop/photos/2026"
mv "$work/desktop/photos/beach.jpg" "$work/desktop/photos/2026/beach.jpg"
sync "$work/laptop" "$url"
sync "$work/desktop" "$url"
sync "$work/laptop" "$url"
echo "the laptop now has:"
show "$work/laptop"
echo "todo.txt on the desktop:"
sed 's/^/  /' "$work/desktop/notes/todo.txt"

step "5. Both edit README.txt before syncing: a conflict keeps both versions"
echo "edited on the laptop" >"$work/laptop/README.txt"
echo "edited on the desktop" >"$work/desktop/README.txt"
sync "$work/laptop" "$url"
sync "$work/desktop" "$url"
echo "the desktop now has:"
show "$work/desktop"
for file in "$work/desktop"/README*; do printf '  %s: %s\n' "$(basename "$file")" "$(cat "$file")"; done

step "6. Scripts can read --json; here, the summary of one more (empty) run"
sync --json "$work/desktop" "$url" | tail -n 1

step "7. Stop the server"
kill -TERM "$server_pid"
wait "$server_pid" 2>/dev/null || true
server_pid=""
echo "stopped"

step "8. Offline E2EE tools: the known-answer self-test (runs at every start)"
"$nubocmd" e2ee self-test

step "9. Recover alice's private key from the server's envelope with her 12-word mnemonic"
"$nubocmd" e2ee unwrap-key --mnemonic-file $data/alice.mnemonic --envelope $data/alice.envelope >"$work/alice.pem"
head -1 "$work/alice.pem"

step "10. Open the folder metadata alice shares with bob, checking every trust rule"
"$nubocmd" e2ee open-metadata --metadata $data/root.metadata.json --private-key "$work/alice.pem" --user alice \
    --signature $data/root.signature.b64 --server-key test/data/server-key.pem >"$work/root.json"
grep -E '"(version|verified|filename)"' "$work/root.json"

step "11. Decrypt the file hello.txt with the key and nonce from the metadata"
"$nubocmd" e2ee decrypt-file --key w0rOw1GNeb1te4YI2V1HeA== --nonce RzaaKRiDVgCLkC09EchyOQ== \
    --tag bIZ2niCsvYexJ7FTHxHr0w== $data/hello.blob "$work/hello.txt"
cat "$work/hello.txt"

step "12. A server that tampers with the metadata is caught"
sed 's/"encryptedMetadataKey": "flCI7/"encryptedMetadataKey": "glCI7/' $data/root.metadata.json >"$work/tampered.json"
if "$nubocmd" e2ee open-metadata --metadata "$work/tampered.json" --private-key "$work/alice.pem" \
    --signature $data/root.signature.b64 --server-key test/data/server-key.pem >/dev/null; then
    echo "tampering went unnoticed" >&2
    exit 1
else
    echo "(exit code $?: verification failed, as it must)"
fi

printf '\nDemo finished.\n'
