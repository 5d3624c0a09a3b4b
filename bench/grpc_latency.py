"""gRPC PublishEvent latency at a fixed rate, the setup of Dapr's published test: 1,000 QPS
spread over 16 connections for DURATION seconds, 1 KB JSON payload.

Each connection sends on a fixed schedule (open loop: a late answer does not delay the next
send), so queueing shows up in the percentiles. Prints one RESULT line with p50/p90/p99 in
microseconds. Runs with the Python that scripts/python-sdk.sh prepares (grpcio + Dapr stubs).

Usage: grpc_latency.py PORT [QPS] [CONNECTIONS] [DURATION]
"""
import json
import sys
import threading
import time

import grpc
from dapr.proto.runtime.v1 import dapr_pb2_grpc, pubsub_pb2

port = int(sys.argv[1])
qps = int(sys.argv[2]) if len(sys.argv) > 2 else 1000
connections = int(sys.argv[3]) if len(sys.argv) > 3 else 16
duration = float(sys.argv[4]) if len(sys.argv) > 4 else 10
payload = json.dumps({"orderId": 1, "note": "x" * 990}).encode()
request = pubsub_pb2.PublishEventRequest(pubsub_name="pubsub", topic="orders", data=payload, data_content_type="application/json")

latencies = []
errors = [0]
lock = threading.Lock()


def connection_loop(index):
    channel = grpc.insecure_channel(f"127.0.0.1:{port}")
    stub = dapr_pb2_grpc.DaprStub(channel)
    stub.PublishEvent(request)  # warm the connection before measuring
    interval = connections / qps
    start = time.perf_counter() + index * interval / connections
    pending = []
    n = 0
    while True:
        due = start + n * interval
        if due - start > duration:
            break
        delay = due - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        sent = time.perf_counter()
        future = stub.PublishEvent.future(request)
        future.add_done_callback(lambda f, sent=sent: record(f, sent))
        pending.append(future)
        n += 1
    for future in pending:
        try:
            future.result(timeout=10)
        except grpc.RpcError:
            pass
    channel.close()


def record(future, sent):
    elapsed = (time.perf_counter() - sent) * 1e6
    with lock:
        if future.exception() is None:
            latencies.append(elapsed)
        else:
            errors[0] += 1


threads = [threading.Thread(target=connection_loop, args=(i,)) for i in range(connections)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
latencies.sort()
pick = lambda q: latencies[min(len(latencies) - 1, int(len(latencies) * q))]
print(f'RESULT {{"count":{len(latencies)},"errors":{errors[0]},"p50_us":{pick(0.5):.0f},"p90_us":{pick(0.9):.0f},"p99_us":{pick(0.99):.0f}}}', flush=True)
