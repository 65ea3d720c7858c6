#!/usr/bin/env python3
"""A hostile reverse proxy in front of nubo-server, for nubocmd_hostile_names_test.sh.

It forwards every request (any method, headers and body) to the upstream server and returns the
upstream reply, appending one line "METHOD PATH" (the raw request target as received) per request
to the log. Into the 207 reply of a Depth: 1 PROPFIND of the --inject folder it inserts entries
with hostile names: folders named ".." and ".", files whose names hold an encoded '/', '\\' or NUL,
and hrefs outside the folder. A GET for one of those paths is answered by the proxy itself with
"pwned\\n", so that a client that wrongly downloads one writes a file the test can find.

usage: hostile_proxy.py --upstream http://127.0.0.1:PORT --log FILE --inject DAVFOLDERPATH
The first line printed is "listening on http://127.0.0.1:NNNN". Standard library only.
"""

import argparse
import email.utils
import gzip
import http.client
import http.server
import posixpath
import re
import sys
import threading
import urllib.parse
import zlib

# Relative to the folder's href H (which ends with '/').
INJECTED_FOLDERS = ["../", "./"]
INJECTED_FILES = ["..%2Fx", "%2E%2E%2Fx", "sub%2F..%2F..%2Fx", "%2Fetc%2Fx", "nul%00x.txt", "back%5Cslash.txt"]
# Absolute hrefs outside the folder: (href, is_folder).
OUTSIDE = [("/remote.php/dav/files/pwned.txt", False), ("/remote.php/dav/files/alice/../pwned-dir/", True)]

PWNED = b"pwned\n"
HOP_BY_HOP = {"connection", "keep-alive", "proxy-connection", "transfer-encoding", "te", "trailer", "upgrade"}


def strip_path(target):
    """The path of a request target without query, trailing slashes removed."""
    path = target.split("?", 1)[0].split("#", 1)[0]
    return path.rstrip("/")


class Config:
    upstream_host = ""
    upstream_port = 0
    log_path = ""
    inject = ""  # the folder's path, without a trailing '/'
    log_lock = threading.Lock()
    next_fileid = 900000
    id_lock = threading.Lock()

    @classmethod
    def injected(cls):
        """[(href, is_folder)] of everything injected into the folder's listing."""
        h = cls.inject + "/"
        return ([(h + n, True) for n in INJECTED_FOLDERS] + [(h + n, False) for n in INJECTED_FILES] + OUTSIDE)

    @classmethod
    def fileid(cls):
        with cls.id_lock:
            cls.next_fileid += 1
            return cls.next_fileid


def is_injected_target(target):
    """Whether a request target names one of the injected paths (raw, decoded or normalised)."""
    path = target.split("?", 1)[0]
    raw = {href for href, _ in Config.injected()}
    if path in raw or path.rstrip("/") in {r.rstrip("/") for r in raw}:
        return True
    decoded = urllib.parse.unquote(path)
    if decoded.rstrip("/") in {urllib.parse.unquote(r).rstrip("/") for r in raw}:
        return True
    # The same path after resolving '.' and '..': but never the injected folder itself (H + "./").
    norm = posixpath.normpath(decoded)
    folder = posixpath.normpath(urllib.parse.unquote(Config.inject))
    for href in raw:
        n = posixpath.normpath(urllib.parse.unquote(href))
        if n != folder and n == norm:
            return True
    return False


def injected_responses(dav, oc, declare):
    """The <response> elements to insert, with DAV: prefix `dav` and owncloud prefix `oc`."""
    now = email.utils.formatdate(usegmt=True)
    out = []
    for href, is_folder in Config.injected():
        fid = Config.fileid()
        ns = f' xmlns:{dav}="DAV:" xmlns:{oc}="http://owncloud.org/ns"' if declare else ""
        d = dav + ":"
        o = oc + ":"
        if is_folder:
            kind = f"<{d}resourcetype><{d}collection/></{d}resourcetype>"
        else:
            kind = f"<{d}resourcetype/><{d}getcontentlength>6</{d}getcontentlength>"
        out.append(
            f"<{d}response{ns}><{d}href>{href}</{d}href><{d}propstat><{d}prop>{kind}"
            f"<{d}getlastmodified>{now}</{d}getlastmodified>"
            f'<{d}getetag>"hostile{fid:x}"</{d}getetag>'
            f"<{o}fileid>{fid}</{o}fileid><{o}id>{fid:08d}ochostile</{o}id>"
            f"<{o}permissions>RGDNVCK</{o}permissions>"
            f"</{d}prop><{d}status>HTTP/1.1 200 OK</{d}status></{d}propstat></{d}response>")
    return "".join(out)


