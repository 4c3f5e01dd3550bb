"""Capture every resource registration a Pulumi program makes on the SDK's mock runtime.

``RecordingMonitor`` subclasses the SDK's ``MockMonitor`` and keeps each ``RegisterResourceRequest``
as a ``Registration``: inputs exactly as the SDK serialized them (unknowns as sentinel strings,
secrets as signature objects), plus the resource options the engine would see. Component tests and
the offline preview both build on it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pulumi
from google.protobuf import json_format
from pulumi.runtime import mocks as pulumi_mocks
from pulumi.runtime import settings as pulumi_settings
from pulumi.runtime.config import set_all_config

ROOT_STACK_TYPE = "pulumi:pulumi:Stack"


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

    @property
    def package(self) -> str:
        if self.type.startswith("pulumi:providers:"):
            return self.type.removeprefix("pulumi:providers:")
        return self.type.split(":", 1)[0]

    @property
    def is_provider(self) -> bool:
        return self.type.startswith("pulumi:providers:")


def _struct_to_dict(struct: Any) -> dict[str, Any]:
    return json_format.MessageToDict(struct, preserving_proto_field_name=True) if struct is not None else {}


class RecordingMonitor(pulumi_mocks.MockMonitor):
    """A ``MockMonitor`` that records registrations in order."""

    def __init__(self, mocks: pulumi_mocks.Mocks):
        super().__init__(mocks)
        self.registrations: list[Registration] = []

    def RegisterResource(self, request):  # noqa: N802 (gRPC method name)
        response = super().RegisterResource(request)
        if request.type == ROOT_STACK_TYPE:
            return response
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
                inputs=_struct_to_dict(request.object),
                delete_before_replace=request.deleteBeforeReplace,
                delete_before_replace_defined=request.deleteBeforeReplaceDefined,
                ignore_changes=list(request.ignoreChanges),
                additional_secret_outputs=list(request.additionalSecretOutputs),
                aliases=[a.urn for a in request.aliases if a.urn] + list(request.aliasURNs),
                custom_timeouts={"create": timeouts.create, "update": timeouts.update, "delete": timeouts.delete},
                import_id=request.importId,
                id=response.id,
                outputs=_struct_to_dict(response.object),
            )
        )
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
) -> RecordingMonitor:
    """Reset the SDK runtime and install ``mocks`` behind a fresh ``RecordingMonitor``."""
    # reset_options also forgets the previous run's root Stack, so set_mocks creates a fresh one.
    pulumi_settings.reset_options(project=project, stack=stack, preview=preview)
    set_all_config(dict(config or {}), list(secret_keys))
    monitor = RecordingMonitor(mocks)
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
) -> RecordingMonitor:
    """Run ``program`` on the mock runtime until every registration has completed; return the monitor."""
    mocks = mocks or EchoMocks(preview=preview)
    monitor = install_mocks(
        mocks, project=project, stack=stack, preview=preview, config=config, secret_keys=secret_keys
    )
    if hasattr(mocks, "attach"):
        mocks.attach(monitor)
    pulumi.runtime.test(program)()
    return monitor
