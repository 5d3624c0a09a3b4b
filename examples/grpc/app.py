"""A Dapr gRPC app written with the official Python SDK (dapr-ext-grpc), for `--app-protocol grpc`.

It serves Dapr's AppCallback service: the sidecar reads its subscriptions through
ListTopicSubscriptions and delivers each event with OnTopicEvent.

- `orders`: every order is logged and acknowledged; an order whose data asks for retries
  (`{"retries": 2}`) is answered RETRY that many times first, so the sidecar's retries can be seen.
- `alerts`: a routing rule sends `event.data.level == "high"` to `high_alert`; other alerts match
  no route and are dropped by the sidecar.

With RECEIVED_LOG set, every delivery is also appended to that file as one JSON line (the tests
in Tests/GRPCTests read it).

Run it with the sidecar (the SDK comes from scripts/python-sdk.sh):

    outrigger run --app-id orders --app-port 50051 --app-protocol grpc --resources-path ./components \\
        -- "$(scripts/python-sdk.sh)" examples/grpc/app.py

then publish with examples/grpc/client.py or `curl -X POST localhost:3500/v1.0/publish/pubsub/orders -d '{"id": 1}'`.
"""

import json
import os
import threading

from cloudevents.sdk.event import v1
from dapr.clients.grpc._response import TopicEventResponse
from dapr.ext.grpc import App, Rule

APP_PORT = int(os.environ.get("APP_PORT", "50051"))
PUBSUB = os.environ.get("PUBSUB", "pubsub")
RECEIVED_LOG = os.environ.get("RECEIVED_LOG")

app = App()
attempts = {}
lock = threading.Lock()


def log(text):
    print(f"[grpc-app] {text}", flush=True)


def payload(event):
    raw = event.Data()
    if isinstance(raw, bytes):
        raw = raw.decode("utf-8", "replace")
    try:
        return json.loads(raw)
    except (TypeError, ValueError):
        return raw


def record(route, event, data, status):
    with lock:
        attempts[event.EventID()] = attempts.get(event.EventID(), 0) + 1
        attempt = attempts[event.EventID()]
        entry = {
            "route": route,
            "id": event.EventID(),
            "type": event.EventType(),
            "source": event.Source(),
            "contentType": event.ContentType(),
            "data": data,
            "attempt": attempt,
            "status": status(attempt),
            "topic": event.Extensions().get("topic"),
        }
        if RECEIVED_LOG:
            with open(RECEIVED_LOG, "a", encoding="utf-8") as file:
                file.write(json.dumps(entry) + "\n")
    log(f"{route}: {event.EventID()} attempt {attempt} -> {entry['status']}: {data}")
    return TopicEventResponse(entry["status"])


@app.subscribe(pubsub_name=PUBSUB, topic="orders")
def orders(event: v1.Event) -> TopicEventResponse:
    data = payload(event)
    wanted = data.get("retries", 0) if isinstance(data, dict) else 0
    return record("orders", event, data, lambda attempt: "retry" if attempt <= wanted else "success")


@app.subscribe(pubsub_name=PUBSUB, topic="alerts", rule=Rule('event.data.level == "high"', 1))
def high_alert(event: v1.Event) -> TopicEventResponse:
    return record("high_alert", event, payload(event), lambda _: "success")


if __name__ == "__main__":
    log(f"listening on port {APP_PORT}")
    app.run(APP_PORT)
