#!/usr/bin/env python3
"""abuse: hostile clients for oniondropd's Unix socket, for daemon-abuse.sh.
Each command prints one line of facts (key=value) for the shell to check.
Standard library only; every loop is bounded in count and time.

  abuse.py SOCK hoard N SIZE SECONDS
      N uploads with no token, the file part first, each declaring SIZE
      bytes: send as fast as the server reads, then a byte a second, for
      SECONDS. Prints how many were answered, with which statuses, and how
      many bytes the server took from them in all.
  abuse.py SOCK slow N CIRCUITS SECONDS
      N connections (spread over CIRCUITS circuits, 0: no PROXY line)
      sending a request head a byte every 2 s; after 1 s a reporter on a
      circuit of its own GETs /. Prints the reporter's status and wait,
      and how many slow connections the server closed within SECONDS.
  abuse.py SOCK race N CIRCUIT
      N reports on one circuit (0: no PROXY line), sent whole but for their
      last byte, then the last bytes all at once. Prints the count of each
      status.
  abuse.py SOCK discard MAX_MB
      POST /safety (405) declaring a 1 GB body, then send up to MAX_MB
      MiB. Prints how many bytes went before the server closed.
  abuse.py SOCK trickle BYTES_PER_S SECONDS
      A report declaring 1 MiB, sent at BYTES_PER_S. Prints whether and
      after how long the server closed it.
  abuse.py SOCK hold TEXT SECONDS
      A report whose description is TEXT, sent whole but for its last
      byte; prints "held", holds it for SECONDS, then closes it unanswered.
  abuse.py PID memscan MARKER...
      Search the process's writable memory for each marker; print the
      number of places each was found.
"""
import os
import re
import select
import socket
import sys
import threading
import time

HIDDEN_RE = re.compile(rb'<input type="hidden" name="([^"]+)" value="([^"]*)"')


def proxy_line(circuit):
    return ("PROXY TCP6 fc00:dead:beef:4dad::%x:%x ::1 %d 80\r\n"
            % (circuit >> 16, circuit & 0xffff, circuit)).encode()


def connect(path, circuit=None):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(30)
    s.connect(path)
    if circuit is not None:
        s.sendall(proxy_line(circuit))
    return s


def read_response(s, timeout=30):
    """Status and body of one response (Content-Length framed)."""
    s.settimeout(timeout)
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = s.recv(65536)
        if not chunk:
            return 0, b""
        data += chunk
    head, body = data.split(b"\r\n\r\n", 1)
    status = int(head.split(b" ", 2)[1])
    m = re.search(rb"(?i)content-length: *(\d+)", head)
    want = int(m.group(1)) if m else 0
    while len(body) < want:
        chunk = s.recv(65536)
        if not chunk:
            break
        body += chunk
    return status, body


