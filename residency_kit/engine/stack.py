"""What the engine would analyze: registrations rewritten into engine URNs, plus the root Stack and default providers.

The SDK's mock monitor names resources its own way (``pulumi:pulumi:Stack$`` prefix on top-level types, only
the parent's last type in the chain) and sends no provider for resources that rely on a default provider.
``build_engine_stack`` recomputes the engine's view (``Deployment.generateURN``,
``defaultProviders.newRegisterDefaultProviderEvent`` and ``Target.GetPackageConfig`` in pulumi/pulumi):

- URN ``urn:pulumi:<stack>::<project>::<parent qualified type>$<type>::<name>``, with no parent type when the
  parent is the root Stack;
- one root ``pulumi:pulumi:Stack`` resource named ``<project>-<stack>``;
- ``pulumi:providers:<pkg>::default_<maj>_<min>_<patch>`` for custom resources without an explicit provider,
  whose properties are the stack config keys of that package without the namespace (raw strings, secure
  values as secrets) plus ``version``;
- provider references ``<urn>::<id>``, the id being the engine's unknown sentinel in a preview.

A default provider has no line in the program; its source position is where the stack config that
configures it is written (``ConfigPositions``), so a finding on it points where the fix belongs.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pulumi.runtime import rpc

from residency_kit.engine.capture import ROOT_STACK_TYPE, DefaultProviderUse, Read, Registration
from residency_kit.engine.invokes.ledger import MARKER_RE
from residency_kit.engine.invokes.pinned import PINNED_FILE
from residency_kit.engine.project import ConfigPositions
from residency_kit.engine.secrets import secret
from residency_policies.urns import make_urn, provider_reference_urn, urn_qualified_type, urn_type

UNKNOWN = rpc.UNKNOWN
PROVIDER_TYPE_PREFIX = "pulumi:providers:"


class EngineStackError(ValueError):
    """The registrations cannot form a stack the engine would accept (names the resource at fault)."""


@dataclass
class EngineResource:
    """One resource as the engine registers and analyzes it (inputs in wire form, engine URNs throughout)."""

    urn: str
    type: str
    name: str
    custom: bool
    parent: str = ""
    provider: str = ""
    protect: bool = False
    retain_on_delete: bool = False
    inputs: dict[str, Any] = field(default_factory=dict)
    dependencies: list[str] = field(default_factory=list)
    property_dependencies: dict[str, list[str]] = field(default_factory=dict)
    delete_before_replace: bool = False
    delete_before_replace_defined: bool = False
    ignore_changes: list[str] = field(default_factory=list)
    additional_secret_outputs: list[str] = field(default_factory=list)
    aliases: list[str] = field(default_factory=list)
    custom_timeouts: dict[str, str] = field(default_factory=dict)
    version: str = ""
    id: str = ""
    synthesized: bool = False
    """True for resources the engine adds itself (root Stack, default providers)."""
    source_file: str = ""
    """Where the program declared the resource (the SDK's source position). A default provider's is where
    its package's stack config is set (``project.ConfigPositions``); empty for the root Stack."""
    source_line: int = 0
    registered_outputs: dict[str, Any] | None = None
    """A component's or the root Stack's registered outputs."""
    remote: bool = False
    """A multi-language component whose children only the provider's ``Construct`` creates."""

    @property
    def is_provider(self) -> bool:
        return self.type.startswith(PROVIDER_TYPE_PREFIX)

    @property
    def is_default_provider(self) -> bool:
        return self.is_provider and self.name.startswith("default")

    @property
    def package(self) -> str:
        if self.is_provider:
            return self.type.removeprefix(PROVIDER_TYPE_PREFIX)
        return self.type.split(":", 1)[0]

    @property
    def provider_urn(self) -> str:
        return provider_reference_urn(self.provider)


@dataclass
class EngineStack:
    """Every resource of one preview, root Stack first, in registration order."""

    project: str
    stack: str
    resources: list[EngineResource]
    by_urn: dict[str, EngineResource] = field(init=False)

    def __post_init__(self) -> None:
        self.by_urn = {r.urn: r for r in self.resources}

    @property
    def root(self) -> EngineResource:
        return self.resources[0]

    def provider_of(self, resource: EngineResource) -> EngineResource | None:
        return self.by_urn.get(resource.provider_urn) if resource.provider else None

    def of_type(self, type_token: str) -> list[EngineResource]:
        return [r for r in self.resources if r.type == type_token]

    def named(self, name: str) -> EngineResource:
        matches = [r for r in self.resources if r.name == name]
        if len(matches) != 1:
            raise KeyError(f"expected one resource named {name!r}, found {len(matches)}")
        return matches[0]


def default_provider_name(version: str) -> str:
    """``ProviderRequest.DefaultName``: ``default`` or ``default_<maj>_<min>_<patch>[_<pre>][_<build>]``."""
    if not version:
        return "default"
    core, _, build = version.partition("+")
    core, _, pre = core.partition("-")
    name = "default_" + core.replace(".", "_")
    for extra in (pre, build):
        if extra:
            name += "_" + re.sub(r"[^A-Za-z0-9_]", "_", extra)
    return name


def package_config(
    package: str, config: Mapping[str, str], secret_keys: Iterable[str] = ()
) -> dict[str, Any]:
    """``Target.GetPackageConfig``: the package's stack config keys without the namespace, raw strings."""
    secrets = set(secret_keys)
    props: dict[str, Any] = {}
    for key, value in sorted(config.items()):
        namespace, sep, rest = key.partition(":")
        if not sep or namespace != package:
            continue
        text = value if isinstance(value, str) else json.dumps(value)
        props[rest] = secret(text) if key in secrets else text
    return props


_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)")
_DURATION_UNITS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}


