"""``residency:oci:IsolatedTenancy``: the dedicated US tenancy every other residency component builds on.

It provisions (or adopts) the tenancy, the residency compartment tree, least-privilege IAM, a sign-in
boundary for US operators, a region lock, tags, the HSM master key, audit retention, Cloud Guard and
Security Zones. Everything goes through the explicit home-region provider: OCI accepts IAM, tag,
quota and tenancy-level writes only in the home region.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_oci as oci

from residency_kit.components.arg_problems import ArgProblems
from residency_kit.components.oci import iam_statements
from residency_kit.components.oci.quota_statements import DATA_BEARING_QUOTA_FAMILIES, region_lock_statements
from residency_kit.settings.tenancy import CompartmentNames
from residency_policies.ip_ranges import parse_cidr
from residency_policies.oci_identifiers import is_ocid_of
from residency_policies.region_tables import OCI_US_REGIONS
from residency_policies.rules_file import CLASSIFICATION_TAG_KEY, US_USER_DATA

TYPE_TOKEN = "residency:oci:IsolatedTenancy"
ARGS = "IsolatedTenancyArgs"

# OCI Audit accepts 90..365 days; 365 is the most it keeps, and the least the kit accepts.
AUDIT_RETENTION_DAYS = 365

VAULT_TYPES = ("DEFAULT", "VIRTUAL_PRIVATE")
DATA_CLASSIFICATIONS: tuple[str, ...] = ("public", "internal", "confidential", "restricted")
COMPARTMENT_ROLES: tuple[str, ...] = ("root", "network", "data", "backup", "security", "audit")
# Compartments that hold US data (or contain the ones that do) are protected from deletion.
DATA_BEARING_COMPARTMENTS: frozenset[str] = frozenset({"root", "data", "backup"})
# Each compartment's class under the policy pack's data classification (tag residency-data): what is placed in a
# US-user-data compartment is held to the durability rules (protect, backups), mandatory. The network compartment
# holds no US user data (VCN, gateways, firewall). The security compartment holds the keys that encrypt it (losing
# a key loses the data) and the audit compartment the logs that record US users' access: both are held as data.
COMPARTMENT_DATA_CLASSES: dict[str, str] = {
    "root": US_USER_DATA, "network": "internal", "data": US_USER_DATA, "backup": US_USER_DATA,
    "security": US_USER_DATA, "audit": US_USER_DATA,
}
# Security Zones go on the compartments that store data; Cloud Guard watches the whole tree.
SECURITY_ZONE_COMPARTMENTS: tuple[str, ...] = ("data", "backup")

_ORACLE_DETECTORS = ("IAAS_CONFIGURATION_DETECTOR", "IAAS_ACTIVITY_DETECTOR")


@dataclass(frozen=True)
class ChildTenancyRequest:
    """A new child tenancy created with OCI Tenant Manager under ``IsolatedTenancyArgs.tenancy_ocid``."""

    tenancy_name: str
    admin_email: str
    home_region: str
    """Must be a US region; the child's IAM and all its home-region data live there for good."""
    policy_name: str | None = None
    """Name of the administrator policy Tenant Manager writes in the child (letters and underscores)."""


