"""The residency settings: one typed, immutable object validated from the stack's ``residency:`` config."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any, Literal

from pydantic import Field

from residency_kit.settings.backup import BackupSettings
from residency_kit.settings.base import SettingsModel
from residency_kit.settings.identifiers import (
    AwsAccountId,
    AwsOrganizationId,
    AwsRegion,
    Cidr,
    OciRegion,
    TenancyOcid,
)
from residency_kit.settings.base import SettingsDerivationError
from residency_kit.settings.data_tier import (
    LOG_ARCHIVE_MIN_RETENTION_DAYS,
    BucketSettings,
    DatabaseSettings,
    LogArchiveSettings,
    WorkloadSettings,
)
from residency_kit.settings.interfaces import InterfaceNetworkSettings, declaration_issues, placement_issues
from residency_kit.settings.network import DrNetworkSettings, NetworkSettings
from residency_kit.settings.tenancy import TenancySettings
from residency_policies.ip_ranges import reaches_parent
from residency_policies.region_tables import AWS_US_COMMERCIAL_REGIONS, OCI_US_COMMERCIAL_REGIONS


class AllowedRegions(SettingsModel):
    oci: tuple[OciRegion, ...] = Field(default=OCI_US_COMMERCIAL_REGIONS, min_length=1)
    aws: tuple[AwsRegion, ...] = Field(default=AWS_US_COMMERCIAL_REGIONS, min_length=1)


class ParentCompany(SettingsModel):
    """Identifiers of the foreign parent company: nothing of theirs may reach the estate."""

    cidrs: tuple[Cidr, ...] = Field(min_length=1)
    oci_tenancy_ids: tuple[TenancyOcid, ...] = ()
    aws_account_ids: tuple[AwsAccountId, ...] = ()
    aws_organization_ids: tuple[AwsOrganizationId, ...] = ()


class Trusted(SettingsModel):
    """Parties allowed to be granted access or peered with (for example an independent US oversight team)."""

    oci_tenancy_ids: tuple[TenancyOcid, ...] = ()
    aws_account_ids: tuple[AwsAccountId, ...] = ()
    aws_organization_ids: tuple[AwsOrganizationId, ...] = ()


class Estate(SettingsModel):
    """The estate's own AWS accounts and OCI tenancies: every provider the kit builds deploys only there."""

    aws_account_ids: tuple[AwsAccountId, ...] = ()
    """Accounts the kit's AWS providers pin ``allowedAccountIds`` to (the provider refuses any other)."""
    oci_tenancy_ids: tuple[TenancyOcid, ...] = ()
    """The estate's tenancies besides ``tenancy.tenancyOcid`` (which is always one)."""
    destinations: tuple[str, ...] = ()
    """Estate-owned destinations managed outside the stack (OCIDs, S3 bucket names, endpoint domains) that managed
    services may send data to; only the policy pack reads them (validated by its rules, ``rules_only_issues``)."""


class ResidencySettings(SettingsModel):
    jurisdiction: Literal["US"] = "US"
    home_region: OciRegion
    backup_region: OciRegion
    allowed_regions: AllowedRegions = AllowedRegions()
    parent_company: ParentCompany
    operator_cidrs: tuple[Cidr, ...] = Field(min_length=1)
    """US operator ranges allowed to sign in and to reach management endpoints."""
    ci_egress_cidrs: tuple[Cidr, ...] = ()
    """Egress ranges of the CI runners that deploy the estate: admitted by the tenancy's sign-in boundary (API
    calls only, not the network), so CI still reaches a tenancy it has locked. Self-hosted runners in ranges the
    US team controls; never a shared hosted-runner range."""
    trusted: Trusted = Trusted()
    estate: Estate = Estate()
    minimum_retention_days: int = Field(default=365, ge=1, le=36500)
    required_tags: dict[str, str] = Field(default_factory=lambda: {"jurisdiction": "US"})
    tenancy: TenancySettings
    network: NetworkSettings = NetworkSettings()
    backup: BackupSettings = BackupSettings()
    data_classification: dict[str, Any] | None = None
    """Rules only the policy pack reads (``dataClassification``): which resources hold US user data. Validated by
    the pack's own rules (``rules_only_issues``), so the program and the pack accept exactly the same values."""
    waivers: tuple[dict[str, Any], ...] = ()
    """Rules only the policy pack reads (``waivers``): narrow, approved, expiring exceptions; see the pack's docs."""
    sanctioned_interfaces: tuple[dict[str, Any], ...] = ()
    """Rules the pack and the program read (``sanctionedInterfaces``): the approved interfaces with the parent
    company. Validated by the pack's own rules (``interface_issues``); ``interfaces`` gives them typed."""
    interface_networks: dict[str, InterfaceNetworkSettings] = Field(default_factory=dict)
    """Where the program builds each declared interface (``residency:interfaceNetworks.<name>``)."""
    dr_network: DrNetworkSettings = DrNetworkSettings()
    """A second VCN in the backup region (database standbys land there)."""
    workload: WorkloadSettings = WorkloadSettings()
    log_archive: LogArchiveSettings = LogArchiveSettings()
    databases: tuple[DatabaseSettings, ...] = ()
    buckets: tuple[BucketSettings, ...] = ()

    @property
    def interfaces(self) -> tuple:
        """The declared interfaces, typed (``residency_policies.sanctioned_interfaces.SanctionedInterface``), those
        past their review date included: the program keeps building their gateway while the pack refuses the
        deployment until the approval is renewed (tearing the gateway down would not make it compliant)."""
        from residency_policies.sanctioned_interfaces import parse_interfaces

        found, _ = parse_interfaces(list(self.sanctioned_interfaces), parent_cidrs=self.parent_company.cidrs,
                                    keep_overdue=True)
        return found

    @property
    def estate_tenancy_ids(self) -> tuple[str, ...]:
        """Every estate tenancy: ``tenancy.tenancyOcid`` first, then ``estate.ociTenancyIds``."""
        return tuple(dict.fromkeys((self.tenancy.tenancy_ocid, *self.estate.oci_tenancy_ids)))


