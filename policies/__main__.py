"""Entry point the engine runs (``python -m pulumi.policy <engine> <packDir>``): build the pack and serve.

Only this file constructs ``PolicyPack``; its constructor starts the gRPC server and never returns, so
everything else lives in ``residency_policies`` where tests and the docs generator can import it.
"""

from pulumi_policy import EnforcementLevel, PolicyPack

from residency_policies import sdk_compat
from residency_policies.registry import ALL_POLICIES
from residency_policies.rules_file import pack_config_errors

# Level changes per finding, one config error before analysis, decoding once per request (see sdk_compat).
sdk_compat.install(config_check=lambda config: pack_config_errors([p.name for p in ALL_POLICIES], config))

PolicyPack(
    name="us-data-residency",
    description="US data residency guardrails for OCI and AWS: regions, keys, backups, network and identity isolation.",
    enforcement_level=EnforcementLevel.MANDATORY,
    policies=list(ALL_POLICIES),
    provider="oci",
    tags=["residency", "oci", "aws"],
)
