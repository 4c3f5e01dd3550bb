"""Capture every resource registration a Pulumi program makes on the SDK's mock runtime.

``RecordingMonitor`` subclasses the SDK's ``MockMonitor`` and keeps each ``RegisterResourceRequest``
as a ``Registration``: inputs exactly as the SDK serialized them (unknowns as sentinel strings,
secrets as signature objects), the resource options the engine would see and the source position the
SDK sends (for ``pulumi.ComponentResource(...)`` / ``pulumi.CustomResource(...)`` instantiated directly, for
which the SDK finds none, the program's frame: ``direct_positions``). Component tests and the offline
preview both build on it.

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

import grpc
import pulumi
from google.protobuf import json_format
from pulumi.runtime import mocks as pulumi_mocks
from pulumi.runtime import settings as pulumi_settings
from pulumi.runtime.config import set_all_config
from pulumi.runtime.stack import massage
from pulumi.runtime.proto import callback_pb2, callback_pb2_grpc, resource_pb2

from residency_kit.engine import direct_positions

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
    remote: bool = False
    """A multi-language (remote) component: the provider's ``Construct`` would create its children."""

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
    mock_urn: str = ""
    parent: str = ""


@dataclass
class DefaultProviderUse:
    """An invoke without an explicit provider: the engine registers the package's default provider for it."""

    package: str
    version: str
    plugin_download_url: str


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

    def __init__(
        self,
        mocks: pulumi_mocks.Mocks,
        on_registration: Callable[[Registration], None] | None = None,
        on_event: Callable[[str, Any], None] | None = None,
    ):
        super().__init__(mocks)
        self.on_event = on_event
        """Sees ``("read", Read)``, ``("outputs", (urn, outputs))`` and ``("default-provider", DefaultProviderUse)``."""
        self.resource_outputs: dict[str, dict[str, Any]] = {}
        self.events: list[tuple[str, Any]] = []
        """Every registration, read, registered outputs and default-provider use, in the order they happened."""
        self.default_provider_uses: list[DefaultProviderUse] = []
        self.registrations: list[Registration] = []
        self.by_mock_urn: dict[str, Registration] = {}
        self.reads: list[Read] = []
        self.on_registration = on_registration
        self._stack_transform_callbacks: list[Any] = []
        self._callback_channels: dict[str, grpc.Channel] = {}
        self.ledger: Any = None
        """An ``invokes.Ledger`` set by mocks that hand out traced values (``PreviewMocks``)."""

    # --- transforms: run as the engine runs them, through the SDK's callback server --------------------

    def RegisterStackTransform(self, request):  # noqa: N802 (gRPC method name)
        self._stack_transform_callbacks.append(request)
        return super().RegisterStackTransform(request)

    def _call_back(self, callback: Any, payload: bytes) -> bytes:
        channel = self._callback_channels.get(callback.target)
        if channel is None:
            channel = self._callback_channels[callback.target] = grpc.insecure_channel(callback.target)
        stub = callback_pb2_grpc.CallbacksStub(channel)
        return stub.Invoke(callback_pb2.CallbackInvokeRequest(token=callback.token, request=payload)).response

    def _transformed(self, request: Any) -> Any:
        """``request`` after its own transforms, then the stack's (pulumi/pulumi ``source_eval.go``): each gets
        the properties and options and returns the ones the engine registers."""
        callbacks = list(request.transforms) + list(self._stack_transform_callbacks)
        if not callbacks or request.type == ROOT_STACK_TYPE:
            return request
        current = resource_pb2.RegisterResourceRequest()
        current.CopyFrom(request)
        for callback in callbacks:
            options = resource_pb2.TransformResourceOptions(
                depends_on=list(current.dependencies), ignore_changes=list(current.ignoreChanges),
                replace_on_changes=list(current.replaceOnChanges), version=current.version,
                aliases=list(current.aliases), provider=current.provider, plugin_download_url=current.pluginDownloadURL,
                deleted_with=current.deletedWith, additional_secret_outputs=list(current.additionalSecretOutputs),
                providers=dict(current.providers),
            )
            if current.HasField("protect"):
                options.protect = current.protect
            if current.HasField("retainOnDelete"):
                options.retain_on_delete = current.retainOnDelete
            if current.deleteBeforeReplaceDefined:
                options.delete_before_replace = current.deleteBeforeReplace
            if current.HasField("customTimeouts"):
                options.custom_timeouts.CopyFrom(current.customTimeouts)
            transform = resource_pb2.TransformRequest(
                type=current.type, name=current.name, custom=current.custom, parent=current.parent,
                properties=current.object, options=options,
            )
            response = resource_pb2.TransformResponse.FromString(self._call_back(callback, transform.SerializeToString()))
            if response.HasField("properties"):
                current.object.CopyFrom(response.properties)
            if response.HasField("options"):
                out = response.options
                current.dependencies[:] = list(out.depends_on)
                current.ignoreChanges[:] = list(out.ignore_changes)
                current.replaceOnChanges[:] = list(out.replace_on_changes)
                current.additionalSecretOutputs[:] = list(out.additional_secret_outputs)
                current.version, current.provider = out.version, out.provider
                current.pluginDownloadURL, current.deletedWith = out.plugin_download_url, out.deleted_with
                if out.HasField("protect"):
                    current.protect = out.protect
                if out.HasField("retain_on_delete"):
                    current.retainOnDelete = out.retain_on_delete
                if out.HasField("delete_before_replace"):
                    current.deleteBeforeReplace = out.delete_before_replace
                    current.deleteBeforeReplaceDefined = True
                if out.HasField("custom_timeouts"):
                    current.customTimeouts.CopyFrom(out.custom_timeouts)
                del current.aliases[:]
                current.aliases.extend(out.aliases)
                current.providers.clear()
                current.providers.update(dict(out.providers))
        del current.transforms[:]
        return current

    def GetDeploymentInfo(self, request):  # noqa: N802 (gRPC method name)
        info = super().GetDeploymentInfo(request)
        features = [f for f in info.supportedFeatures if f not in _DECLINED_FEATURES]
        # The engine gates invokes on their dependencies itself (see ``Invoke``); the SDK then sends every invoke.
        features.append(resource_pb2.RESOURCE_MONITOR_FEATURE_INVOKE_DEPENDS_ON)
        return resource_pb2.DeploymentInfo(supportedFeatures=features)

    def SupportsFeature(self, request):  # noqa: N802 - the legacy probe, for SDKs without GetDeploymentInfo
        return resource_pb2.SupportsFeatureResponse(hasSupport=request.id not in _DECLINED_FEATURE_IDS)

    def _event(self, kind: str, value: Any) -> None:
        self.events.append((kind, value))
        if self.on_event is not None:
            self.on_event(kind, value)

    def Invoke(self, request):  # noqa: N802 (gRPC method name)
        if not request.provider and request.tok != "pulumi:pulumi:getResource":
            use = DefaultProviderUse(request.tok.split(":", 1)[0], request.version, request.pluginDownloadURL)
            if use not in self.default_provider_uses:
                self.default_provider_uses.append(use)
                self._event("default-provider", use)
        # As the engine (pulumi/pulumi source_eval.go ResourceMonitor.Invoke): the provider is resolved first (a
        # default provider is registered all the same), then an invoke that depends on a custom resource not yet
        # created is answered "unknown", never sent to the provider. In a preview every registered custom
        # resource is a create; a read has its id.
        if request.dependsOn and pulumi_settings.is_dry_run() and any(
                (reg := self.by_mock_urn.get(urn)) is not None and reg.custom for urn in request.dependsOn):
            return resource_pb2.ResourceInvokeResponse(unknown=True)
        response = super().Invoke(request)
        returned = getattr(response, "return")
        if UNANSWERED_INVOKE_KEY in returned.fields:
            return resource_pb2.ResourceInvokeResponse(unknown=True)
        return response

    def ReadResource(self, request):  # noqa: N802 (gRPC method name)
        response = super().ReadResource(request)
        source_file, source_line = _source_position(request)
        read = Read(request.type, request.name, request.id, source_file, source_line, response.urn, request.parent)
        self.reads.append(read)
        self._event("read", read)
        # The engine reads an existing resource even in a preview: its id is the one asked for (the SDK
        # takes an empty id in a preview to mean unknown). Its other outputs stay unknown offline.
        return resource_pb2.ReadResourceResponse(urn=response.urn, properties=response.properties, id=request.id)

    def RegisterResourceOutputs(self, request):  # noqa: N802 (gRPC method name)
        outputs = _struct_to_dict(request.outputs)
        self.resource_outputs[request.urn] = outputs
        self._event("outputs", (request.urn, outputs))
        return super().RegisterResourceOutputs(request)

    def _alias_urn(self, request: Any, alias: Any) -> str:
        """An alias as a URN in this monitor's scheme. The SDK sends specs (``Alias(parent=...)``) to a monitor
        that supports them; unset parts are the resource's own, as the engine fills them in."""
        if alias.urn:
            return alias.urn
        spec = alias.spec
        parent = "" if spec.noParent else (spec.parentUrn or request.parent)
        return self.make_urn(parent, spec.type or request.type, spec.name or request.name)

    def RegisterResource(self, request):  # noqa: N802 (gRPC method name)
        request = self._transformed(request)
        if request.remote:
            # The provider's Construct would create the component's children and outputs; offline nothing
            # does, so its outputs are unknown (not its inputs echoed back, which need not fit its outputs).
            response = resource_pb2.RegisterResourceResponse(urn=self.make_urn(request.parent, request.type, request.name))
        else:
            response = super().RegisterResource(request)
        if request.type == ROOT_STACK_TYPE:
            return response
        direct = direct_positions.take(request.type, request.name)
        source_file, source_line = direct if direct is not None else _source_position(request)
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
                aliases=[self._alias_urn(request, a) for a in request.aliases] + list(request.aliasURNs),
                custom_timeouts={"create": timeouts.create, "update": timeouts.update, "delete": timeouts.delete},
                import_id=request.importId,
                id=response.id,
                outputs=_struct_to_dict(response.object),
                source_file=source_file,
                source_line=source_line,
                remote=request.remote,
            )
        )
        self.by_mock_urn[response.urn] = self.registrations[-1]
        self.events.append(("registration", self.registrations[-1]))
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
    on_event: Callable[[str, Any], None] | None = None,
) -> RecordingMonitor:
    """Reset the SDK runtime and install ``mocks`` behind a fresh ``RecordingMonitor``."""
    # reset_options also forgets the previous run's root Stack, so set_mocks creates a fresh one.
    pulumi_settings.reset_options(project=project, stack=stack, preview=preview)
    set_all_config(dict(config or {}), list(secret_keys))
    direct_positions.install(_in_library)
    monitor = RecordingMonitor(mocks, on_registration, on_event)
    pulumi_mocks.set_mocks(mocks, project=project, stack=stack, preview=preview, monitor=monitor)
    return monitor


def with_stack_outputs(program: Callable[[], Any]) -> Callable[[], Any]:
    """``program`` followed by the registration of the root Stack's outputs (``pulumi.export``).

    Under the language host ``run_in_stack`` registers them once the program has run; the mock runtime
    registers the Stack's (empty) outputs before the program starts, so they are registered here instead.
    """

    def run() -> Any:
        result = program()
        root = pulumi_settings.get_root_resource()
        outputs = getattr(root, "outputs", None)
        if outputs and isinstance(root, pulumi.ComponentResource):  # the Stack resource
            root.register_outputs(massage(outputs, []))
        return result

    return run


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
    pulumi.runtime.test(with_stack_outputs(program))()
    return monitor
