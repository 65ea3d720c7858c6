#!/usr/bin/env bash
# Black-box tests of `nubocmd e2ee`: outputs, exit codes and one-line errors, on the real
# vectors in test/data/cli. Usage: nubocmd_e2ee_test.sh NUBOCMD DATA_DIR
set -uo pipefail

NUBOCMD=$1
DATA=$2
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
passed=0
failed=0

ok() { passed=$((passed + 1)); }
bad() { failed=$((failed + 1)); echo "FAIL: $*" >&2; }

# expect CODE NAME -- command...: runs the command, checks the exit code, and for failures
# that stderr is exactly one line.
expect() {
    local code=$1 name=$2
    shift 3
    "$@" >"$WORK/out" 2>"$WORK/err"
    local rc=$?
    if [[ $rc -ne $code ]]; then
        bad "$name: exit $rc, expected $code; stderr: $(cat "$WORK/err")"
        return 1
    fi
    if [[ $code -ne 0 && $(wc -l <"$WORK/err") -ne 1 ]]; then
        bad "$name: expected one line on stderr, got: $(cat "$WORK/err")"
        return 1
    fi
    ok
}

contains() { # NAME FILE TEXT
    if grep -qF -- "$3" "$2"; then ok; else bad "$1: $2 lacks '$3': $(head -c 400 "$2")"; fi
}

E2EE=("$NUBOCMD" e2ee)

expect 0 self-test -- "${E2EE[@]}" self-test
contains self-test "$WORK/out" "self-test passed"

# unwrap-key: both envelope forms, stdin, and the failures.
expect 0 unwrap-key -- "${E2EE[@]}" unwrap-key --mnemonic-file "$DATA/alice.mnemonic" --envelope "$DATA/alice.envelope"
cmp -s "$WORK/out" "$DATA/alice.key.pem" && ok || bad "unwrap-key: key differs"
expect 0 unwrap-key-json-stdin -- bash -c "\"\$0\" e2ee unwrap-key --mnemonic-file - --envelope \"\$1\" <\"\$2\"" \
    "$NUBOCMD" "$DATA/alice.envelope.json" "$DATA/alice.mnemonic"
cmp -s "$WORK/out" "$DATA/alice.key.pem" && ok || bad "unwrap-key from stdin: key differs"
expect 4 unwrap-key-wrong-mnemonic -- "${E2EE[@]}" unwrap-key --mnemonic-file "$DATA/bob.mnemonic" --envelope "$DATA/alice.envelope"
contains unwrap-key-wrong-mnemonic "$WORK/err" "wrong mnemonic"
[[ -s "$WORK/out" ]] && bad "wrong mnemonic printed something on stdout" || ok
sed 's/jacket/jackett/' "$DATA/alice.mnemonic" >"$WORK/typo.mnemonic"
expect 5 unwrap-key-unknown-word -- "${E2EE[@]}" unwrap-key --mnemonic-file "$WORK/typo.mnemonic" --envelope "$DATA/alice.envelope"
contains unwrap-key-unknown-word "$WORK/err" 'word 4'
echo 'not|an|envelope' >"$WORK/bad.envelope"
expect 5 unwrap-key-malformed -- "${E2EE[@]}" unwrap-key --mnemonic-file "$DATA/alice.mnemonic" --envelope "$WORK/bad.envelope"
expect 2 unwrap-key-usage -- "${E2EE[@]}" unwrap-key --envelope "$DATA/alice.envelope"
expect 1 unwrap-key-missing-file -- "${E2EE[@]}" unwrap-key --mnemonic-file "$WORK/nope" --envelope "$DATA/alice.envelope"

