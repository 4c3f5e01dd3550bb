"""How the framework reports: at the policy's level, lowered (waivers, advisory findings) or raised (crashes,
invalid rules) through ``sdk_compat.report_at_level``, which fails the run loudly when the level cannot be set.
"""

from __future__ import annotations

import sysconfig
import traceback
from collections.abc import Callable
from pathlib import Path

from pulumi_policy import EnforcementLevel

from residency_policies import sdk_compat
from residency_policies.findings import Finding
from residency_policies.rules_file import ConfigError, Rules
from residency_policies.waivers import find_waiver


class Reporter:
    def __init__(self, policy_name: str, report_violation: Callable[..., None]) -> None:
        self.policy = policy_name
        self.report_violation = report_violation

    def finding(self, finding: Finding, urn: str | None, rules: Rules) -> None:
        text = finding.text()
        waiver = find_waiver(rules.waivers, self.policy, urn)
        if waiver is not None:
            sdk_compat.report_at_level(self.report_violation, f"{waiver.quote()}\n{text}", urn, EnforcementLevel.ADVISORY)
        elif finding.level is not None:
            sdk_compat.report_at_level(self.report_violation, text, urn, finding.level)
        else:
            self.report_violation(text, urn)

    def config_errors(self, errors: list[ConfigError], urn: str | None) -> None:
        for error in errors:
            sdk_compat.report_at_level(self.report_violation, error.message(self.policy), urn, EnforcementLevel.MANDATORY)

    def crash(self, exc: BaseException, urn: str | None) -> None:
        # The exception's text is left out: it may quote a property value, and values may be secrets.
        sdk_compat.report_at_level(
            self.report_violation,
            f"policy '{self.policy}' failed while checking ({type(exc).__name__} at {_where(exc)}); failing "
            "closed: nothing this policy checks is verified. Report this as a bug in the residency policy pack.",
            urn,
            EnforcementLevel.MANDATORY,
        )


def _where(exc: BaseException) -> str:
    """``<file>:<line>`` where the check raised: the innermost frame outside the standard library and the
    installed packages (the rule's own code), else the innermost frame."""
    frames = traceback.extract_tb(exc.__traceback__)
    libraries = tuple({sysconfig.get_paths()[k] for k in ("stdlib", "platstdlib", "purelib", "platlib")})
    ours = [
        f for f in frames
        if ("residency_policies" in f.filename or not f.filename.startswith(libraries))
        and Path(f.filename).name != "framework.py"
    ]
    candidates = ours or list(frames)
    if not candidates:
        return "an unknown place"
    frame = candidates[-1]
    return f"{Path(frame.filename).name}:{frame.lineno}"
