#!/usr/bin/env python3
"""Helpers for bench/run_sync_bench.sh (standard library only).

  gen-tree DIR FILES FOLDERS SIZE SEED   FILES files of SIZE random bytes spread over FOLDERS folders
  gen-file PATH SIZE SEED                one file of SIZE random bytes
  time OUT -- CMD...                     run CMD; write "wall user+sys maxrss_kib exit" to OUT
                                         (fallback when /usr/bin/time is missing)
  mkcol URL USER PASS PATH               create a remote folder (201, or 405 when it exists)
  verify-remote URL USER PASS PATH DIR [--sizes-only]
                                         the remote folder holds exactly DIR's files (names, sizes,
                                         and unless --sizes-only the SHA-256 of every byte)
  log-summary ACCESS_LOG FROM_LINE       count the requests logged from line FROM_LINE on, by method,
                                         and as changes=N those that transfer or change content
  report RESULTS_TSV [--json FILE] [--header TEXT]...
                                         print the comparison table (and JSON lines)
"""
import hashlib
import http.client
import json
import os
import random
import resource
import subprocess
import sys
import time
import urllib.parse
import xml.etree.ElementTree as ET
from base64 import b64encode

JOURNALS = (".sync_", "._sync_", ".nubo_journal.db", ".csync_journal.db", ".nextcloudsync.log",
            ".owncloudsync.log")


def gen_tree(root, files, folders, size, seed):
    rng = random.Random(int(seed))
    files, folders, size = int(files), int(folders), int(size)
    for i in range(files):
        d = os.path.join(root, f"dir{i % folders:04d}")
        if i < folders:
            os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, f"file{i // folders:05d}.bin"), "wb") as f:
            f.write(rng.randbytes(size))


def gen_file(path, size, seed):
    rng = random.Random(int(seed))
    left = int(size)
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    with open(path, "wb") as f:
        while left:
            n = min(left, 4 << 20)
            f.write(rng.randbytes(n))
            left -= n


def time_cmd(out, cmd):
    start = time.monotonic()
    rc = subprocess.call(cmd)
    wall = time.monotonic() - start
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)  # Linux: ru_maxrss in KiB
    with open(out, "w") as f:
        f.write(f"{wall:.3f} {ru.ru_utime + ru.ru_stime:.3f} {ru.ru_maxrss} {rc}\n")
    return rc


class Dav:
    def __init__(self, url, user, password):
        u = urllib.parse.urlsplit(url)
        self.host, self.port = u.hostname, u.port or (443 if u.scheme == "https" else 80)
        self.https = u.scheme == "https"
        self.base = f"/remote.php/dav/files/{urllib.parse.quote(user)}"
        self.auth = "Basic " + b64encode(f"{user}:{password}".encode()).decode()
        self.conn = None

    def request(self, method, path, body=None, headers=None):
        for attempt in (0, 1):  # one reconnect if the kept-alive connection was closed
            if self.conn is None:
                cls = http.client.HTTPSConnection if self.https else http.client.HTTPConnection
                self.conn = cls(self.host, self.port, timeout=600)
            try:
                h = {"Authorization": self.auth}
                h.update(headers or {})
                self.conn.request(method, self.base + urllib.parse.quote(path), body, h)
                return self.conn.getresponse()
            except (http.client.HTTPException, OSError):
                self.conn.close()
                self.conn = None
                if attempt:
                    raise

    def listing(self, path):
        """{relative path: size or None for folders}, recursively, with Depth: 1 PROPFINDs."""
        out, todo = {}, [path.rstrip("/") + "/"]
        body = ('<?xml version="1.0"?><d:propfind xmlns:d="DAV:"><d:prop><d:resourcetype/>'
                '<d:getcontentlength/></d:prop></d:propfind>')
        prefix = urllib.parse.unquote(self.base) + path.rstrip("/") + "/"
        while todo:
            folder = todo.pop()
            r = self.request("PROPFIND", folder, body, {"Depth": "1", "Content-Type": "application/xml"})
            data = r.read()
            if r.status != 207:
                raise RuntimeError(f"PROPFIND {folder}: HTTP {r.status}")
            for resp in ET.fromstring(data).findall("{DAV:}response"):
                href = urllib.parse.unquote(urllib.parse.urlsplit(resp.findtext("{DAV:}href")).path)
                rel = href[len(prefix):].rstrip("/") if href.startswith(prefix) else None
                if rel is None:
                    raise RuntimeError(f"unexpected href {href}")
                if not rel or href.rstrip("/") == (urllib.parse.unquote(self.base) + folder).rstrip("/"):
                    continue
                is_dir = resp.find(".//{DAV:}resourcetype/{DAV:}collection") is not None
                size = resp.findtext(".//{DAV:}getcontentlength")
                out[rel] = None if is_dir else int(size or 0)
                if is_dir:
                    todo.append(path.rstrip("/") + "/" + rel + "/")
        return out


def local_listing(root):
    out = {}
    for d, dirs, files in os.walk(root):
        dirs[:] = [x for x in dirs if not x.startswith(JOURNALS)]
        rel = os.path.relpath(d, root)
        if rel != ".":
            out[rel] = None
        for f in files:
            if not f.startswith(JOURNALS):
                p = os.path.join(d, f)
                out[os.path.normpath(os.path.join(rel, f))] = os.path.getsize(p)
    return out


