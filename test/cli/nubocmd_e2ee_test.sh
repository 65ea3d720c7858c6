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

# Builds the documents the checks below need, with python3 for JSON, openssl for RSA and CMS,
# and nubocmd's own encrypt-file for AES-GCM:
#   signing-bytes DOC OUT        the bytes a v2 signature covers (PROTOCOL.md §4.6)
#   certificate DOC USER OUT     the PEM listed for USER
#   folder OUT KEY INNER USER=CERT=PUB...   a metadata 2.0 document: INNER (JSON) under metadata
#                                key KEY (base64), the key encrypted to each PUB, CERT listed
#   users DOC OUT USER=CERT...   DOC with its users replaced (encryptedMetadataKey left empty)
#   duplicate-key DOC OUT KEY    DOC with the JSON key KEY (JSON-escaped) added twice
cat >"$WORK/fixtures.py" <<'PY'
import base64, gzip, hashlib, json, os, subprocess, sys

def load(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)

def save(path, doc):
    with open(path, "w", encoding="utf-8") as f:
        json.dump(doc, f, indent=1, ensure_ascii=False)

def b64(data):
    return base64.b64encode(data).decode()

command, args = sys.argv[1], sys.argv[2:]
if command == "signing-bytes":
    doc = load(args[0])
    doc.pop("filedrop", None)
    for user in doc.get("users", []):
        user.pop("encryptedFiledropKey", None)
    canonical = json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    with open(args[1], "w") as f:
        f.write(b64(canonical.encode()))
elif command == "certificate":
    with open(args[2], "w") as f:
        f.write(next(u["certificate"] for u in load(args[0])["users"] if u["userId"] == args[1]))
elif command == "folder":
    out, key, inner, members = args[0], base64.b64decode(args[1]), args[2], args[3:]
    nubocmd, work = os.environ["NUBOCMD"], os.environ["WORK"]
    with open(f"{work}/inner.gz", "wb") as f:
        f.write(gzip.compress(inner.encode()))
    nonce = os.urandom(16)
    subprocess.run([nubocmd, "e2ee", "encrypt-file", "--key", b64(key), "--nonce", b64(nonce),
                    f"{work}/inner.gz", f"{work}/inner.blob"], check=True, stdout=subprocess.DEVNULL)
    with open(f"{work}/inner.blob", "rb") as f:
        blob = f.read()
    users = []
    for member in members:
        user, cert, pub = member.split("=")
        wrapped = subprocess.run(["openssl", "pkeyutl", "-encrypt", "-pubin", "-inkey", pub,
                                  "-pkeyopt", "rsa_padding_mode:oaep", "-pkeyopt", "rsa_oaep_md:sha256",
                                  "-pkeyopt", "rsa_mgf1_md:sha256"], input=key, capture_output=True, check=True).stdout
        users.append({"userId": user, "certificate": open(cert).read(), "encryptedMetadataKey": b64(wrapped)})
    save(out, {"metadata": {"ciphertext": b64(blob) + "|" + b64(nonce), "nonce": b64(nonce),
                            "authenticationTag": b64(blob[-16:])},
               "users": users, "version": "2.0"})
elif command == "users":
    doc = load(args[0])
    doc["users"] = [{"userId": m.split("=")[0], "certificate": open(m.split("=")[1]).read(),
                     "encryptedMetadataKey": ""} for m in args[2:]]
    save(args[1], doc)
elif command == "duplicate-key":
    with open(args[0], encoding="utf-8") as f:
        text = f.read()
    entry = json.dumps(args[2]) + ": 0, "
    with open(args[1], "w", encoding="utf-8") as f:
        f.write("{" + entry + entry + text[text.index("{") + 1:])
else:
    sys.exit("fixtures.py: unknown command " + command)
