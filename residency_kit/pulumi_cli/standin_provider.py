"""A stand-in resource provider for ``oci`` and ``aws`` that lets the real Pulumi engine preview offline.

The real providers (pulumi-oci, pulumi-aws) cannot be built or downloaded here, and they would call the
cloud. This plugin speaks the same ``ResourceProvider`` gRPC protocol (the stubs the Pulumi Python SDK
ships in ``pulumi.runtime.proto``) and answers the way ``residency preview`` assumes a provider answers
during a preview:

- ``CheckConfig``, ``Configure`` and ``Check`` accept the inputs unchanged (no defaults, no autonaming);
- ``Diff`` reports a change (a fresh backend has no state, so the engine only ever creates);
- ``Create`` in preview returns the inputs, with the properties the type computes (read from the installed
  SDK, ``residency_kit.pulumi_cli.sdk_outputs``) unknown and no id; outside preview it refuses, so nothing is
  ever deployed through it;
- ``Read`` returns the properties it is given;
- ``Invoke`` gives the answers of ``residency preview`` (``residency_kit.engine.invokes``) for the provider
  instance's configuration (a default provider's is the stack's ``<pkg>:*`` config), with the project's
  pinned answers (``residency-invokes.yaml`` in ``$RESIDENCY_PROJECT_DIR``, set by
  ``residency_kit.pulumi_cli.offline``; else in the working directory, the project the engine runs). Made-up
  values and markers carry ids derived from the call (``residency_kit.engine.invokes.ledger``), so they are
  the ones ``residency preview`` gives the same program.

The engine launches it as ``pulumi-resource-<pkg> <engine address>``; it prints its port and serves until
the engine kills it. Set ``RESIDENCY_STANDIN_LOG`` to a file to get one JSON line per invoke.
"""

from __future__ import annotations

import json
import os
import sys
import threading
from concurrent import futures
from pathlib import Path
from typing import Any

import grpc
from google.protobuf import empty_pb2, json_format, struct_pb2
from pulumi.runtime.proto import plugin_pb2, provider_pb2, provider_pb2_grpc

from residency_kit.engine.invokes import InvokeAnswerer, InvokeFailure, PinnedAnswers
from residency_kit.engine.invokes.context import explicit_provider_context
from residency_kit.engine.invokes.pinned import PinnedAnswersError, load_pinned_answers
from residency_kit.pulumi_cli.offline import PROJECT_DIR_ENV
from residency_kit.pulumi_cli.sdk_outputs import computed_outputs
from residency_policies.urns import urn_type

UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
# The plugin versions the kit's SDKs request (pulumi-plugin.json of pulumi_oci 5.5.0 / pulumi_aws 7.51.1).
PLUGIN_VERSIONS = {"oci": "5.5.0", "aws": "7.51.1"}


def _to_dict(struct: struct_pb2.Struct | None) -> dict[str, Any]:
    return json_format.MessageToDict(struct) if struct is not None else {}


def _to_struct(value: dict[str, Any]) -> struct_pb2.Struct:
    out = struct_pb2.Struct()
    out.update(value)
    return out


