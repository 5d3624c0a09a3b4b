"""Writes the benchmark request bodies: a 1 KB JSON order, and a bulk body of 100 of them."""
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
