"""Identity stores: where US users' identities are kept, and who may reach them.

The class, read from the SDK schemas: user directories and identity pools (AWS Cognito user pools and identity
pools, OCI identity domains). Their regions are judged with every resource's (``us-region-providers``: the
provider's region; ``us-region-replication``: an identity domain's home and replica regions). What is judged here:

* **key**: a Cognito user pool keeps identities under a key AWS owns; the SDK offers no input to replace it
  (``lambdaConfig.kmsKeyId`` only encrypts the codes handed to custom sender triggers). Reported as advisory by
  ``us-keys-for-data``: no setting fixes it, only a store that takes a customer key (or a recorded waiver).
* **exposure**: an identity pool that allows unauthenticated identities hands AWS credentials (its
  unauthenticated role's) to anyone who asks: ``private-data-stores``.
"""

from __future__ import annotations

from collections.abc import Iterator

from pulumi_policy import EnforcementLevel

from residency_policies.findings import Finding
from residency_policies.values import is_unknown
from residency_policies.views import ResourceView

USER_POOL = "aws:cognito/userPool:UserPool"
IDENTITY_POOL = "aws:cognito/identityPool:IdentityPool"
KEYLESS_STORES = frozenset({USER_POOL})


def key_findings(resource: ResourceView) -> Iterator[Finding]:
    if resource.type == USER_POOL:
        yield Finding("the user pool keeps US users' identities under a key AWS owns, and no input sets a "
                      "customer-managed key (lambdaConfig.kmsKeyId covers only custom sender codes): keep identities in "
                      "a store that takes a customer key held in an allowed region, or record a waiver with the reason",
                      level=EnforcementLevel.ADVISORY)


def exposure_findings(resource: ResourceView) -> Iterator[Finding]:
    if resource.type != IDENTITY_POOL:
        return
    value = resource.props.get("allowUnauthenticatedIdentities")
    if is_unknown(value):
        yield Finding("allowUnauthenticatedIdentities decides whether anyone gets AWS credentials", resource.urn,
                      unverifiable=True, path="allowUnauthenticatedIdentities")
    elif value is True:
        yield Finding("allowUnauthenticatedIdentities is true: anyone can get AWS credentials of the pool's "
                      "unauthenticated role, and with them whatever that role may read; set it to false", resource.urn,
                      path="allowUnauthenticatedIdentities")
