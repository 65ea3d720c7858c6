#!/usr/bin/env bash
# nubocmd through a real HTTP proxy: private tinyproxy instances (each on a free loopback port, with
# a generated configuration and its own log, in the foreground) in front of nubo-server. --proxy,
# http_proxy/all_proxy from the environment, no_proxy, a proxy that asks for Basic credentials and
# one that is not there; the proxy's log says which requests went through it.
#
# Qt never proxies a request to localhost or 127.0.0.0/8, whatever is set, so the server is
# addressed as http://0.0.0.0:PORT: on Linux a connection to 0.0.0.0 reaches the local host
# (nubo-server listens on 127.0.0.1), and the name is not a loopback address to Qt. Nothing
# leaves the machine.
#
# usage: nubocmd_proxy_test.sh NUBOCMD NUBO_SERVER
# Exits 77 (skipped) without tinyproxy (scripts/setup.sh installs it).
set -uo pipefail

NUBOCMD=${1:?usage: $0 NUBOCMD NUBO_SERVER}
SERVER_BIN=${2:?usage: $0 NUBOCMD NUBO_SERVER}

if ! command -v tinyproxy >/dev/null 2>&1; then
    echo "SKIP: tinyproxy is not installed (bash scripts/setup.sh)"
    exit 77
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/nubo-cli-proxy-XXXXXX")
SERVER_PID=""
TLS_PID=""
PROXY_PIDS=()
FAILURES=0
CHECK=0
export HOME="$WORK/home" XDG_DATA_HOME="$WORK/home/.local/share" LC_ALL=C.UTF-8
mkdir -p "$HOME"
# Whatever proxy the calling environment names has no say here; each check sets its own.
unset http_proxy HTTP_PROXY https_proxy HTTPS_PROXY all_proxy ALL_PROXY no_proxy NO_PROXY

# stop_pid, start_nubo_server, check, rc_is, has
source "$(dirname "${BASH_SOURCE[0]}")/server_lib.sh"

