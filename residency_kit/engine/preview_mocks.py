"""Mocks that make the SDK's mock runtime behave like ``pulumi preview`` for resources being created.

- Resources: ids and computed outputs are unknown (an empty id and no extra outputs: in dry-run mode the
  SDK turns both into unknowns) and inputs pass through as outputs. A read (``Resource.get``) or an
  import keeps the id it was given; its other outputs are unknown.
- Invokes: answered by ``residency_kit.engine.invokes`` (computed, pinned, assumed or unanswered, all recorded
  in ``ledger``). An unanswered invoke's whole result is unknown (``RecordingMonitor`` sends the SDK the
  engine's ``unknown`` response); one the provider would refuse fails as the provider would fail it. An
  answer that cannot be built at all (a fault of the offline answer, not of the program) fails the invoke
  too, so the SDK's error names its token (``invoke of <token> failed: ...``) instead of the program dying
  on a value that was never answered.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pulumi.output import UNKNOWN as SDK_UNKNOWN
from pulumi.runtime import mocks as pulumi_mocks

from residency_kit.engine.capture import UNANSWERED_INVOKE_KEY, RecordingMonitor
from residency_kit.engine.invokes import InvokeAnswerer, InvokeFailure, Ledger, PinnedAnswers
from residency_kit.engine.invokes.context import ProviderContext, explicit_provider_context
from residency_kit.engine.invokes.pinned import PINNED_FILE
from residency_policies.urns import provider_reference_urn


class PreviewMocks(pulumi_mocks.Mocks):
    def __init__(self, config: Mapping[str, str] | None = None, pinned: PinnedAnswers | None = None):
        self.config = dict(config or {})
        self.monitor: RecordingMonitor | None = None
        self.ledger = Ledger()
        self.answerer = InvokeAnswerer(self.config, pinned=pinned, ledger=self.ledger, provider_lookup=self._provider)

    def attach(self, monitor: RecordingMonitor) -> None:
        self.monitor = monitor
        monitor.ledger = self.ledger

    @property
    def unanswered_invokes(self) -> list[str]:
        return [r.token for r in self.ledger.records if r.kind == "unanswered"]

    def _provider(self, provider_ref: str) -> ProviderContext | None:
        if self.monitor is None:
            return None
        reg = self.monitor.by_mock_urn.get(provider_reference_urn(provider_ref))
        if reg is None or not reg.is_provider:
            return None
        return explicit_provider_context(reg.package, reg.name, reg.inputs)

    def new_resource(self, args: pulumi_mocks.MockResourceArgs):
        inputs = dict(args.inputs)
        if self.ledger.traces:
            inputs = self.ledger.trace(inputs, None, unknown=SDK_UNKNOWN)
        return (args.resource_id or ""), inputs

    def call(self, args: pulumi_mocks.MockCallArgs) -> Any:
        try:
            result = self.answerer.answer(args.token, dict(args.args or {}), args.provider or "")
        except InvokeFailure as err:
            return {}, [("", str(err))]
        except Exception as err:  # noqa: BLE001 - never crash the program on our own fault without naming the invoke
            return {}, [("", f"residency preview could not answer it offline ({type(err).__name__}: {err}); "
                             f"pin its answer in {PINNED_FILE}")]
        if result is None:
            return {UNANSWERED_INVOKE_KEY: True}
        return result
