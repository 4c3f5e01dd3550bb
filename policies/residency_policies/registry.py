"""Every policy in the pack, in report order. Each engineer appends their own policies (one import each).

Policy names are public API (users' ``--policy-pack-config`` and waivers refer to them): never rename.
"""

from residency_policies.rules import backup_coverage
from residency_policies.rules import immutable_backups
from residency_policies.rules import residency_rules
from residency_policies.rules import residency_tags
from residency_policies.rules import residency_waivers
from residency_policies.rules import us_keys_for_data
from residency_policies.rules import us_region_providers
from residency_policies.rules import us_region_replication
from residency_policies.rules import no_parent_company_egress
from residency_policies.rules import no_parent_company_ingress
from residency_policies.rules import network_reachability
from residency_policies.rules import no_cross_tenancy_grants
from residency_policies.rules import no_untrusted_peering
from residency_policies.rules import private_data_stores
from residency_policies.rules import estate_deploy_targets
from residency_policies.rules import no_untrusted_data_destinations
from residency_policies.rules import no_untrusted_identity_egress
from residency_policies.rules import estate_organization
from residency_policies.rules import no_parent_company_identifiers
from residency_policies.rules import database_backup_retention
from residency_policies.rules import data_tier_placement
from residency_policies.rules import retention_lock_times
from residency_policies.rules import sanctioned_interfaces

ALL_POLICIES = [
    us_region_providers.POLICY,
    us_region_replication.POLICY,
    us_keys_for_data.POLICY,
    immutable_backups.POLICY,
    backup_coverage.POLICY,
    residency_tags.POLICY,
    residency_waivers.POLICY,
    residency_rules.POLICY,
    no_parent_company_ingress.POLICY,
    no_parent_company_egress.POLICY,
    no_cross_tenancy_grants.POLICY,
    no_untrusted_peering.POLICY,
    private_data_stores.POLICY,
    network_reachability.POLICY,
    estate_deploy_targets.POLICY,
    no_untrusted_data_destinations.POLICY,
    no_untrusted_identity_egress.POLICY,
    estate_organization.POLICY,
    no_parent_company_identifiers.POLICY,
    database_backup_retention.POLICY,
    data_tier_placement.POLICY,
    retention_lock_times.POLICY,
    sanctioned_interfaces.POLICY,
]
