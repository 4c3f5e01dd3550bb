"""Shared values and helpers for the data-tier component tests (buckets, databases, log archive, workload)."""

from __future__ import annotations

import datetime as dt

from residency_kit.engine.capture import EchoMocks

HOME, BACKUP = "us-ashburn-1", "us-phoenix-1"
TENANCY = "ocid1.tenancy.oc1..aaaaaaaausdataexample0000000000000000000000000000000000000"
HOME_KEY = "ocid1.key.oc1.iad.bbpr2hw5aaeuk.abuwcljrhomekey0000"
PHX_KEY = "ocid1.key.oc1.phx.bbpr2hw5aaeuk.abuwcljrbackupkey000"
HOME_VAULT = "ocid1.vault.oc1.iad.bbpr2hw5aaeuk.abuwcljrhomevault00"
PHX_VAULT = "ocid1.vault.oc1.phx.bbpr2hw5aaeuk.abuwcljrbackupvault0"
DATA_CID = "ocid1.compartment.oc1..aaaaaaaadata"
BACKUP_CID = "ocid1.compartment.oc1..aaaaaaaabackup"
AUDIT_CID = "ocid1.compartment.oc1..aaaaaaaaaudit"
ROOT_CID = "ocid1.compartment.oc1..aaaaaaaaroot"
NOW = dt.datetime(2030, 1, 1, 12, 0, 0, tzinfo=dt.UTC)
TAGS = {"jurisdiction": "US", "data-owner": "us-data-team"}
NAMESPACE_TOKEN = "oci:ObjectStorage/getNamespace:getNamespace"


def mocks(preview: bool = False) -> EchoMocks:
    return EchoMocks(preview=preview, invokes={NAMESPACE_TOKEN: lambda _args: {"namespace": "usdatans"}})


def provider_region(monitor, registration) -> str:
    """The region of the explicit provider a registration names."""
    provider_urn = registration.provider.rsplit("::", 1)[0]
    (provider,) = [r for r in monitor.registrations if r.mock_urn == provider_urn]
    return provider.inputs["region"]


def children_of(monitor, component_type: str) -> list:
    (component,) = monitor.of_type(component_type)
    return [r for r in monitor.registrations if r.parent == component.mock_urn]
