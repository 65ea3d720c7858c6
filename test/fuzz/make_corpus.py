#!/usr/bin/env python3
"""Regenerates the seed corpus under test/fuzz/corpus/ from the fixtures in test/data/."""
import base64
import copy
import gzip
import json
import pathlib
import shutil

HERE = pathlib.Path(__file__).resolve().parent
DATA = HERE.parent / "data"
CORPUS = HERE / "corpus"

fixture = json.loads((DATA / "metadata-v2-alice-bob.json").read_text())
alice = json.loads((DATA / "alice.json").read_text())
root, nested = fixture["rootFolderMetadata"], fixture["nestedFolderMetadata"]
expected = fixture["expected"]


def dump(value):
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()


def write(target, name, data):
    directory = CORPUS / target
    directory.mkdir(parents=True, exist_ok=True)
    (directory / name).write_bytes(data if isinstance(data, bytes) else data.encode())


def ocs(document):
    return dump({"ocs": {"meta": {"status": "ok", "statuscode": 200, "message": "OK"},
                         "data": {"meta-data": dump(document).decode()}}})


def variant(document, change):
    doc = copy.deepcopy(document)
    change(doc)
    return dump(doc)


for target in ("fuzz_metadata_document", "fuzz_metadata_inner", "fuzz_envelope", "fuzz_verify_folder"):
    shutil.rmtree(CORPUS / target, ignore_errors=True)

# fuzz_metadata_document: the real documents, an OCS reply, and malformed variants.
doc = "fuzz_metadata_document"
write(doc, "root.json", dump(root))
write(doc, "nested.json", dump(nested))
write(doc, "ocs-root.json", ocs(root))
write(doc, "nested-pretty.json", json.dumps(nested, indent=2))
write(doc, "nested-ct-with-nonce.json", variant(nested, lambda d: d["metadata"].update(
    ciphertext=d["metadata"]["ciphertext"] + "|" + d["metadata"]["nonce"])))
write(doc, "nested-no-tag.json", variant(nested, lambda d: d["metadata"].pop("authenticationTag")))
write(doc, "nested-version-number.json", variant(nested, lambda d: d.update(version=2.0)))
write(doc, "nested-version-1.2.json", variant(nested, lambda d: d.update(version="1.2")))
write(doc, "nested-filedrop.json", variant(nested, lambda d: d.update(filedrop={"x": {"ciphertext": "AA=="}})))
write(doc, "bad-nonce-base64.json", variant(nested, lambda d: d["metadata"].update(nonce="not*base64")))
write(doc, "bad-users-type.json", variant(nested, lambda d: d.update(users={"userId": "alice"})))
write(doc, "bad-user-entry.json", variant(nested, lambda d: d.update(users=[{"userId": 1}, "x"])))
text = dump(nested).decode()
write(doc, "duplicate-key.json", text[:-1] + ',"version":"2.0"}')
write(doc, "truncated.json", text[: len(text) // 2])
write(doc, "ocs-without-meta-data.json", '{"ocs":{"meta":{},"data":{"meta-data":42}}}')
# Regression: deep nesting once overflowed the stack in the recursive JSON copy/dump.
write(doc, "too-deep.json", text[:-1] + ',"x":' + "[" * 40 + "]" * 40 + "}")

# fuzz_metadata_inner: plaintext inner documents, plain and gzip, and odd ones.
inner = "fuzz_metadata_inner"
root_inner, nested_inner = dump(expected["rootInner"]), dump(expected["nestedInner"])
write(inner, "root-inner.json", root_inner)
write(inner, "nested-inner.json", nested_inner)
write(inner, "root-inner.json.gz", gzip.compress(root_inner, mtime=0))
write(inner, "nested-inner.json.gz", gzip.compress(nested_inner, mtime=0))
write(inner, "duplicate-id.json",
      '{"counter":1,"files":{"0123456789abcdef0123456789abcdef":{"filename":"a","key":"AAAAAAAAAAAAAAAAAAAAAA==",'
      '"nonce":"AAAAAAAAAAAAAAAAAAAAAA==","authenticationTag":"AAAAAAAAAAAAAAAAAAAAAA=="},'
      '"0123456789abcdef0123456789abcdef":{"filename":"b"}},"folders":{"0123456789abcdef0123456789abcdef":"c"}}')
write(inner, "old-folder-entry.json",
      '{"counter":2,"deleted":false,"files":{"aa":{"filename":"dir","mimetype":"httpd/unix-directory"},'
      '"bb":{"filename":"f","mimetype":"text/plain","key":"AAAAAAAAAAAAAAAAAAAAAA==",'
      '"initializationVector":"AAAAAAAAAAAAAAAA","authenticationTag":"AAAAAAAAAAAAAAAAAAAAAA=="}},'
      '"folders":{"aa":"dir"},"keyChecksums":["00"]}')
write(inner, "bad-types.json", '{"counter":-1,"deleted":"no","folders":[],"files":{"x":1},"keyChecksums":[1]}')
write(inner, "zlib-stream.bin", __import__("zlib").compress(nested_inner))
# Regression: 100 000 levels (400 bytes of gzip) once overflowed the stack in wipeStrings().
write(inner, "too-deep.json.gz", gzip.compress(b'{"counter":1,"x":' + b"[" * 100000 + b"]" * 100000 + b"}", 9, mtime=0))

# fuzz_envelope: the server string, its JSON form, and the old "fA==" separator.
env = "fuzz_envelope"
envelope = alice["privateKeyEnvelope"]
write(env, "server-string.txt", envelope["serverString"])
write(env, "json.json", dump({k: envelope[k] for k in ("encryptedPrivateKey", "iv", "salt")}))
write(env, "json-with-server-string.json",
      dump({"encryptedPrivateKey": envelope["serverString"], "iv": envelope["iv"], "salt": envelope["salt"]}))
write(env, "old-separator.txt", "fA==".join(envelope["serverString"].split("|")))
write(env, "short.txt", "AAAAAAAAAAAAAAAAAAAAAAAA|AAAAAAAAAAAAAAAA|AAAA")
# Regression: every way of cutting many "fA==" separators was once tried (cubic time).
write(env, "many-old-separators.txt", "fA==" * 256)

# fuzz_verify_folder: document, 0xFF, signature.
verify = "fuzz_verify_folder"
signature = fixture["rootFolderSignature_b64"].encode()
write(verify, "root-signed.bin", dump(root) + b"\xff" + signature)
write(verify, "root-signed-der.bin", dump(root) + b"\xff" + base64.b64decode(signature))
write(verify, "ocs-root-signed.bin", ocs(root) + b"\xff" + signature)
write(verify, "nested-signed.bin", dump(nested) + b"\xff" + signature)
write(verify, "root-unsigned.json", dump(root))
write(verify, "root-too-deep-signed.bin", dump(root)[:-1] + b',"x":' + b"[" * 40 + b"]" * 40 + b"}\xff" + signature)

total = sum(p.stat().st_size for p in CORPUS.rglob("*") if p.is_file())
print(f"corpus: {sum(1 for p in CORPUS.rglob('*') if p.is_file())} files, {total} bytes")
