#!/usr/bin/env bash
# nubo-server over HTTPS (--tls-cert/--tls-key): status, an upload and a download through curl
# with certificate verification, and a plain-HTTP request that must not be served.
# Usage: server_tls_test.sh NUBO_SERVER_BINARY
set -euo pipefail
server=$1
work=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -rf "$work"' EXIT
fail() { echo "server_tls: FAIL ($*)"; exit 1; }

openssl req -x509 -newkey rsa:2048 -nodes -keyout "$work/key.pem" -out "$work/cert.pem" -days 2 \
    -subj /CN=127.0.0.1 -addext "subjectAltName=IP:127.0.0.1" 2>/dev/null
"$server" --data "$work/data" --listen 127.0.0.1:0 --add-user alice:secret \
    --tls-cert "$work/cert.pem" --tls-key "$work/key.pem" >"$work/out" 2>"$work/err" &
pid=$!
port=""
for _ in $(seq 100); do
    port=$(sed -n 's|^listening on https://127.0.0.1:\([0-9]*\)$|\1|p' "$work/out")
    [[ -n "$port" ]] && break
    sleep 0.1
done
[[ -n "$port" ]] || fail "no https address printed: $(cat "$work/out" "$work/err")"
base="https://127.0.0.1:$port"
curl -sf --cacert "$work/cert.pem" "$base/status.php" | grep -q '"installed":true' || fail "status.php over TLS"
head -c 300000 /dev/urandom >"$work/payload"
code=$(curl -s --cacert "$work/cert.pem" -u alice:secret -T "$work/payload" -o /dev/null -w '%{http_code}' \
    "$base/remote.php/dav/files/alice/payload.bin")
[[ $code == 201 ]] || fail "PUT over TLS answered $code"
curl -sf --cacert "$work/cert.pem" -u alice:secret -o "$work/back" "$base/remote.php/dav/files/alice/payload.bin" ||
    fail "GET over TLS"
cmp -s "$work/payload" "$work/back" || fail "the download differs from the upload"
if curl -s -m 5 -o /dev/null "http://127.0.0.1:$port/status.php"; then fail "plain HTTP was served on the TLS port"; fi
# An untrusted certificate is refused by a verifying client (the server does not weaken TLS).
if curl -s -m 5 -o /dev/null "$base/status.php"; then fail "curl accepted an unknown certificate"; fi
kill -TERM "$pid"
wait "$pid" || fail "nubo-server did not stop cleanly"
echo "server_tls: PASS"
