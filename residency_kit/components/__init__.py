"""Reusable Pulumi components of the Residency Kit and the typed residency settings they are built from."""
