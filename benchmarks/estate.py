"""A synthetic residency estate as a Pulumi program: N compartments of private, tiered OCI networking,
buckets and IAM statements, sized from about 100 to about 5,000 resources.

Self-contained on purpose (only ``pulumi`` and ``pulumi_oci``): ``benchmarks.generate`` copies this file
into each generated program directory, where ``__main__.py`` runs ``build(Spec.from_config())``. In-process
callers (benchmarks, robustness tests) use ``program(spec)`` with ``capture`` or ``preview_function``.

The estate is compliant with the residency pack on purpose: a benchmark should measure a preview that
passes, so every policy walks every resource to its end instead of stopping at an early violation. The
security rules still make the reachability proof work hard: every rule is read, and none admits the
internet or a parent range, so nothing short-circuits.
"""

from __future__ import annotations

import ipaddress
import json
import math
from dataclasses import asdict, dataclass

import pulumi
import pulumi_oci as oci

FIXED_RESOURCES = 6
TIERS = ("data", "app", "management")
OPERATOR_CIDR = "198.51.100.0/28"  # RFC 5737: stands in for the US operators' range
REQUIRED_TAGS = {"jurisdiction": "US"}
HOME_REGION = "us-ashburn-1"
BACKUP_REGION = "us-phoenix-1"
RETENTION_LOCKED_AT = "2030-01-01T00:00:00Z"
# The estate's own tenancy (the stack config below lists it under estate.ociTenancyIds).
TENANCY = "ocid1.tenancy.oc1..aaaaaaaausdataexample0000000000000000000000000000000000000"

RESIDENCY_RULES = {
    "parentCompany": {
        "cidrs": ["203.0.113.0/24", "2001:db8:bad::/48"],
        "ociTenancyIds": ["ocid1.tenancy.oc1..aaaaaaaaparentexample000000000000000000000000000000000000"],
        "awsAccountIds": ["999999999999"],
        "awsOrganizationIds": ["o-parentexample1"],
    },
    "estate": {"ociTenancyIds": [TENANCY]},
}
"""The estate's parties as its stack's ``residency:`` config gives them (the pack's rules file is only the kit's
floor; without a parent company every policy refuses its rules and checks nothing). The same illustrative
documentation range and example identifiers as the kit's own stacks, so ``residency-rules`` adds its one
advisory finding."""


def residency_config() -> dict[str, str]:
    """``RESIDENCY_RULES`` as the engine passes stack config: ``residency:<key>`` -> JSON text."""
    return {f"residency:{key}": json.dumps(value) for key, value in RESIDENCY_RULES.items()}


@dataclass(frozen=True)
class Spec:
    compartments: int = 5
    subnets_per_vcn: int = 3
    rules_per_list: int = 4  # ingress rules in each subnet's security list (plus 2 egress)
    nsg_rules_per_vcn: int = 4
    buckets_per_compartment: int = 2  # each with a backup bucket in the backup region and a replication policy
    statements_per_policy: int = 4

    # Resources per compartment: compartment, VCN, service gateway, route table, NSG, NSG rules,
    # (subnet + security list) per subnet, (bucket + backup bucket + replication policy) per bucket, IAM policy.
    @property
    def per_compartment(self) -> int:
        return 5 + self.nsg_rules_per_vcn + 2 * self.subnets_per_vcn + 3 * self.buckets_per_compartment + 1

    @property
    def resources(self) -> int:
        """Registrations the program makes (two explicit providers, a vault and key in each region included)."""
        return FIXED_RESOURCES + self.compartments * self.per_compartment

    @property
    def subnets(self) -> int:
        return self.compartments * self.subnets_per_vcn

    @property
    def security_rules(self) -> int:
        per_vcn = self.subnets_per_vcn * (self.rules_per_list + 2) + self.nsg_rules_per_vcn
        return self.compartments * per_vcn

    @classmethod
    def for_resources(cls, target: int, **overrides: int) -> Spec:
        """The spec with default shape whose resource count is closest to ``target``."""
        shape = cls(compartments=1, **overrides)
        compartments = max(1, round((target - FIXED_RESOURCES) / shape.per_compartment))
        return cls(compartments=compartments, **overrides)

    @classmethod
    def for_reachability(cls, subnets: int = 500, rules: int = 10_000) -> Spec:
        """Five subnets per VCN and enough security-list rules for ``rules`` security rules in all."""
        compartments = math.ceil(subnets / 5)
        per_list = max(1, math.ceil((rules / compartments - 4) / 5) - 2)
        return cls(compartments=compartments, subnets_per_vcn=5, rules_per_list=per_list, nsg_rules_per_vcn=4)

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_config(cls) -> Spec:
        raw = pulumi.Config("bench").get("spec")
        return cls(**json.loads(raw)) if raw else cls()


