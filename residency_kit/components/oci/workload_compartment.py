"""``residency:oci:WorkloadCompartment``: where compute lands, so it never lands in the data compartment.

Without one, the only compartment a team may create OKE clusters, instances and functions in is the data
compartment, where every resource is held to the data tier's rules and compute sits beside the stores. This
component adds a compartment under the residency root for compute, an admin group confined to it (and to *using*
the network compartment's subnets), and a compartment quota that zeroes the storage services there, so user
data cannot be created in it by mistake: stores belong in the data compartment.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_oci as oci

from residency_kit.components.arg_problems import ArgProblems
from residency_kit.components.oci.replicated_bucket import COMPARTMENT_PATH
from residency_policies.oci_identifiers import is_ocid_of
from residency_policies.rules_file import CLASSIFICATION_TAG_KEY

TYPE_TOKEN = "residency:oci:WorkloadCompartment"
ARGS = "WorkloadCompartmentArgs"
# Services that store data: zeroed in the workload compartment ("Available Quotas by Service" family names).
STORE_QUOTA_FAMILIES: tuple[str, ...] = ("database", "nosql", "postgresql", "mysql", "filesystem", "object-storage")
# What runs here: OKE clusters and node pools, instances and their boot volumes, functions, images.
WORKLOAD_FAMILIES: tuple[str, ...] = ("cluster-family", "instance-family", "volume-family", "functions-family", "repos")
_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,100}$")


@dataclass
class WorkloadCompartmentArgs:
    """Inputs of ``WorkloadCompartment``."""

    provider: oci.Provider
    """Provider for the tenancy's home region: OCI writes compartments, IAM and quotas only there."""
    tenancy_ocid: str
    """The tenancy: the group and the policies are attached to its root compartment."""
    parent_compartment_id: pulumi.Input[str]
    """The residency root compartment."""
    root_compartment_path: str
    """Path of the parent compartment as IAM statements name it (``us-residency``)."""
    network_compartment_path: str
    """Path of the network compartment whose subnets the workloads use (``us-residency:network``)."""
    compartment_name: str = "workload"
    tags: Mapping[str, str] = field(default_factory=lambda: {"jurisdiction": "US"})
    store_quota_families: Sequence[str] = STORE_QUOTA_FAMILIES

    @classmethod
    def from_settings(cls, settings, *, provider: oci.Provider, parent_compartment_id: pulumi.Input[str],
                      compartment_paths: Mapping[str, str]) -> WorkloadCompartmentArgs:
        return cls(
            provider=provider,
            tenancy_ocid=settings.tenancy.tenancy_ocid,
            parent_compartment_id=parent_compartment_id,
            root_compartment_path=compartment_paths["root"],
            network_compartment_path=compartment_paths["network"],
            compartment_name=settings.workload.compartment_name,
            tags=dict(settings.required_tags),
        )


def validation_problems(args: WorkloadCompartmentArgs) -> ArgProblems:
    problems = ArgProblems(ARGS)
    if not isinstance(args.provider, oci.Provider):
        problems.add("provider", type(args.provider).__name__, "is not an OCI provider",
                     "a pulumi_oci.Provider for the home region")
    if not is_ocid_of(args.tenancy_ocid, "tenancy"):
        problems.add("tenancy_ocid", args.tenancy_ocid, "is not a tenancy OCID", "ocid1.tenancy.<realm>..<unique id>")
    if not (isinstance(args.compartment_name, str) and _NAME.match(args.compartment_name)):
        problems.add("compartment_name", args.compartment_name, "is not a compartment name",
                     "1-100 letters, digits, '-', '_' or '.'")
    for name in ("root_compartment_path", "network_compartment_path"):
        path = getattr(args, name)
        if not (isinstance(path, str) and COMPARTMENT_PATH.match(path)):
            problems.add(name, path, "is not a compartment path", "compartment names joined by ':', e.g. us-residency")
    if not args.store_quota_families:
        problems.add("store_quota_families", list(args.store_quota_families), "is empty",
                     "the storage service families to zero, e.g. database, object-storage")
    return problems


