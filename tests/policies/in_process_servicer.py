"""pulumi_policy's own analyzer servicer, driven in this process with the engine's request messages.

The fail-closed, level and concurrency tests need policies made for the test (one that crashes, one that
mutates what it reads); they run here in the SDK's servicer exactly as the pack process runs them, with
``sdk_compat`` installed as the pack's ``__main__`` installs it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import grpc
from google.protobuf import struct_pb2
from pulumi.runtime import proto
from pulumi_policy import EnforcementLevel
from pulumi_policy.policy import _PolicyAnalyzerServicer

from residency_policies import sdk_compat

PROJECT_STACK = "urn:pulumi:test::test::"
ROOT = PROJECT_STACK + "pulumi:pulumi:Stack::test-test"
_LEVELS = {proto.ADVISORY: "advisory", proto.MANDATORY: "mandatory", proto.DISABLED: "disabled"}
_LEVEL_ENUM = {"advisory": proto.ADVISORY, "mandatory": proto.MANDATORY, "disabled": proto.DISABLED}


@dataclass(frozen=True)
class Diagnostic:
    policy: str
    level: str
    urn: str
    message: str


class Aborted(Exception):
    def __init__(self, code: grpc.StatusCode, details: str):
        super().__init__(details)
        self.code = code
        self.details = details


class FakeContext:
    """The ``grpc.ServicerContext`` surface the servicer uses: ``abort``."""

    def abort(self, code: grpc.StatusCode, details: str) -> None:
        raise Aborted(code, details)


def urn(type_: str, name: str) -> str:
    return f"{PROJECT_STACK}{type_}::{name}"


def _struct(props: Mapping[str, Any]) -> struct_pb2.Struct:
    message = struct_pb2.Struct()
    message.update(dict(props))
    return message


def servicer(policies: Iterable[Any], config: Mapping[str, tuple[str, Mapping[str, Any] | None]] | None = None,
             *, config_check=None) -> _PolicyAnalyzerServicer:
    sdk_compat.install(config_check=config_check)
    served = _PolicyAnalyzerServicer("test-pack", "0.0.1", list(policies), EnforcementLevel.MANDATORY)
    if config:
        configure(served, config)
    return served


def configure(served: _PolicyAnalyzerServicer, config: Mapping[str, tuple[str, Mapping[str, Any] | None]]) -> None:
    request = proto.ConfigureAnalyzerRequest()
    for name, (level, props) in config.items():
        entry = request.policyConfig[name]
        entry.enforcementLevel = _LEVEL_ENUM[level]
        if props:
            entry.properties.update(dict(props))
    served.Configure(request, FakeContext())


def _diagnostics(response: Any) -> list[Diagnostic]:
    return [
        Diagnostic(d.policyName, _LEVELS[d.enforcementLevel], d.urn, d.message) for d in response.diagnostics
    ]


def analyze(served: _PolicyAnalyzerServicer, type_: str, name: str, props: Mapping[str, Any],
            provider: tuple[str, str, Mapping[str, Any]] | None = None) -> list[Diagnostic]:
    request = proto.AnalyzeRequest(type=type_, urn=urn(type_, name), name=name, properties=_struct(props))
    if provider is not None:
        p_type, p_name, p_props = provider
        request.provider.CopyFrom(proto.AnalyzerProviderResource(
            type=p_type, urn=urn(p_type, p_name), name=p_name, properties=_struct(p_props)))
    return _diagnostics(served.Analyze(request, FakeContext()))


def analyze_stack(served: _PolicyAnalyzerServicer, resources: Iterable[tuple[str, str, Mapping[str, Any]]]) -> list[Diagnostic]:
    request = proto.AnalyzeStackRequest()
    request.resources.append(proto.AnalyzerResource(type="pulumi:pulumi:Stack", urn=ROOT, name="test-test"))
    for type_, name, props in resources:
        request.resources.append(proto.AnalyzerResource(type=type_, urn=urn(type_, name), name=name, properties=_struct(props)))
    return _diagnostics(served.AnalyzeStack(request, FakeContext()))
