"""The provider an invoke runs against: its package, name, region and configuration.

An invoke with an explicit provider runs against that provider's inputs only (stack config keys of the
package feed the default provider alone, as in the engine); without one it runs against the default
provider, configured by the stack's ``<pkg>:*`` keys. A per-call ``region`` argument (pulumi_aws 7) wins.
A region that is not a known string is ``None``: answers that depend on it are unknown.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from residency_kit.engine.invokes.ledger import MARKER_RE, UNKNOWN
from residency_kit.engine.secrets import plain

def known_string(value: Any) -> str | None:
    if isinstance(value, str) and value and value != UNKNOWN and not MARKER_RE.search(value):
        return value
    return None


@dataclass
class ProviderContext:
    package: str
    name: str
    """``default`` or the explicit provider's resource name."""
    config: dict[str, Any] = field(default_factory=dict)
    """The provider's configuration: its inputs, or the stack's ``<pkg>:*`` keys for the default provider."""

    @property
    def region(self) -> str | None:
        return known_string(self.config.get("region"))

    def with_region(self, region: Any) -> ProviderContext:
        if known_string(region) is None:
            return self
        return ProviderContext(self.package, self.name, {**self.config, "region": region})

    def value(self, key: str) -> Any:
        """A config value; JSON text (how stack config carries objects and lists) is decoded."""
        value = self.config.get(key)
        if isinstance(value, str) and value[:1] in "[{":
            try:
                return json.loads(value)
            except json.JSONDecodeError:
                return value
        return value


def default_provider_context(package: str, config: Mapping[str, str]) -> ProviderContext:
    prefix = package + ":"
    own = {k[len(prefix):]: v for k, v in config.items() if k.startswith(prefix)}
    return ProviderContext(package, "default", own)


def explicit_provider_context(package: str, name: str, inputs: Mapping[str, Any]) -> ProviderContext:
    return ProviderContext(package, name, plain(dict(inputs)))
