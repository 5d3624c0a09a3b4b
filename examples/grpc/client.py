"""The Dapr Python SDK's client (DaprClient, gRPC) against Outrigger: publish, bulk publish,
metadata, bindings and a streaming subscription. Each check prints one line
`RESULT {"check": ..., "ok": true|false, "detail": ...}`; the exit status is 1 if any failed.

    outrigger run --app-id sdk --resources-path ./components &
    "$(scripts/python-sdk.sh)" examples/grpc/client.py

The sidecar needs a `pubsub` component (pubsub.in-memory will do). DAPR_HTTP_PORT and
DAPR_GRPC_PORT say where it listens (3500 and 50001 by default); TOPIC names the topic used for
the checks (default `sdk-checks`).
"""

import json
import os
import sys
import threading
import time
import traceback

from dapr.clients import DaprClient

PUBSUB = os.environ.get("PUBSUB", "pubsub")
TOPIC = os.environ.get("TOPIC", "sdk-checks")
results = []


def report(check, ok, detail=""):
    results.append(ok)
    print("RESULT " + json.dumps({"check": check, "ok": bool(ok), "detail": str(detail)}), flush=True)


def check(name):
    def run(function):
        try:
            ok, detail = function()
            report(name, ok, detail)
        except Exception as error:  # a failing check must not stop the others
            report(name, False, f"{type(error).__name__}: {error}\n{traceback.format_exc()}")
        return function
    return run


def next_message(subscription, seconds=10):
    """The next streamed event, or None after `seconds`. The SDK's next_message() returns None
    after it reconnected a stream the sidecar ended; keep reading then, as its own
    subscribe_with_handler() does."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        box = []
        reader = threading.Thread(target=lambda: box.append(subscription.next_message()), daemon=True)
        reader.start()
        reader.join(max(deadline - time.monotonic(), 0))
        if box and box[0] is not None:
            return box[0]
        if not box:
            return None
    return None


with DaprClient() as client:

    @check("get_metadata")
    def _():
        metadata = client.get_metadata()
        components = {(c.name, c.type) for c in metadata.registered_components}
        ok = metadata.application_id == os.environ.get("EXPECTED_APP_ID", metadata.application_id) \
            and (PUBSUB, "pubsub.in-memory") in components
        return ok, f"id={metadata.application_id} components={sorted(components)} extended={metadata.extended_metadata}"

    subscription = client.subscribe(pubsub_name=PUBSUB, topic=TOPIC)
    report("subscribe", True, "streaming subscription open")

    @check("publish_event_and_retry")
    def _():
        client.publish_event(PUBSUB, TOPIC, json.dumps({"order": 1}), data_content_type="application/json",
                             publish_metadata={"cloudevent.type": "order.created"})
        first = next_message(subscription)
        if first is None:
            return False, "no event on the stream"
        subscription.respond_retry(first)
        again = next_message(subscription)
        if again is None:
            return False, "the event answered RETRY was not delivered again"
        subscription.respond_success(again)
        ok = first.data() == {"order": 1} and first.type() == "order.created" and again.id() == first.id() \
            and first.topic() == TOPIC and first.pubsub_name() == PUBSUB
        return ok, f"data={first.data()} type={first.type()} redelivered={again.id() == first.id()}"

    @check("publish_event_raw_payload")
    def _():
        client.publish_event(PUBSUB, TOPIC, b"\x00raw\xff", publish_metadata={"rawPayload": "true"})
        message = next_message(subscription)
        if message is None:
            return False, "no event on the stream"
        subscription.respond_success(message)
        return message.raw_data() == b"\x00raw\xff", f"raw={message.raw_data()!r} contentType={message.data_content_type()}"

    @check("publish_events_bulk")
    def _():
        response = client.publish_events(PUBSUB, TOPIC, ["one", "two", "three"], data_content_type="text/plain")
        received = []
        for _ in range(3):
            message = next_message(subscription)
            if message is None:
                break
            received.append(message.data())
            subscription.respond_success(message)
        ok = not response.failed_entries and sorted(received) == ["one", "three", "two"]
        return ok, f"failed={response.failed_entries} received={received}"

    @check("publish_event_unknown_pubsub")
    def _():
        try:
            client.publish_event("no-such-pubsub", TOPIC, "x")
            return False, "no error"
        except Exception as error:
            code = error.code().name
            detail = error.details()
            reason = error.error_code() if hasattr(error, "error_code") else ""
            ok = code == "INVALID_ARGUMENT" and "ERR_PUBSUB_NOT_FOUND" in detail and reason == "DAPR_PUBSUB_NOT_FOUND"
            return ok, f"{code}: {detail} (reason {reason})"

    @check("invoke_binding_unknown")
    def _():
        try:
            client.invoke_binding("no-such-binding", "create", b"payload")
            return False, "no error"
        except Exception as error:
            code = error.code().name
            detail = error.details()
            ok = code == "INTERNAL" and "ERR_INVOKE_OUTPUT_BINDING" in detail and "no-such-binding" in detail
            return ok, f"{code}: {detail}"

    @check("invoke_binding")
    def _():
        # A bindings.localstorage component named `files` (the test gives it a fresh folder).
        created = client.invoke_binding("files", "create", "written by the SDK", {"fileName": "sdk.txt"})
        read = client.invoke_binding("files", "get", "", {"fileName": "sdk.txt"})
        ok = json.loads(created.data).get("fileName") == "sdk.txt" and read.data == b"written by the SDK"
        return ok, f"create answered {created.data!r}, get answered {read.data!r}"

    @check("invoke_binding_unsupported_operation")
    def _():
        try:
            client.invoke_binding("files", "exec", b"")
            return False, "no error"
        except Exception as error:
            code = error.code().name
            detail = error.details()
            ok = code == "INVALID_ARGUMENT" and "ERR_INVOKE_OUTPUT_BINDING" in detail and "create get list delete" in detail
            return ok, f"{code}: {detail}"

    @check("unimplemented_api")
    def _():
        try:
            client.get_state("statestore", "key")
            return False, "no error"
        except Exception as error:
            code = error.code().name
            return code == "UNIMPLEMENTED" and "GetState" in error.details(), f"{code}: {error.details()}"

    subscription.close()
    report("subscription_close", True, "closed")

sys.stdout.flush()
# The SDK's stream threads may still wait on a dead stream after a failed check: exit regardless.
os._exit(0 if all(results) else 1)