@dataclass
class IsolatedTenancyArgs:
    """Inputs of ``IsolatedTenancy``. Use ``from_settings`` in a program; construct directly in tests."""

    tenancy_ocid: str
    """The dedicated US tenancy to adopt, or (with ``child_tenancy``) the US parent that creates it."""
    home_provider: oci.Provider
    """Provider for the tenancy's home region; every child resource uses it."""
    home_region: str
    """The tenancy's home region (a US region); also the region of the vault and master key."""
    operator_cidrs: Sequence[str]
    """US operator ranges allowed to sign in (console and API)."""
    ci_egress_cidrs: Sequence[str] = ()
    """Egress ranges of the CI runners that deploy the estate, admitted by the sign-in boundary beside the
    operators (their own network source, so the evidence tells people from pipelines)."""
    allowed_regions: Sequence[str] = ()
    """OCI regions where services may be used; every other region is zeroed. Empty: home region only."""
    compartment_names: CompartmentNames = field(default_factory=CompartmentNames)
    trusted_tenancy_ocids: Sequence[str] = ()
    """Tenancies whose groups may be admitted (``trusted_auditor_groups``); trust alone admits nobody."""
    trusted_auditor_groups: Sequence[iam_statements.TrustedGroup] = ()
    """Groups of trusted tenancies granted read-only audit evidence through Define/Admit statements. Each
    group's tenancy must be in ``trusted_tenancy_ocids``. Empty: no cross-tenancy policy at all."""
    parent_company_tenancy_ocids: Sequence[str] = ()
    """Foreign parent-company tenancies: never trusted, never adopted, never granted anything."""
    required_tags: Mapping[str, str] = field(default_factory=lambda: {"jurisdiction": "US"})
    child_tenancy: ChildTenancyRequest | None = None
    tag_namespace_name: str | None = None
    """Defaults to the residency root compartment name."""
    vault_type: str = "VIRTUAL_PRIVATE"
    """VIRTUAL_PRIVATE: a single-tenant HSM partition, so no other tenancy's keys share it. DEFAULT is
    the cheaper multi-tenant partition; both keep HSM keys under FIPS 140-2 Level 3."""
    quota_families: Sequence[str] = DATA_BEARING_QUOTA_FAMILIES
    security_policy_ids: Sequence[str] | None = None
    """Security Zone policies for the recipe; None looks up every Oracle-managed policy."""
    detector_recipe_ids: Sequence[str] | None = None
    """Cloud Guard detector recipes for the target; None looks up the Oracle-managed ones."""

    @classmethod
    def from_settings(cls, settings: Any, home_provider: oci.Provider) -> IsolatedTenancyArgs:
        """Build the args from a validated ``ResidencySettings``."""
        tenancy = settings.tenancy
        child = None
        if tenancy.child_tenancy is not None:
            c = tenancy.child_tenancy
            child = ChildTenancyRequest(
                tenancy_name=c.tenancy_name,
                admin_email=c.admin_email,
                home_region=c.home_region or settings.home_region,
            )
        return cls(
            tenancy_ocid=tenancy.tenancy_ocid,
            home_provider=home_provider,
            home_region=settings.home_region,
            operator_cidrs=[str(c) for c in settings.operator_cidrs],
            ci_egress_cidrs=[str(c) for c in settings.ci_egress_cidrs],
            allowed_regions=tuple(settings.allowed_regions.oci),
            compartment_names=tenancy.compartments,
            trusted_tenancy_ocids=tuple(settings.trusted.oci_tenancy_ids),
            trusted_auditor_groups=tuple(
                iam_statements.TrustedGroup(tenancy_ocid=g.tenancy_id, group_ocid=g.group_id)
                for g in tenancy.trusted_auditor_groups
            ),
            parent_company_tenancy_ocids=tuple(settings.parent_company.oci_tenancy_ids),
            required_tags=dict(settings.required_tags),
            child_tenancy=child,
            tag_namespace_name=tenancy.tag_namespace,
            vault_type=tenancy.vault_type,
        )


def _is_ocid_of(kind: str, value: object) -> bool:
    return is_ocid_of(value, kind)


def _is_tenancy_ocid(value: object) -> bool:
    return _is_ocid_of("tenancy", value)


_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,100}$")


