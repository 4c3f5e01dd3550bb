"""Typed, immutable residency settings read from the stack's ``residency:`` config namespace."""

from residency_kit.settings.load import SettingsError, load_settings, parse_settings
from residency_kit.settings.model import (
    AllowedRegions,
    ParentCompany,
    ResidencySettings,
    SettingsIssue,
    Trusted,
)

__all__ = [
    "AllowedRegions",
    "ParentCompany",
    "ResidencySettings",
    "SettingsError",
    "SettingsIssue",
    "Trusted",
    "load_settings",
    "parse_settings",
]