class StandInProvider(provider_pb2_grpc.ResourceProviderServicer):
    def __init__(self, package: str, version: str, log_path: str | None = None, project_dir: str | None = None):
        self.package = package
        self.version = version
        self.log_path = log_path
        self.config: dict[str, Any] = {}
        self._lock = threading.Lock()
        # Loaded once: a malformed file fails every invoke with the file's own error message.
        self.pinned: PinnedAnswers | None = None
        self.pinned_error = ""
        try:
            self.pinned = load_pinned_answers(Path(project_dir or os.getcwd()))
        except PinnedAnswersError as err:
            self.pinned_error = str(err)
        try:
            self.stack_config = json.loads(os.environ.get("PULUMI_CONFIG") or "{}")
        except ValueError:
            self.stack_config = {}

    # --- plugin lifecycle ---------------------------------------------------------------------------
    def Handshake(self, request, context):  # noqa: N802 (gRPC method names)
        return provider_pb2.ProviderHandshakeResponse(accept_secrets=True, accept_resources=True)

    def GetPluginInfo(self, request, context):  # noqa: N802
        return plugin_pb2.PluginInfo(version=self.version)

    def GetSchema(self, request, context):  # noqa: N802
        return provider_pb2.GetSchemaResponse(schema=json.dumps({"name": self.package, "version": self.version}))

    def Attach(self, request, context):  # noqa: N802
        return empty_pb2.Empty()

    def Cancel(self, request, context):  # noqa: N802
        return empty_pb2.Empty()

    # --- provider configuration ---------------------------------------------------------------------
    def CheckConfig(self, request, context):  # noqa: N802
        return provider_pb2.CheckResponse(inputs=request.news)

    def DiffConfig(self, request, context):  # noqa: N802
        return provider_pb2.DiffResponse(changes=provider_pb2.DiffResponse.DIFF_NONE)

    def Configure(self, request, context):  # noqa: N802
        self.config = _to_dict(request.args)
        return provider_pb2.ConfigureResponse(acceptSecrets=True, supportsPreview=True, acceptResources=True)

    # --- resources ----------------------------------------------------------------------------------
    def Check(self, request, context):  # noqa: N802
        return provider_pb2.CheckResponse(inputs=request.news)

    def Diff(self, request, context):  # noqa: N802
        return provider_pb2.DiffResponse(changes=provider_pb2.DiffResponse.DIFF_SOME)

    def Create(self, request, context):  # noqa: N802
        if not request.preview:
            context.abort(grpc.StatusCode.FAILED_PRECONDITION,
                          f"the stand-in {self.package} provider only previews; it cannot create {request.urn}")
        properties = _to_dict(request.properties)
        for name in computed_outputs(request.type or urn_type(request.urn)):
            properties.setdefault(name, UNKNOWN)
        return provider_pb2.CreateResponse(id="", properties=_to_struct(properties))

    def Read(self, request, context):  # noqa: N802
        return provider_pb2.ReadResponse(id=request.id, properties=request.properties, inputs=request.inputs)

    def Update(self, request, context):  # noqa: N802
        context.abort(grpc.StatusCode.FAILED_PRECONDITION, f"the stand-in {self.package} provider cannot update")

    def Delete(self, request, context):  # noqa: N802
        context.abort(grpc.StatusCode.FAILED_PRECONDITION, f"the stand-in {self.package} provider cannot delete")

    # --- functions ----------------------------------------------------------------------------------
    def Invoke(self, request, context):  # noqa: N802
        # The answers of ``residency preview`` for this provider instance's configuration (the engine sends a
        # default provider the stack's config, an explicit one its own inputs, through Configure).
        if self.pinned is None:
            return provider_pb2.InvokeResponse(failures=[provider_pb2.CheckFailure(property="", reason=self.pinned_error)])
        context_ = explicit_provider_context(self.package, "provider", self.config)
        # One answerer per call (calls run in parallel); its numbering does not depend on earlier calls.
        answerer = InvokeAnswerer({}, pinned=self.pinned, provider_lookup=lambda _ref: context_)
        args = _to_dict(request.args)
        try:
            result = answerer.answer(request.tok, args, "provider")
        except InvokeFailure as err:
            return provider_pb2.InvokeResponse(failures=[provider_pb2.CheckFailure(property="", reason=str(err))])
        record = answerer.ledger.records[-1]
        self._log({"invoke": request.tok, "answered": result is not None, "kind": record.kind, "region": record.region,
                   "id": record.invoke})
        return provider_pb2.InvokeResponse(**{"return": _to_struct(result or {})})

    def _log(self, event: dict[str, Any]) -> None:
        if not self.log_path:
            return
        with self._lock, open(self.log_path, "a", encoding="utf-8") as out:
            out.write(json.dumps({"package": self.package, **event}) + "\n")


def serve(package: str) -> None:
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=8),
                         options=[("grpc.max_receive_message_length", 400 * 1024 * 1024)])
    provider = StandInProvider(package, PLUGIN_VERSIONS.get(package, "0.0.1"), os.environ.get("RESIDENCY_STANDIN_LOG"),
                               os.environ.get(PROJECT_DIR_ENV))
    provider_pb2_grpc.add_ResourceProviderServicer_to_server(provider, server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    sys.stdout.write(f"{port}\n")
    sys.stdout.flush()
    server.wait_for_termination()


if __name__ == "__main__":
    try:
        serve(sys.argv[1])
    except KeyboardInterrupt:  # the engine stops plugins with SIGINT
        pass
