#!/usr/bin/env python3
"""An HTTP sink for Herald's webhook tests: each POST is written to
DIR/NNNN.json with its headers in DIR/NNNN.headers.  The status of each
answer comes from DIR/script (one "STATUS" or "STATUS:SECONDS" per line,
consumed in order; SECONDS delays the answer; 200 once it is empty).

usage: http_sink.py PORT DIR"""
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

OUT = None
N = 0
LOCK = threading.Lock()


def next_status():
    path = os.path.join(OUT, "script")
    try:
        with open(path) as f:
            lines = [l.strip() for l in f if l.strip()]
    except FileNotFoundError:
        return 200, 0.0
    if not lines:
        return 200, 0.0
    with open(path + ".tmp", "w") as f:
        f.write("\n".join(lines[1:]) + ("\n" if lines[1:] else ""))
    os.rename(path + ".tmp", path)
    status, _, delay = lines[0].partition(":")
    return int(status), float(delay or 0)


class Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        global N
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length)
        with LOCK:
            status, delay = next_status()
            N += 1
            n = N
        if delay:
            time.sleep(delay)
        base = os.path.join(OUT, "%04d" % n)
        with open(base + ".headers", "w") as f:
            f.write("Status: %d\n" % status)
            for k, v in self.headers.items():
                f.write("%s: %s\n" % (k, v))
        with open(base + ".tmp", "wb") as f:
            f.write(body)
        os.rename(base + ".tmp", base + ".json")
        self.send_response(status)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args):
        pass


def main():
    global OUT
    port, OUT = int(sys.argv[1]), sys.argv[2]
    srv = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    print("ready", flush=True)
    srv.serve_forever()


if __name__ == "__main__":
    main()
