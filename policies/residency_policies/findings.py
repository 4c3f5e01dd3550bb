"""What a check returns: ``Finding``s, one per violation, each at the policy's level unless it says otherwise."""

from __future__ import annotations

from dataclasses import dataclass

from pulumi_policy import EnforcementLevel

LOWER_LEVELS = (EnforcementLevel.ADVISORY,)


@dataclass(frozen=True)
class Finding:
    """A violation.

    ``urn``: required for stack checks (None = the stack itself); resource checks judge only the analyzed
    resource. ``unverifiable``: the deciding value is unknown at preview (the text says so and how to fix it).
    ``level``: None reports at the policy's configured level; ``EnforcementLevel.ADVISORY`` lowers this one finding (for
    example data classified as not holding US user data) and the message must say why. A check cannot raise a
    finding above its policy's level: only the framework does, for its own errors (crashes, invalid config).
    """

    message: str
    urn: str | None = None
    unverifiable: bool = False
    path: str | None = None
    level: EnforcementLevel | None = None
    why: str | None = None  # unverifiable: what exactly is unknown and why (replaces the generic sentence)

    def __post_init__(self) -> None:
        if self.level is not None and self.level not in LOWER_LEVELS:
            raise ValueError(f"Finding.level {self.level!r}: allowed: None (the policy's level) or EnforcementLevel.ADVISORY")

    def text(self) -> str:
        if self.unverifiable and self.why:
            return f"cannot be verified at preview: {self.why}. {self.message}"
        if self.unverifiable:
            where = self.path or "a residency-deciding value"
            return (
                f"cannot be verified at preview: {where} is unknown; make it a literal or config value. "
                f"{self.message}"
            )
        return self.message