def validation_problems(args: IsolatedTenancyArgs) -> ArgProblems:
    """Every problem with ``args``, each naming the field, the bad value and what is allowed."""
    problems = ArgProblems(ARGS)
    us_regions = ", ".join(OCI_US_REGIONS)

    def bad(field_name: str, value: object, allowed: str) -> None:
        problems.add(field_name, value, "is not allowed", allowed)

    if not isinstance(args.home_provider, oci.Provider):
        bad("home_provider", type(args.home_provider).__name__, "a pulumi_oci.Provider for the home region")
    if not _is_tenancy_ocid(args.tenancy_ocid):
        bad("tenancy_ocid", args.tenancy_ocid, "a tenancy OCID (ocid1.tenancy.<realm>..<unique id>)")
    parents = set(args.parent_company_tenancy_ocids)
    if args.tenancy_ocid in parents:
        problems.add("tenancy_ocid", args.tenancy_ocid, "is a parent-company tenancy", "the dedicated US tenancy")
    if args.home_region not in OCI_US_REGIONS:
        bad("home_region", args.home_region, f"a US OCI region ({us_regions})")
    for region in args.allowed_regions:
        if region not in OCI_US_REGIONS:
            bad("allowed_regions", region, f"US OCI regions only ({us_regions})")
    if args.allowed_regions and args.home_region not in args.allowed_regions:
        bad("home_region", args.home_region, f"one of allowed_regions ({', '.join(args.allowed_regions)})")
    if not args.operator_cidrs:
        problems.add("operator_cidrs", list(args.operator_cidrs), "is empty",
                     "at least one US operator CIDR (an empty sign-in boundary would lock every user out)")
    for cidr in args.operator_cidrs:
        if parse_cidr(str(cidr), strict=True) is None:
            bad("operator_cidrs", cidr, "IPv4 or IPv6 CIDR blocks such as 198.51.100.0/24")
    for cidr in args.ci_egress_cidrs:
        if parse_cidr(str(cidr), strict=True) is None:
            bad("ci_egress_cidrs", cidr, "IPv4 or IPv6 CIDR blocks such as 198.51.100.64/26")
    for ocid in args.trusted_tenancy_ocids:
        if ocid in parents:
            problems.add("trusted_tenancy_ocids", ocid, "is a parent-company tenancy",
                         "tenancies independent of the parent company")
        elif not _is_tenancy_ocid(ocid):
            bad("trusted_tenancy_ocids", ocid, "tenancy OCIDs")
    for i, group in enumerate(args.trusted_auditor_groups):
        f = f"trusted_auditor_groups[{i}]"
        if not _is_ocid_of("group", group.group_ocid):
            bad(f"{f}.group_ocid", group.group_ocid, "a group OCID (ocid1.group.<realm>..<unique id>)")
        if group.tenancy_ocid in parents:
            problems.add(f"{f}.tenancy_ocid", group.tenancy_ocid, "is a parent-company tenancy",
                         "one of trusted_tenancy_ocids")
        elif group.tenancy_ocid not in args.trusted_tenancy_ocids:
            bad(f"{f}.tenancy_ocid", group.tenancy_ocid, "one of trusted_tenancy_ocids")
    names = {role: getattr(args.compartment_names, role) for role in COMPARTMENT_ROLES}
    for role, name in names.items():
        if not isinstance(name, str) or not _NAME.match(name):
            bad(f"compartment_names.{role}", name, "1-100 letters, digits, '-', '_' or '.'")
    children = [names[r] for r in COMPARTMENT_ROLES if r != "root"]
    if len(set(children)) != len(children):
        bad("compartment_names", names, "distinct names for network, data, backup, security and audit")
    if args.tag_namespace_name is not None and not re.match(r"^[^\s.]{1,100}$", args.tag_namespace_name):
        bad("tag_namespace_name", args.tag_namespace_name, "1-100 characters without spaces or periods")
    if args.vault_type not in VAULT_TYPES:
        bad("vault_type", args.vault_type, " or ".join(VAULT_TYPES))
    if not args.quota_families:
        bad("quota_families", list(args.quota_families), "at least one quota service family")
    child = args.child_tenancy
    if child is not None:
        if child.home_region not in OCI_US_REGIONS:
            bad("child_tenancy.home_region", child.home_region, f"a US OCI region ({us_regions})")
        elif args.allowed_regions and child.home_region not in args.allowed_regions:
            bad("child_tenancy.home_region", child.home_region,
                f"one of allowed_regions ({', '.join(args.allowed_regions)})")
        if child.home_region != args.home_region:
            bad("child_tenancy.home_region", child.home_region,
                f"the home_region {args.home_region!r} the home provider targets")
    return problems


