"""Writes the benchmark request bodies: a 1 KB JSON order; a bulk body of 100 of them; a bulk
body of 100 small orders, each entry (entryId, event, contentType) exactly 256 B of JSON; and
the 1 KB order as a gRPC PublishEvent request body (a length-prefixed protobuf message)."""
import json
import sys

out = sys.argv[1]
order = {"orderId": 0, "customer": "bench", "items": [], "note": ""}
order["note"] = "x" * (1024 - len(json.dumps(order)))
single = json.dumps(order)
assert len(single) == 1024, len(single)
with open(f"{out}/single.json", "w") as f:
    f.write(single)
entries = [{"entryId": str(i), "event": order, "contentType": "application/json"} for i in range(100)]
with open(f"{out}/bulk.json", "w") as f:
    f.write(json.dumps(entries))


def small_entry(i):
    entry = {"entryId": str(i), "event": {"orderId": i, "customer": "bench", "items": [], "note": ""}, "contentType": "application/json"}
    entry["event"]["note"] = "x" * (256 - len(json.dumps(entry)))
    assert len(json.dumps(entry)) == 256, len(json.dumps(entry))
    return entry


with open(f"{out}/bulk-256.json", "w") as f:
    f.write(json.dumps([small_entry(i) for i in range(100)]))


def protobuf_field(number, value):
    """A length-delimited protobuf field (wire type 2)."""
    def varint(n):
        out = bytearray()
        while True:
            out.append((n & 0x7F) | (0x80 if n > 0x7F else 0))
            n >>= 7
            if not n:
                return bytes(out)
    return varint(number << 3 | 2) + varint(len(value)) + value


# PublishEventRequest: pubsub_name = 1, topic = 2, data = 3, data_content_type = 4.
message = (protobuf_field(1, b"pubsub") + protobuf_field(2, b"orders") + protobuf_field(3, single.encode())
           + protobuf_field(4, b"application/json"))
with open(f"{out}/publish.grpc", "wb") as f:
    f.write(b"\x00" + len(message).to_bytes(4, "big") + message)