def _vcn_cidrs(count: int) -> list[ipaddress.IPv4Network]:
    # /20 VCNs out of 10/8 (4,096 of them), /24 subnets inside (16 per VCN).
    pool = ipaddress.ip_network("10.0.0.0/8").subnets(new_prefix=20)
    return [next(pool) for _ in range(count)]


def _tags(**extra: str) -> dict[str, str]:
    return {**REQUIRED_TAGS, **extra}


def _security_list(name, compartment, vcn, vcn_cidr, subnet_index, spec: Spec, opts) -> oci.core.SecurityList:
    ingress = []
    peers = list(vcn_cidr.subnets(new_prefix=28))
    for i in range(spec.rules_per_list):
        # Alternate in-VCN peers and the operator range, on distinct ports, so no two rules coincide.
        source = OPERATOR_CIDR if i % 4 == 3 else str(peers[(subnet_index * 7 + i) % len(peers)])
        port = 1024 + (subnet_index * spec.rules_per_list + i) % 60000
        ingress.append(
            oci.core.SecurityListIngressSecurityRuleArgs(
                protocol="6",
                source=source,
                source_type="CIDR_BLOCK",
                stateless=False,
                tcp_options=oci.core.SecurityListIngressSecurityRuleTcpOptionsArgs(min=port, max=port),
                description=f"rule {i}",
            )
        )
    egress = [
        oci.core.SecurityListEgressSecurityRuleArgs(
            protocol="6", destination=str(vcn_cidr), destination_type="CIDR_BLOCK", description="in-VCN"
        ),
        oci.core.SecurityListEgressSecurityRuleArgs(
            protocol="6", destination="all-iad-services-in-oracle-services-network",
            destination_type="SERVICE_CIDR_BLOCK", description="Oracle Services Network",
        ),  # fmt: skip
    ]
    return oci.core.SecurityList(
        name,
        compartment_id=compartment.id,
        vcn_id=vcn.id,
        display_name=name,
        ingress_security_rules=ingress,
        egress_security_rules=egress,
        freeform_tags=_tags(),
        opts=opts,
    )


def _vault_and_key(name: str, provider: oci.Provider) -> oci.kms.Key:
    data_opts = pulumi.ResourceOptions(provider=provider, protect=True)
    vault = oci.kms.Vault(
        f"{name}-vault", compartment_id=TENANCY, display_name=f"{name}-vault", vault_type="VIRTUAL_PRIVATE",
        freeform_tags=_tags(), opts=data_opts,
    )  # fmt: skip
    return oci.kms.Key(
        f"{name}-key",
        compartment_id=TENANCY,
        display_name=f"{name}-key",
        management_endpoint=vault.management_endpoint,
        protection_mode="HSM",
        key_shape=oci.kms.KeyKeyShapeArgs(algorithm="AES", length=32),
        freeform_tags=_tags(),
        opts=data_opts,
    )


