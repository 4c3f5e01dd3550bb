"""A policy pack that records what the engine sends it, so two engines can be compared request by request.

It speaks the analyzer protocol directly (the stubs in ``pulumi.runtime.proto``) instead of going through
``pulumi_policy``, because ``pulumi_policy`` decodes requests (unknowns, secrets, resource shapes) before a
policy sees them, and the point is to see them raw. Each call appends one JSON line
``{"method": ..., "request": <the request as protobuf JSON>}`` to the file named by ``RESIDENCY_RECORDING``
(nothing is written when it is unset). It declares one resource policy and one stack policy, both advisory,
and never reports a violation; ``Remediate`` answers with no remediation.

Launched like any Python pack (``python -m pulumi.policy <engine> <pack dir>``): it serves on a free port,
prints the port on the first stdout line and serves until killed.
"""

import json
import os
import sys
import threading
import time
from concurrent import futures

import grpc
from google.protobuf import empty_pb2, json_format
from pulumi.runtime.proto import analyzer_pb2, analyzer_pb2_grpc, plugin_pb2

NAME = "oracle-recording"
VERSION = "0.1.0"


class RecordingAnalyzer(analyzer_pb2_grpc.AnalyzerServicer):
    def __init__(self, path):
        self.path = path
        self.lock = threading.Lock()

    def record(self, method, request):
        if not self.path:
            return
        line = json.dumps({"method": method, "request": json_format.MessageToDict(request)}, sort_keys=True)
        with self.lock, open(self.path, "a", encoding="utf-8") as out:
            out.write(line + "\n")

    def Handshake(self, request, context):
        self.record("Handshake", request)
        return analyzer_pb2.AnalyzerHandshakeResponse()

    def ConfigureStack(self, request, context):
        self.record("ConfigureStack", request)
        return analyzer_pb2.AnalyzerStackConfigureResponse()

    def GetPluginInfo(self, request, context):
        return plugin_pb2.PluginInfo(version=VERSION)

    def GetAnalyzerInfo(self, request, context):
        advisory = analyzer_pb2.EnforcementLevel.ADVISORY
        return analyzer_pb2.AnalyzerInfo(
            name=NAME,
            version=VERSION,
            supportsConfig=True,
            policies=[
                analyzer_pb2.PolicyInfo(name="record-resources", description="Records Analyze requests.",
                                        enforcementLevel=advisory, policy_type=analyzer_pb2.POLICY_TYPE_RESOURCE),
                analyzer_pb2.PolicyInfo(name="record-stack", description="Records AnalyzeStack requests.",
                                        enforcementLevel=advisory, policy_type=analyzer_pb2.POLICY_TYPE_STACK),
            ],
        )

    def Configure(self, request, context):
        self.record("Configure", request)
        return empty_pb2.Empty()

    def Analyze(self, request, context):
        self.record("Analyze", request)
        return analyzer_pb2.AnalyzeResponse()

    def AnalyzeStack(self, request, context):
        self.record("AnalyzeStack", request)
        return analyzer_pb2.AnalyzeResponse()

    def Remediate(self, request, context):
        self.record("Remediate", request)
        return analyzer_pb2.RemediateResponse()

    def Cancel(self, request, context):
        return empty_pb2.Empty()


def main():
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=8),
                         options=[("grpc.max_receive_message_length", 400 * 1024 * 1024)])
    analyzer_pb2_grpc.add_AnalyzerServicer_to_server(RecordingAnalyzer(os.environ.get("RESIDENCY_RECORDING")), server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    sys.stdout.write(f"{port}\n")
    sys.stdout.flush()
    while True:
        time.sleep(3600)


main()
