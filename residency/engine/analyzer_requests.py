"""Engine resources marshalled into analyzer requests (pulumi/pulumi ``analyzer_plugin.go``).

Properties go out with unknowns and secrets kept and top-level ``__*`` keys dropped (``SkipInternalKeys``);
options carry protect, ignoreChanges, deleteBeforeReplace(+Defined), additionalSecretOutputs, aliases,
customTimeouts (always present) and parent; the provider block carries the provider's own inputs.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from google.protobuf import struct_pb2
from pulumi.runtime.proto import analyzer_pb2

from residency.engine.stack import EngineResource, EngineStack, duration_seconds


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


def stack_resource(
    stack: EngineStack, resource: EngineResource, properties: Mapping[str, Any] | None = None
) -> analyzer_pb2.AnalyzerResource:
    # In a preview the outputs of resources being created are unknown; the inputs are the best known state.
    return analyzer_pb2.AnalyzerResource(
        urn=resource.urn,
        type=resource.type,
        name=resource.name,
        properties=properties_struct(resource.inputs if properties is None else properties),
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
