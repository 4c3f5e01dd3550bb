"""The program's explicit providers get the `oci:*` / `aws:*` credential keys (issue 15 item 3).

The engine gives a package's stack config only to its default provider; the kit's providers are explicit, so
`residency_kit/components/provider_credentials.py` passes the credential keys on. Secrets stay secrets.
"""

from __future__ import annotations

import json
import runpy

import pytest

from residency_kit.engine.capture import capture
from residency_kit.engine.preview_mocks import PreviewMocks

SECRET_SIG = "4dabf18193072939515e22adb298388d"
PROJECT = "us-data-residency"


def _run(repo_root, stack, config, secret_keys=()):
    return capture(lambda: runpy.run_path(str(repo_root / "__main__.py")), project=PROJECT, stack=stack,
                   config=config, preview=True, mocks=PreviewMocks(config), secret_keys=list(secret_keys))


def _secret_value(value):
    assert isinstance(value, dict) and value.get(SECRET_SIG) == "1b47061264138c4ac30d75fd1eb44270", value
    return value["value"]


def test_oci_and_aws_credential_keys_reach_every_explicit_provider(repo_root, stack_config):
    config = stack_config("us-prod") | {
        "oci:userOcid": "ocid1.user.oc1..aaaaaaaadeployer",
        "oci:fingerprint": "12:34:56:78:90:ab:cd:ef:12:34:56:78:90:ab:cd:ef",
        "oci:privateKey": "-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----",
        "oci:region": "us-phoenix-1",  # the default provider's region: not the kit's providers'
        "aws:profile": "residency-deployer",
        "aws:sharedConfigFiles": '["/etc/aws/config"]',
    }
    monitor = _run(repo_root, "us-prod", config, secret_keys=["oci:privateKey"])
    tenancy = json.loads(config["residency:tenancy"])["tenancyOcid"]
    for name, region in (("oci-home", "us-ashburn-1"), ("oci-backup", "us-phoenix-1")):
        inputs = monitor.named(name).inputs
        assert inputs["region"] == region
        assert inputs["userOcid"] == "ocid1.user.oc1..aaaaaaaadeployer"
        assert inputs["fingerprint"] == "12:34:56:78:90:ab:cd:ef:12:34:56:78:90:ab:cd:ef"
        assert inputs["tenancyOcid"] == tenancy  # pinned to the estate's tenancy
        assert _secret_value(inputs["privateKey"]).startswith("-----BEGIN PRIVATE KEY-----")
    for name in ("aws-copy", "aws-replica"):
        inputs = monitor.named(name).inputs
        assert inputs["profile"] == "residency-deployer"
        # The SDK sends a provider's non-string inputs as JSON text, as the engine expects provider config.
        assert json.loads(inputs["sharedConfigFiles"]) == ["/etc/aws/config"]
        assert "accessKey" not in inputs  # unset keys stay unset: the provider's env / files / roles apply


def test_no_credential_keys_leave_the_providers_to_the_environment(repo_root, stack_config):
    monitor = _run(repo_root, "dev", stack_config("dev"))
    inputs = monitor.named("oci-home").inputs
    assert set(inputs) <= {"region", "tenancyOcid", "version"}, inputs


@pytest.mark.parametrize("key, value, message", [
    ("oci:tenancyOcid", "ocid1.tenancy.oc1..aaaaaaaaothertenancy",
     "oci:tenancyOcid: 'ocid1.tenancy.oc1..aaaaaaaaothertenancy' is not the estate's tenancy; allowed: "),
    ("oci:auth", "Password", "oci:auth: 'Password' is not an OCI auth method; allowed: ApiKey, InstancePrincipal"),
    ("aws:sharedConfigFiles", '{"a": 1}', "aws:sharedConfigFiles: '{\"a\": 1}' is not a list of file paths"),
])
def test_bad_credential_keys_stop_the_program_before_any_resource(repo_root, stack_config, key, value, message):
    config = stack_config("us-prod") | {key: value}
    with pytest.raises(Exception) as err:
        _run(repo_root, "us-prod", config)
    assert message in str(err.value)