# open-metadata: verified with each user's key, unverified, OCS-wrapped, nested, tampered.
for user in alice bob; do
    expect 0 "open-metadata-$user" -- "${E2EE[@]}" open-metadata --metadata "$DATA/root.metadata.json" \
        --private-key "$DATA/$user.key.pem" --user "$user" --signature "$DATA/root.signature.b64" \
        --server-key "$DATA/../server-key.pem"
    contains "open-metadata-$user" "$WORK/out" '"verified": true'
    contains "open-metadata-$user" "$WORK/out" '"metadataKey": "21/zMfWomWii6RcfCNNW1g=="'
    contains "open-metadata-$user" "$WORK/out" '"filename": "hello.txt"'
done
expect 0 open-metadata-der-ocs -- "${E2EE[@]}" open-metadata --metadata "$DATA/root.ocs.json" \
    --private-key "$DATA/alice.key.pem" --signature "$DATA/root.signature.der" --server-key "$DATA/../server-key.pem"
contains open-metadata-der-ocs "$WORK/out" '"verified": true'
expect 0 open-metadata-unverified -- "${E2EE[@]}" open-metadata --metadata "$DATA/root.metadata.json" --private-key "$DATA/bob.key.pem"
contains open-metadata-unverified "$WORK/out" '"verified": null'
expect 0 open-metadata-nested -- "${E2EE[@]}" open-metadata --metadata "$DATA/nested.metadata.json" \
    --metadata-key 21/zMfWomWii6RcfCNNW1g==
contains open-metadata-nested "$WORK/out" '"filename": "ä ö ü.md"'
expect 2 open-metadata-nested-needs-parent -- "${E2EE[@]}" open-metadata --metadata "$DATA/nested.metadata.json" \
    --metadata-key 21/zMfWomWii6RcfCNNW1g== --signature "$DATA/root.signature.b64" --server-key "$DATA/../server-key.pem"
expect 3 open-metadata-nested-unsigned -- "${E2EE[@]}" open-metadata --metadata "$DATA/nested.metadata.json" \
    --metadata-key 21/zMfWomWii6RcfCNNW1g== --signature "$DATA/root.signature.b64" --server-key "$DATA/../server-key.pem" \
    --parent-metadata "$DATA/root.metadata.json"
contains open-metadata-nested-unsigned "$WORK/out" '"verified": false'
# A metadata document whose users list was changed by the server: the signature no longer matches.
sed 's/"encryptedMetadataKey": "flCI7/"encryptedMetadataKey": "glCI7/' "$DATA/root.metadata.json" >"$WORK/tampered.json"
expect 3 open-metadata-tampered -- "${E2EE[@]}" open-metadata --metadata "$WORK/tampered.json" \
    --private-key "$DATA/alice.key.pem" --user alice --signature "$DATA/root.signature.b64" --server-key "$DATA/../server-key.pem"
contains open-metadata-tampered "$WORK/err" "verification failed (signature)"
contains open-metadata-tampered "$WORK/out" '"verified": false'
# Signed by the right key, checked against the wrong server key.
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 2>/dev/null | openssl pkey -pubout >"$WORK/other-server.pem"
expect 3 open-metadata-wrong-server -- "${E2EE[@]}" open-metadata --metadata "$DATA/root.metadata.json" \
    --private-key "$DATA/alice.key.pem" --signature "$DATA/root.signature.b64" --server-key "$WORK/other-server.pem"
contains open-metadata-wrong-server "$WORK/err" "verification failed (certificates)"
expect 4 open-metadata-wrong-key -- "${E2EE[@]}" open-metadata --metadata "$DATA/root.metadata.json" \
    --private-key "$DATA/bob.key.pem" --user alice
expect 4 open-metadata-wrong-metadata-key -- "${E2EE[@]}" open-metadata --metadata "$DATA/nested.metadata.json" \
    --metadata-key AAAAAAAAAAAAAAAAAAAAAA==
