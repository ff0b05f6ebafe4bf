#!/usr/bin/python3
"""Serves tests/e2e/webrtc.html on the client namespace's loopback and writes
what the page POSTs to /result into a file (the candidates Chromium gathered).

usage: page_server.py --page FILE --result FILE [--port N]
Prints "ready PORT" once listening. Standard library only.
"""
import argparse
import http.server
import os
import sys


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--page", required=True)
    ap.add_argument("--result", required=True)
    ap.add_argument("--port", type=int, default=8088)
    args = ap.parse_args()
    page = open(args.page, "rb").read()

    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, fmt, *a):
            sys.stderr.write("page_server: " + fmt % a + "\n")

        def do_GET(self):
            if self.path.split("?")[0] not in ("/", "/webrtc.html"):
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(page)))
            self.end_headers()
            self.wfile.write(page)

        def do_POST(self):
            body = self.rfile.read(min(int(self.headers.get("Content-Length", 0)), 1 << 20))
            tmp = args.result + ".tmp"
            with open(tmp, "wb") as f:
                f.write(body)
            os.replace(tmp, args.result)
            self.send_response(204)
            self.end_headers()

    srv = http.server.HTTPServer(("127.0.0.1", args.port), Handler)
    print("ready", args.port, flush=True)
    srv.serve_forever()


if __name__ == "__main__":
    main()