def inject_into(body):
    """The multistatus body with the hostile responses inserted before its end tag."""
    text = body.decode("utf-8")
    m = re.search(r"<(?:([A-Za-z_][\w.-]*):)?multistatus\b", text)
    if not m:
        return body
    dav = m.group(1) or ""
    end_tag = f"</{dav}:multistatus>" if dav else "</multistatus>"
    pos = text.rfind(end_tag)
    if pos < 0:
        return body
    ocm = re.search(r'xmlns:([A-Za-z_][\w.-]*)="http://owncloud.org/ns"', text)
    declare = not dav or not ocm
    extra = injected_responses(dav or "d", ocm.group(1) if ocm else "oc", declare)
    return (text[:pos] + extra + text[pos:]).encode("utf-8")


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):  # quiet: the request log is ours
        pass

    def log_request_line(self):
        with Config.log_lock:
            with open(Config.log_path, "a", encoding="utf-8", errors="backslashreplace") as f:
                f.write(f"{self.command} {self.path}\n")

    def read_body(self):
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            data = b""
            while True:
                line = self.rfile.readline()
                size = int(line.split(b";", 1)[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass  # trailers
                    return data
                data += self.rfile.read(size)
                self.rfile.readline()
        length = int(self.headers.get("Content-Length", "0") or "0")
        return self.rfile.read(length) if length > 0 else b""

    def reply(self, status, reason, headers, body, send_body=True):
        self.send_response_only(status, reason)
        for name, value in headers:
            if name.lower() in HOP_BY_HOP or name.lower() == "content-length":
                continue
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if send_body and body:
            self.wfile.write(body)
        self.wfile.flush()

    def handle_any(self):
        self.log_request_line()
        body = self.read_body()

        if self.command in ("GET", "HEAD") and is_injected_target(self.path):
            self.reply(200, "OK", [("Content-Type", "application/octet-stream"), ("ETag", '"hostile"')],
                       PWNED, send_body=self.command == "GET")
            return

        inject = (self.command == "PROPFIND" and self.headers.get("Depth", "").strip() == "1" and
                  urllib.parse.unquote(strip_path(self.path)) == urllib.parse.unquote(Config.inject))
        try:
            conn = http.client.HTTPConnection(Config.upstream_host, Config.upstream_port, timeout=60)
            conn.putrequest(self.command, self.path, skip_host=True, skip_accept_encoding=True)
            for name, value in self.headers.items():
                if name.lower() in HOP_BY_HOP or name.lower() == "content-length":
                    continue
                if inject and name.lower() == "accept-encoding":
                    continue  # the listing must come back as plain XML to be edited
                conn.putheader(name, value)
            if body or self.command not in ("GET", "HEAD", "OPTIONS", "DELETE"):
                conn.putheader("Content-Length", str(len(body)))
            conn.endheaders(body if body else None)
            resp = conn.getresponse()
            rbody = resp.read()
            headers = resp.getheaders()
            status, reason = resp.status, resp.reason
            conn.close()
        except (OSError, http.client.HTTPException) as e:
            self.reply(502, "Bad Gateway", [("Content-Type", "text/plain")], f"upstream: {e}\n".encode())
            return

        if inject and status == 207:
            enc = dict((k.lower(), v) for k, v in headers).get("content-encoding", "").lower()
            if enc in ("gzip", "x-gzip"):
                rbody = gzip.decompress(rbody)
            elif enc == "deflate":
                rbody = zlib.decompress(rbody)
            headers = [(k, v) for k, v in headers if k.lower() != "content-encoding"]
            rbody = inject_into(rbody)
        no_body = self.command == "HEAD" or status in (204, 304) or 100 <= status < 200
        if self.command == "HEAD":
            # Keep the upstream's Content-Length for a HEAD.
            self.send_response_only(status, reason)
            for name, value in headers:
                if name.lower() not in HOP_BY_HOP:
                    self.send_header(name, value)
            self.end_headers()
            self.wfile.flush()
            return
        self.reply(status, reason, headers, b"" if no_body else rbody)

    def __getattr__(self, name):
        # do_GET, do_PUT, do_PROPFIND, do_MKCOL, ...: every method is forwarded.
        if name.startswith("do_"):
            return self.handle_any
        raise AttributeError(name)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--upstream", required=True, help="http://HOST:PORT of the real server")
    ap.add_argument("--log", required=True, help="file to append 'METHOD PATH' lines to")
    ap.add_argument("--inject", required=True, help="DAV folder path whose listing gets hostile entries")
    args = ap.parse_args()

    up = urllib.parse.urlsplit(args.upstream)
    if up.scheme != "http" or not up.hostname:
        ap.error("--upstream must be http://HOST:PORT")
    Config.upstream_host = up.hostname
    Config.upstream_port = up.port or 80
    Config.log_path = args.log
    Config.inject = args.inject.rstrip("/")
    open(args.log, "a").close()

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    print(f"listening on http://127.0.0.1:{server.server_address[1]}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
