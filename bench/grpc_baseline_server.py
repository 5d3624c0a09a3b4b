"""The gRPC baseline: a grpcio (C core) server whose PublishEvent answers at once, so the
latency client measures its own and the transport's cost on this box. Usage: PORT"""
import sys
from concurrent import futures

import grpc
from dapr.proto.runtime.v1 import dapr_pb2_grpc
from google.protobuf import empty_pb2


class Dapr(dapr_pb2_grpc.DaprServicer):
    def PublishEvent(self, request, context):
        return empty_pb2.Empty()


server = grpc.server(futures.ThreadPoolExecutor(max_workers=16))
dapr_pb2_grpc.add_DaprServicer_to_server(Dapr(), server)
server.add_insecure_port(f"127.0.0.1:{sys.argv[1]}")
server.start()
print("READY", flush=True)
server.wait_for_termination()
