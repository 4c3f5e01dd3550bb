"""Engine resources marshalled into analyzer requests (pulumi/pulumi ``analyzer_plugin.go``).

Properties go out with unknowns and secrets kept and top-level ``__*`` keys dropped (``SkipInternalKeys``);
options carry protect, ignoreChanges, deleteBeforeReplace(+Defined), additionalSecretOutputs, aliases,
customTimeouts (always present) and parent; the provider block carries the provider's own inputs.

``AnalyzeStack`` sees each resource's outputs (``stepGenerator.AnalyzeResources``). In a preview those of a
custom resource being created are its provider's ``Create(preview)`` result: its inputs plus every
property it computes, unknown (secret when listed in ``additionalSecretOutputs``), or nothing when its
provider's configuration is unknown (an unconfigured provider creates nothing at preview); a provider's are
its inputs; a component's and the root Stack's are what the program registered (``register_outputs``,
``pulumi.export``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from google.protobuf import struct_pb2
from pulumi.runtime.proto import analyzer_pb2

from residency_kit.engine.secrets import secret
from residency_kit.engine.stack import UNKNOWN, EngineResource, EngineStack, duration_seconds
from residency_kit.pulumi_cli.sdk_outputs import computed_outputs


def properties_struct(properties: Mapping[str, Any]) -> struct_pb2.Struct:
    struct = struct_pb2.Struct()
    struct.update({k: v for k, v in properties.items() if not k.startswith("__")})
    return struct


def resource_options(resource: EngineResource) -> analyzer_pb2.AnalyzerResourceOptions:
    timeouts = resource.custom_timeouts
    return analyzer_pb2.AnalyzerResourceOptions(
        protect=resource.protect,
        ignoreChanges=resource.ignore_changes,
        deleteBeforeReplace=resource.delete_before_replace,
        deleteBeforeReplaceDefined=resource.delete_before_replace_defined,
        additionalSecretOutputs=resource.additional_secret_outputs,
        aliases=resource.aliases,
        customTimeouts=analyzer_pb2.AnalyzerResourceOptions.CustomTimeouts(
            create=duration_seconds(timeouts.get("create", "")),
            update=duration_seconds(timeouts.get("update", "")),
            delete=duration_seconds(timeouts.get("delete", "")),
        ),
        parent=resource.parent,
    )


def provider_block(stack: EngineStack, resource: EngineResource) -> analyzer_pb2.AnalyzerProviderResource | None:
    provider = stack.provider_of(resource)
    if provider is None:
        return None
    return analyzer_pb2.AnalyzerProviderResource(
        urn=provider.urn,
        type=provider.type,
        name=provider.name,
        properties=properties_struct(provider.inputs),
    )


def analyze_request(
    stack: EngineStack, resource: EngineResource, properties: Mapping[str, Any] | None = None
) -> analyzer_pb2.AnalyzeRequest:
    return analyzer_pb2.AnalyzeRequest(
        urn=resource.urn,
        type=resource.type,
        name=resource.name,
        properties=properties_struct(resource.inputs if properties is None else properties),
        options=resource_options(resource),
        provider=provider_block(stack, resource),
    )


def _holds_unknown(value: Any) -> bool:
    if isinstance(value, str):
        return value == UNKNOWN
    if isinstance(value, dict):
        return any(_holds_unknown(v) for v in value.values())
    if isinstance(value, list):
        return any(_holds_unknown(v) for v in value)
    return False


def preview_outputs(resource: EngineResource, stack: EngineStack | None = None) -> dict[str, Any]:
    """What ``AnalyzeStack`` sees for ``resource`` in a preview, where everything is a create.

    A resource whose provider's configuration is unknown at preview is not created by it (the engine leaves
    that provider unconfigured): it has no outputs at all.
    """
    if not resource.custom:
        return dict(resource.registered_outputs or {})
    if resource.is_provider:
        return dict(resource.inputs)
    provider = stack.provider_of(resource) if stack is not None else None
    if provider is not None and _holds_unknown(provider.inputs):
        return {}
    outputs = dict(resource.inputs)
    secret_outputs = set(resource.additional_secret_outputs)
    for name in computed_outputs(resource.type):
        if name not in outputs:
            outputs[name] = secret(UNKNOWN) if name in secret_outputs else UNKNOWN
    return outputs


def stack_resource(
    stack: EngineStack, resource: EngineResource, properties: Mapping[str, Any] | None = None
) -> analyzer_pb2.AnalyzerResource:
    return analyzer_pb2.AnalyzerResource(
        urn=resource.urn,
        type=resource.type,
        name=resource.name,
        properties=properties_struct(preview_outputs(resource, stack) if properties is None else properties),
        options=resource_options(resource),
        provider=provider_block(stack, resource),
        parent=resource.parent,
        dependencies=resource.dependencies,
        propertyDependencies={
            key: analyzer_pb2.AnalyzerPropertyDependencies(urns=urns)
            for key, urns in resource.property_dependencies.items()
            if urns
        },
    )
