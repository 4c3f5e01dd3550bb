"""data-tier-placement: a data store sits in data-tier subnets, where the reachability proof protects it.

``network-reachability`` proves that no path joins the internet or the parent company to a data-tier subnet
(tag ``residency-tier: data``, or untagged). That proof protects a store only if the store is in such a subnet:
a database in the app tier passes it whatever reaches the app tier. Every store of user data on disk that a
program places in subnets (databases, file systems through their mount targets, caches, search clusters, Kafka
clusters; the subnet inputs are generated from the SDK schemas into ``data/store_durability.txt``) must therefore
sit only in data-tier subnets of this stack:

* a subnet tagged for another tier (``app``, ``management``, ``public``) is a violation naming the subnet, its tag
  and the input that places the store there;
* a subnet this stack does not create cannot have its tier read, nor be proven unreachable: a violation;
* an AWS store left without a subnet group lands in the account's default VPC (outside the stack): a violation;
* a subnet input unknown at preview with nothing of this stack behind it cannot be verified.

The tier is the one the network graph reads for the proof (``analysis.network_graph``); this rule does not read
the tag itself. Findings follow the data classification: mandatory for US user data, advisory for a store
classified as holding none.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from residency_policies.analysis.backup_copies import is_copy
from residency_policies.analysis.network_judgement import stack_graph
from residency_policies.analysis.store_durability import (
    PLACED_TYPES,
    STORE_PROFILES,
    StoreProfile,
    SubnetInput,
    unconfigured,
)
from residency_policies.compliance import RESIDENCY
from residency_policies.data_classification import StackClassification, finding
from residency_policies.framework import Finding, ResourceView, stack_policy
from residency_policies.rules_file import Rules
from residency_policies.values import is_unknown, walk

SUBNET_TYPES = frozenset({"oci:Core/subnet:Subnet", "aws:ec2/subnet:Subnet"})
TIER_TAG = "residency-tier"
DATA_TIER = "data"


@dataclass(frozen=True)
class Placement:
    """Where a store's subnet inputs put it: subnets of this stack, ids of subnets outside it, and unknowns."""

    in_stack: tuple[tuple[str, str], ...] = ()  # (input path, subnet URN)
    outside: tuple[tuple[str, str], ...] = ()  # (input path, literal subnet id)
    unknown: tuple[str, ...] = ()  # input paths
    unset: bool = True  # no subnet input is set at all


def _subnet_refs(holder: ResourceView, path: str, by_urn: dict[str, ResourceView], by_id: dict[str, str],
                 shown: str) -> Placement:
    top = path.split(".")[0].split("[")[0]
    deps = [u for u in holder.property_dependencies.get(top, ()) if u in by_urn and by_urn[u].type in SUBNET_TYPES]
    values = [v for _, v in walk(holder.props, path)]
    if not values and not deps:
        return Placement()
    in_stack = [(shown, u) for u in deps]
    outside, unknown = [], []
    for value in values:
        if is_unknown(value):
            if not deps:
                unknown.append(shown)
        elif isinstance(value, str) and value:
            if value in by_id:
                in_stack.append((shown, by_id[value]))
            elif not deps:
                outside.append((shown, value))
    return Placement(tuple(dict.fromkeys(in_stack)), tuple(outside), tuple(unknown), unset=False)


@dataclass(frozen=True)
class _Index:
    by_urn: dict[str, ResourceView]
    subnet_by_id: dict[str, str]  # a known subnet id -> its URN (deployed state, sames)
    groups_by_name: dict[tuple[str, str], list[ResourceView]]  # (subnet group type, literal name) -> groups


def _index(resources: Sequence[ResourceView]) -> _Index:
    groups: dict[tuple[str, str], list[ResourceView]] = {}
    for r in resources:
        name = r.props.get("name")
        if r.type.endswith("/subnetGroup:SubnetGroup") and isinstance(name, str) and not is_unknown(name):
            groups.setdefault((r.type, name), []).append(r)
    return _Index({r.urn: r for r in resources},
                  {str(r.props["id"]): r.urn for r in resources if r.type in SUBNET_TYPES
                   and isinstance(r.props.get("id"), str) and not is_unknown(r.props.get("id"))}, groups)


