#!/usr/bin/env python3
"""A tiny webhook receiver for the demo, like RequestBin: prints every request it gets.

Usage: receiver.py PORT_FILE   (binds 127.0.0.1 on a free port, writes the port to PORT_FILE)
"""
import json
import sys
from http.server import BaseHTTPRequestHandler, HTTPServer


class Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("content-length", 0)))
        print(f"\n--- {self.command} {self.path}", flush=True)
        for name in ("content-type", "user-agent", "x-umw-event", "webhook-id", "webhook-timestamp", "webhook-signature"):
            print(f"{name}: {self.headers.get(name)}", flush=True)
        try:
            print(json.dumps(json.loads(body), indent=2)[:1500], flush=True)
        except ValueError:
            print(body[:500], flush=True)
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.end_headers()
        self.wfile.write(b'{"received":true}')

    def log_message(self, *args):
        pass


server = HTTPServer(("127.0.0.1", 0), Handler)
with open(sys.argv[1], "w") as f:
    f.write(str(server.server_address[1]))
server.serve_forever()
