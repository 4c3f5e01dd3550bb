"""Credentials for the program's explicit providers, read from the stack config keys a default provider reads.

The engine gives a provider package's stack config (``oci:*``, ``aws:*``) only to that package's *default*
provider (pulumi/pulumi ``Target.GetPackageConfig``); an explicit ``oci.Provider(...)`` gets only what the
program passes it. The kit builds explicit providers (one per region), so without this module
``pulumi config set --secret oci:privateKey ...`` would configure nothing. Every key below is passed to every
explicit provider of its package, secrets as secrets; ``region`` is not: the kit sets each provider's region
from the residency settings (``residency:homeRegion``, ``backupRegion``, ``backup.awsCopy.*``).

Keys left unset fall back to the provider plugin's own lookup, which explicit providers do too:
- OCI: the environment (``TF_VAR_<name>`` or ``OCI_<NAME>``, e.g. ``TF_VAR_private_key`` or
  ``OCI_PRIVATE_KEY``), then the ``DEFAULT`` profile (or ``oci:configFileProfile``) of ``~/.oci/config``;
- AWS: ``AWS_ACCESS_KEY_ID`` / ``AWS_SECRET_ACCESS_KEY`` / ``AWS_SESSION_TOKEN`` (what OIDC role assumption in
  CI sets), ``AWS_PROFILE`` and the shared config files, then instance / container roles.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pulumi


@dataclass(frozen=True)
class CredentialKey:
    config_key: str  # the stack config key within the package namespace, as `pulumi config set` takes it
    argument: str  # the Provider argument it becomes
    secret: bool = False
    is_list: bool = False


OCI_AUTH_METHODS = ("ApiKey", "InstancePrincipal", "InstancePrincipalWithCerts", "SecurityToken",
                    "ResourcePrincipal", "OKEWorkloadIdentity", "WorkloadIdentityFederation")

OCI_KEYS = (
    CredentialKey("auth", "auth"),
    CredentialKey("configFileProfile", "config_file_profile"),
    CredentialKey("tenancyOcid", "tenancy_ocid"),
    CredentialKey("userOcid", "user_ocid"),
    CredentialKey("fingerprint", "fingerprint"),
    CredentialKey("privateKey", "private_key", secret=True),
    CredentialKey("privateKeyPassword", "private_key_password", secret=True),
    CredentialKey("privateKeyPath", "private_key_path"),
    # Workload identity federation (OCI IAM identity domain token exchange): see the README's CI section.
    CredentialKey("tokenExchangeAuth", "token_exchange_auth"),
    CredentialKey("tokenExchangeClientId", "token_exchange_client_id"),
    CredentialKey("tokenExchangeClientSecret", "token_exchange_client_secret", secret=True),
    CredentialKey("tokenExchangeDomainUrl", "token_exchange_domain_url"),
    CredentialKey("tokenExchangePublicKey", "token_exchange_public_key"),
    CredentialKey("tokenExchangeRequestedTokenType", "token_exchange_requested_token_type"),
    CredentialKey("tokenExchangeResourceType", "token_exchange_resource_type"),
    CredentialKey("tokenExchangeRpstExp", "token_exchange_rpst_exp"),
    CredentialKey("tokenExchangeSubjectTokenType", "token_exchange_subject_token_type"),
    CredentialKey("workloadIdentityTokenPath", "workload_identity_token_path"),
)

AWS_KEYS = (
    CredentialKey("profile", "profile"),
    CredentialKey("accessKey", "access_key", secret=True),
    CredentialKey("secretKey", "secret_key", secret=True),
    CredentialKey("token", "token", secret=True),
    CredentialKey("sharedConfigFiles", "shared_config_files", is_list=True),
    CredentialKey("sharedCredentialsFiles", "shared_credentials_files", is_list=True),
)


class ProviderCredentialsError(pulumi.RunError):
    """A provider credential key has a value the provider would reject; the message names the key (never a secret)."""


def _read(namespace: str, keys: tuple[CredentialKey, ...]) -> dict[str, Any]:
    config = pulumi.Config(namespace)
    found: dict[str, Any] = {}
    for key in keys:
        if key.secret:
            value = config.get_secret(key.config_key)
        else:
            value = config.get(key.config_key)
            if value is not None and key.is_list:
                value = _string_list(namespace, key, value)
        if value is not None:
            found[key.argument] = value
    return found


def _string_list(namespace: str, key: CredentialKey, raw: str) -> list[str]:
    try:
        value = json.loads(raw) if raw.lstrip()[:1] in ("[", "{", '"') else [raw]
    except json.JSONDecodeError:
        value = None
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ProviderCredentialsError(
            f"{namespace}:{key.config_key}: {raw!r} is not a list of file paths; allowed: a path or a list of paths"
        )
    return value


def oci_provider_credentials(estate_tenancy_ocid: str) -> dict[str, Any]:
    """Keyword arguments for every explicit ``oci.Provider`` of the program (region excluded).

    The provider's tenancy is the estate's (``residency:tenancy.tenancyOcid``): an ``oci:tenancyOcid`` naming
    another tenancy is refused rather than signing in somewhere else.
    """
    found = _read("oci", OCI_KEYS)
    auth = found.get("auth")
    if auth is not None and auth not in OCI_AUTH_METHODS:
        raise ProviderCredentialsError(f"oci:auth: {auth!r} is not an OCI auth method; allowed: {', '.join(OCI_AUTH_METHODS)}")
    tenancy = found.setdefault("tenancy_ocid", estate_tenancy_ocid)
    if tenancy != estate_tenancy_ocid:
        raise ProviderCredentialsError(
            f"oci:tenancyOcid: {tenancy!r} is not the estate's tenancy; allowed: {estate_tenancy_ocid!r} "
            "(residency:tenancy.tenancyOcid), or leave oci:tenancyOcid unset"
        )
    return found


def aws_provider_credentials() -> dict[str, Any]:
    """Keyword arguments for every explicit ``aws.Provider`` of the program (region excluded)."""
    return _read("aws", AWS_KEYS)