@dataclass(frozen=True)
class SettingsIssue:
    """One bad value: the config key, the value found, and what is wrong and allowed."""

    key: str
    value: object
    message: str

    def __str__(self) -> str:
        return f"{self.key}: {self.value!r} {self.message}"


def _region_issues(s, ns: str) -> Iterator[SettingsIssue]:
    allowed_oci = s.allowed_regions.oci
    if s.home_region is not None and s.home_region not in allowed_oci:
        yield SettingsIssue(f"{ns}:homeRegion", s.home_region,
                            f"is not in {ns}:allowedRegions.oci; allowed: {', '.join(allowed_oci)}")
    if s.backup_region is None:
        return
    if s.backup_region == s.home_region:
        others = [r for r in allowed_oci if r != s.home_region]
        yield SettingsIssue(f"{ns}:backupRegion", s.backup_region,
                            f"equals {ns}:homeRegion; allowed: another allowed US region ({', '.join(others)})")
    elif s.backup_region not in allowed_oci:
        yield SettingsIssue(f"{ns}:backupRegion", s.backup_region,
                            f"is not in {ns}:allowedRegions.oci; allowed: {', '.join(allowed_oci)}")


def _operator_issues(s, ns: str) -> Iterator[SettingsIssue]:
    for key, ranges, what in (("operatorCidrs", s.operator_cidrs, "US operator ranges"),
                              ("ciEgressCidrs", s.ci_egress_cidrs, "US CI runner egress ranges")):
        for i, cidr in enumerate(ranges):
            for parent in s.parent_company.cidrs:
                if reaches_parent(cidr, parent):
                    yield SettingsIssue(
                        f"{ns}:{key}[{i}]", str(cidr),
                        f"overlaps parent-company range {parent} ({ns}:parentCompany.cidrs); "
                        f"allowed: {what} disjoint from every parent-company range")


def _trusted_issues(s, ns: str) -> Iterator[SettingsIssue]:
    for field, label in (("oci_tenancy_ids", "ociTenancyIds"), ("aws_account_ids", "awsAccountIds"),
                         ("aws_organization_ids", "awsOrganizationIds")):
        parent_ids = set(getattr(s.parent_company, field))
        for i, trusted_id in enumerate(getattr(s.trusted, field)):
            if trusted_id in parent_ids:
                yield SettingsIssue(
                    f"{ns}:trusted.{label}[{i}]", trusted_id,
                    f"is also a parent-company identifier ({ns}:parentCompany.{label}); "
                    "allowed: parties independent of the parent company")


def _estate_issues(s, ns: str) -> Iterator[SettingsIssue]:
    for field, label in (("oci_tenancy_ids", "ociTenancyIds"), ("aws_account_ids", "awsAccountIds")):
        parent_ids = set(getattr(s.parent_company, field))
        for i, own in enumerate(getattr(s.estate, field)):
            if own in parent_ids:
                yield SettingsIssue(
                    f"{ns}:estate.{label}[{i}]", own,
                    f"is a parent-company identifier ({ns}:parentCompany.{label}); allowed: the estate's own")
    if s.tenancy is not None and s.tenancy.tenancy_ocid in s.parent_company.oci_tenancy_ids:
        return  # reported by _tenancy_issues
    if s.backup.aws_copy.enabled and not s.estate.aws_account_ids:
        yield SettingsIssue(
            f"{ns}:estate.awsAccountIds", [],
            "is empty while backup.awsCopy is enabled; allowed: the estate's AWS account IDs, which the AWS "
            "providers pin as allowedAccountIds (so they refuse to run in any other account)")


