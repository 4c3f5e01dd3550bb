"""Keys held outside the estate: external key managers and keys of other clouds, read from a resource's inputs.

A key whose material lives in an external key manager (OCI external vaults / EKM, AWS XKS key stores) or in
another cloud (an Autonomous Database key in AWS, Azure, GCP or OKV) is outside what the estate controls, so
``us-keys-for-data`` refuses it wherever it is named, whatever region the resource is in.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from residency_policies.findings import Finding
from residency_policies.values import get, is_unknown
from residency_policies.views import ResourceView


@dataclass(frozen=True)
class ExternalKeyMarker:
    """An input that, when its value passes ``outside``, puts the resource's key outside the estate."""

    type: str
    path: str
    outside: Callable[[Any], bool]
    why: str


EXTERNAL_KEY_MARKERS: tuple[ExternalKeyMarker, ...] = (
    ExternalKeyMarker("oci:Kms/vault:Vault", "vaultType", lambda v: str(v).upper() == "EXTERNAL",
                      "an external (EKM) vault keeps keys outside OCI"),
    ExternalKeyMarker("oci:Kms/vault:Vault", "externalKeyManagerMetadata", bool,
                      "an external key manager keeps keys outside OCI"),
    ExternalKeyMarker("oci:Kms/key:Key", "externalKeyReference", bool,
                      "the key material lives in an external key manager"),
    ExternalKeyMarker("oci:Database/autonomousDatabase:AutonomousDatabase", "encryptionKey.autonomousDatabaseProvider",
                      lambda v: str(v).upper() in ("AWS", "AZURE", "GCP", "OKV"),
                      "the database key is held outside the OCI estate"),
    ExternalKeyMarker("oci:Database/autonomousDatabase:AutonomousDatabase", "encryptionKey.keyArn", bool,
                      "the database key is held in AWS KMS"),
    ExternalKeyMarker("oci:Database/database:Database", "database.encryptionKeyLocationDetails.providerType", bool,
                      "the database key is held in an external HSM or another cloud"),
    ExternalKeyMarker("aws:kms/customKeyStore:CustomKeyStore", "customKeyStoreType",
                      lambda v: str(v).upper() == "EXTERNAL_KEY_STORE", "an external key store (XKS) keeps keys outside AWS"),
    ExternalKeyMarker("aws:kms/key:Key", "xksKeyId", bool, "the key is backed by an external key store (XKS)"),
)
EXTERNAL_KEY_TYPES = frozenset(m.type for m in EXTERNAL_KEY_MARKERS)


def external_key_findings(resource: ResourceView) -> Iterator[Finding]:
    """A finding for each marker of the resource's type that says its key is held outside the estate."""
    for marker in EXTERNAL_KEY_MARKERS:
        if marker.type != resource.type:
            continue
        value = get(resource.props, marker.path)
        if is_unknown(value):
            yield Finding("whether the key is held outside the estate", path=marker.path, unverifiable=True)
        elif value is not None and marker.outside(value):
            yield Finding(f"{marker.path} = {value!r}: {marker.why}")
