"""Capture every resource registration a Pulumi program makes on the SDK's mock runtime.

``RecordingMonitor`` subclasses the SDK's ``MockMonitor`` and keeps each ``RegisterResourceRequest``
as a ``Registration``: inputs exactly as the SDK serialized them (unknowns as sentinel strings,
secrets as signature objects), the resource options the engine would see and the source position the
SDK sends. Component tests and the offline preview both build on it.

Resource references: the engine hands analyzers properties marshalled without ``KeepResources``
(pulumi/pulumi ``MarshalPropertyValue``): a reference to a custom resource becomes its ID (unknown for a
create at preview), one to a component its URN. The monitor therefore declines the
``resourceReferences`` feature, which makes the SDK serialize exactly that (``rpc.serialize_property``)
and never asks the mock monitor to rebuild resource objects from references.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
import os
import site
import sys
import urllib.parse
from typing import Any

import pulumi
from google.protobuf import json_format
from pulumi.runtime import mocks as pulumi_mocks
from pulumi.runtime import settings as pulumi_settings
from pulumi.runtime.config import set_all_config
from pulumi.runtime.proto import resource_pb2

ROOT_STACK_TYPE = "pulumi:pulumi:Stack"
# A mock's invoke answer holding this key asks the monitor to answer "unknown", as the engine does when it
# declines an invoke: the SDK then makes the invoke's whole result unknown.
UNANSWERED_INVOKE_KEY = "__residencyUnanswered"


@dataclass
class Registration:
    """One ``RegisterResource`` call as the monitor received it."""

    type: str
    name: str
    mock_urn: str
    parent: str
    custom: bool
    protect: bool | None
    retain_on_delete: bool | None
    provider: str
    version: str
    plugin_download_url: str
    dependencies: list[str]
    property_dependencies: dict[str, list[str]]
    inputs: dict[str, Any]
    delete_before_replace: bool
    delete_before_replace_defined: bool
    ignore_changes: list[str]
    additional_secret_outputs: list[str]
    aliases: list[str]
    custom_timeouts: dict[str, str]
    import_id: str
    id: str = ""
    outputs: dict[str, Any] = field(default_factory=dict)
    source_file: str = ""
    """The program file that declared the resource (the SDK's ``sourcePosition``), as a local path."""
    source_line: int = 0

    @property
    def package(self) -> str:
        if self.type.startswith("pulumi:providers:"):
            return self.type.removeprefix("pulumi:providers:")
        return self.type.split(":", 1)[0]

    @property
    def is_provider(self) -> bool:
        return self.type.startswith("pulumi:providers:")


@dataclass
class Read:
    """One ``ReadResource`` (``Resource.get``): never analyzed by the engine, but its outputs are assumed."""

    type: str
    name: str
    id: str
    source_file: str = ""
    source_line: int = 0


def _struct_to_dict(struct: Any) -> dict[str, Any]:
    return json_format.MessageToDict(struct, preserving_proto_field_name=True) if struct is not None else {}


_LIBRARY_PREFIXES = tuple(
    os.path.realpath(p) + os.sep for p in {sys.prefix, sys.base_prefix, sys.exec_prefix, *site.getsitepackages()}
)


def _local_path(uri: str) -> str:
    return urllib.parse.unquote(urllib.parse.urlparse(uri).path) if uri.startswith("file:") else uri


def _in_library(path: str) -> bool:
    real = os.path.realpath(path)
    return real.startswith(_LIBRARY_PREFIXES) or f"{os.sep}site-packages{os.sep}" in real


def _source_position(request: Any) -> tuple[str, int]:
    """The SDK's ``sourcePosition``; when that lies inside an installed library (the SDK picks the wrong
    frame for provider resources), the first frame of its ``stackTrace`` that is the program's own."""
    position = ("", 0)
    if request.HasField("sourcePosition"):
        position = (_local_path(request.sourcePosition.uri), int(request.sourcePosition.line or 0))
    if position[0] and not _in_library(position[0]):
        return position
    if request.HasField("stackTrace"):
        for frame in request.stackTrace.frames:
            if frame.HasField("pc") and frame.pc.uri:
                path = _local_path(frame.pc.uri)
                if not _in_library(path):
                    return path, int(frame.pc.line or 0)
    return position


# What the engine's monitor supports, minus resource references (see the module docstring) and output
# values (declined by the SDK's mock monitor too: analyzers receive plain values either way).
_DECLINED_FEATURES = {
    resource_pb2.RESOURCE_MONITOR_FEATURE_RESOURCE_REFERENCES,
    resource_pb2.RESOURCE_MONITOR_FEATURE_OUTPUT_VALUES,
}
_DECLINED_FEATURE_IDS = {"resourceReferences", "outputValues"}


class RecordingMonitor(pulumi_mocks.MockMonitor):
    """A ``MockMonitor`` that records registrations in order; ``on_registration`` sees each one as it happens."""

    def __init__(self, mocks: pulumi_mocks.Mocks, on_registration: Callable[[Registration], None] | None = None):
        super().__init__(mocks)
        self.registrations: list[Registration] = []
        self.by_mock_urn: dict[str, Registration] = {}
        self.reads: list[Read] = []
        self.on_registration = on_registration
        self.ledger: Any = None
        """An ``invokes.Ledger`` set by mocks that hand out traced values (``PreviewMocks``)."""

    def GetDeploymentInfo(self, request):  # noqa: N802 (gRPC method name)
        info = super().GetDeploymentInfo(request)
        features = [f for f in info.supportedFeatures if f not in _DECLINED_FEATURES]
        return resource_pb2.DeploymentInfo(supportedFeatures=features)

    def SupportsFeature(self, request):  # noqa: N802 - the legacy probe, for SDKs without GetDeploymentInfo
        has_support = request.id not in _DECLINED_FEATURE_IDS
        return type("SupportsFeatureResponse", (object,), {"hasSupport": has_support})

    def Invoke(self, request):  # noqa: N802 (gRPC method name)
        response = super().Invoke(request)
        returned = getattr(response, "return")
        if UNANSWERED_INVOKE_KEY in returned.fields:
            return resource_pb2.ResourceInvokeResponse(unknown=True)
        return response

    def ReadResource(self, request):  # noqa: N802 (gRPC method name)
        response = super().ReadResource(request)
        source_file, source_line = _source_position(request)
        self.reads.append(Read(request.type, request.name, request.id, source_file, source_line))
        # The engine reads an existing resource even in a preview: its id is the one asked for (the SDK
        # takes an empty id in a preview to mean unknown). Its other outputs stay unknown offline.
        return resource_pb2.ReadResourceResponse(urn=response.urn, properties=response.properties, id=request.id)

    def RegisterResource(self, request):  # noqa: N802 (gRPC method name)
        response = super().RegisterResource(request)
        if request.type == ROOT_STACK_TYPE:
            return response
        source_file, source_line = _source_position(request)
        inputs = _struct_to_dict(request.object)
        if self.ledger is not None and self.ledger.traces:
            inputs = self.ledger.trace(inputs, response.urn)
        property_dependencies = {
            key: list(deps.urns) for key, deps in request.propertyDependencies.items() if deps.urns
        }
        timeouts = request.customTimeouts
        self.registrations.append(
            Registration(
                type=request.type,
                name=request.name,
                mock_urn=response.urn,
                parent=request.parent,
                custom=request.custom,
                protect=request.protect if request.HasField("protect") else None,
                retain_on_delete=request.retainOnDelete if request.HasField("retainOnDelete") else None,
                provider=request.provider,
                version=request.version,
                plugin_download_url=request.pluginDownloadURL,
                dependencies=list(request.dependencies),
                property_dependencies=property_dependencies,
                inputs=inputs,
                delete_before_replace=request.deleteBeforeReplace,
                delete_before_replace_defined=request.deleteBeforeReplaceDefined,
                ignore_changes=list(request.ignoreChanges),
                additional_secret_outputs=list(request.additionalSecretOutputs),
                aliases=[a.urn for a in request.aliases if a.urn] + list(request.aliasURNs),
                custom_timeouts={"create": timeouts.create, "update": timeouts.update, "delete": timeouts.delete},
                import_id=request.importId,
                id=response.id,
                outputs=_struct_to_dict(response.object),
                source_file=source_file,
                source_line=source_line,
            )
        )
        self.by_mock_urn[response.urn] = self.registrations[-1]
        if self.on_registration is not None:
            self.on_registration(self.registrations[-1])
        return response

    # Convenience lookups for tests.
    def of_type(self, type_token: str) -> list[Registration]:
        return [r for r in self.registrations if r.type == type_token]

    def named(self, name: str) -> Registration:
        matches = [r for r in self.registrations if r.name == name]
        if len(matches) != 1:
            raise KeyError(f"expected one registration named {name!r}, found {len(matches)}")
        return matches[0]


class EchoMocks(pulumi_mocks.Mocks):
    """Resources echo their inputs as outputs; ids are ``<name>-id`` (or unknown in preview mode).

    ``invoke`` maps an invoke token to a function returning its result; unanswered invokes are recorded
    in ``unanswered_invokes`` and return an empty result.
    """

    def __init__(self, preview: bool = False, invokes: Mapping[str, Callable[[dict], dict]] | None = None):
        self.preview = preview
        self.invokes = dict(invokes or {})
        self.unanswered_invokes: list[str] = []

    def new_resource(self, args: pulumi_mocks.MockResourceArgs):
        if self.preview:
            return "", dict(args.inputs)
        return f"{args.name}-id", dict(args.inputs)

    def call(self, args: pulumi_mocks.MockCallArgs):
        handler = self.invokes.get(args.token)
        if handler is None:
            self.unanswered_invokes.append(args.token)
            return {}
        return handler(args.args)


def install_mocks(
    mocks: pulumi_mocks.Mocks,
    *,
    project: str = "project",
    stack: str = "stack",
    preview: bool = False,
    config: Mapping[str, str] | None = None,
    secret_keys: Sequence[str] = (),
    on_registration: Callable[[Registration], None] | None = None,
) -> RecordingMonitor:
    """Reset the SDK runtime and install ``mocks`` behind a fresh ``RecordingMonitor``."""
    # reset_options also forgets the previous run's root Stack, so set_mocks creates a fresh one.
    pulumi_settings.reset_options(project=project, stack=stack, preview=preview)
    set_all_config(dict(config or {}), list(secret_keys))
    monitor = RecordingMonitor(mocks, on_registration)
    pulumi_mocks.set_mocks(mocks, project=project, stack=stack, preview=preview, monitor=monitor)
    return monitor


def capture(
    program: Callable[[], Any],
    *,
    project: str = "project",
    stack: str = "stack",
    preview: bool = False,
    config: Mapping[str, str] | None = None,
    mocks: pulumi_mocks.Mocks | None = None,
    secret_keys: Sequence[str] = (),
    on_registration: Callable[[Registration], None] | None = None,
) -> RecordingMonitor:
    """Run ``program`` on the mock runtime until every registration has completed; return the monitor."""
    mocks = mocks or EchoMocks(preview=preview)
    monitor = install_mocks(
        mocks, project=project, stack=stack, preview=preview, config=config, secret_keys=secret_keys,
        on_registration=on_registration,
    )
    if hasattr(mocks, "attach"):
        mocks.attach(monitor)
    pulumi.runtime.test(program)()
    return monitor
