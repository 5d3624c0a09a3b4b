"""Writes the benchmark request bodies: a 1 KB JSON order; a bulk body of 100 of them; and a bulk
body of 100 small orders, each entry (entryId, event, contentType) exactly 256 B of JSON."""
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