PY
fixture() { NUBOCMD="$NUBOCMD" WORK="$WORK" python3 "$WORK/fixtures.py" "$@"; }
# sign DOC KEY CERT OUT [DIGEST]: a detached CMS signature (base64 DER) over DOC's signing bytes.
sign() {
    fixture signing-bytes "$1" "$WORK/signed.txt" &&
        openssl cms -sign -binary -in "$WORK/signed.txt" -signer "$3" -inkey "$2" -md "${5:-sha256}" \
            -outform DER -out "$WORK/signature.der" &&
        base64 -w0 "$WORK/signature.der" >"$4"
}
# key NAME [BITS]: an RSA key pair NAME.key (PKCS#8) and NAME.pub in $WORK.
key() {
    openssl genpkey -algorithm RSA -pkeyopt "rsa_keygen_bits:${2:-2048}" -out "$WORK/$1.key" 2>/dev/null &&
        openssl pkey -in "$WORK/$1.key" -pubout -out "$WORK/$1.pub"
}
# issue NAME CN KEY: a certificate NAME.crt for KEY (a name from key) with CN, issued by $WORK/ca.key
# the way a Nextcloud server issues them.
issue() {
    openssl req -new -key "$WORK/$3.key" -subj "/O=Nextcloud/CN=$2" -out "$WORK/$1.csr" &&
        openssl x509 -req -in "$WORK/$1.csr" -CA "$WORK/ca.crt" -CAkey "$WORK/ca.key" -set_serial 0 -days 2 \
            -sha256 -out "$WORK/$1.crt" 2>/dev/null
}

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
    --parent-metadata "$DATA/root.metadata.json" --parent-signature "$DATA/root.signature.b64"
contains open-metadata-nested-unsigned "$WORK/out" '"verified": false'

# A nested folder is verified through its top-level folder, which is verified first (signature,
# certificates, and the metadata key in its keyChecksums) and gives the users and the key.
fixture certificate "$DATA/root.metadata.json" alice "$WORK/alice.crt"
sign "$DATA/nested.metadata.json" "$DATA/alice.key.pem" "$WORK/alice.crt" "$WORK/nested.sig"
expect 0 open-metadata-nested-verified -- "${E2EE[@]}" open-metadata --metadata "$DATA/nested.metadata.json" \
    --private-key "$DATA/bob.key.pem" --signature "$WORK/nested.sig" --server-key "$DATA/../server-key.pem" \
    --parent-metadata "$DATA/root.metadata.json" --parent-signature "$DATA/root.signature.b64"
contains open-metadata-nested-verified "$WORK/out" '"verified": true'
contains open-metadata-nested-verified "$WORK/out" '"filename": "ä ö ü.md"'
expect 0 open-metadata-nested-verified-by-key -- "${E2EE[@]}" open-metadata --metadata "$DATA/nested.metadata.json" \
    --metadata-key 21/zMfWomWii6RcfCNNW1g== --signature "$WORK/nested.sig" --server-key "$DATA/../server-key.pem" \
    --parent-metadata "$DATA/root.metadata.json" --parent-signature "$DATA/root.signature.b64"
contains open-metadata-nested-verified-by-key "$WORK/out" '"verified": true'
# A "parent" made by the attacker: the nested folder signed by a self-made certificate for alice,
# listed as the only user of a forged top-level document.
key rogue
openssl req -x509 -new -key "$WORK/rogue.key" -subj "/CN=alice" -days 2 -out "$WORK/rogue.crt"
fixture users "$DATA/root.metadata.json" "$WORK/rogue-parent.json" "alice=$WORK/rogue.crt"
sign "$WORK/rogue-parent.json" "$WORK/rogue.key" "$WORK/rogue.crt" "$WORK/rogue-parent.sig"
sign "$DATA/nested.metadata.json" "$WORK/rogue.key" "$WORK/rogue.crt" "$WORK/nested-rogue.sig"
expect 2 open-metadata-nested-parent-unverifiable -- "${E2EE[@]}" open-metadata \
    --metadata "$DATA/nested.metadata.json" --metadata-key 21/zMfWomWii6RcfCNNW1g== --signature "$WORK/nested-rogue.sig" \
    --server-key "$DATA/../server-key.pem" --parent-metadata "$WORK/rogue-parent.json"
