#!/usr/bin/env python3
"""odclient: a small HTTP client for oniondropd's Unix socket, for the
scenario tests: it does what a browser does (GET the form, send back its
hidden inputs with the fields, as multipart/form-data or urlencoded) and
prints what came back. Standard library only.

  odclient.py SOCKET submit [--urlencoded] [--lang L] [--url U]... \
      [--description D] [--category C] [--attach FILE]...  -> prints the receipt
  odclient.py SOCKET status RECEIPT [--lang L]              -> prints the status text
  odclient.py SOCKET follow-up RECEIPT [--lang L] [--url U]... [--description D]
      -> posts the status page's follow-up form back, prints the HTTP status
  odclient.py SOCKET flood COUNT CONCURRENCY MARKER         -> one line per report:
      "MARKER-N RECEIPT" (or "MARKER-N FAIL STATUS")
"""
import argparse
import concurrent.futures
import html
import http.client
import os
import re
import socket
import sys
import uuid


class UnixConnection(http.client.HTTPConnection):
    def __init__(self, path, timeout=300):
        super().__init__("localhost", timeout=timeout)
        self.path = path

    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(self.timeout)
        self.sock.connect(self.path)


def request(sock, method, target, body=None, headers=None):
    conn = UnixConnection(sock)
    try:
        conn.request(method, target, body=body, headers=headers or {})
        resp = conn.getresponse()
        return resp.status, dict(resp.getheaders()), resp.read()
    finally:
        conn.close()


INPUT_RE = re.compile(rb"<input\b[^>]*>", re.I)
ATTR_RE = re.compile(rb'([a-zA-Z-]+)="([^"]*)"')


def hidden_inputs(page):
    """Every <input type="hidden"> of a page, as (name, value)."""
    out = []
    for tag in INPUT_RE.findall(page):
        attrs = {k.decode().lower(): html.unescape(v.decode())
                 for k, v in ATTR_RE.findall(tag)}
        if attrs.get("type") == "hidden" and "name" in attrs:
            out.append((attrs["name"], attrs.get("value", "")))
    return out


def multipart(fields, files):
    boundary = "----odclient" + uuid.uuid4().hex
    parts = []
    for name, value in fields:
        parts.append(("--%s\r\nContent-Disposition: form-data; name=\"%s\"\r\n\r\n"
                      % (boundary, name)).encode() + value.encode() + b"\r\n")
    for name, path in files:
        with open(path, "rb") as f:
            data = f.read()
        parts.append(("--%s\r\nContent-Disposition: form-data; name=\"%s\"; filename=\"%s\"\r\n"
                      "Content-Type: application/octet-stream\r\n\r\n"
                      % (boundary, name, os.path.basename(path))).encode() + data + b"\r\n")
    body = b"".join(parts) + ("--%s--\r\n" % boundary).encode()
    return body, "multipart/form-data; boundary=" + boundary


def urlencoded(fields):
    from urllib.parse import urlencode
    return urlencode(fields).encode(), "application/x-www-form-urlencoded"


def submit(sock, lang, urls, description, category="", files=(), encoded=False):
    """GET the form, POST it back; return (status, body)."""
    prefix = "/" + lang if lang else ""
    status, _, page = request(sock, "GET", prefix + "/report")
    if status != 200:
        return status, page
    fields = hidden_inputs(page)
    fields += [("urls", "\n".join(urls)), ("category", category),
               ("description", description)]
    if encoded:
        body, ctype = urlencoded(fields)
    else:
        body, ctype = multipart(fields, [("attachment", f) for f in files])
    return request(sock, "POST", prefix + "/report", body, {"Content-Type": ctype})[::2]


RECEIPT_RE = re.compile(rb'<code id="receipt"[^>]*>([^<]+)</code>')
STATUS_RE = re.compile(rb'id="status"[^>]*>(.*?)</', re.S)


def receipt_of(page):
    m = RECEIPT_RE.search(page)
    return m.group(1).decode() if m else None