def build(spec: Spec) -> None:
    home = oci.Provider("oci-home", region=HOME_REGION, tenancy_ocid=TENANCY)
    backup = oci.Provider("oci-backup", region=BACKUP_REGION, tenancy_ocid=TENANCY)
    opts = pulumi.ResourceOptions(provider=home)
    data_opts = pulumi.ResourceOptions(provider=home, protect=True)
    backup_opts = pulumi.ResourceOptions(provider=backup, protect=True)
    key = _vault_and_key("estate", home)
    backup_key = _vault_and_key("estate-backup", backup)

    namespace = oci.objectstorage.get_namespace_output(compartment_id=TENANCY, opts=pulumi.InvokeOptions(provider=home))
    services = oci.core.get_services_output(opts=pulumi.InvokeOptions(provider=home))
    all_services = services.services.apply(lambda s: next(x.id for x in s if "all" in x.cidr_block.lower() or "all" in x.id))

    for c, vcn_cidr in enumerate(_vcn_cidrs(spec.compartments)):
        prefix = f"c{c:04d}"
        compartment = oci.identity.Compartment(
            f"{prefix}-compartment", compartment_id=TENANCY, name=f"{prefix}-compartment",
            description=f"estate compartment {c}", enable_delete=False, freeform_tags=_tags(), opts=opts,
        )  # fmt: skip
        vcn = oci.core.Vcn(
            f"{prefix}-vcn", compartment_id=compartment.id, cidr_blocks=[str(vcn_cidr)], display_name=f"{prefix}-vcn",
            dns_label=f"c{c:04d}", freeform_tags=_tags(), opts=opts,
        )  # fmt: skip
        sgw = oci.core.ServiceGateway(
            f"{prefix}-sgw", compartment_id=compartment.id, vcn_id=vcn.id,
            services=[oci.core.ServiceGatewayServiceArgs(service_id=all_services)], freeform_tags=_tags(), opts=opts,
        )  # fmt: skip
        route_table = oci.core.RouteTable(
            f"{prefix}-rt",
            compartment_id=compartment.id,
            vcn_id=vcn.id,
            route_rules=[
                oci.core.RouteTableRouteRuleArgs(
                    network_entity_id=sgw.id,
                    destination="all-iad-services-in-oracle-services-network",
                    destination_type="SERVICE_CIDR_BLOCK",
                )
            ],
            freeform_tags=_tags(),
            opts=opts,
        )
        nsg = oci.core.NetworkSecurityGroup(
            f"{prefix}-nsg", compartment_id=compartment.id, vcn_id=vcn.id, freeform_tags=_tags(), opts=opts
        )
        for r in range(spec.nsg_rules_per_vcn):
            ingress = r % 2 == 0
            oci.core.NetworkSecurityGroupSecurityRule(
                f"{prefix}-nsg-rule-{r}",
                network_security_group_id=nsg.id,
                direction="INGRESS" if ingress else "EGRESS",
                protocol="6",
                source=str(vcn_cidr) if ingress else None,
                source_type="CIDR_BLOCK" if ingress else None,
                destination=None if ingress else str(vcn_cidr),
                destination_type=None if ingress else "CIDR_BLOCK",
                tcp_options=oci.core.NetworkSecurityGroupSecurityRuleTcpOptionsArgs(
                    destination_port_range=oci.core.NetworkSecurityGroupSecurityRuleTcpOptionsDestinationPortRangeArgs(
                        min=8000 + r, max=8000 + r
                    )
                ),
                opts=opts,
            )
        subnet_cidrs = list(vcn_cidr.subnets(new_prefix=24))
        for s in range(spec.subnets_per_vcn):
            tier = TIERS[s % len(TIERS)]
            security_list = _security_list(f"{prefix}-sl-{s}", compartment, vcn, vcn_cidr, c * 16 + s, spec, opts)
            oci.core.Subnet(
                f"{prefix}-subnet-{s}",
                compartment_id=compartment.id,
                vcn_id=vcn.id,
                cidr_block=str(subnet_cidrs[s % len(subnet_cidrs)]),
                display_name=f"{prefix}-{tier}-{s}",
                dns_label=f"s{s}",
                prohibit_public_ip_on_vnic=True,
                prohibit_internet_ingress=True,
                route_table_id=route_table.id,
                security_list_ids=[security_list.id],
                freeform_tags=_tags(**{"residency-tier": tier}),
                opts=opts,
            )
        for b in range(spec.buckets_per_compartment):
            bucket = oci.objectstorage.Bucket(
                f"{prefix}-bucket-{b}",
                compartment_id=compartment.id,
                name=f"{prefix}-bucket-{b}",
                namespace=namespace.namespace,
                access_type="NoPublicAccess",
                kms_key_id=key.id,
                versioning="Enabled",
                object_events_enabled=True,
                freeform_tags=_tags(),
                opts=data_opts,
            )
            # OCI refuses versioning on a replication destination: the locked retention rule makes it immutable.
            copy = oci.objectstorage.Bucket(
                f"{prefix}-bucket-{b}-backup",
                compartment_id=compartment.id,
                name=f"{prefix}-bucket-{b}-backup",
                namespace=namespace.namespace,
                access_type="NoPublicAccess",
                kms_key_id=backup_key.id,
                retention_rules=[
                    oci.objectstorage.BucketRetentionRuleArgs(
                        display_name="backup-retention",
                        duration=oci.objectstorage.BucketRetentionRuleDurationArgs(time_amount="365", time_unit="DAYS"),
                        time_rule_locked=RETENTION_LOCKED_AT,
                    )
                ],
                freeform_tags=_tags(),
                opts=backup_opts,
            )
            oci.objectstorage.ReplicationPolicy(
                f"{prefix}-bucket-{b}-replication",
                bucket=bucket.name,
                namespace=namespace.namespace,
                name=f"{prefix}-bucket-{b}-to-{BACKUP_REGION}",
                destination_bucket_name=copy.name,
                destination_region_name=BACKUP_REGION,
                opts=data_opts,
            )
        groups = [f"{prefix}-group-{g}" for g in range(spec.statements_per_policy)]
        oci.identity.Policy(
            f"{prefix}-policy",
            compartment_id=compartment.id,
            name=f"{prefix}-policy",
            description=f"estate compartment {c} access",
            statements=[
                f"Allow group {g} to {('read', 'use', 'manage', 'inspect')[i % 4]} "
                f"{('buckets', 'objects', 'virtual-network-family', 'keys')[i % 4]} in compartment {prefix}-compartment"
                for i, g in enumerate(groups)
            ],
            freeform_tags=_tags(),
            opts=opts,
        )


def program(spec: Spec):
    """A zero-argument Pulumi program building ``spec`` (for ``capture`` / ``preview_function``)."""
    return lambda: build(spec)
