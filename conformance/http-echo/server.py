#!/usr/bin/env python3
"""An HTTP echo server for the bindings.http conformance profile (Python standard library only).

    python3 server.py [PORT [HOST]]        # default 127.0.0.1:8091

Every request is answered with JSON describing it:

    {"method": "POST", "path": "/orders?x=1", "headers": [["Content-Type", "..."], ...], "body": "..."}

except:
    /status/<code>...   answers with that status (the JSON body as usual)
    /big/<n>            answers with n bytes of "x"
    /headers            adds "X-Multi: one", "X-Multi: two" and "x-lower-case: yes"
    /never              never answers (the connection stays open until the client gives up)
    /healthz            answers 200 "ok" (what brokers.sh and the Docker healthcheck probe)

It runs until SIGTERM or SIGINT.
"""
import json
import signal
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

NEVER = threading.Event()  # never set: /never waits on it until the server exits


class EchoHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "outrigger-http-echo"

    def read_body(self):
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass  # trailers
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def answer(self):
        body = self.read_body()
        path = self.path
        if path.startswith("/never"):
            NEVER.wait()
            return
        status = 200
        headers = [("Content-Type", "application/json")]
        if path == "/healthz":
            payload = b"ok"
            headers = [("Content-Type", "text/plain")]
        elif path.startswith("/big/") and path[5:].isdigit():
            payload = b"x" * int(path[5:])
            headers = [("Content-Type", "text/plain")]
        else:
            if path.startswith("/status/") and path[8:11].isdigit():
                status = int(path[8:11])
            if path == "/headers":
                headers += [("X-Multi", "one"), ("X-Multi", "two"), ("x-lower-case", "yes")]
            payload = json.dumps({
                "method": self.command,
                "path": path,
                "headers": [[name, value] for name, value in self.headers.items()],
                "body": body.decode("utf-8", "replace"),
            }).encode("utf-8")
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = do_HEAD = do_TRACE = answer

    def log_message(self, format, *args):
        sys.stderr.write("%s %s\n" % (self.log_date_time_string(), format % args))


def main():
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 8091
    host = sys.argv[2] if len(sys.argv) > 2 else "127.0.0.1"
    server = ThreadingHTTPServer((host, port), EchoHandler)
    server.daemon_threads = True

    def stop(signum, frame):
        threading.Thread(target=server.shutdown, daemon=True).start()

    # A parent may have left SIGTERM/SIGINT blocked (threads of some runtimes block them, and
    # the mask survives exec): unblock them, or stopping would need SIGKILL.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    print("http-echo listening on %s:%d" % (host, port), flush=True)
    server.serve_forever()
    server.server_close()


if __name__ == "__main__":
    main()