echo '{"metadata": 5' >"$WORK/broken.json"
expect 5 open-metadata-malformed -- "${E2EE[@]}" open-metadata --metadata "$WORK/broken.json" --metadata-key 21/zMfWomWii6RcfCNNW1g==
expect 5 open-metadata-bad-key-b64 -- "${E2EE[@]}" open-metadata --metadata "$DATA/nested.metadata.json" --metadata-key '%%%'
expect 2 open-metadata-usage -- "${E2EE[@]}" open-metadata --metadata "$DATA/root.metadata.json"
expect 2 open-metadata-half-verify -- "${E2EE[@]}" open-metadata --metadata "$DATA/root.metadata.json" \
    --private-key "$DATA/alice.key.pem" --signature "$DATA/root.signature.b64"

# decrypt-file / encrypt-file.
KEY=w0rOw1GNeb1te4YI2V1HeA==
NONCE=RzaaKRiDVgCLkC09EchyOQ==
TAG=bIZ2niCsvYexJ7FTHxHr0w==
expect 0 decrypt-file -- "${E2EE[@]}" decrypt-file --key $KEY --nonce $NONCE --tag $TAG "$DATA/hello.blob" "$WORK/hello.txt"
cmp -s "$WORK/hello.txt" "$DATA/hello.txt" && ok || bad "decrypt-file: plaintext differs"
cp "$DATA/hello.blob" "$WORK/tampered.blob"
printf '\x00' | dd of="$WORK/tampered.blob" bs=1 seek=3 conv=notrunc status=none
expect 4 decrypt-file-tampered -- "${E2EE[@]}" decrypt-file --key $KEY --nonce $NONCE "$WORK/tampered.blob" "$WORK/never.txt"
[[ -e "$WORK/never.txt" ]] && bad "decrypt-file wrote OUT although the tag failed" || ok
[[ -z "$(ls "$WORK" | grep nubo-partial)" ]] && ok || bad "decrypt-file left a partial file behind"
expect 4 decrypt-file-wrong-tag -- "${E2EE[@]}" decrypt-file --key $KEY --nonce $NONCE --tag AAAAAAAAAAAAAAAAAAAAAA== \
    "$DATA/hello.blob" "$WORK/never.txt"
expect 5 decrypt-file-short-key -- "${E2EE[@]}" decrypt-file --key AAAA --nonce $NONCE "$DATA/hello.blob" "$WORK/never.txt"
expect 2 decrypt-file-stdout -- "${E2EE[@]}" decrypt-file --key $KEY --nonce $NONCE "$DATA/hello.blob" -
expect 2 decrypt-file-usage -- "${E2EE[@]}" decrypt-file --key $KEY "$DATA/hello.blob" "$WORK/never.txt"
[[ -e "$WORK/never.txt" ]] && bad "a failed decrypt-file created OUT" || ok

# Round trip through both tools, on a file larger than one cipher chunk; the same key and
# nonce as the official client's blob must reproduce it byte for byte.
head -c 1000000 /dev/urandom >"$WORK/big.bin"
expect 0 encrypt-file -- "${E2EE[@]}" encrypt-file --key $KEY --nonce $NONCE "$WORK/big.bin" "$WORK/big.blob"
tag=$(cat "$WORK/out")
expect 0 decrypt-file-roundtrip -- "${E2EE[@]}" decrypt-file --key $KEY --nonce $NONCE --tag "$tag" "$WORK/big.blob" "$WORK/big.out"
cmp -s "$WORK/big.bin" "$WORK/big.out" && ok || bad "round trip changed the data"
expect 0 encrypt-file-known -- "${E2EE[@]}" encrypt-file --key $KEY --nonce $NONCE "$DATA/hello.txt" "$WORK/hello.blob"
cmp -s "$WORK/hello.blob" "$DATA/hello.blob" && ok || bad "encrypt-file differs from the official client's blob"
contains encrypt-file-known "$WORK/out" "$TAG"

expect 2 unknown-command -- "${E2EE[@]}" frobnicate
expect 2 unknown-option -- "${E2EE[@]}" self-test --verbose

echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
