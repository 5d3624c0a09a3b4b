"""A sample Outrigger app using only Python's standard library.

It publishes a few orders through the sidecar's Dapr API, receives them back as CloudEvents on
the routes of components/subscription.yaml, and answers each with a receipt published to the
`receipts` topic, which it subscribes to itself through GET /dapr/subscribe.

Run it with the sidecar:  make run
or by hand:  outrigger run --app-id orders --app-port 3000 --resources-path ./components -- python3 examples/orders/app.py
"""

import json
import os
import sys
import threading
import time
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

APP_PORT = int(os.environ.get("APP_PORT", "3000"))
DAPR = f"http://127.0.0.1:{os.environ.get('DAPR_HTTP_PORT', '3500')}"
PUBSUB = "pubsub"


def log(text):
    print(f"[orders-app] {text}", flush=True)


def publish(topic, payload):
    request = urllib.request.Request(
        f"{DAPR}/v1.0/publish/{PUBSUB}/{topic}",
        data=json.dumps(payload).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=5) as response:
        return response.status


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path == "/dapr/subscribe":
            self.reply(200, [{"pubsubname": PUBSUB, "topic": "receipts", "route": "/receipts"}])
        else:
            self.reply(404, {"error": "not found"})

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        event = json.loads(body or b"{}")
        data = event.get("data", {})
        if self.path in ("/orders", "/orders/priority"):
            kind = "PRIORITY order" if self.path == "/orders/priority" else "order"
            log(f"received {kind} {data.get('id')} ({data.get('item')}) as CloudEvent {event.get('id')}")
            publish("receipts", {"order": data.get("id"), "status": "accepted"})
            self.reply(200, {"status": "SUCCESS"})
        elif self.path == "/receipts":
            log(f"received receipt for order {data.get('order')}: {data.get('status')}")
            self.reply(200, {"status": "SUCCESS"})
        else:
            self.reply(404, {"error": "no such route"})

    def reply(self, status, payload):
        body = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def wait_for_sidecar(timeout=30):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(f"{DAPR}/v1.0/healthz", timeout=1) as response:
                if response.status == 204:
                    return
        except (urllib.error.URLError, ConnectionError):
            pass
        time.sleep(0.1)
    sys.exit("the sidecar did not become ready")


def publish_orders():
    wait_for_sidecar()
    orders = [
        {"id": 1, "item": "paddle", "priority": "normal"},
        {"id": 2, "item": "outrigger canoe", "priority": "high"},
        {"id": 3, "item": "life vest", "priority": "normal"},
    ]
    for order in orders:
        status = publish("orders", order)
        log(f"published order {order['id']} (HTTP {status})")
    log("done publishing; press Ctrl-C to stop")


if __name__ == "__main__":
    server = ThreadingHTTPServer(("127.0.0.1", APP_PORT), Handler)
    threading.Thread(target=publish_orders, daemon=True).start()
    log(f"listening on port {APP_PORT}")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