cleanup() {
    for pid in "${PROXY_PIDS[@]}"; do stop_pid "$pid"; done
    stop_pid "$TLS_PID"
    stop_pid "$SERVER_PID"
    if [[ "$FAILURES" -gt 0 || "${NUBO_ITEST_KEEP_DATA:-0}" == 1 ]]; then
        echo "kept $WORK"
    else
        rm -rf "$WORK"
    fi
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# start_proxy NAME [configuration lines...]: a tinyproxy on a free loopback port, logging to
# $WORK/NAME.log; sets PROXY_PORT. Tries a few ports (another process may take the free one first).
start_proxy() {
    local name=$1 pid
    shift
    for _ in 1 2 3 4 5; do
        PROXY_PORT=$(free_port)
        {
            echo "Port $PROXY_PORT"
            echo "Listen 127.0.0.1"
            echo "Allow 127.0.0.1"
            echo "Timeout 30"
            echo "MaxClients 50"
            echo "LogFile \"$WORK/$name.log\""
            echo "LogLevel Connect" # one "Request (file descriptor N): METHOD URL" line per request
            printf '%s\n' "$@"
        } >"$WORK/$name.conf"
        : >"$WORK/$name.log"
        tinyproxy -d -c "$WORK/$name.conf" >"$WORK/$name.out" 2>&1 &
        pid=$!
        for _ in $(seq 50); do
            if bash -c "exec 3<>/dev/tcp/127.0.0.1/$PROXY_PORT" 2>/dev/null; then
                PROXY_PIDS+=("$pid")
                return 0
            fi
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        stop_pid "$pid"
    done
    echo "FAIL - tinyproxy ($name) did not start:"
    cat "$WORK/$name.out" "$WORK/$name.log"
    exit 1
}

requests() { grep -c 'Request (file descriptor' "$WORK/$1.log"; }
# logged NAME REGEX: NAME's log has a request line matching REGEX; shows the log if not.
logged() {
    grep -qE "Request \(file descriptor [0-9]+\): $2" "$WORK/$1.log" ||
        { echo "   no request '$2' in $1.log:"; grep 'Request' "$WORK/$1.log" | sed 's/^/   | /'; false; }
}
# same_count / more_than BEFORE AFTER WHAT: request counts compared, with a message
same_count() { [[ "$1" == "$2" ]] || { echo "   $3: $1 requests before, $2 after"; false; }; }
more_than() { [[ "$2" -gt "$1" ]] || { echo "   $3: $1 requests before, $2 after"; false; }; }

# A listing of a folder (names, sizes, modification times, the journal included): equal before and
# after means nothing local was touched.
snapshot() { find "$1" -printf '%P %s %T@\n' | sort; }
untouched() { diff <(snapshot "$1") "$2" >"$WORK/snap.diff" || { echo "   changed:"; sed 's/^/   | /' "$WORK/snap.diff"; false; }; }

# ---- servers and proxies -------------------------------------------------------------------------
start_nubo_server "$SERVER_BIN" "$WORK" --add-user alice:secret || true
if [[ -z "$PORT" ]]; then
    echo "FAIL - nubo-server did not start:"
    cat "$WORK/server.out" "$WORK/server.err"
    FAILURES=1
    exit 1
fi
SERVER="http://0.0.0.0:$PORT"
echo secret >"$WORK/password"
echo proxypw >"$WORK/proxy-password"
echo wrongpw >"$WORK/wrong-proxy-password"

start_proxy open
OPEN=$PROXY_PORT
start_proxy auth "BasicAuth alice proxypw"
AUTH=$PROXY_PORT
DEAD=$(free_port) # nothing listens there

# nsync OUT LOCAL [options...]: nubocmd sync as alice against $SERVER (unless --server U comes
# first); stdout+stderr to OUT, exit code in RC. Bounded: a proxy problem must not hang it.
nsync() {
    local out=$1 local_dir=$2 server=$SERVER
    shift 2
    if [[ "${1:-}" == --server ]]; then server=$2; shift 2; fi
    timeout 120 "$NUBOCMD" sync --user alice --password-file "$WORK/password" "$@" "$local_dir" "$server" \
        >"$out" 2>&1 </dev/null
    RC=$?
}

# ---- a: --proxy -----------------------------------------------------------------------------------
A=$WORK/a
mkdir -p "$A/docs"
echo "one" >"$A/one.txt"
echo "two" >"$A/docs/two.txt"
head -c 200000 /dev/urandom >"$A/docs/three.bin"

# --proxy wins over the environment: the variables name a proxy that is not there.
BEFORE=$(requests open)
http_proxy=http://127.0.0.1:$DEAD all_proxy=http://127.0.0.1:$DEAD nsync "$WORK/a.out" "$A" \
    --proxy "http://127.0.0.1:$OPEN"
check "a: sync --proxy http://127.0.0.1:PORT uploads 3 files (exit 0)" \
    bash -c "[[ $RC == 0 ]] && grep -q '^uploaded 3, downloaded 0, ' '$WORK/a.out' || { cat '$WORK/a.out'; false; }"
check "a: the proxy's log has the login (status.php)" logged open "GET http://0.0.0.0:$PORT/status.php "
check "a: ... and the uploads, made on the transfer threads" \
    logged open "PUT http://0.0.0.0:$PORT/remote.php/dav/files/alice/docs/three.bin "
check "a: all of the run's requests went through it (status, user, capabilities, listings, 3 PUTs)" \
    more_than $((BEFORE + 6)) "$(requests open)" "open proxy"

BEFORE=$(requests open)
http_proxy=http://127.0.0.1:$OPEN nsync "$WORK/a-none.out" "$A" --proxy none
check "a: --proxy none goes direct (exit 0) even with http_proxy set" rc_is 0 "$WORK/a-none.out"
check "a: --proxy none: no request in the proxy's log" same_count "$BEFORE" "$(requests open)" "open proxy"

nsync "$WORK/a-bad.out" "$A" --proxy "https://127.0.0.1:$OPEN"
check "a: --proxy https://... is a usage error (exit 2) that says what is expected" \
    bash -c "[[ $RC == 2 ]] && grep -q 'expected http://\[USER\[:PASSWORD\]@\]HOST:PORT' '$WORK/a-bad.out'"
nsync "$WORK/a-pw.out" "$A" --proxy "http://alice:proxypw@127.0.0.1:$AUTH"
check "a: a password in --proxy is refused (exit 2) and not repeated" \
    bash -c "[[ $RC == 2 ]] && grep -q 'proxy-password-file' '$WORK/a-pw.out' && ! grep -q proxypw '$WORK/a-pw.out'"

# ---- b: the environment: http_proxy, all_proxy ---------------------------------------------------
B=$WORK/b
mkdir -p "$B"
BEFORE=$(requests open)
http_proxy=http://127.0.0.1:$OPEN nsync "$WORK/b.out" "$B"
check "b: http_proxy=...: downloads the 3 files (exit 0)" \
    bash -c "[[ $RC == 0 ]] && grep -q '^uploaded 0, downloaded 3, ' '$WORK/b.out' || { cat '$WORK/b.out'; false; }"
check "b: http_proxy: the downloads are in the proxy's log" \
    logged open "GET http://0.0.0.0:$PORT/remote.php/dav/files/alice/docs/three.bin "
check "b: http_proxy: every request went through it" more_than $((BEFORE + 6)) "$(requests open)" "open proxy"
check "b: the tree came down identical" diff -r -x '.nubo_journal.db*' "$A" "$B"

# Qt with libproxy ignores all_proxy; curl and nubocmd use it when no scheme's variable is set.
echo "four" >"$A/four.txt"
BEFORE=$(requests open)
ALL_PROXY=http://127.0.0.1:$OPEN nsync "$WORK/b-all.out" "$A"
check "b: ALL_PROXY=...: uploads four.txt (exit 0)" \
    bash -c "[[ $RC == 0 ]] && grep -q '^uploaded four.txt$' '$WORK/b-all.out' || { cat '$WORK/b-all.out'; false; }"
check "b: ALL_PROXY: the upload is in the proxy's log" \
    logged open "PUT http://0.0.0.0:$PORT/remote.php/dav/files/alice/four.txt "
# As curl: https_proxy is for https:// servers only; this one is http://.
https_proxy=http://127.0.0.1:$DEAD nsync "$WORK/b-https.out" "$A"
check "b: https_proxy does not apply to an http:// server (exit 0, direct)" rc_is 0 "$WORK/b-https.out"

# ---- c: no_proxy ----------------------------------------------------------------------------------
# libproxy (Qt's own reading) skips "*" and does not match a name's port the way curl does.
round=0
for no_proxy_value in "0.0.0.0" "example.org, 0.0.0.0:$PORT" "*"; do
    round=$((round + 1))
    echo "round $round" >"$A/c$round.txt"
    nsync "$WORK/c-up.out" "$A" # direct: nothing set
    BEFORE=$(requests open)
    http_proxy=http://127.0.0.1:$OPEN no_proxy="$no_proxy_value" nsync "$WORK/c.out" "$B"
    check "c: no_proxy='$no_proxy_value': syncs (exit 0, c$round.txt comes down)" \
        bash -c "[[ $RC == 0 && -f '$B/c$round.txt' ]] || { cat '$WORK/c.out'; false; }"
    check "c: no_proxy='$no_proxy_value': no new request in the proxy's log" \
        same_count "$BEFORE" "$(requests open)" "open proxy"
done
# An entry for another port does not match.
BEFORE=$(requests open)
HTTP_PROXY=http://127.0.0.1:$OPEN NO_PROXY="0.0.0.0:1" nsync "$WORK/c-port.out" "$B"
check "c: NO_PROXY=0.0.0.0:1 (another port) still goes through HTTP_PROXY" \
    more_than "$BEFORE" "$(requests open)" "open proxy"

# ---- d: a proxy that asks for Basic credentials -----------------------------------------------------
D=$WORK/d
mkdir -p "$D"
echo "pending" >"$A/pending.txt"

BEFORE=$(requests auth)
http_proxy="http://alice:proxypw@127.0.0.1:$AUTH" nsync "$WORK/d-env.out" "$D"
check "d: credentials in http_proxy's URL: syncs (exit 0)" \
    bash -c "[[ $RC == 0 ]] && grep -q ', errors 0 in ' '$WORK/d-env.out' || { cat '$WORK/d-env.out'; false; }"
check "d: ... through the proxy" more_than $((BEFORE + 3)) "$(requests auth)" "auth proxy"
BEFORE=$(requests auth)
nsync "$WORK/d-file.out" "$A" --proxy "http://alice@127.0.0.1:$AUTH" --proxy-password-file "$WORK/proxy-password"
check "d: --proxy http://alice@... --proxy-password-file: uploads pending.txt (exit 0)" \
    bash -c "[[ $RC == 0 ]] && grep -q '^uploaded pending.txt$' '$WORK/d-file.out' || { cat '$WORK/d-file.out'; false; }"
check "d: ... through the proxy" logged auth "PUT http://0.0.0.0:$PORT/remote.php/dav/files/alice/pending.txt "

# Refusals: exit 4 at once, the message names the proxy and the setting, the local folder (which
# has something to download) is left as it was.
SNAP=$WORK/d.snap
snapshot "$D" >"$SNAP"
START=$SECONDS
nsync "$WORK/d-none.out" "$D" --proxy "http://127.0.0.1:$AUTH"
check "d: no credentials: exit 4" rc_is 4 "$WORK/d-none.out"
check "d: no credentials: the proxy asks for them (407), says where to give them" \
    has "the proxy http://127.0.0.1:$AUTH (from --proxy) requires a user name and password (407); give them in --proxy" \
    "$WORK/d-none.out"
check "d: no credentials: nothing local changed" untouched "$D" "$SNAP"
nsync "$WORK/d-wrong.out" "$D" --proxy "http://alice@127.0.0.1:$AUTH" --proxy-password-file "$WORK/wrong-proxy-password"
# tinyproxy 1.11 answers wrong credentials with 401 (not 407); on status.php, which needs no login,
# that can only be the proxy's.
check "d: wrong credentials: exit 4" rc_is 4 "$WORK/d-wrong.out"
check "d: wrong credentials: the proxy refused them, check --proxy" \
    has "the proxy http://alice@127.0.0.1:$AUTH (from --proxy) refused the credentials (401); check --proxy" \
    "$WORK/d-wrong.out"
check "d: wrong credentials: the password is not shown" bash -c "! grep -q wrongpw '$WORK/d-wrong.out'"
http_proxy="http://alice:wrongpw@127.0.0.1:$AUTH" nsync "$WORK/d-env-wrong.out" "$D"
check "d: wrong credentials in http_proxy: exit 4, names the variable, not the password" \
    bash -c "[[ $RC == 4 ]] && grep -q 'refused the credentials (401); check the environment variable http_proxy' \
             '$WORK/d-env-wrong.out' && ! grep -q wrongpw '$WORK/d-env-wrong.out' || { cat '$WORK/d-env-wrong.out'; false; }"
check "d: wrong credentials: nothing local changed" untouched "$D" "$SNAP"
ELAPSED=$((SECONDS - START))
check "d: the refusals took seconds, not a hang (< 30 s for three: $ELAPSED s)" test "$ELAPSED" -lt 30

# Through CONNECT (an https:// server, as real ones are): the same proxy, the same answers.
if openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=localhost -keyout "$WORK/tls.key" \
    -out "$WORK/tls.crt" >/dev/null 2>&1; then
    # A second server: start_nubo_server's variables are the first one's, kept aside meanwhile.
    read -r FIRST_PID FIRST_PORT <<<"$SERVER_PID $PORT"
    start_nubo_server "$SERVER_BIN" "$WORK/tls" --add-user alice:secret \
        --tls-cert "$WORK/tls.crt" --tls-key "$WORK/tls.key" || true
    read -r TLS_PID TLS_PORT SERVER_PID PORT <<<"$SERVER_PID $PORT $FIRST_PID $FIRST_PORT"
    T=$WORK/t
    mkdir -p "$T"
    echo "over tls" >"$T/tls.txt"
    nsync "$WORK/t-ok.out" "$T" --server "https://0.0.0.0:$TLS_PORT" --trust \
        --proxy "http://alice@127.0.0.1:$AUTH" --proxy-password-file "$WORK/proxy-password"
    check "d: https:// server through CONNECT with credentials: uploaded (exit 0)" \
        bash -c "[[ $RC == 0 ]] && grep -q '^uploaded tls.txt$' '$WORK/t-ok.out' || { cat '$WORK/t-ok.out'; false; }"
    check "d: ... the proxy's log has the CONNECT" logged auth "CONNECT 0.0.0.0:$TLS_PORT "
    echo "more" >"$T/more.txt"
    snapshot "$T" >"$WORK/t.snap"
    nsync "$WORK/t-none.out" "$T" --server "https://0.0.0.0:$TLS_PORT" --trust --proxy "http://127.0.0.1:$AUTH"
    check "d: https:// through CONNECT without credentials: exit 4, the proxy asks for them (407)" \
        bash -c "[[ $RC == 4 ]] && grep -q 'the proxy http://127.0.0.1:$AUTH (from --proxy) requires a user name and password (407)' \
                 '$WORK/t-none.out' || { cat '$WORK/t-none.out'; false; }"
    nsync "$WORK/t-wrong.out" "$T" --server "https://0.0.0.0:$TLS_PORT" --trust \
        --proxy "http://alice@127.0.0.1:$AUTH" --proxy-password-file "$WORK/wrong-proxy-password"
    check "d: https:// through CONNECT with wrong credentials: exit 4, names the proxy and --proxy" \
        bash -c "[[ $RC == 4 ]] && grep -q 'through the proxy http://alice@127.0.0.1:$AUTH (from --proxy)' \
                 '$WORK/t-wrong.out' || { cat '$WORK/t-wrong.out'; false; }"
    check "d: https:// refusals: nothing local changed" untouched "$T" "$WORK/t.snap"
fi

# ---- e: a proxy that is not there ----------------------------------------------------------------
SNAP=$WORK/e.snap
snapshot "$D" >"$SNAP"
nsync "$WORK/e.out" "$D" --proxy "http://127.0.0.1:$DEAD"
check "e: --proxy to a port where nothing listens: exit 4" rc_is 4 "$WORK/e.out"
check "e: ... the message names the proxy and --proxy" \
    has "cannot reach 0.0.0.0:$PORT through the proxy http://127.0.0.1:$DEAD (from --proxy): the connection was refused" \
    "$WORK/e.out"
http_proxy=http://127.0.0.1:$DEAD nsync "$WORK/e-env.out" "$D"
check "e: http_proxy to a port where nothing listens: exit 4, names the variable" \
    bash -c "[[ $RC == 4 ]] && grep -q 'through the proxy http://127.0.0.1:$DEAD (from http_proxy): .*the environment variable http_proxy' \
             '$WORK/e-env.out' || { cat '$WORK/e-env.out'; false; }"
http_proxy=http://127.0.0.1:$DEAD nsync "$WORK/e-socks.out" "$D" --proxy "socks5h://127.0.0.1:$DEAD"
check "e: a SOCKS5 proxy that is not there: exit 4, names it" \
    bash -c "[[ $RC == 4 ]] && grep -q 'through the proxy socks5h://127.0.0.1:$DEAD (from --proxy)' '$WORK/e-socks.out' \
             || { cat '$WORK/e-socks.out'; false; }"
https_proxy=nonsense://x nsync "$WORK/e-var.out" "$D"
check "e: an https_proxy that is not a proxy URL: exit 2, names the variable" \
    bash -c "[[ $RC == 2 ]] && grep -q 'environment variable https_proxy does not name a usable proxy' '$WORK/e-var.out'"
check "e: nothing local changed" untouched "$D" "$SNAP"

# ---- the online e2ee commands take --proxy too ----------------------------------------------------
BEFORE=$(requests open)
timeout 60 "$NUBOCMD" e2ee status --user alice --password-file "$WORK/password" --key-store file \
    --proxy "http://127.0.0.1:$OPEN" "$SERVER" >"$WORK/e2ee.out" 2>&1 </dev/null
RC=$?
check "e2ee status --proxy: exit 0" rc_is 0 "$WORK/e2ee.out"
check "e2ee status --proxy: through the proxy" more_than "$BEFORE" "$(requests open)" "open proxy"

echo
if [[ "$FAILURES" -gt 0 ]]; then
    echo "nubocmd_proxy: $FAILURES of $CHECK checks FAILED"
    exit 1
fi
echo "nubocmd_proxy: all $CHECK checks passed"
