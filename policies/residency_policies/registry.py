"""Every policy in the pack, in report order. Each engineer appends their own policies (one import each).

Policy names are public API (users' ``--policy-pack-config`` and waivers refer to them): never rename.
"""

from residency_policies.rules import residency_waivers
from residency_policies.rules import us_region_providers

ALL_POLICIES = [
    us_region_providers.POLICY,
    residency_waivers.POLICY,
]