grep -q '"verified": true' "$WORK/out" && bad "a nested folder was verified through an unverified parent" || ok
expect 3 open-metadata-nested-rogue-parent -- "${E2EE[@]}" open-metadata --metadata "$DATA/nested.metadata.json" \
    --metadata-key 21/zMfWomWii6RcfCNNW1g== --signature "$WORK/nested-rogue.sig" --server-key "$DATA/../server-key.pem" \
    --parent-metadata "$WORK/rogue-parent.json" --parent-signature "$WORK/rogue-parent.sig"
contains open-metadata-nested-rogue-parent "$WORK/err" "verification failed (certificates): the top-level folder"
contains open-metadata-nested-rogue-parent "$WORK/out" '"verified": false'
# A metadata document whose users list was changed by the server: the signature no longer matches.
sed 's/"encryptedMetadataKey": "flCI7/"encryptedMetadataKey": "glCI7/' "$DATA/root.metadata.json" >"$WORK/tampered.json"
expect 3 open-metadata-tampered -- "${E2EE[@]}" open-metadata --metadata "$WORK/tampered.json" \
    --private-key "$DATA/alice.key.pem" --user alice --signature "$DATA/root.signature.b64" --server-key "$DATA/../server-key.pem"
contains open-metadata-tampered "$WORK/err" "verification failed (signature)"
contains open-metadata-tampered "$WORK/out" '"verified": false'
# What failed verification is shown only when asked for.
for leak in hello.txt metadataKey; do
    grep -q "$leak" "$WORK/out" && bad "open-metadata-tampered printed $leak of an unverified document" || ok
done
expect 3 open-metadata-tampered-shown -- "${E2EE[@]}" open-metadata --metadata "$WORK/tampered.json" \
    --private-key "$DATA/alice.key.pem" --user alice --signature "$DATA/root.signature.b64" \
    --server-key "$DATA/../server-key.pem" --show-unverified
contains open-metadata-tampered-shown "$WORK/out" '"verified": false'
contains open-metadata-tampered-shown "$WORK/out" '"filename": "hello.txt"'
# A JSON key that would clear the terminal line and forge a verdict reaches it escaped, on one line.
fixture duplicate-key "$DATA/root.metadata.json" "$WORK/escape.json" $'\e[2K\rnubocmd: all checks passed\n'
expect 3 open-metadata-escaped -- "${E2EE[@]}" open-metadata --metadata "$WORK/escape.json" \
    --private-key "$DATA/alice.key.pem" --signature "$DATA/root.signature.b64" --server-key "$DATA/../server-key.pem"
contains open-metadata-escaped "$WORK/err" 'verification failed (duplicates)'
contains open-metadata-escaped "$WORK/err" '\x1B[2K\x0Dnubocmd: all checks passed\x0A'
LC_ALL=C grep -q $'[\x01-\x09\x0b-\x1f\x7f]' "$WORK/err" && bad "open-metadata-escaped: raw control bytes on stderr" || ok
# Too large to be metadata: refused before it is parsed, let alone verified.
{ cat "$DATA/root.metadata.json"; head -c $((17 * 1024 * 1024)) /dev/zero | tr '\0' ' '; } >"$WORK/huge.json"
expect 5 open-metadata-too-large -- "${E2EE[@]}" open-metadata --metadata "$WORK/huge.json" --private-key "$DATA/bob.key.pem"
contains open-metadata-too-large "$WORK/err" "larger than the limit of 16777216 bytes"