def token(path, circuit):
    s = connect(path, circuit)
    s.sendall(b"GET /en/report HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    status, page = read_response(s)
    s.close()
    fields = dict(HIDDEN_RE.findall(page))
    return fields.get(b"token", b"").decode()


def part(boundary, name, value, filename=None):
    disp = 'form-data; name="%s"' % name
    if filename:
        disp += '; filename="%s"' % filename
    return ("--%s\r\nContent-Disposition: %s\r\n\r\n" % (boundary, disp)).encode() + value + b"\r\n"


def report_request(fields, boundary="xxBOUNDARYxx", extra=b""):
    body = b"".join(part(boundary, k, v) for k, v in fields) + extra
    body += ("--%s--\r\n" % boundary).encode()
    head = ("POST /en/report HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; "
            "boundary=%s\r\nContent-Length: %d\r\n\r\n" % (boundary, len(body))).encode()
    return head + body


def answered(s):
    """A status if the server has answered on s (without blocking), else None."""
    r, _, _ = select.select([s], [], [], 0)
    if not r:
        return None
    try:
        data = s.recv(4096, socket.MSG_PEEK)
    except OSError:
        return 0
    if not data:
        return 0
    m = re.match(rb"HTTP/1.1 (\d+)", data)
    return int(m.group(1)) if m else 0


def cmd_hoard(path, n, size, seconds):
    boundary = "hoardBOUNDARY"
    head = ("POST /en/report HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; "
            "boundary=%s\r\nContent-Length: %d\r\n\r\n" % (boundary, size)).encode()
    head += ('--%s\r\nContent-Disposition: form-data; name="attachment"; '
             'filename="a.bin"\r\nContent-Type: application/octet-stream\r\n\r\n'
             % boundary).encode()
    socks = [connect(path) for _ in range(n)]
    sent = [0] * n
    statuses = [None] * n
    block = b"\x5a" * 65536
    for i, s in enumerate(socks):
        s.settimeout(0.2)
        s.sendall(head)
        sent[i] = len(head)
    deadline = time.monotonic() + seconds
    fast_until = time.monotonic() + min(10, seconds)
    while time.monotonic() < deadline:
        for i, s in enumerate(socks):
            if statuses[i] is not None:
                continue
            st = answered(s)
            if st is not None:
                statuses[i] = st
                continue
            fast = time.monotonic() < fast_until and sent[i] + len(block) < size - 16
            try:
                sent[i] += s.send(block if fast else b"\x5a")
            except (socket.timeout, BlockingIOError):
                pass
            except OSError:
                statuses[i] = 0
        if all(st is not None for st in statuses):
            break
        time.sleep(0 if time.monotonic() < fast_until else 1)
    print("answered=%d statuses=%s sent=%d" % (
        sum(st is not None for st in statuses),
        ",".join(str(st) for st in statuses), sum(sent)))


def cmd_slow(path, n, circuits, seconds):
    socks = []
    for i in range(n):
        circuit = (1000 + i % circuits) if circuits else None
        try:
            socks.append(connect(path, circuit))
        except OSError:
            pass
    for s in socks:
        s.settimeout(0.1)
        try:
            s.send(b"G")
        except OSError:
            pass
    stop = threading.Event()

    def trickle():
        while not stop.is_set():
            for s in socks:
                try:
                    s.send(b"E")
                except OSError:
                    pass
            stop.wait(2)

    t = threading.Thread(target=trickle)
    t.start()
    time.sleep(1)
    start = time.monotonic()
    status = 0
    try:
        r = connect(path, 7 if circuits else None)
        r.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        status, _ = read_response(r, timeout=seconds)
        r.close()
    except OSError:
        pass
    waited = time.monotonic() - start
    time.sleep(max(0, seconds - waited))
    stop.set()
    t.join()
    closed = 0
    for s in socks:
        try:
            s.settimeout(0.5)
            if s.recv(1) == b"":
                closed += 1
        except socket.timeout:
            pass
        except OSError:
            closed += 1
        s.close()
    print("reporter=%d waited=%.1f opened=%d closed=%d" % (status, waited, len(socks), closed))


def cmd_race(path, n, circuit):
    circuit = circuit or None
    tok = token(path, circuit)
    reqs = [report_request([("token", tok.encode()), ("urls", b"http://example.org/race-%d" % i),
                            ("description", b"race %d" % i)]) for i in range(n)]
    socks = [connect(path, circuit) for _ in range(n)]
    for s, r in zip(socks, reqs):
        s.sendall(r[:-1])
    time.sleep(0.5)
    for s, r in zip(socks, reqs):
        s.sendall(r[-1:])
    counts = {}
    for s in socks:
        st, _ = read_response(s)
        counts[st] = counts.get(st, 0) + 1
        s.close()
    print(" ".join("%d=%d" % kv for kv in sorted(counts.items())))


def cmd_hold(path, text, seconds):
    req = report_request([("token", token(path, None).encode()),
                          ("urls", b"http://example.org/held"), ("description", text.encode())])
    s = connect(path)
    s.sendall(req[:-1])
    print("held", flush=True)
    time.sleep(seconds)
    s.close()


def cmd_discard(path, max_mb):
    s = connect(path)
    s.sendall(b"POST /safety HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\n"
              b"Content-Length: 1073741824\r\n\r\n")
    block = b"d" * 65536
    sent = 0
    s.settimeout(5)
    try:
        while sent < max_mb << 20:
            sent += s.send(block)
    except OSError:
        pass
    print("sent=%d" % sent)


def cmd_trickle(path, rate, seconds):
    tok = token(path, None)
    req = report_request([("token", tok.encode()), ("urls", b"http://example.org/trickle")],
                         extra=b"x" * (1 << 20))
    s = connect(path)
    start = time.monotonic()
    closed_after = -1.0
    s.sendall(req[:rate])
    pos = rate
    while time.monotonic() - start < seconds and pos < len(req):
        time.sleep(1)
        try:
            s.sendall(req[pos:pos + rate])
            pos += rate
            if answered(s) == 0:
                closed_after = time.monotonic() - start
                break
        except OSError:
            closed_after = time.monotonic() - start
            break
    print("closed_after=%.0f" % closed_after)


def cmd_memscan(pid, markers):
    """Read in 8 MiB pieces that overlap by a marker's length; mappings over
    1 GiB are a sanitizer's shadow, never the daemon's data."""
    found = {m: 0 for m in markers}
    overlap = max(len(m) for m in markers)
    piece = 8 << 20
    with open("/proc/%d/maps" % pid) as maps, open("/proc/%d/mem" % pid, "rb", 0) as mem:
        for line in maps:
            addr, perms = line.split()[:2]
            lo, hi = (int(x, 16) for x in addr.split("-"))
            if "r" not in perms or "w" not in perms or hi - lo > 1 << 30:
                continue
            for start in range(lo, hi, piece):
                try:
                    mem.seek(start)
                    data = mem.read(min(piece + overlap, hi - start))
                except (OSError, OverflowError, ValueError):
                    continue
                for m in markers:
                    found[m] += data[:piece + len(m) - 1].count(m.encode())
    print(" ".join("%s=%d" % (m, found[m]) for m in markers))


def main():
    target, cmd, args = sys.argv[1], sys.argv[2], sys.argv[3:]
    if cmd == "hoard":
        cmd_hoard(target, int(args[0]), int(args[1]), float(args[2]))
    elif cmd == "slow":
        cmd_slow(target, int(args[0]), int(args[1]), float(args[2]))
    elif cmd == "race":
        cmd_race(target, int(args[0]), int(args[1]))
    elif cmd == "hold":
        cmd_hold(target, args[0], float(args[1]))
    elif cmd == "discard":
        cmd_discard(target, int(args[0]))
    elif cmd == "trickle":
        cmd_trickle(target, int(args[0]), float(args[1]))
    elif cmd == "memscan":
        cmd_memscan(int(target), args)
    else:
        sys.exit("abuse.py: unknown command " + cmd)


if __name__ == "__main__":
    main()