def sha256_file(p):
    h = hashlib.sha256()
    with open(p, "rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def verify_remote(url, user, password, path, local, sizes_only=False):
    dav = Dav(url, user, password)
    remote, want = dav.listing(path), local_listing(local)
    if remote != want:
        missing = sorted(set(want) - set(remote))[:5]
        extra = sorted(set(remote) - set(want))[:5]
        sized = sorted(k for k in set(want) & set(remote) if want[k] != remote[k])[:5]
        print(f"remote {path} differs: {len(remote)} entries, {len(want)} expected; missing {missing} "
              f"extra {extra} wrong size {sized}", file=sys.stderr)
        return 1
    if not sizes_only:
        for rel, size in sorted(want.items()):
            if size is None:
                continue
            r = dav.request("GET", path.rstrip("/") + "/" + rel)
            h = hashlib.sha256()
            while chunk := r.read(1 << 20):
                h.update(chunk)
            if r.status != 200 or h.hexdigest() != sha256_file(os.path.join(local, rel)):
                print(f"remote {path}/{rel}: HTTP {r.status}, content differs", file=sys.stderr)
                return 1
    files = sum(1 for v in want.values() if v is not None)
    print(f"remote {path}: {files} files match" + (" (sizes)" if sizes_only else " (SHA-256)"))
    return 0


def log_summary(access_log, from_line):
    counts = {}
    with open(access_log, errors="replace") as f:
        for i, line in enumerate(f, 1):
            if i < int(from_line):
                continue
            parts = line.split()
            if len(parts) > 2:
                counts[parts[1]] = counts.get(parts[1], 0) + 1
                # requests that move content or change the remote tree
                if parts[1] in ("PUT", "DELETE", "MOVE", "COPY", "MKCOL", "PROPPATCH") or (
                        parts[1] == "GET" and parts[2].startswith("/remote.php/")) or (
                        parts[1] == "POST" and parts[2].startswith("/remote.php/dav/bulk")):
                    counts["changes"] = counts.get("changes", 0) + 1
    counts.setdefault("changes", 0)
    print(" ".join(f"{k}={v}" for k, v in sorted(counts.items())))


def fmt_cell(r):
    if r["status"] != "ok":
        note = r.get("note") or ""
        note = note if len(note) <= 60 else note[:57] + "..."
        return r["status"] + (f" ({note})" if note else "")
    return f"{r['wall']:.2f} s / {r['cpu']:.2f} s / {r['rss_kib'] / 1024:.0f} MiB"


def report(tsv, json_out, headers):
    clients = ["nubocmd", "nextcloudcmd"]
    rows, order = {}, []
    with open(tsv) as f:
        for line in f:
            case, client, status, wall, cpu, rss, reqs, srv_cpu, note = line.rstrip("\n").split("\t")
            if case not in rows:
                rows[case] = {}
                order.append(case)
            rows[case][client] = {
                "status": status, "wall": float(wall) if wall else None,
                "cpu": float(cpu) if cpu else None, "rss_kib": int(rss) if rss else None,
                "requests": reqs or None, "server_cpu": float(srv_cpu) if srv_cpu else None,
                "note": note or None}
    table = [["case", "nubocmd wall / cpu / rss", "nextcloudcmd wall / cpu / rss",
              "ratio wall", "ratio rss"]]
    json_lines = []
    for case in order:
        cells, ratios = [case], ["-", "-"]
        for c in clients:
            r = rows[case].get(c)
            cells.append(fmt_cell(r) if r else "-")
        a, b = rows[case].get("nubocmd"), rows[case].get("nextcloudcmd")
        if a and b and a["status"] == b["status"] == "ok":
            if a["wall"]:
                ratios[0] = f"{b['wall'] / a['wall']:.2f}"
            if a["rss_kib"]:
                ratios[1] = f"{b['rss_kib'] / a['rss_kib']:.2f}"
        table.append(cells + ratios)
        json_lines.append({"case": case, **{c: rows[case].get(c) for c in clients},
                           "ratio_wall": None if ratios[0] == "-" else float(ratios[0]),
                           "ratio_rss": None if ratios[1] == "-" else float(ratios[1]),
                           "context": headers})
    for h in headers:
        print(h)
    widths = [max(len(row[i]) for row in table) for i in range(len(table[0]))]
    for n, row in enumerate(table):
        print(" | ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip())
        if n == 0:
            print("-+-".join("-" * w for w in widths))
    print("wall = elapsed seconds, cpu = user+sys seconds of the client and its children, "
          "rss = peak resident set size; ratios are nextcloudcmd / nubocmd")
    if json_out:
        with open(json_out, "w") as f:
            for j in json_lines:
                f.write(json.dumps(j) + "\n")


def main(argv):
    cmd, args = argv[1], argv[2:]
    if cmd == "gen-tree":
        gen_tree(*args)
    elif cmd == "gen-file":
        gen_file(*args)
    elif cmd == "time":
        return time_cmd(args[0], args[2:] if args[1] == "--" else args[1:])
    elif cmd == "mkcol":
        url, user, password, path = args
        r = Dav(url, user, password).request("MKCOL", path)
        r.read()
        if r.status not in (201, 405):
            print(f"MKCOL {path}: HTTP {r.status}", file=sys.stderr)
            return 1
    elif cmd == "verify-remote":
        return verify_remote(*args[:5], sizes_only="--sizes-only" in args[5:])
    elif cmd == "log-summary":
        log_summary(*args)
    elif cmd == "report":
        json_out, headers, rest = None, [], args[1:]
        while rest:
            if rest[0] == "--json":
                json_out, rest = rest[1], rest[2:]
            elif rest[0] == "--header":
                headers.append(rest[1])
                rest = rest[2:]
            else:
                raise SystemExit(f"report: unknown option {rest[0]}")
        report(args[0], json_out, headers)
    else:
        raise SystemExit(__doc__)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
