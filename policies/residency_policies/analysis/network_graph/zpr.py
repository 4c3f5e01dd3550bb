"""Zero Trust Packet Routing in the proof: where ZPR applies, a path needs a ZPR allow as well as a security-rule
allow.

ZPR drops every packet to or from an endpoint that carries a security attribute in ``enforce`` mode unless a ZPR
policy statement allows the flow (``analysis/zpr_statements.py``). The proof reads it per subnet: a flow between a
subnet and an outside range is dropped by ZPR when every endpoint the stack places in the subnet (the resources whose
subnet inputs name it: instances, databases, load balancers...) enforces a security attribute and no statement of
the stack, scoped to the subnet's VCN, lets that range reach one of them (ingress) or lets one of them reach it
(egress). Anything ZPR cannot be shown to drop stays a possible path: a subnet with no endpoint of the stack (other
stacks may place unattributed VNICs in it), an endpoint without enforced attributes, attributes or statements unknown
at preview.

ZPR policies live at the tenancy, and a stack sees only its own: ZPR is modelled only in a stack that manages the
tenancy's ZPR itself (an ``oci.zpr.Configuration`` enabling it), whose statements are then taken to be the
tenancy's. A stack that only uses ZPR set up elsewhere gets no ZPR in its proof (security rules alone decide).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from residency_policies.analysis import zpr_statements as zs
from residency_policies.analysis.network_graph import attachments
from residency_policies.analysis.network_graph.model import NetResource
from residency_policies.analysis.network_graph.prefixes import RangeSet, prefix_of
from residency_policies.analysis.network_graph.references import References
from residency_policies.values import is_unknown

ZPR_POLICY = "oci:Zpr/zprPolicy:ZprPolicy"
ZPR_CONFIGURATION = "oci:Zpr/configuration:Configuration"
VCN = ("oci:Core/vcn:Vcn", "oci:Core/virtualNetwork:VirtualNetwork")
SUBNET = "oci:Core/subnet:Subnet"


@dataclass(frozen=True)
class Endpoint:
    name: str
    attributes: zs.Attributes


@dataclass
class ZprGate:
    statements: list[zs.Statement] = field(default_factory=list)
    statements_unknown: bool = False
    vcns: dict[str, zs.Attributes] = field(default_factory=dict)  # VCN URN -> its security attributes
    endpoints: dict[str, list[Endpoint]] = field(default_factory=dict)  # subnet URN -> endpoints placed in it

    def drops(self, subnet: str, network: str | None, ranges: RangeSet, direction: str) -> bool:
        """Whether ZPR drops every flow between ``ranges`` and the subnet's endpoints (module doc)."""
        placed = self.endpoints.get(subnet)
        if self.statements_unknown or not placed:
            return False
        if any(e.attributes.unknown or not e.attributes.enforced for e in placed):
            return False
        vcn = self.vcns.get(network or "", zs.NONE)
        return not any(self._allows(s, vcn, e, ranges, direction) for s in self.statements for e in placed)

    @staticmethod
    def _allows(statement: zs.Statement, vcn: zs.Attributes, endpoint: Endpoint, ranges: RangeSet,
                direction: str) -> bool:
        scopes = statement.vcns()
        if scopes and not vcn.unknown and not set(scopes) & vcn.carried:
            return False
        outside, inside = (statement.source, statement.destination) if direction == "ingress" else (
            statement.destination, statement.source)
        if outside.kind is not zs.EndpointKind.RANGE or outside.network is None:
            return False
        if not ranges.overlaps(prefix_of(outside.network)):
            return False
        if inside.kind is zs.EndpointKind.ALL:
            return True
        return inside.kind is zs.EndpointKind.ATTRIBUTE and inside.attribute in endpoint.attributes.carried


def build(resources: Iterable[NetResource], refs: References) -> ZprGate | None:
    """The ZPR gate of a stack; None when the stack does not manage the tenancy's ZPR (module doc)."""
    items = list(resources)
    enabled = [r for r in items if r.type == ZPR_CONFIGURATION and _enabled(r.props.get("zprStatus"))]
    if not enabled:
        return None
    policies = [r for r in items if r.type == ZPR_POLICY]
    gate = ZprGate()
    for policy in policies:
        raw = policy.props.get("statements")
        if is_unknown(raw) or (isinstance(raw, list) and any(is_unknown(t) for t in raw)):
            gate.statements_unknown = True
            continue
        for text in raw if isinstance(raw, list) else []:
            statement = zs.parse(text)
            if statement is not None:
                gate.statements.append(statement)
    table = attachments.load()
    for r in items:
        if r.type in VCN:
            gate.vcns[r.urn] = zs.read_attributes(r.props.get("securityAttributes"))
            continue
        if not r.type.startswith("oci:") or r.type == SUBNET:
            continue
        inputs = table.get(r.type)
        keys = {k for k in r.property_dependencies if "subnet" in k.lower()} | (inputs.subnet_keys if inputs else set())
        subnets = {u for k in keys for u in refs.candidates(r, k, (SUBNET,))}
        if subnets:
            endpoint = Endpoint(r.name, zs.attributes_of(r.props))
            for subnet in subnets:
                gate.endpoints.setdefault(subnet, []).append(endpoint)
    return gate


def _enabled(status: object) -> bool:
    return status is None or (isinstance(status, str) and not is_unknown(status) and status.upper() == "ENABLED")