def placement_of(store: ResourceView, inputs: Sequence[SubnetInput], resources: Sequence[ResourceView],
                 index: _Index | None = None) -> Placement:
    index = index or _index(resources)
    by_urn, by_id = index.by_urn, index.subnet_by_id
    parts: list[Placement] = []
    for spec in inputs:
        if spec.group is None:
            parts.append(_subnet_refs(store, spec.path, by_urn, by_id, f"`{spec.path}`"))
            continue
        name = store.props.get(spec.path)
        groups = [by_urn[u] for u in store.property_dependencies.get(spec.path, ())
                  if u in by_urn and by_urn[u].type == spec.group]
        if isinstance(name, str) and not is_unknown(name):
            groups += index.groups_by_name.get((spec.group, name), [])
        if groups:
            for group in dict.fromkeys(groups):
                found = _subnet_refs(group, "subnetIds[]", by_urn, by_id, f"`{spec.path}` (subnet group '{group.name}')")
                parts.append(Placement(found.in_stack, found.outside, found.unknown, unset=False))
        elif is_unknown(name):
            parts.append(Placement(unknown=(f"`{spec.path}`",), unset=False))
        elif isinstance(name, str) and name:
            parts.append(Placement(outside=((f"`{spec.path}`", f"subnet group {name!r}"),), unset=False))
    return Placement(
        tuple(x for p in parts for x in p.in_stack), tuple(x for p in parts for x in p.outside),
        tuple(x for p in parts for x in p.unknown), unset=all(p.unset for p in parts))


def placement_message(profile: StoreProfile, wrong: Sequence[str], outside: Sequence[str]) -> str:
    """The store's subnets that are not data tiers of this stack, and the fix."""
    what = []
    if wrong:
        what.append(f"in {'subnet' if len(wrong) == 1 else 'subnets'} {', '.join(wrong)}, not a data tier")
    if outside:
        what.append(f"in {', '.join(outside)}, which this stack does not create (its tier cannot be read)")
    return (f"this {profile.noun} sits {' and '.join(what)}: network-reachability proves only data-tier subnets "
            f"unreachable from the internet and the parent company, so nothing proves this {profile.noun} is. Place "
            f"it only in data-tier subnets of this stack (tagged {TIER_TAG}={DATA_TIER}, or untagged)")


def default_network_message(profile: StoreProfile) -> str:
    inputs = " / ".join(f"`{i.path}`" for i in profile.placement)
    return (f"this {profile.noun} sets no {inputs}, so AWS places it in the account's default VPC, outside this "
            "stack's network, where nothing proves it unreachable from the internet and the parent company: create "
            f"a subnet group of data-tier subnets in this stack (tagged {TIER_TAG}={DATA_TIER}, or untagged) and "
            "name it there")


def check_stack(resources: Sequence[ResourceView], rules: Rules) -> Iterator[Finding]:
    stores = [r for r in resources if r.type in PLACED_TYPES and not unconfigured(r)]
    if not stores:
        return
    graph = stack_graph(resources)
    classes = StackClassification(resources, rules)
    index = _index(list(resources))
    for store in stores:
        profile = STORE_PROFILES[store.type]
        where = placement_of(store, profile.placement, resources, index)
        found: Finding | None = None
        if where.unset:
            if profile.placement_unset == "default-vpc" and not is_copy(store):
                found = Finding(default_network_message(profile), urn=store.urn)
        else:
            wrong = []
            for shown, urn in where.in_stack:
                subnet = graph.subnets.get(urn)
                if subnet is not None and subnet.tier != DATA_TIER:
                    wrong.append(f"'{subnet.name}' ({TIER_TAG}={subnet.tier}, by {shown})")
            outside = [f"{value} ({shown})" for shown, value in where.outside]
            if wrong or outside:
                found = Finding(placement_message(profile, wrong, outside), urn=store.urn)
            elif where.unknown:
                found = Finding(f"the subnets the {profile.noun} sits in ({', '.join(where.unknown)})", urn=store.urn,
                                unverifiable=True, path=", ".join(s.strip("`") for s in where.unknown))
        if found is not None:
            yield finding(found.message, classes.of(store), urn=store.urn, path=found.path,
                          unverifiable=found.unverifiable)


POLICY = stack_policy(
    name="data-tier-placement",
    description="Every data store (database, file system, cache, search or Kafka cluster) sits only in data-tier "
    "subnets of the stack, which network-reachability proves unreachable from the internet and the parent company.",
    severity="high",
    remediation=(
        "Place the store in subnets tagged residency-tier=data (or untagged, which is judged as data) that the stack "
        "creates: its subnetId / subnetIds, its subnet group (db_subnet_group_name, subnet_group_name, "
        "cluster_subnet_group_name, neptune_subnet_group_name) or, for a file system, its mount targets. An AWS "
        "database or cache without a subnet group lands in the default VPC: give it one. Keep app and management "
        "tiers for what users and operators reach. Mandatory for US user data; untagged stores are US user data. A "
        "store that holds none is classified with the tag dataClassification.tagKey (residency-data) set to one of "
        "otherValues (internal, public, ephemeral), or, untagged on OCI, by its compartment; its finding is then "
        "advisory."
    ),
    tags=["network", "placement", "residency"],
    framework=RESIDENCY.control("NET-4"),
    check=check_stack,
    resource_types=PLACED_TYPES,
)
