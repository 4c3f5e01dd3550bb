"""Settings of the isolated OCI tenancy: which tenancy, and the names of the residency compartments."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from residency_kit.settings.base import SettingsModel
from residency_kit.settings.identifiers import GroupOcid, OciRegion, TenancyOcid


class ChildTenancySettings(SettingsModel):
    """A new child tenancy created from the (US-owned) parent tenancy with Tenant Manager."""

    tenancy_name: str = Field(min_length=1, max_length=32, pattern=r"^[a-z][a-z0-9]*$")
    admin_email: str = Field(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    home_region: OciRegion | None = None
    """Defaults to the residency home region."""


_COMPARTMENT_NAME = r"^[A-Za-z0-9_.-]{1,100}$"


class CompartmentNames(SettingsModel):
    root: str = Field(default="us-residency", pattern=_COMPARTMENT_NAME)
    network: str = Field(default="network", pattern=_COMPARTMENT_NAME)
    data: str = Field(default="data", pattern=_COMPARTMENT_NAME)
    backup: str = Field(default="backup", pattern=_COMPARTMENT_NAME)
    security: str = Field(default="security", pattern=_COMPARTMENT_NAME)
    audit: str = Field(default="audit", pattern=_COMPARTMENT_NAME)


class TrustedAuditorGroupSettings(SettingsModel):
    """A group of a trusted tenancy admitted to read the residency audit evidence (``Admit group ...``)."""

    tenancy_id: TenancyOcid
    """Must be one of ``trusted.ociTenancyIds``; the component refuses any other tenancy."""
    group_id: GroupOcid


class TenancySettings(SettingsModel):
    tenancy_ocid: TenancyOcid
    """The dedicated US tenancy the estate lives in (adopted), or the parent of a new child tenancy."""
    child_tenancy: ChildTenancySettings | None = None
    compartments: CompartmentNames = CompartmentNames()
    tag_namespace: str | None = Field(default=None, pattern=r"^[^\s.]{1,100}$")
    """Name of the residency tag namespace; defaults to the root compartment name."""
    vault_type: Literal["DEFAULT", "VIRTUAL_PRIVATE"] = "VIRTUAL_PRIVATE"
    """VIRTUAL_PRIVATE keeps the master key in an HSM partition no other tenancy shares."""
    trusted_auditor_groups: tuple[TrustedAuditorGroupSettings, ...] = ()
    """The only principals of other tenancies admitted (read-only, audit evidence). A trusted tenancy is
    admitted as these specific groups, never as ``any-user``; none configured means no cross-tenancy policy."""