def duration_seconds(text: str) -> float:
    """A Go duration string (``5m``, ``1h30m``) in seconds, as the engine's custom timeouts carry them."""
    if not text:
        return 0.0
    parts = _DURATION_PART.findall(text)
    if not parts or "".join(n + u for n, u in parts) != text:
        raise ValueError(f"invalid duration {text!r}")
    return sum(float(n) * _DURATION_UNITS[u] for n, u in parts)


def _disabled_default_providers(config: Mapping[str, str]) -> set[str]:
    raw = config.get("pulumi:disable-default-providers")
    if not raw:
        return set()
    try:
        value = json.loads(raw) if isinstance(raw, str) else raw
    except json.JSONDecodeError:
        value = [p.strip() for p in raw.split(",")]
    return {str(v) for v in value} if isinstance(value, list) else {str(value)}


def _rewrite_urns(value: Any, urn_map: Mapping[str, str]) -> Any:
    """Mock URNs inside property values (a component passed as an input is its URN) as engine URNs."""
    if isinstance(value, str):
        return urn_map.get(value, value) if value.startswith("urn:pulumi:") else value
    if isinstance(value, dict):
        return {k: _rewrite_urns(v, urn_map) for k, v in value.items()}
    if isinstance(value, list):
        return [_rewrite_urns(v, urn_map) for v in value]
    return value


