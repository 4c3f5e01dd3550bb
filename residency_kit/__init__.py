"""The ``residency`` CLI and the offline preview engine of the Residency Kit."""
