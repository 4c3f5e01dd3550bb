"""Data stores whose endpoint is public unless something else makes it private: search domains outside a VPC,
OpenSearch Serverless network policies, ECR Public, Autonomous Databases without a private endpoint (and their
access-control lists), stream pools without private endpoint settings, streams outside a pool, and DB systems in
subnets that allow public IP addresses.

A private endpoint named by another resource (an ADB's or a stream pool's subnet, unknown at preview) is the
stack's to judge: a subnet created in the same stack is private; one from another stack's outputs cannot be
verified. A DB system's subnet is joined over the stack.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from residency_policies.analysis.exposure_flags import EXPOSURES, flag_findings
from residency_policies.findings import Finding
from residency_policies.ip_ranges import Network, address_forms, parse_cidr
from residency_policies.values import is_unknown, maybe_json, walk
from residency_policies.views import ResourceView

SEARCH_DOMAINS = frozenset({"aws:opensearch/domain:Domain", "aws:elasticsearch/domain:Domain"})
SERVERLESS_SECURITY_POLICY = "aws:opensearch/serverlessSecurityPolicy:ServerlessSecurityPolicy"
ECR_PUBLIC = "aws:ecrpublic/repository:Repository"
OCI_ADB = "oci:Database/autonomousDatabase:AutonomousDatabase"
OCI_STREAM_POOL = "oci:Streaming/streamPool:StreamPool"
OCI_STREAM = "oci:Streaming/stream:Stream"
OCI_SUBNET = "oci:Core/subnet:Subnet"
OCI_DB_SYSTEM = "oci:Database/dbSystem:DbSystem"


def search_domain(view: ResourceView) -> Iterator[Finding]:
    options = view.props.get("vpcOptions")
    subnets = options.get("subnetIds") if isinstance(options, dict) else None
    if is_unknown(options) or is_unknown(subnets):
        yield Finding("vpcOptions decides whether the domain has a public endpoint", view.urn, unverifiable=True,
                      path="vpcOptions")
    elif not subnets:
        yield Finding("the domain has no vpcOptions, so its endpoint is public (reachable from the internet, guarded "
                      "only by its access policy); give it vpcOptions.subnetIds and securityGroupIds", view.urn,
                      path="vpcOptions")
    for exposure in EXPOSURES.get(view.type, ()):
        yield from flag_findings(view, exposure)


def serverless_network_policy(view: ResourceView) -> Iterator[Finding]:
    kind = view.props.get("type")
    if isinstance(kind, str) and kind.lower() != "network":
        return
    policy = maybe_json(view.props.get("policy"))
    if is_unknown(kind) or is_unknown(policy):
        yield Finding("the network policy decides whether the collections are public", view.urn, unverifiable=True,
                      path="policy")
        return
    for i, rule in enumerate(policy if isinstance(policy, list) else [policy]):
        if isinstance(rule, dict) and rule.get("AllowFromPublic") is True:
            yield Finding(f"policy[{i}].AllowFromPublic is true: the collections it names are reachable from the "
                          "internet; set AllowFromPublic to false and name SourceVPCEs", view.urn,
                          path=f"policy[{i}].AllowFromPublic")


def ecr_public(view: ResourceView) -> Iterator[Finding]:
    yield Finding("an ECR Public repository can be pulled by anyone; use a private aws.ecr.Repository", view.urn)


# An access-control entry that admits the internet: a default route (``0.0.0.0/0``, ``::/0``) or any range of
# public addresses at least 1/256 of its address space (a /8 or wider): no one party's range is that wide.
INTERNET_WIDE_PREFIX = 8


def internet_wide(entry: Any) -> Network | None:
    """The range an access-control entry admits when it is the internet; None otherwise (VCN-scoped
    ``<vcn ocid>;<cidr>`` entries reach the database through a private VCN, not the internet)."""
    if not isinstance(entry, str) or ";" in entry or entry.strip().lower().startswith("ocid1."):
        return None
    network = parse_cidr(entry.strip())
    if network is None:
        return None
    forms = address_forms(network)
    if any(f.prefixlen == 0 for f in forms):
        return network
    return network if network.prefixlen <= INTERNET_WIDE_PREFIX and not network.is_private else None


def _acl_findings(view: ResourceView, keys: tuple[str, ...], what: str, fix: str) -> Iterator[Finding]:
    """Entries of an access-control list in front of a public endpoint that admit the internet."""
    for key in keys:
        for path, entry in walk(view.props, f"{key}[]"):
            if is_unknown(entry):
                yield Finding(f"{path} decides who can reach {what} over the internet", view.urn,
                              unverifiable=True, path=path)
            elif (wide := internet_wide(entry)) is not None:
                yield Finding(f"{path} is {entry!r}, which admits the internet ({wide}): {what} is public; {fix}",
                              view.urn, path=path)


_ADB_PRIVATE = ("subnetId", "privateEndpointIp", "autonomousContainerDatabaseId")
_ADB_FIX = ("give it a private endpoint (subnetId) or list only the estate's ranges and VCNs in whitelistedIps "
            "(parent-company ranges there are no-parent-company-ingress's)")


def oci_autonomous_database(view: ResourceView) -> Iterator[Finding]:
    """An ADB without a private endpoint has a public one: no access-control list, or one that admits the
    internet, makes it public. A private endpoint named by another resource of the stack (unknown at preview)
    is judged over the stack."""
    p = view.props
    private = [p.get(k) for k in _ADB_PRIVATE]
    if p.get("isDedicated") is True or any(v for v in private if not is_unknown(v)):
        return
    if any(is_unknown(v) for v in private):
        return  # a private endpoint from another resource: the stack phase follows it
    acl = p.get("whitelistedIps")
    if is_unknown(acl):
        yield Finding("whitelistedIps decides who can reach the database's public endpoint", view.urn,
                      unverifiable=True, path="whitelistedIps")
    elif not acl:
        yield Finding("the Autonomous Database has a public endpoint (no subnetId) and no access-control list "
                      "(whitelistedIps): anyone on the internet can connect; give it a subnetId (private endpoint) "
                      "or an access-control list of estate ranges", view.urn, path="whitelistedIps")
    else:
        yield from _acl_findings(view, ("whitelistedIps", "standbyWhitelistedIps"),
                                 "the database's public endpoint", _ADB_FIX)


def stack_origin(view: ResourceView, key: str, by_urn: Mapping[str, ResourceView]) -> bool:
    """Whether the unknown ``key`` comes from a resource created in this stack (not another stack's output)."""
    return any(u in by_urn and not by_urn[u].type.startswith(_NOT_STACK_RESOURCES)
               for u in (view.property_dependencies or {}).get(key, ()))


_NOT_STACK_RESOURCES = ("pulumi:pulumi:StackReference", "pulumi:providers:")


def oci_autonomous_database_stack(view: ResourceView, by_urn: Mapping[str, ResourceView]) -> Iterator[Finding]:
    p = view.props
    private = {k: p.get(k) for k in _ADB_PRIVATE}
    if p.get("isDedicated") is True or any(v and not is_unknown(v) for v in private.values()):
        return
    unknown = [k for k, v in private.items() if is_unknown(v)]
    if not unknown or any(stack_origin(view, k, by_urn) for k in unknown):
        return  # no private endpoint (judged per resource), or one created in this stack
    yield Finding(f"{unknown[0]} decides whether the database has a private endpoint, and it comes from no resource "
                  "of this stack", view.urn, unverifiable=True, path=unknown[0])


def oci_stream_pool(view: ResourceView) -> Iterator[Finding]:
    """A stream pool without private endpoint settings (a subnet) has a public endpoint."""
    settings = view.props.get("privateEndpointSettings")
    subnet = settings.get("subnetId") if isinstance(settings, dict) else None
    if is_unknown(settings):
        yield Finding("privateEndpointSettings decides whether the stream pool has a public endpoint", view.urn,
                      unverifiable=True, path="privateEndpointSettings")
    elif not is_unknown(subnet) and not subnet:
        yield Finding("the stream pool has no privateEndpointSettings.subnetId, so its streams are served on a public "
                      "endpoint reachable from the internet; set privateEndpointSettings with a private subnetId",
                      view.urn, path="privateEndpointSettings")


def oci_stream_pool_stack(view: ResourceView, by_urn: Mapping[str, ResourceView]) -> Iterator[Finding]:
    settings = view.props.get("privateEndpointSettings")
    subnet = settings.get("subnetId") if isinstance(settings, dict) else None
    if is_unknown(subnet) and not stack_origin(view, "privateEndpointSettings", by_urn):
        yield Finding("privateEndpointSettings.subnetId decides whether the stream pool has a public endpoint, and it "
                      "comes from no resource of this stack", view.urn, unverifiable=True,
                      path="privateEndpointSettings.subnetId")


def oci_stream(view: ResourceView) -> Iterator[Finding]:
    """A stream created without a stream pool lands in the compartment's default pool, which is public."""
    pool = view.props.get("streamPoolId")
    if pool is None or pool == "":
        yield Finding("the stream has no streamPoolId, so OCI puts it in the compartment's default stream pool, whose "
                      "endpoint is public; create an oci.streaming.StreamPool with privateEndpointSettings and set "
                      "streamPoolId", view.urn, path="streamPoolId")



def oci_db_system(view: ResourceView, by_urn: Mapping[str, ResourceView]) -> Iterator[Finding]:
    """A DB system's nodes get public IP addresses in a subnet that allows them."""
    deps = [by_urn[u] for u in (view.property_dependencies or {}).get("subnetId", ()) if u in by_urn]
    subnets = [d for d in deps if d.type == OCI_SUBNET]
    if not subnets:
        yield Finding("the DB system's subnet is not created in this stack, so whether its nodes get public IP "
                      "addresses cannot be checked; create the subnet in the stack with prohibitPublicIpOnVnic=true",
                      view.urn, unverifiable=True, path="subnetId")
        return
    for subnet in subnets:
        flags = [subnet.props.get("prohibitPublicIpOnVnic"), subnet.props.get("prohibitInternetIngress")]
        if True in flags:
            continue
        if any(is_unknown(f) for f in flags):
            yield Finding(f"subnet {subnet.name}'s prohibitPublicIpOnVnic decides whether the DB system gets public "
                          "IP addresses", view.urn, unverifiable=True, path="subnetId")
        else:
            yield Finding(f"the DB system is in subnet {subnet.name}, which allows public IP addresses "
                          "(prohibitPublicIpOnVnic is not true), so its nodes can be reached from the internet; place "
                          "it in a private subnet (prohibitPublicIpOnVnic=true)", view.urn, path="subnetId")
