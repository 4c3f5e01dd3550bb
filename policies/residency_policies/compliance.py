"""The compliance framework the pack's policies implement, and the control each policy maps to.

A policy's metadata names one control (``RESIDENCY.control("BAK-2")``); the SDK carries it to the engine as a
``PolicyComplianceFramework`` (name, version, reference), which the reports and the generated docs show.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pulumi_policy import PolicyComplianceFramework

_REFERENCE = re.compile(r"[A-Z]+-[0-9]+")


@dataclass(frozen=True)
class Control:
    """One control of a compliance framework (``US data residency 1.0, BAK-2``)."""

    framework: str
    version: str
    reference: str

    def sdk(self) -> PolicyComplianceFramework:
        return PolicyComplianceFramework(name=self.framework, version=self.version, reference=self.reference)


@dataclass(frozen=True)
class Framework:
    name: str
    version: str

    def control(self, reference: str) -> Control:
        """The control ``reference`` (an area and a number: ``NET-2``) of this framework."""
        if not _REFERENCE.fullmatch(reference):
            raise ValueError(f"control reference {reference!r}: expected an area and a number, e.g. 'NET-2'")
        return Control(self.name, self.version, reference)


RESIDENCY = Framework("US data residency", "1.0")
"""The kit's own framework: the US data-residency controls (docs/policies/README.md lists them per policy)."""
