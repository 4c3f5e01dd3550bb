"""Evidence of the sanctioned interfaces: each interface the rules in force declare, with what the pack's own proof
(``residency_policies.analysis.interface_proof``) finds in the stack: the gateway, the paths through it, the ports
its policy lets through, whether its traffic log is archived, and who approved it until when.

The records are built in the CLI from the engine's resources (inputs stand in for outputs, as at preview) and the
rules in force the run recorded (``engine.pack_rules``), with the pack's own code, so the evidence and the verdict
cannot disagree about what a path is. Every report shows them; the network diagram draws the paths.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from residency_kit.engine.pack_rules import RulesInForce


@dataclass(frozen=True)
class InterfaceRecord:
    """One declared interface as the run proved it."""

    name: str
    purpose: str
    direction: str
    """``estate-to-parent`` or ``parent-to-estate``."""
    endpoints: tuple[str, ...]
    ports: tuple[str, ...]
    """The declared ports (``tcp/443``)."""
    gateway: str
    """The declared gateway (``name (type)`` or its URN)."""
    gateway_urn: str
    """The stack's resource that is the gateway; empty when none is (``gateway_note`` says why)."""
    gateway_note: str
    allowed: tuple[str, ...]
    """What the gateway's policy lets through to (or from) the parent: ``rule 'x': 203.0.113.40/32 on tcp/443``."""
    logging: str
    """What was found of the gateway's traffic log and where it goes."""
    logged: bool
    approver: str
    review_by: str
    paths: tuple[str, ...]
    """Every path between a subnet of the stack and the parent that crosses the gateway."""
    problems: tuple[str, ...]
    """What keeps the gateway from being proved (empty when it is)."""

    @property
    def proved(self) -> bool:
        return bool(self.gateway_urn) and not self.problems

    @property
    def status(self) -> str:
        if not self.gateway_urn:
            return f"not proved: gateway {self.gateway_note}"
        return "proved" if not self.problems else "not proved: " + "; ".join(self.problems)

    def lines(self) -> list[str]:
        """The record as labelled lines, the same in the text output, Markdown and HTML."""
        return [
            f"{self.name} ({self.direction}): {', '.join(self.endpoints)} on {', '.join(self.ports)}; {self.status}",
            f"purpose: {self.purpose}",
            f"gateway: {self.gateway}" + (f" = {self.gateway_urn}" if self.gateway_urn else f" ({self.gateway_note})"),
            *[f"gateway allows: {a}" for a in self.allowed],
            f"logging: {self.logging}",
            f"approved by {self.approver}; review by {self.review_by}",
            *([f"path: {p}" for p in self.paths] or ["paths: none in this stack"]),
        ]

    def as_json(self) -> dict[str, Any]:
        return {"name": self.name, "purpose": self.purpose, "direction": self.direction,
                "parentEndpoints": list(self.endpoints), "ports": list(self.ports), "gateway": self.gateway,
                "gatewayUrn": self.gateway_urn or None, "gatewayNote": self.gateway_note or None,
                "gatewayAllows": list(self.allowed), "logging": self.logging, "logged": self.logged,
                "approver": self.approver, "reviewBy": self.review_by, "paths": list(self.paths),
                "proved": self.proved, "problems": list(self.problems)}


def interface_proof(resources: Iterable[Any], rules: RulesInForce | None):
    """The pack's proof of the interfaces ``rules`` declare over ``resources`` (engine resources), with the
    network graph it was built on; ``(None, None)`` when no interface is declared."""
    values = rules.values if rules is not None else {}
    raw = values.get("sanctionedInterfaces") if isinstance(values, dict) else None
    if not raw or rules is None:
        return None, None
    from residency_policies.analysis import network_graph as ng
    from residency_policies.analysis.interface_proof import InterfaceProof
    from residency_policies.ip_ranges import parse_cidr
    from residency_policies.sanctioned_interfaces import parse_interfaces

    parents = [n for n in (parse_cidr(c) for c in rules.parent_cidrs) if n is not None]
    # The rules in force hold usable declarations only; one overdue since the run started is still shown.
    interfaces, _ = parse_interfaces(list(raw), parent_cidrs=parents, keep_overdue=True)
    items = [ng.NetResource(r.type, r.urn, r.name, r.inputs, {k: tuple(v) for k, v in r.property_dependencies.items()})
             for r in resources if not r.type.startswith("pulumi:")]
    graph = ng.build_graph(items)
    return InterfaceProof(items, graph, interfaces, parents, int(values.get("minimumRetentionDays") or 0)), graph


def interface_records(resources: Sequence[Any], rules: RulesInForce | None) -> tuple[InterfaceRecord, ...]:
    """One record per interface ``rules`` declare, proved over ``resources``; empty when none is declared."""
    proof, _ = interface_proof(resources, rules)
    if proof is None:
        return ()
    records = []
    for state in proof.states:
        i = state.interface
        logging = state.logging
        records.append(InterfaceRecord(
            name=i.name, purpose=i.purpose, direction=i.direction.value, endpoints=i.endpoints,
            ports=tuple(str(p) for p in i.ports), gateway=i.gateway.describe(),
            gateway_urn=state.gateway.urn if state.gateway is not None else "", gateway_note=state.gateway_note,
            allowed=tuple(f"rule '{f.rule}': {f.what}" for f in state.flows),
            logging=logging.text if logging is not None else "not judged (no gateway)",
            logged=logging is not None and logging.ok, approver=i.approver, review_by=i.review_by.isoformat(),
            paths=tuple(p.message() for p in proof.paths_through(state)),
            problems=tuple(dict.fromkeys(p.text for p in state.problems)),
        ))
    return tuple(records)


def records_for_result(result: Any, rules: Sequence[RulesInForce | None]) -> tuple[InterfaceRecord, ...]:
    """The interface records of a run: those the first residency pack's rules declare (every residency pack of a
    run reads the same stack config; a second pack with other rules would be judged by its own violations)."""
    first = next((r for r in rules if r is not None), None)
    try:
        return interface_records(list(result.resources), first)
    except Exception as err:  # noqa: BLE001 - evidence must not lose the run; the pack's verdict stands on its own
        return (InterfaceRecord("?", "", "", (), (), "", "", f"could not be proved here: {type(err).__name__}: {err}",
                                (), "", False, "", "", (), ("the evidence could not be built",)),)
