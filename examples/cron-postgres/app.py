"""A cron binding triggers the app; the app writes a row through the PostgreSQL binding.

Standard library only. Start PostgreSQL first (`make brokers-up` starts it natively), then:

    outrigger run --app-id ticker --app-port 3001 \
        --resources-path examples/cron-postgres/components -- python3 examples/cron-postgres/app.py

Every 2 s the sidecar POSTs to /tick (the cron binding named `tick`); the app inserts a row with
the binding's `exec` operation (SQL in metadata `sql`, parameters in `params`, always bound) and
prints how many rows the table holds, read back with `query`.
"""

import json
import os
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

APP_PORT = int(os.environ.get("APP_PORT", "3001"))
DAPR = f"http://127.0.0.1:{os.environ.get('DAPR_HTTP_PORT', '3500')}"
BINDING = "ticks-db"


def log(text):
    print(f"[ticker] {text}", flush=True)


def invoke(operation, sql, params=None):
    metadata = {"sql": sql}
    if params is not None:
        metadata["params"] = json.dumps(params)
    body = json.dumps({"operation": operation, "metadata": metadata}).encode()
    request = urllib.request.Request(
        f"{DAPR}/v1.0/bindings/{BINDING}", data=body, headers={"Content-Type": "application/json"}, method="POST"
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        payload = response.read()
        return response.headers, json.loads(payload) if payload else None


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_OPTIONS(self):
        # The sidecar asks once at start whether the app takes the binding's events.
        self.send_response(200 if self.path == "/tick" else 404)
        self.end_headers()

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        if self.path != "/tick":
            self.send_response(404)
            self.end_headers()
            return
        try:
            headers, _ = invoke("exec", "insert into ticks (at) values (now())")
            _, rows = invoke("query", "select count(*) from ticks")
            log(f"tick stored (rows-affected {headers.get('metadata.rows-affected')}); the table holds {rows[0][0]} rows")
            self.send_response(200)
        except Exception as error:  # the sidecar retries the event per its Resiliency policy
            log(f"storing the tick failed: {error}")
            self.send_response(500)
        self.end_headers()


def main():
    for attempt in range(50):  # the sidecar's API may still be starting
        try:
            invoke("exec", "create table if not exists ticks (id serial primary key, at timestamptz not null)")
            break
        except OSError:
            time.sleep(0.2)
    log(f"listening on {APP_PORT}")
    ThreadingHTTPServer(("127.0.0.1", APP_PORT), Handler).serve_forever()


if __name__ == "__main__":
    main()
