"""The oracle: run the same programs under the real Pulumi engine and under ``residency preview`` and compare
what policy packs receive (see docs/preview.md, "The oracle")."""
