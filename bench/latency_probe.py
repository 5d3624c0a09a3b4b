"""Publish-to-delivery latency at light load: publishes N events one after another through the
sidecar, each carrying its publish time, and records when the app route receives it.

Usage: latency_probe.py APP_PORT DAPR_HTTP_PORT COUNT   (the sidecar delivers topic probe to /probe)
"""
import http.client
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

app_port, dapr_port, count = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
latencies = []
received = threading.Event()


class App(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        body = json.dumps([{"pubsubname": "pubsub", "topic": "probe", "route": "/probe"}]).encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        now = time.perf_counter_ns()
        event = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        latencies.append((now - event["data"]["sent"]) / 1000)
        self.send_response(204)
        self.send_header("Content-Length", "0")
        self.end_headers()
        received.set()

    def log_message(self, *args):
        pass


server = ThreadingHTTPServer(("127.0.0.1", app_port), App)
threading.Thread(target=server.serve_forever, daemon=True).start()
print("READY", flush=True)
sys.stdin.readline()  # the runner starts the sidecar, waits for healthz, then writes a line

connection = http.client.HTTPConnection("127.0.0.1", dapr_port)
for index in range(count):
    received.clear()
    body = json.dumps({"n": index, "sent": time.perf_counter_ns()})
    connection.request("POST", "/v1.0/publish/pubsub/probe", body, {"Content-Type": "application/json"})
    connection.getresponse().read()
    if not received.wait(5):
        sys.exit(f"event {index} was not delivered within 5 s")
latencies.sort()
p50 = latencies[len(latencies) // 2]
p99 = latencies[int(len(latencies) * 0.99) - 1]
print(f'RESULT {{"count":{count},"p50_us":{p50:.0f},"p99_us":{p99:.0f}}}', flush=True)
server.shutdown()