class IsolatedTenancy(pulumi.ComponentResource):
    """The isolated US tenancy: compartments, IAM, sign-in boundary, region lock, tags, keys, audit."""

    compartment_ids: dict[str, pulumi.Output[str]]
    compartment_paths: dict[str, str]
    """By role, the path IAM statements name a compartment by (``us-residency:data``; the root is ``us-residency``),
    known at preview unlike the OCIDs."""
    tenancy_id: pulumi.Output[str]
    vault_id: pulumi.Output[str]
    key_id: pulumi.Output[str]
    log_group_id: pulumi.Output[str]
    tag_namespace_name: str
    group_names: dict[str, str]

    def __init__(self, name: str, args: IsolatedTenancyArgs, opts: pulumi.ResourceOptions | None = None):
        validation_problems(args).raise_if_any(name)
        super().__init__(TYPE_TOKEN, name, None, opts)
        self._name = name
        self._args = args
        self._tags = dict(args.required_tags)
        names = {role: getattr(args.compartment_names, role) for role in COMPARTMENT_ROLES}
        allowed_regions = tuple(args.allowed_regions) or (args.home_region,)

        self.tenancy_id = self._tenancy()
        self.compartments = self._compartments(names)
        self.compartment_ids = {role: c.id for role, c in self.compartments.items()}
        self.compartment_paths = {role: iam_statements.compartment_path(names["root"], None if role == "root" else name)
                                  for role, name in names.items()}
        self.group_names = iam_statements.group_names(names["root"])
        self.groups, self.policies = self._iam(names)
        self.network_source, self.authentication_policy = self._sign_in_boundary(names)
        self.region_lock = self._region_lock(names, allowed_regions)
        self.tag_namespace_name = args.tag_namespace_name or names["root"]
        self.tag_namespace, self.tags, self.tag_defaults = self._tagging()
        self.vault, self.master_key = self._keys(names)
        self.vault_id = self.vault.id
        self.key_id = self.master_key.id
        self.audit_configuration, self.log_group = self._audit(names)
        self.log_group_id = self.log_group.id
        self.cloud_guard, self.cloud_guard_target, self.security_recipe, self.security_zones = self._posture(names)

        self.register_outputs({
            "tenancyId": self.tenancy_id,
            "compartmentIds": self.compartment_ids,
            "compartmentPaths": self.compartment_paths,
            "vaultId": self.vault_id,
            "keyId": self.key_id,
            "logGroupId": self.log_group_id,
            "tagNamespaceName": self.tag_namespace_name,
            "groupNames": self.group_names,
        })

    # -- helpers ---------------------------------------------------------------------------------

    def _opts(self, *, protect: bool = False, depends_on: Sequence[pulumi.Resource] = ()) -> pulumi.ResourceOptions:
        return pulumi.ResourceOptions(
            parent=self,
            provider=self._args.home_provider,
            protect=protect or None,
            depends_on=list(depends_on) or None,
        )

    def _freeform(self, **own: str) -> dict[str, str]:
        return {**self._tags, **own}

    # -- tenancy and compartments ------------------------------------------------------------------

    def _tenancy(self) -> pulumi.Output[str]:
        child = self._args.child_tenancy
        self.child_tenancy: oci.tenantmanagercontrolplane.ChildTenancy | None = None
        if child is None:
            return pulumi.Output.from_input(self._args.tenancy_ocid)
        self.child_tenancy = oci.tenantmanagercontrolplane.ChildTenancy(
            f"{self._name}-child-tenancy",
            compartment_id=self._args.tenancy_ocid,
            tenancy_name=child.tenancy_name,
            admin_email=child.admin_email,
            home_region=child.home_region,
            policy_name=child.policy_name,
            # A tenancy is the estate itself: deleting it would delete every US record in it.
            opts=self._opts(protect=True),
        )
        return self.child_tenancy.id

    def _compartments(self, names: Mapping[str, str]) -> dict[str, oci.identity.Compartment]:
        root = oci.identity.Compartment(
            f"{self._name}-root",
            compartment_id=self.tenancy_id,
            name=names["root"],
            description="Residency root: US user data and everything that guards it",
            # enable_delete=False: a destroy leaves OCI compartments (and what they hold) in place.
            enable_delete=False,
            freeform_tags=self._freeform(**{"residency-compartment": "root",
                                            CLASSIFICATION_TAG_KEY: COMPARTMENT_DATA_CLASSES["root"]}),
            opts=self._opts(protect=True),
        )
        compartments = {"root": root}
        descriptions = {
            "network": "Residency network boundary (VCN, gateways, firewall)",
            "data": "US user data stores",
            "backup": "US-only backups of the data stores",
            "security": "Vault, master encryption keys and security tooling",
            "audit": "Audit evidence and logs",
        }
        for role in COMPARTMENT_ROLES[1:]:
            compartments[role] = oci.identity.Compartment(
                f"{self._name}-{role}",
                compartment_id=root.id,
                name=names[role],
                description=descriptions[role],
                enable_delete=False,
                freeform_tags=self._freeform(**{"residency-compartment": role,
                                                CLASSIFICATION_TAG_KEY: COMPARTMENT_DATA_CLASSES[role]}),
                opts=self._opts(protect=role in DATA_BEARING_COMPARTMENTS),
            )
        return compartments

    # -- IAM ---------------------------------------------------------------------------------------

    def _iam(self, names: Mapping[str, str]):
        groups = {
            role: oci.identity.Group(
                f"{self._name}-{role}",
                compartment_id=self.tenancy_id,
                name=self.group_names[role],
                description=iam_statements.ROLE_DESCRIPTIONS[role],
                freeform_tags=self._freeform(**{"residency-role": role}),
                opts=self._opts(),
            )
            for role in iam_statements.ROLES
        }
        statements = iam_statements.role_statements(self.group_names, names)
        # Policies name compartments by path, so they must come after the compartments and groups exist.
        after = [*groups.values(), *self.compartments.values()]
        policies = {
            role: oci.identity.Policy(
                f"{self._name}-{role}-policy",
                compartment_id=self.tenancy_id,
                name=f"{names['root']}-{role}",
                description=iam_statements.ROLE_DESCRIPTIONS[role],
                statements=statements[role],
                freeform_tags=self._freeform(**{"residency-role": role}),
                opts=self._opts(depends_on=after),
            )
            for role in iam_statements.ROLES
        }
        trusted = iam_statements.trusted_tenancy_statements(
            self._args.trusted_auditor_groups, self._args.trusted_tenancy_ocids, names)
        if trusted:
            # Define/Admit must sit in a policy attached to the tenancy's root compartment.
            policies["trusted-tenancies"] = oci.identity.Policy(
                f"{self._name}-trusted-tenancies-policy",
                compartment_id=self.tenancy_id,
                name=f"{names['root']}-trusted-tenancies",
                description="Read-only audit evidence for named groups of independent US oversight tenancies",
                statements=trusted,
                freeform_tags=self._freeform(**{"residency-role": "trusted-tenancies"}),
                opts=self._opts(depends_on=after),
            )
        return groups, policies

    def _sign_in_boundary(self, names: Mapping[str, str]):
        network_source = oci.identity.NetworkSource(
            f"{self._name}-operator-network-source",
            compartment_id=self.tenancy_id,
            name=f"{names['root']}-us-operators",
            description="US operator ranges allowed to sign in to the console and call the API",
            public_source_lists=[str(c) for c in self._args.operator_cidrs],
            # On-behalf-of calls made by OCI services for a signed-in user come from Oracle's own ranges.
            services=["all"],
            freeform_tags=self._freeform(),
            opts=self._opts(),
        )
        sources = [network_source.id]
        if self._args.ci_egress_cidrs:
            sources.append(oci.identity.NetworkSource(
                f"{self._name}-ci-network-source",
                compartment_id=self.tenancy_id,
                name=f"{names['root']}-us-ci-runners",
                description="Egress ranges of the US team's CI runners allowed to call the API",
                public_source_lists=[str(c) for c in self._args.ci_egress_cidrs],
                freeform_tags=self._freeform(),
                opts=self._opts(),
            ).id)
        # The tenancy has exactly one authentication policy; OCI keeps it after a destroy.
        authentication_policy = oci.identity.AuthenticationPolicy(
            f"{self._name}-sign-in-policy",
            compartment_id=self.tenancy_id,
            network_policy={"network_source_ids": sources},
            password_policy={
                "minimum_password_length": 14,
                "is_lowercase_characters_required": True,
                "is_uppercase_characters_required": True,
                "is_numeric_characters_required": True,
                "is_special_characters_required": True,
                "is_username_containment_allowed": False,
            },
            opts=self._opts(),
        )
        return network_source, authentication_policy

    # -- region lock -------------------------------------------------------------------------------

    def _region_lock(self, names: Mapping[str, str], allowed_regions: Sequence[str]) -> oci.limits.Quota:
        return oci.limits.Quota(
            f"{self._name}-region-lock",
            # Tenancy-wide quota statements must be attached to the root compartment.
            compartment_id=self.tenancy_id,
            name=f"{names['root']}-region-lock",
            description=f"Zero data-bearing services outside {', '.join(allowed_regions)}",
            statements=region_lock_statements(allowed_regions, self._args.quota_families),
            freeform_tags=self._freeform(),
            opts=self._opts(),
        )

    # -- tags --------------------------------------------------------------------------------------

    def _tagging(self):
        namespace = oci.identity.TagNamespace(
            f"{self._name}-tag-namespace",
            compartment_id=self.tenancy_id,
            name=self.tag_namespace_name,
            description="Residency tags: jurisdiction and data classification",
            freeform_tags=self._freeform(),
            opts=self._opts(),
        )
        tags = {
            "jurisdiction": oci.identity.Tag(
                f"{self._name}-tag-jurisdiction",
                tag_namespace_id=namespace.id,
                name="jurisdiction",
                description="Legal jurisdiction the resource's data must stay in",
                validator={"validator_type": "ENUM", "values": ["US"]},
                freeform_tags=self._freeform(),
                opts=self._opts(),
            ),
            "data-classification": oci.identity.Tag(
                f"{self._name}-tag-data-classification",
                tag_namespace_id=namespace.id,
                name="data-classification",
                description="Sensitivity of the data the resource holds",
                validator={"validator_type": "ENUM", "values": list(DATA_CLASSIFICATIONS)},
                freeform_tags=self._freeform(),
                opts=self._opts(),
            ),
        }
        # Tag defaults are inherited by child compartments, so jurisdiction is set once on the root.
        defaults = {
            "root-jurisdiction": oci.identity.TagDefault(
                f"{self._name}-root-jurisdiction-default",
                compartment_id=self.compartments["root"].id,
                tag_definition_id=tags["jurisdiction"].id,
                value="US",
                is_required=False,
                opts=self._opts(),
            )
        }
        for role in COMPARTMENT_ROLES[1:]:
            defaults[f"{role}-data-classification"] = oci.identity.TagDefault(
                f"{self._name}-{role}-classification-default",
                compartment_id=self.compartments[role].id,
                tag_definition_id=tags["data-classification"].id,
                value="restricted" if role in DATA_BEARING_COMPARTMENTS else "internal",
                is_required=False,
                opts=self._opts(),
            )
        return namespace, tags, defaults

    # -- keys --------------------------------------------------------------------------------------

    def _keys(self, names: Mapping[str, str]):
        security = self.compartments["security"].id
        vault = oci.kms.Vault(
            f"{self._name}-vault",
            compartment_id=security,
            display_name=f"{names['root']}-vault",
            vault_type=self._args.vault_type,
            freeform_tags=self._freeform(),
            # Deleting the vault schedules every key in it for deletion, and the data with them.
            opts=self._opts(protect=True),
        )
        key = oci.kms.Key(
            f"{self._name}-master-key",
            compartment_id=security,
            display_name=f"{names['root']}-master-key",
            key_shape={"algorithm": "AES", "length": 32},  # bytes: AES-256
            management_endpoint=vault.management_endpoint,
            protection_mode="HSM",
            freeform_tags=self._freeform(),
            opts=self._opts(protect=True),
        )
        return vault, key

    # -- audit -------------------------------------------------------------------------------------

    def _audit(self, names: Mapping[str, str]):
        configuration = oci.audit.Configuration(
            f"{self._name}-audit-retention",
            compartment_id=self.tenancy_id,
            retention_period_days=AUDIT_RETENTION_DAYS,
            opts=self._opts(),
        )
        log_group = oci.logging.LogGroup(
            f"{self._name}-log-group",
            compartment_id=self.compartments["audit"].id,
            display_name=f"{names['root']}-audit",
            description="Residency audit and service logs",
            freeform_tags=self._freeform(),
            opts=self._opts(protect=True),
        )
        return configuration, log_group

    # -- Cloud Guard and Security Zones ------------------------------------------------------------

    def _invoke_opts(self) -> pulumi.InvokeOptions:
        return pulumi.InvokeOptions(provider=self._args.home_provider, parent=self)

    def _detector_recipe_ids(self) -> pulumi.Input[list[str]]:
        if self._args.detector_recipe_ids is not None:
            return list(self._args.detector_recipe_ids)
        found = oci.cloudguard.get_detector_recipes_output(compartment_id=self.tenancy_id, opts=self._invoke_opts())
        return found.apply(lambda r: [
            item.id
            for collection in (r.detector_recipe_collections or [])
            for item in (collection.items or [])
            if item.owner == "ORACLE" and item.detector in _ORACLE_DETECTORS
        ])

    def _security_policy_ids(self) -> pulumi.Input[list[str]]:
        if self._args.security_policy_ids is not None:
            return list(self._args.security_policy_ids)
        found = oci.cloudguard.get_security_policies_output(compartment_id=self.tenancy_id, opts=self._invoke_opts())
        return found.apply(lambda r: [
            item.id
            for collection in (r.security_policy_collections or [])
            for item in (collection.items or [])
            if item.owner == "ORACLE"
        ])

    def _posture(self, names: Mapping[str, str]):
        cloud_guard = oci.cloudguard.CloudGuardConfiguration(
            f"{self._name}-cloud-guard",
            compartment_id=self.tenancy_id,
            # Cloud Guard findings are stored in the reporting region: keep them in the US home region.
            reporting_region=self._args.home_region,
            status="ENABLED",
            self_manage_resources=False,
            opts=self._opts(),
        )
        recipe_ids = pulumi.Output.from_input(self._detector_recipe_ids())
        target = oci.cloudguard.Target(
            f"{self._name}-cloud-guard-target",
            compartment_id=self.compartments["security"].id,
            display_name=f"{names['root']}-cloud-guard",
            description="Cloud Guard watches the whole residency compartment tree",
            target_resource_type="COMPARTMENT",
            target_resource_id=self.compartments["root"].id,
            target_detector_recipes=recipe_ids.apply(lambda ids: [{"detector_recipe_id": i} for i in ids]),
            state="ACTIVE",
            freeform_tags=self._freeform(),
            opts=self._opts(depends_on=[cloud_guard]),
        )
        recipe = oci.cloudguard.SecurityRecipe(
            f"{self._name}-security-recipe",
            compartment_id=self.compartments["security"].id,
            display_name=f"{names['root']}-data-recipe",
            description="Security Zone policies for US data stores",
            security_policies=self._security_policy_ids(),
            freeform_tags=self._freeform(),
            opts=self._opts(depends_on=[cloud_guard]),
        )
        # A Security Zone replaces Cloud Guard targets on its own compartment with a zone target, so
        # zones go on the data compartments and the standard target on their parent (the root).
        zones = {
            role: oci.cloudguard.SecurityZone(
                f"{self._name}-{role}-security-zone",
                compartment_id=self.compartments[role].id,
                display_name=f"{names['root']}-{names[role]}-zone",
                description=f"Security Zone enforcing the residency recipe on the {role} compartment",
                security_zone_recipe_id=recipe.id,
                freeform_tags=self._freeform(),
                opts=self._opts(depends_on=[target]),
            )
            for role in SECURITY_ZONE_COMPARTMENTS
        }
        return cloud_guard, target, recipe, zones