def _tenancy_issues(s, ns: str) -> Iterator[SettingsIssue]:
    if s.parent_company is not None and s.tenancy.tenancy_ocid in s.parent_company.oci_tenancy_ids:
        yield SettingsIssue(f"{ns}:tenancy.tenancyOcid", s.tenancy.tenancy_ocid,
                            "is a parent-company tenancy; allowed: the dedicated US tenancy")
    child = s.tenancy.child_tenancy
    allowed_oci = s.allowed_regions.oci
    if child is not None and child.home_region is not None and child.home_region not in allowed_oci:
        yield SettingsIssue(f"{ns}:tenancy.childTenancy.homeRegion", child.home_region,
                            f"is not in {ns}:allowedRegions.oci; allowed: {', '.join(allowed_oci)}")


def _network_issues(s, ns: str) -> Iterator[SettingsIssue]:
    network_ranges = [(f"network.natRouteCidrs[{i}]", c) for i, c in enumerate(s.network.nat_route_cidrs)]
    network_ranges += [(f"network.internetRouteCidrs[{i}]", c) for i, c in enumerate(s.network.internet_route_cidrs)]
    for p, peering in enumerate(s.network.drg.remote_peerings):
        network_ranges += [(f"network.drg.remotePeerings[{p}].peerCidrs[{i}]", c) for i, c in enumerate(peering.peer_cidrs)]
    for a, attachment in enumerate(s.network.drg.vcn_attachments):
        network_ranges += [(f"network.drg.vcnAttachments[{a}].cidrs[{i}]", c) for i, c in enumerate(attachment.cidrs)]
    for key, network in network_ranges:
        hits = [str(parent) for parent in s.parent_company.cidrs if reaches_parent(network, parent)]
        if hits:
            yield SettingsIssue(f"{ns}:{key}", str(network),
                                f"overlaps parent-company range(s) {', '.join(hits)}; "
                                "allowed: ranges disjoint from every parent-company range")


def _role_collision_issues(s, ns: str) -> Iterator[SettingsIssue]:
    """A range given in two places that the boundary turns into one rule or route each: two rules, or two
    routes, for one range (two resources with one name, or a route table OCI refuses)."""
    net = s.network
    routes = [(f"network.natRouteCidrs[{i}]", c) for i, c in enumerate(net.nat_route_cidrs)]
    routes += [(f"network.internetRouteCidrs[{i}]", c) for i, c in enumerate(net.internet_route_cidrs)]
    peers = [(f"network.drg.remotePeerings[{p}].peerCidrs[{i}]", c)
             for p, peering in enumerate(net.drg.remote_peerings) for i, c in enumerate(peering.peer_cidrs)]
    peers += [(f"network.drg.vcnAttachments[{a}].cidrs[{i}]", c)
              for a, attachment in enumerate(net.drg.vcn_attachments) for i, c in enumerate(attachment.cidrs)]
    operators = [(f"operatorCidrs[{i}]", c) for i, c in enumerate(s.operator_cidrs)]
    for group, what in ((routes + peers, "routed twice"), (operators + peers, "allowed into the app tier twice")):
        first: dict[object, str] = {}
        for key, cidr in group:
            # A repeat within one list is refused by the list itself (SettingsModel).
            if cidr in first and first[cidr].rsplit("[", 1)[0] != key.rsplit("[", 1)[0]:
                yield SettingsIssue(f"{ns}:{key}", str(cidr), f"is also {ns}:{first[cidr]}: the range would be {what}; "
                                    "allowed: each range in one of natRouteCidrs, internetRouteCidrs, the DRG peers' "
                                    "ranges, and not both an operator and a peer range")
            first.setdefault(cidr, key)