def admin_statements(group: str, compartment_path: str, network_path: str) -> list[str]:
    """Manage compute in the workload compartment only; use (not manage) the network compartment's subnets."""
    statements = [f"Allow group {group} to manage {family} in compartment {compartment_path}"
                  for family in WORKLOAD_FAMILIES]
    statements.append(f"Allow group {group} to use virtual-network-family in compartment {network_path}")
    return statements


def store_quota_statements(compartment_path: str, families: Sequence[str]) -> list[str]:
    return [f"zero {family} quotas in compartment {compartment_path}" for family in dict.fromkeys(families)]


class WorkloadCompartment(pulumi.ComponentResource):
    """A compartment for compute beside the data compartment, its admin group and a quota keeping stores out."""

    compartment_id: pulumi.Output[str]
    compartment_path: str
    group_name: str
    group_id: pulumi.Output[str]
    policy_id: pulumi.Output[str]
    quota_id: pulumi.Output[str]

    def __init__(self, name: str, args: WorkloadCompartmentArgs, opts: pulumi.ResourceOptions | None = None):
        validation_problems(args).raise_if_any(name)
        super().__init__(TYPE_TOKEN, name, None, opts)
        child = pulumi.ResourceOptions(parent=self, provider=args.provider)
        root_name = args.root_compartment_path.split(":")[0]
        self.compartment_path = f"{args.root_compartment_path}:{args.compartment_name}"
        self.group_name = f"{root_name}-{args.compartment_name}-admins"
        tags = dict(args.tags)

        compartment = oci.identity.Compartment(
            f"{name}-compartment",
            compartment_id=args.parent_compartment_id,
            name=args.compartment_name,
            description="Residency workloads: OKE, instances and functions (no data stores)",
            enable_delete=False,
            # Compute is replaceable and holds no US user data at rest; the stores it serves are in the data
            # compartment, where the durability rules apply.
            freeform_tags={**tags, "residency-compartment": "workload", CLASSIFICATION_TAG_KEY: "internal"},
            opts=child,
        )
        group = oci.identity.Group(
            f"{name}-admins",
            compartment_id=args.tenancy_ocid,
            name=self.group_name,
            description="Run the residency workloads: compute in the workload compartment only",
            freeform_tags={**tags, "residency-role": "workload-admins"},
            opts=child,
        )
        policy = oci.identity.Policy(
            f"{name}-admins-policy",
            compartment_id=args.tenancy_ocid,
            name=f"{root_name}-{args.compartment_name}-admins",
            description="Workload admins: compute in the workload compartment, subnets of the network compartment",
            statements=admin_statements(self.group_name, self.compartment_path, args.network_compartment_path),
            freeform_tags={**tags, "residency-role": "workload-admins"},
            # Statements name the group and the compartment by name: both must exist first.
            opts=pulumi.ResourceOptions.merge(child, pulumi.ResourceOptions(depends_on=[group, compartment])),
        )
        quota = oci.limits.Quota(
            f"{name}-no-stores",
            compartment_id=args.tenancy_ocid,
            name=f"{root_name}-{args.compartment_name}-no-stores",
            description=f"No data stores in {self.compartment_path}: they belong in the data compartment",
            statements=store_quota_statements(self.compartment_path, args.store_quota_families),
            freeform_tags=tags,
            opts=pulumi.ResourceOptions.merge(child, pulumi.ResourceOptions(depends_on=[compartment])),
        )

        self.compartment_id = compartment.id
        self.group_id = group.id
        self.policy_id = policy.id
        self.quota_id = quota.id
        self.register_outputs({
            "compartmentId": self.compartment_id,
            "compartmentPath": self.compartment_path,
            "groupName": self.group_name,
            "groupId": self.group_id,
            "policyId": self.policy_id,
            "quotaId": self.quota_id,
        })