def cmd_submit(a):
    status, page = submit(a.socket, a.lang, a.url, a.description or "", a.category,
                          a.attach, a.urlencoded)
    r = receipt_of(page)
    if status != 200 or r is None:
        sys.stdout.write(page.decode(errors="replace"))
        print("odclient: HTTP %d, no receipt" % status, file=sys.stderr)
        return 1
    print(r)
    return 0


def cmd_status(a):
    body = ("receipt=" + a.receipt).encode()
    prefix = "/" + a.lang if a.lang else ""
    status, _, page = request(a.socket, "POST", prefix + "/status", body,
                              {"Content-Type": "application/x-www-form-urlencoded"})
    m = STATUS_RE.search(page)
    print("%d %s" % (status, html.unescape(m.group(1).decode()).strip() if m else "-"))
    return 0 if status == 200 else 1


FOLLOW_UP_RE = re.compile(rb'<form\b[^>]*\bid="follow-up"[^>]*>.*?</form>', re.S)
ACTION_RE = re.compile(rb'\baction="([^"]*)"')


def cmd_follow_up(a):
    """Look the receipt up, then post the follow-up form it offers."""
    prefix = "/" + a.lang if a.lang else ""
    status, _, page = request(a.socket, "POST", prefix + "/status",
                              urlencoded([("receipt", a.receipt)])[0],
                              {"Content-Type": "application/x-www-form-urlencoded"})
    form = FOLLOW_UP_RE.search(page)
    if status != 200 or form is None:
        print("odclient: HTTP %d, no follow-up form" % status, file=sys.stderr)
        return 1
    action = html.unescape(ACTION_RE.search(form.group(0)).group(1).decode())
    fields = hidden_inputs(form.group(0))
    fields += [("urls", "\n".join(a.url)), ("category", a.category),
               ("description", a.description or "")]
    body, ctype = multipart(fields, [])
    status, _, page = request(a.socket, "POST", action, body, {"Content-Type": ctype})
    sys.stdout.write(page.decode(errors="replace"))
    print("odclient: HTTP %d" % status, file=sys.stderr)
    return 0 if status == 200 else 1


def cmd_flood(a):
    def one(n):
        marker = "%s-%d" % (a.marker, n)
        try:
            status, page = submit(a.socket, "", ["http://example.org/" + marker],
                                  "flood " + marker)
        except Exception as e:  # report, do not hide
            return "%s FAIL %s" % (marker, type(e).__name__)
        r = receipt_of(page)
        return "%s %s" % (marker, r) if status == 200 and r else "%s FAIL %d" % (marker, status)

    with concurrent.futures.ThreadPoolExecutor(max_workers=a.concurrency) as pool:
        for line in pool.map(one, range(a.count)):
            print(line)
    return 0


def main():
    p = argparse.ArgumentParser()
    p.add_argument("socket")
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("submit")
    s.add_argument("--lang", default="")
    s.add_argument("--url", action="append", default=[])
    s.add_argument("--description")
    s.add_argument("--category", default="")
    s.add_argument("--attach", action="append", default=[])
    s.add_argument("--urlencoded", action="store_true")
    s.set_defaults(fn=cmd_submit)
    st = sub.add_parser("status")
    st.add_argument("receipt")
    st.add_argument("--lang", default="")
    st.set_defaults(fn=cmd_status)
    fu = sub.add_parser("follow-up")
    fu.add_argument("receipt")
    fu.add_argument("--lang", default="")
    fu.add_argument("--url", action="append", default=[])
    fu.add_argument("--description")
    fu.add_argument("--category", default="")
    fu.set_defaults(fn=cmd_follow_up)
    f = sub.add_parser("flood")
    f.add_argument("count", type=int)
    f.add_argument("concurrency", type=int)
    f.add_argument("marker")
    f.set_defaults(fn=cmd_flood)
    a = p.parse_args()
    return a.fn(a)


if __name__ == "__main__":
    sys.exit(main())