def _peer_tenancy_issues(s, ns: str) -> Iterator[SettingsIssue]:
    trusted_tenancies = set(s.trusted.oci_tenancy_ids) | {s.tenancy.tenancy_ocid} | set(s.estate.oci_tenancy_ids)
    peers = [(f"network.drg.remotePeerings[{i}].peerTenancyId", p.peer_tenancy_id)
             for i, p in enumerate(s.network.drg.remote_peerings)]
    peers += [(f"network.drg.vcnAttachments[{i}].tenancyId", a.tenancy_id)
              for i, a in enumerate(s.network.drg.vcn_attachments)]
    for key, tenancy in peers:
        if tenancy not in trusted_tenancies:
            yield SettingsIssue(f"{ns}:{key}", tenancy,
                                f"is neither an estate nor a trusted tenancy; allowed: {ns}:tenancy.tenancyOcid or "
                                f"one of {ns}:estate.ociTenancyIds or {ns}:trusted.ociTenancyIds")


def _retention_issues(s, ns: str) -> Iterator[SettingsIssue]:
    for key, days in (("backup.retentionDays", s.backup.retention_days),
                      ("backup.awsCopy.retentionDays", s.backup.aws_copy.retention_days),
                      *((f"backup.volumeBackupSchedules[{i}].retentionDays", v.retention_days)
                        for i, v in enumerate(s.backup.volume_backup_schedules))):
        if days is not None and days < s.minimum_retention_days:
            yield SettingsIssue(f"{ns}:{key}", days,
                                f"is below {ns}:minimumRetentionDays ({s.minimum_retention_days}); "
                                f"allowed: at least {s.minimum_retention_days}")


def _aws_copy_issues(s, ns: str) -> Iterator[SettingsIssue]:
    copy = s.backup.aws_copy
    if not copy.enabled:
        return
    for label, region in (("region", copy.region), ("replicaRegion", copy.replica_region)):
        if region not in s.allowed_regions.aws:
            yield SettingsIssue(f"{ns}:backup.awsCopy.{label}", region,
                                f"is not in {ns}:allowedRegions.aws; allowed: {', '.join(s.allowed_regions.aws)}")
    if copy.region == copy.replica_region:
        yield SettingsIssue(f"{ns}:backup.awsCopy.replicaRegion", copy.replica_region,
                            f"equals {ns}:backup.awsCopy.region; allowed: another allowed US AWS region")


def _rules_only_issues(s, ns: str) -> Iterator[SettingsIssue]:
    """The keys only the policy pack reads (``dataClassification``, ``waivers``, ``estate.destinations``), judged
    by the pack's own rules validation: one implementation, so the program never accepts what the pack refuses.
    Expired or malformed waivers are the pack's ``residency-waivers`` violation, not a settings error."""
    from residency_policies.rules_file import stack_rules_errors

    given: dict[str, Any] = {}
    if s.data_classification is not None:
        given["dataClassification"] = s.data_classification
    if s.estate.destinations:
        given["estate"] = {"destinations": list(s.estate.destinations)}
    for error in stack_rules_errors(given):
        yield SettingsIssue(f"{ns}:{error.key}", error.value, f"is invalid; allowed: {error.allowed}")
def _declaration_issues(s, ns: str) -> Iterator[SettingsIssue]:
    for key, value, message in declaration_issues(s, ns):
        yield SettingsIssue(key, value, message)


def _placement_issues(s, ns: str) -> Iterator[SettingsIssue]:
    for key, value, message in placement_issues(s, ns):
        yield SettingsIssue(key, value, message)


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def _dr_network_issues(s, ns: str) -> Iterator[SettingsIssue]:
    dr = s.dr_network
    if not dr.enabled:
        return
    missing = [key for key in dr.required_keys(s.network) if getattr(dr, key) is None]
    for key in missing:
        why = " (network.networkFirewall is on)" if key == "firewall_subnet_cidr" else ""
        yield SettingsIssue(f"{ns}:drNetwork.{_camel(key)}", None,
                            f"is required while drNetwork.enabled is true{why}; allowed: an IPv4 CIDR block")
    if missing:
        return
    try:
        dr.network_for(s.network)
    except SettingsDerivationError as exc:
        for problem in exc.problems:
            yield SettingsIssue(f"{ns}:drNetwork.vcnCidr", str(dr.vcn_cidr),
                                f"does not hold the DR subnets: {problem} (keys of {ns}:drNetwork)")
        return
    if dr.vcn_cidr.overlaps(s.network.vcn_cidr):
        yield SettingsIssue(f"{ns}:drNetwork.vcnCidr", str(dr.vcn_cidr),
                            f"overlaps {ns}:network.vcnCidr {s.network.vcn_cidr}; allowed: a range disjoint from the "
                            "home VCN, so the two can be peered for replication and failover")
    hits = [str(parent) for parent in s.parent_company.cidrs if reaches_parent(dr.vcn_cidr, parent)]
    if hits:
        yield SettingsIssue(f"{ns}:drNetwork.vcnCidr", str(dr.vcn_cidr),
                            f"overlaps parent-company range(s) {', '.join(hits)}; "
                            "allowed: ranges disjoint from every parent-company range")


