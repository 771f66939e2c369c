#!/usr/bin/env python3
"""A stand-in for a Go program's net/http/pprof endpoints, for tracedb's URL ingest tests.

Usage: pprof-server.py TRACE_FILE
Listens on 127.0.0.1 on a free port and prints the port on its first line of standard output.

  /debug/pprof/trace?seconds=N  the trace file, sent in pieces spread over N seconds (as a Go program
                                streams its trace while it records); seconds defaults to 1, like Go
  /debug/pprof/, /spa/…         the pprof index page (HTML), i.e. not a trace: what a web app's
                                catch-all route answers when net/http/pprof is not on its mux
  /debug/pprof/heap             a gzipped heap profile's first bytes (a profile, not a trace)
  /debug/pprof/trace?seconds=-1 500, with Go's message for a bad seconds value
  /busy/debug/pprof/trace       500 "Could not enable tracing: tracing is already enabled" (Go's words)
  /slow/debug/pprof/trace       headers, then nothing for 60 s (for the timeout)
  anything else                 404 page not found
It exits when its standard input is closed (the test ends), so it never outlives the test.
"""
import http.server, os, sys, threading, time, urllib.parse

TRACE = open(sys.argv[1], "rb").read()

class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def text(self, code, body, ctype="text/plain; charset=utf-8"):
        data = body.encode()
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        u = urllib.parse.urlparse(self.path)
        q = urllib.parse.parse_qs(u.query)
        if u.path == "/debug/pprof/heap":
            data = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff" + b"\x00" * 64
            self.send_response(200)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            return self.wfile.write(data)
        if u.path == "/debug/pprof/" or u.path.startswith("/spa/"):
            return self.text(200, "<html><head><title>/debug/pprof/</title></head><body>Types of profiles available:</body></html>",
                             "text/html; charset=utf-8")
        if u.path == "/busy/debug/pprof/trace":
            return self.text(500, "Could not enable tracing: tracing is already enabled\n")
        if u.path == "/slow/debug/pprof/trace":
            self.send_response(200)
            self.send_header("Content-Type", "application/octet-stream")
            self.end_headers()
            self.wfile.flush()
            time.sleep(60)
            return
        if u.path != "/debug/pprof/trace":
            return self.text(404, "404 page not found\n")
        try:
            secs = float(q.get("seconds", ["1"])[0])
        except ValueError:
            secs = -1
        if secs <= 0:
            return self.text(400, "Bad Request: invalid value for \"seconds\"\n")
        # Go streams with chunked encoding while the program records.
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Disposition", 'attachment; filename="trace"')
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        pieces = 4
        step = (len(TRACE) + pieces - 1) // pieces
        for i in range(pieces):
            part = TRACE[i * step:(i + 1) * step]
            self.wfile.write(b"%x\r\n%s\r\n" % (len(part), part))
            self.wfile.flush()
            time.sleep(secs / pieces)
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()

server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
server.daemon_threads = True
print(server.server_address[1], flush=True)
threading.Thread(target=server.serve_forever, daemon=True).start()
sys.stdin.read()
os._exit(0)
