"""Entry point the engine runs (``python -m pulumi.policy <engine> <packDir>``): build the pack and serve.

Only this file constructs ``PolicyPack``; its constructor starts the gRPC server and never returns, so
everything else lives in ``residency_policies`` where tests and the docs generator can import it.
"""

from pulumi_policy import EnforcementLevel, PolicyPack

from residency_policies import decode_once
from residency_policies.registry import ALL_POLICIES

decode_once.install()

PolicyPack(
    name="us-data-residency",
    description="US data residency guardrails for OCI and AWS: regions, keys, backups, network and identity isolation.",
    enforcement_level=EnforcementLevel.MANDATORY,
    policies=list(ALL_POLICIES),
    provider="oci",
    tags=["residency", "oci", "aws"],
)
