"""The analyzer protocol's enumerations as the engine reads them: enforcement levels, severities, policy types.

Each is a ``StrEnum`` whose values are the words the engine prints and ``--json`` carries (``mandatory``,
``critical``, ``stack``), so a member formats, compares and serializes as that word; ``from_proto`` reads the
protocol's number the way the engine does (an unset level reads as advisory, the proto default).
"""

from __future__ import annotations

from enum import StrEnum

from pulumi.runtime.proto import analyzer_pb2


class EnforcementLevel(StrEnum):
    ADVISORY = "advisory"
    MANDATORY = "mandatory"
    REMEDIATE = "remediate"
    DISABLED = "disabled"

    @classmethod
    def from_proto(cls, value: int) -> EnforcementLevel:
        return _LEVEL_FROM_PROTO.get(value, cls.ADVISORY)

    def to_proto(self) -> analyzer_pb2.EnforcementLevel.ValueType:
        return _LEVEL_TO_PROTO[self]

    @property
    def reported(self) -> EnforcementLevel:
        """The level a violation at this level is reported at: a policy at ``remediate`` that still finds a
        violation reports it as mandatory (the SDKs and the engine both say so)."""
        return EnforcementLevel.MANDATORY if self is EnforcementLevel.REMEDIATE else self


class Severity(StrEnum):
    UNSPECIFIED = ""
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"

    @classmethod
    def from_proto(cls, value: int) -> Severity:
        return _SEVERITY_FROM_PROTO.get(value, cls.UNSPECIFIED)


class PolicyType(StrEnum):
    """What a policy validates: each resource (``Analyze``) or the whole stack (``AnalyzeStack``)."""

    UNKNOWN = ""
    RESOURCE = "resource"
    STACK = "stack"

    @classmethod
    def from_proto(cls, value: int) -> PolicyType:
        return _POLICY_TYPE_FROM_PROTO.get(value, cls.UNKNOWN)


_LEVEL_TO_PROTO = {
    EnforcementLevel.ADVISORY: analyzer_pb2.ADVISORY,
    EnforcementLevel.MANDATORY: analyzer_pb2.MANDATORY,
    EnforcementLevel.REMEDIATE: analyzer_pb2.REMEDIATE,
    EnforcementLevel.DISABLED: analyzer_pb2.DISABLED,
}
_LEVEL_FROM_PROTO: dict[int, EnforcementLevel] = {number: level for level, number in _LEVEL_TO_PROTO.items()}
_SEVERITY_FROM_PROTO: dict[int, Severity] = {
    analyzer_pb2.POLICY_SEVERITY_UNSPECIFIED: Severity.UNSPECIFIED,
    analyzer_pb2.POLICY_SEVERITY_LOW: Severity.LOW,
    analyzer_pb2.POLICY_SEVERITY_MEDIUM: Severity.MEDIUM,
    analyzer_pb2.POLICY_SEVERITY_HIGH: Severity.HIGH,
    analyzer_pb2.POLICY_SEVERITY_CRITICAL: Severity.CRITICAL,
}
_POLICY_TYPE_FROM_PROTO: dict[int, PolicyType] = {
    analyzer_pb2.POLICY_TYPE_UNKNOWN: PolicyType.UNKNOWN,
    analyzer_pb2.POLICY_TYPE_RESOURCE: PolicyType.RESOURCE,
    analyzer_pb2.POLICY_TYPE_STACK: PolicyType.STACK,
}