class EngineStackBuilder:
    """Builds the engine's view one registration at a time, so resources can be analyzed as they arrive.

    ``add(registration)`` returns the engine resources it created, in the order the engine registers them
    (a default provider first, the first time a package needs one); ``stack()`` is the whole stack so far.
    """

    def __init__(
        self, *, project: str, stack: str, config: Mapping[str, str], secret_keys: Iterable[str] = (),
        config_positions: ConfigPositions | None = None,
    ):
        self.project = project
        self.config_positions = config_positions
        self.stack_name = stack
        self.config = config
        self.secret_keys = tuple(secret_keys)
        self.root = EngineResource(
            urn=make_urn(stack, project, ROOT_STACK_TYPE, f"{project}-{stack}"),
            type=ROOT_STACK_TYPE,
            name=f"{project}-{stack}",
            custom=False,
            inputs={},
            id="",
            synthesized=True,
        )
        self.resources: list[EngineResource] = [self.root]
        self._urn_map: dict[str, str] = {}
        self._default_providers: dict[tuple[str, str, str], EngineResource] = {}
        self._disabled = _disabled_default_providers(config)
        self._seen: set[str] = set()
        self._engine_stack = EngineStack(project=project, stack=stack, resources=self.resources)

    def engine_urn(self, mock_urn: str) -> str:
        """The engine URN of a resource the mock monitor named ``mock_urn``."""
        return self._engine_urn(mock_urn)

    def _engine_urn(self, mock_urn: str) -> str:
        if not mock_urn:
            return ""
        if urn_type(mock_urn) == ROOT_STACK_TYPE:
            return self.root.urn
        return self._urn_map.get(mock_urn, mock_urn)

    def _provider_ref(self, mock_ref: str) -> str:
        mock_urn, _, id_ = mock_ref.rpartition("::")
        return f"{self._engine_urn(mock_urn)}::{id_ or UNKNOWN}"

    def _default_provider_for(self, package: str, version: str, url: str, needed_by: str) -> EngineResource | None:
        if package in self._disabled or "*" in self._disabled:
            raise EngineStackError(
                f"{needed_by} needs the default {package} provider, but "
                f"config key pulumi:disable-default-providers disables it; pass an explicit provider"
            )
        key = (package, version, url)
        if key in self._default_providers:
            return None
        name = default_provider_name(version)
        if url:
            name += "_" + re.sub(r"[^A-Za-z0-9_]", "_", url)
        props = package_config(package, self.config, self.secret_keys)
        if version:
            props["version"] = version
        if url:
            props["pluginDownloadURL"] = url
        source_file, source_line = self.config_positions.of_package(package) if self.config_positions else ("", 0)
        provider = EngineResource(
            urn=make_urn(self.stack_name, self.project, PROVIDER_TYPE_PREFIX + package, name),
            type=PROVIDER_TYPE_PREFIX + package,
            name=name,
            custom=True,
            inputs=props,
            version=version,
            id=UNKNOWN,
            synthesized=True,
            source_file=source_file,
            source_line=source_line,
        )
        self._default_providers[key] = provider
        return provider

    def add(self, reg: Registration) -> list[EngineResource]:
        added: list[EngineResource] = []
        root = self.root
        parent = self._engine_urn(reg.parent) if reg.parent else root.urn
        parent_qualified = "" if parent == root.urn else urn_qualified_type(parent)
        urn = make_urn(self.stack_name, self.project, reg.type, reg.name, parent_qualified)
        if urn in self._seen:
            message = f"duplicate resource URN {urn!r}: two resources named {reg.name!r} of type {reg.type}"
            marker = MARKER_RE.search(reg.name)
            if marker is not None:
                message += (
                    f"; the name holds a value that is unknown offline ({marker.group(0)}): set the config the "
                    f"invoke depends on (such as the provider's region) or pin its answer in {PINNED_FILE}"
                )
            raise EngineStackError(message)
        self._seen.add(urn)
        self._urn_map[reg.mock_urn] = urn

        is_provider = reg.is_provider
        provider = ""
        if reg.custom and not is_provider:
            if reg.provider:
                provider = self._provider_ref(reg.provider)
            else:
                created = self._default_provider_for(
                    reg.package, reg.version, reg.plugin_download_url, f"resource {reg.name!r} of type {reg.type}"
                )
                if created is not None:
                    added.append(created)
                dp = self._default_providers[(reg.package, reg.version, reg.plugin_download_url)]
                provider = f"{dp.urn}::{dp.id}"

        inputs = _rewrite_urns(dict(reg.inputs), self._urn_map)
        if is_provider and reg.version and "version" not in inputs:
            # SetProviderVersion: the engine records the plugin version in every provider's inputs.
            inputs["version"] = reg.version

        added.append(
            EngineResource(
                urn=urn,
                type=reg.type,
                name=reg.name,
                custom=reg.custom,
                parent=parent,
                provider=provider,
                protect=bool(reg.protect),
                retain_on_delete=bool(reg.retain_on_delete),
                inputs=inputs,
                dependencies=[self._engine_urn(d) for d in reg.dependencies],
                property_dependencies={
                    k: [self._engine_urn(d) for d in v] for k, v in reg.property_dependencies.items() if v
                },
                delete_before_replace=reg.delete_before_replace,
                delete_before_replace_defined=reg.delete_before_replace_defined,
                ignore_changes=list(reg.ignore_changes),
                additional_secret_outputs=list(reg.additional_secret_outputs),
                # A create on a fresh stack: the engine's State.Aliases holds only aliases resolved against
                # existing state, so analyzers see none (the registration keeps what the program gave).
                aliases=[],
                custom_timeouts=dict(reg.custom_timeouts),
                version=reg.version,
                id=(reg.id or UNKNOWN) if reg.custom else "",
                source_file=reg.source_file,
                source_line=reg.source_line,
                remote=reg.remote,
            )
        )
        for resource in added:
            self.resources.append(resource)
            self._engine_stack.by_urn[resource.urn] = resource
        return added

    def add_read(self, read: Read) -> None:
        """A ``Resource.get``: not analyzed, but resources that depend on it name its engine URN."""
        parent = self._engine_urn(read.parent) if read.parent else self.root.urn
        parent_qualified = "" if parent == self.root.urn else urn_qualified_type(parent)
        self._urn_map[read.mock_urn] = make_urn(self.stack_name, self.project, read.type, read.name, parent_qualified)

    def add_default_provider(self, use: DefaultProviderUse) -> list[EngineResource]:
        """An invoke without an explicit provider: the engine registers the package's default provider."""
        created = self._default_provider_for(use.package, use.version, use.plugin_download_url,
                                             f"an invoke of package {use.package}")
        if created is None:
            return []
        self.resources.append(created)
        self._engine_stack.by_urn[created.urn] = created
        return [created]

    def set_outputs(self, mock_urn: str, outputs: dict[str, Any]) -> None:
        """A component's or the root Stack's ``register_outputs`` (what ``AnalyzeStack`` sees for them)."""
        resource = self._engine_stack.by_urn.get(self._engine_urn(mock_urn))
        if resource is not None:
            resource.registered_outputs = _rewrite_urns(dict(outputs), self._urn_map)

    def stack(self) -> EngineStack:
        return self._engine_stack


def apply_event(builder: EngineStackBuilder, kind: str, value: Any) -> list[EngineResource]:
    """Feed one monitor event (``RecordingMonitor.events``) to ``builder``; returns the resources it created."""
    if kind == "registration":
        return builder.add(value)
    if kind == "default-provider":
        return builder.add_default_provider(value)
    if kind == "read":
        builder.add_read(value)
    elif kind == "outputs":
        builder.set_outputs(*value)
    return []


def build_engine_stack(
    registrations: Sequence[Registration],
    *,
    project: str,
    stack: str,
    config: Mapping[str, str],
    secret_keys: Iterable[str] = (),
) -> EngineStack:
    """Rewrite mock registrations into the resources the engine would register and analyze."""
    builder = EngineStackBuilder(project=project, stack=stack, config=config, secret_keys=secret_keys)
    for reg in registrations:
        builder.add(reg)
    return builder.stack()