# Metadata 1.2 as the official clients before 3.10 wrote it (test/data/README.md): read to be
# migrated, never authenticated, so "verified" is null; the checksum is checked with the mnemonic.
V1=("${E2EE[@]}" open-metadata --metadata "$DATA/legacy-1.2.metadata.json")
expect 0 open-metadata-v1 -- "${V1[@]}" --private-key "$DATA/alice.key.pem" --mnemonic-file "$DATA/alice.mnemonic"
contains open-metadata-v1 "$WORK/out" '"version": "1.2"'
contains open-metadata-v1 "$WORK/out" '"verified": null'
contains open-metadata-v1 "$WORK/out" '"metadataKey": "bGVnYWN5IGtleSAxLjIhIQ=="'
contains open-metadata-v1 "$WORK/out" '"filename": "hello.txt"'
contains open-metadata-v1 "$WORK/out" '"key": "w0rOw1GNeb1te4YI2V1HeA=="'
contains open-metadata-v1 "$WORK/out" '"a1b2c3d4e5f60718293a4b5c6d7e8f90": "Photos"'
contains open-metadata-v1 "$WORK/out" '"filename": "dropped.txt"'
contains open-metadata-v1 "$WORK/err" 'warning: metadata version "1.2" is not authenticated'
contains open-metadata-v1 "$WORK/err" 'upgraded to metadata 2.0'
grep -q "1.2 checksum" "$WORK/err" && bad "open-metadata-v1: the checksum was not checked with the mnemonic" || ok
expect 0 open-metadata-v1-no-mnemonic -- "${V1[@]}" --private-key "$DATA/alice.key.pem"
contains open-metadata-v1-no-mnemonic "$WORK/err" "1.2 checksum was not checked"
expect 3 open-metadata-v1-other-mnemonic -- "${V1[@]}" --private-key "$DATA/alice.key.pem" \
    --mnemonic-file "$DATA/bob.mnemonic"
contains open-metadata-v1-other-mnemonic "$WORK/err" "verification failed (key-checksum)"
contains open-metadata-v1-other-mnemonic "$WORK/out" '"verified": false'
grep -q "hello.txt" "$WORK/out" && bad "open-metadata-v1-other-mnemonic printed a refused document's content" || ok
expect 4 open-metadata-v1-wrong-key -- "${V1[@]}" --private-key "$DATA/bob.key.pem"
expect 2 open-metadata-v1-signature -- "${V1[@]}" --private-key "$DATA/alice.key.pem" \
    --signature "$DATA/root.signature.b64" --server-key "$DATA/../server-key.pem"
grep -q "hello.txt" "$DATA/legacy-1.2.metadata.json" && bad "the 1.x fixture holds a plaintext name" || ok

# Verifying as the holder of a private key checks that the key's certificate in the metadata is
# that key's. Our own server CA, as the real server key's private half is not in the vectors.
key ca
openssl req -x509 -new -key "$WORK/ca.key" -subj "/CN=server" -days 2 -out "$WORK/ca.crt"
for user in alice bob mallory; do key "$user"; done
issue alice alice alice
issue bob bob bob
issue bob-on-mallorys-key bob mallory # a genuine certificate for "bob", with a key bob does not hold
K=AAECAwQFBgcICQoLDA0ODw==
SUM=$(printf '%s' "$K" | base64 -d | sha256sum | cut -c1-64)
inner() { echo "{\"counter\":1,\"files\":{},\"folders\":{$1},\"keyChecksums\":[\"$SUM\"]}"; }
fixture folder "$WORK/own.json" $K "$(inner '"0123456789abcdef0123456789abcdef":"docs"')" \
    "alice=$WORK/alice.crt=$WORK/alice.pub" "bob=$WORK/bob.crt=$WORK/bob.pub"
sign "$WORK/own.json" "$WORK/alice.key" "$WORK/alice.crt" "$WORK/own.sig"
expect 0 open-metadata-own-certificate -- "${E2EE[@]}" open-metadata --metadata "$WORK/own.json" \
    --private-key "$WORK/bob.key" --user bob --signature "$WORK/own.sig" --server-key "$WORK/ca.pub"
contains open-metadata-own-certificate "$WORK/out" '"verified": true'
fixture folder "$WORK/swapped.json" $K "$(inner '"0123456789abcdef0123456789abcdef":"docs"')" \
    "alice=$WORK/alice.crt=$WORK/alice.pub" "bob=$WORK/bob-on-mallorys-key.crt=$WORK/bob.pub"