def _data_tier_issues(s, ns: str) -> Iterator[SettingsIssue]:
    minimum = s.minimum_retention_days
    for i, db in enumerate(s.databases):
        days = db.long_term_backup_retention_days
        if days is not None and days < minimum:
            yield SettingsIssue(f"{ns}:databases[{i}].longTermBackupRetentionDays", days,
                                f"is below {ns}:minimumRetentionDays ({minimum}); allowed: at least {minimum}")
        if not s.dr_network.enabled:
            yield SettingsIssue(f"{ns}:databases[{i}]", db.name,
                                f"needs a standby subnet in the backup region, but {ns}:drNetwork.enabled is false; "
                                f"allowed: enable {ns}:drNetwork")
        if s.backup.backup_key_id is not None and s.backup.backup_vault_id is None:
            yield SettingsIssue(f"{ns}:backup.backupVaultId", None,
                                f"is required by {ns}:databases[{i}] while {ns}:backup.backupKeyId is set; allowed: the "
                                "OCID of that key's vault (a database names the vault beside the key)")
    for i, bucket in enumerate(s.buckets):
        if bucket.retention_days is not None and bucket.retention_days < minimum:
            yield SettingsIssue(f"{ns}:buckets[{i}].retentionDays", bucket.retention_days,
                                f"is below {ns}:minimumRetentionDays ({minimum}); allowed: at least {minimum}")
    archive = s.log_archive
    floor = max(minimum, LOG_ARCHIVE_MIN_RETENTION_DAYS)
    if archive.enabled and archive.retention_days < floor:
        yield SettingsIssue(f"{ns}:logArchive.retentionDays", archive.retention_days,
                            f"is below {ns}:minimumRetentionDays ({minimum}); allowed: at least {floor}")
    # One namespace holds every bucket of the tenancy: two settings naming one bucket would collide at deploy.
    names = [("backup.primaryBucketName", s.backup.primary_bucket_name),
             ("backup.backupBucketName", s.backup.backup_bucket_name)]
    if archive.enabled:
        names += [("logArchive.bucketName", archive.bucket_name), ("logArchive.backupBucketName", archive.backup_bucket_name)]
    for i, bucket in enumerate(s.buckets):
        names += [(f"buckets[{i}].bucketName", bucket.bucket_name), (f"buckets[{i}].backupBucketName", bucket.backup_bucket_name)]
    first: dict[str, str] = {}
    for key, name in names:
        if name in first:
            yield SettingsIssue(f"{ns}:{key}", name, f"is also {ns}:{first[name]}; allowed: a bucket name used once")
        first.setdefault(name, key)


# Each rule with the top-level settings it reads. A rule runs only when all of them validated, so a bad
# value elsewhere never hides it (and a bad value it reads is already reported on its own).
_CROSS_FIELD_RULES = (
    (("allowed_regions",), _region_issues),
    (("operator_cidrs", "ci_egress_cidrs", "parent_company"), _operator_issues),
    (("trusted", "parent_company"), _trusted_issues),
    (("tenancy", "allowed_regions"), _tenancy_issues),
    (("estate", "parent_company", "tenancy", "backup"), _estate_issues),
    (("network", "parent_company"), _network_issues),
    (("network", "tenancy", "trusted"), _peer_tenancy_issues),
    (("network", "operator_cidrs"), _role_collision_issues),
    (("backup", "minimum_retention_days"), _retention_issues),
    (("backup", "allowed_regions"), _aws_copy_issues),
    (("estate",), _rules_only_issues),
    (("sanctioned_interfaces", "parent_company"), _declaration_issues),
    (("sanctioned_interfaces", "interface_networks", "network"), _placement_issues),
    (("dr_network", "network", "parent_company"), _dr_network_issues),
    (("databases", "buckets", "log_archive", "backup", "dr_network", "minimum_retention_days"), _data_tier_issues),
)


def cross_field_issues(s: ResidencySettings | SimpleNamespace, ns: str = "residency") -> list[SettingsIssue]:
    """Rules that involve more than one key. Every issue found is returned, not just the first.

    ``s`` may be a partial namespace in which settings that failed validation are ``None``.
    """
    issues: list[SettingsIssue] = []
    for needs, rule in _CROSS_FIELD_RULES:
        if all(getattr(s, field) is not None for field in needs):
            issues.extend(rule(s, ns))
    return issues
