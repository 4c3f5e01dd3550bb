"""Settings of the isolated OCI tenancy: which tenancy, and the names of the residency compartments."""

from __future__ import annotations

from pydantic import Field

from components.settings.base import SettingsModel
from components.settings.identifiers import OciRegion, TenancyOcid


class ChildTenancySettings(SettingsModel):
    """A new child tenancy created from the (US-owned) parent tenancy with Tenant Manager."""

    tenancy_name: str = Field(min_length=1, max_length=32, pattern=r"^[a-z][a-z0-9]*$")
    admin_email: str = Field(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    home_region: OciRegion | None = None
    """Defaults to the residency home region."""


class CompartmentNames(SettingsModel):
    root: str = "us-residency"
    network: str = "network"
    data: str = "data"
    backup: str = "backup"
    security: str = "security"
    audit: str = "audit"


class TenancySettings(SettingsModel):
    tenancy_ocid: TenancyOcid
    """The dedicated US tenancy the estate lives in (adopted), or the parent of a new child tenancy."""
    child_tenancy: ChildTenancySettings | None = None
    compartments: CompartmentNames = CompartmentNames()