sign "$WORK/swapped.json" "$WORK/alice.key" "$WORK/alice.crt" "$WORK/swapped.sig"
expect 3 open-metadata-own-certificate-swapped -- "${E2EE[@]}" open-metadata --metadata "$WORK/swapped.json" \
    --private-key "$WORK/bob.key" --user bob --signature "$WORK/swapped.sig" --server-key "$WORK/ca.pub"
contains open-metadata-own-certificate-swapped "$WORK/err" "does not match this device's key"
expect 3 open-metadata-own-certificate-swapped-no-user -- "${E2EE[@]}" open-metadata \
    --metadata "$WORK/swapped.json" --private-key "$WORK/bob.key" --signature "$WORK/swapped.sig" \
    --server-key "$WORK/ca.pub"
contains open-metadata-own-certificate-swapped-no-user "$WORK/err" "verification failed (certificates)"
# Names that are one item on a case-insensitive disk.
fixture folder "$WORK/cases.json" $K \
    "$(inner '"0123456789abcdef0123456789abcdef":"Docs","fedcba9876543210fedcba9876543210":"docs"')" \
    "alice=$WORK/alice.crt=$WORK/alice.pub"
sign "$WORK/cases.json" "$WORK/alice.key" "$WORK/alice.crt" "$WORK/cases.sig"
expect 0 open-metadata-case-sensitive -- "${E2EE[@]}" open-metadata --metadata "$WORK/cases.json" \
    --private-key "$WORK/alice.key" --signature "$WORK/cases.sig" --server-key "$WORK/ca.pub"
expect 3 open-metadata-case-insensitive -- "${E2EE[@]}" open-metadata --metadata "$WORK/cases.json" \
    --private-key "$WORK/alice.key" --signature "$WORK/cases.sig" --server-key "$WORK/ca.pub" --case-insensitive
contains open-metadata-case-insensitive "$WORK/err" "verification failed (duplicates)"
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
cp "$DATA/hello.txt" "$WORK/existing.txt"
expect 0 decrypt-file-replaces -- "${E2EE[@]}" decrypt-file --key $KEY --nonce $NONCE --tag $TAG "$DATA/hello.blob" \
    "$WORK/existing.txt"
cmp -s "$WORK/existing.txt" "$DATA/hello.txt" && ok || bad "decrypt-file-replaces: plaintext differs"

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

# Killed while decrypting: unverified plaintext never had a name, so nothing is left behind.
mkdir "$WORK/crash"
mkfifo "$WORK/blob.fifo"
"${E2EE[@]}" decrypt-file --key $KEY --nonce $NONCE --tag "$tag" "$WORK/blob.fifo" "$WORK/crash/big.out" \
    2>"$WORK/crash.err" &
pid=$!
exec 3>"$WORK/blob.fifo"
head -c 600000 "$WORK/big.blob" >&3 # more than two cipher chunks: plaintext has been written
written=""
for _ in $(seq 100); do
    for fd in /proc/$pid/fd/*; do
        if [[ $(readlink "$fd") == "$WORK/crash/"* && $(stat -L -c %s "$fd" 2>/dev/null || echo 0) -gt 0 ]]; then
            written=$(readlink "$fd")
        fi
    done
    [[ -n $written ]] && break
    sleep 0.1
done
[[ -n $written ]] && ok || bad "decrypt-file-crash: no output file was being written"
visible=$(ls -A "$WORK/crash")
[[ -z $visible ]] && ok || bad "decrypt-file-crash: unverified plaintext is visible as '$visible' while decrypting"
kill -9 $pid
wait $pid 2>/dev/null
exec 3>&-
visible=$(ls -A "$WORK/crash")
[[ -z $visible ]] && ok || bad "decrypt-file-crash: '$visible' survived a kill -9"

expect 2 unknown-command -- "${E2EE[@]}" frobnicate
expect 2 unknown-option -- "${E2EE[@]}" self-test --verbose

echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
