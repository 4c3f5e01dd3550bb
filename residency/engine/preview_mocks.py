"""Mocks that make the SDK's mock runtime behave like ``pulumi preview`` for resources being created.

Ids and computed outputs are unknown (an empty id and no extra outputs: in dry-run mode the SDK turns both
into unknowns), inputs pass through as outputs, and common invokes get plausible answers
(``residency.engine.invokes``); other invokes are recorded by token and answered with an empty result.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pulumi.runtime import mocks as pulumi_mocks

from residency.engine.capture import RecordingMonitor
from residency.engine.invokes import DEFAULT_REGIONS, handler_for


class PreviewMocks(pulumi_mocks.Mocks):
    def __init__(self, config: Mapping[str, str] | None = None):
        self.config = dict(config or {})
        self.monitor: RecordingMonitor | None = None
        self.answered_invokes: list[str] = []
        self.unanswered_invokes: list[str] = []

    def attach(self, monitor: RecordingMonitor) -> None:
        self.monitor = monitor

    def new_resource(self, args: pulumi_mocks.MockResourceArgs):
        return "", dict(args.inputs)

    def _region(self, token: str, provider_ref: str) -> str:
        package = token.split(":", 1)[0]
        if provider_ref and self.monitor is not None:
            provider_urn = provider_ref.rsplit("::", 1)[0]
            for reg in self.monitor.registrations:
                if reg.mock_urn == provider_urn:
                    region = reg.inputs.get("region")
                    if isinstance(region, str) and region and not region.startswith("04da6b54"):
                        return region
                    break
        return self.config.get(f"{package}:region") or DEFAULT_REGIONS.get(package, "")

    def call(self, args: pulumi_mocks.MockCallArgs) -> dict[str, Any]:
        handler = handler_for(args.token)
        if handler is None:
            self.unanswered_invokes.append(args.token)
            return {}
        self.answered_invokes.append(args.token)
        return handler(dict(args.args or {}), self._region(args.token, args.provider))
