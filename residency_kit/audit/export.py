"""Read a ``pulumi stack export`` file: an untyped deployment, schema version 3.

``pulumi stack export`` prints ``{"version": 3, "deployment": {"manifest": ..., "secrets_providers": ...,
"resources": [ResourceV3, ...], "pending_operations": [...]}}`` (pulumi/pulumi ``sdk/go/common/apitype``).
Each ResourceV3 has ``urn``, ``custom``, ``type`` and optionally ``id``, ``inputs``, ``outputs``,
``parent``, ``protect``, ``retainOnDelete``, ``external``, ``delete``, ``provider`` (``<urn>::<id>``),
``dependencies``, ``propertyDependencies``, ``additionalSecretOutputs``, ``aliases``, ``customTimeouts``,
``ignoreChanges`` and ``pendingReplacement``.

Secrets: an export without ``--show-secrets`` holds ``{sig, "ciphertext": ...}``, which cannot be read
here; those values become secrets whose value is unknown, so a policy that needs one fails closed. With
``--show-secrets`` the ``plaintext`` field holds the value as JSON text, which is decoded.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from residency_kit.engine.secrets import SECRET_SIG, SECRET_SIG_KEY, secret
from residency_kit.engine.stack import UNKNOWN
from residency_policies.urns import parse_urn, provider_reference_urn

SUPPORTED_VERSIONS = (3,)


class StateFileError(ValueError):
    """The state file cannot be audited; the message names the file and the resource or key at fault."""


@dataclass
class StateResource:
    urn: str
    type: str
    custom: bool
    id: str = ""
    inputs: dict[str, Any] = field(default_factory=dict)
    outputs: dict[str, Any] = field(default_factory=dict)
    parent: str = ""
    provider: str = ""
    protect: bool = False
    retain_on_delete: bool = False
    external: bool = False
    dependencies: list[str] = field(default_factory=list)
    property_dependencies: dict[str, list[str]] = field(default_factory=dict)
    additional_secret_outputs: list[str] = field(default_factory=list)
    aliases: list[str] = field(default_factory=list)
    custom_timeouts: dict[str, str] = field(default_factory=dict)
    ignore_changes: list[str] = field(default_factory=list)


@dataclass
class StateExport:
    path: Path
    project: str
    stack: str
    resources: list[StateResource]
    manifest: dict[str, Any]
    warnings: list[str] = field(default_factory=list)
    secrets_unreadable: int = 0

    @property
    def time(self) -> str:
        return str(self.manifest.get("time", ""))


class _Decoder:
    """Turns state property values into the analyzer's wire form, counting secrets it cannot read."""

    def __init__(self) -> None:
        self.unreadable = 0

    def value(self, value: Any) -> Any:
        if isinstance(value, Mapping):
            if value.get(SECRET_SIG_KEY) == SECRET_SIG:
                if "plaintext" in value:
                    try:
                        inner = json.loads(value["plaintext"])
                    except (TypeError, json.JSONDecodeError):
                        inner = value["plaintext"]
                    return secret(self.value(inner))
                if "value" in value:
                    return secret(self.value(value["value"]))
                self.unreadable += 1
                return secret(UNKNOWN)
            return {k: self.value(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.value(v) for v in value]
        return value

    def properties(self, value: Any, where: str) -> dict[str, Any]:
        if value is None:
            return {}
        if not isinstance(value, Mapping):
            raise StateFileError(f"{where} must be an object")
        return {k: self.value(v) for k, v in value.items()}


def _timeouts(value: Any) -> dict[str, str]:
    # The state keeps custom timeouts as seconds; the engine stack carries Go duration strings.
    if not isinstance(value, Mapping):
        return {}
    return {k: f"{float(v):g}s" for k, v in value.items() if isinstance(v, (int, float)) and v}


def _string_list(value: Any, where: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise StateFileError(f"{where} must be a list of strings")
    return list(value)


def _urn_parts(urn: str, where: str) -> tuple[str, str]:
    parsed = parse_urn(urn)
    if parsed is None:
        raise StateFileError(f"{where}: {urn!r} is not a Pulumi URN (urn:pulumi:<stack>::<project>::<type>::<name>)")
    return parsed.stack, parsed.project


def load_state_export(path: str | Path) -> StateExport:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as err:
        raise StateFileError(f"{path}: cannot read the state file: {err.strerror}") from err
    try:
        document = json.loads(text)
    except json.JSONDecodeError as err:
        raise StateFileError(f"{path}: invalid JSON at line {err.lineno} column {err.colno}: {err.msg}") from err
    if not isinstance(document, Mapping) or "deployment" not in document:
        raise StateFileError(
            f"{path}: not a `pulumi stack export` file (expected an object with `version` and `deployment`)"
        )
    version = document.get("version")
    if version not in SUPPORTED_VERSIONS:
        raise StateFileError(
            f"{path}: deployment version {version!r} is not supported (supported: "
            f"{', '.join(map(str, SUPPORTED_VERSIONS))})"
        )
    deployment = document["deployment"]
    if not isinstance(deployment, Mapping):
        raise StateFileError(f"{path}: `deployment` must be an object")
    raw_resources = deployment.get("resources") or []
    if not isinstance(raw_resources, list):
        raise StateFileError(f"{path}: deployment.resources must be a list")

    decoder = _Decoder()
    warnings: list[str] = []
    resources: list[StateResource] = []
    seen: dict[str, int] = {}
    stacks: set[tuple[str, str]] = set()
    for index, raw in enumerate(raw_resources):
        where = f"{path}: deployment.resources[{index}]"
        if not isinstance(raw, Mapping):
            raise StateFileError(f"{where} must be an object")
        for key in ("urn", "type"):
            if not isinstance(raw.get(key), str) or not raw.get(key):
                raise StateFileError(f"{where} has no `{key}`")
        urn = raw["urn"]
        where = f"{path}: resource {urn}"
        stacks.add(_urn_parts(urn, where))
        if raw.get("delete"):
            # An old copy awaiting deletion after a create-before-replace; its replacement has the same URN.
            warnings.append(f"{urn}: skipped a copy pending deletion (delete: true)")
            continue
        if urn in seen:
            raise StateFileError(f"{where} appears twice (deployment.resources[{seen[urn]}] and [{index}])")
        seen[urn] = index
        provider = raw.get("provider") or ""
        if provider and "::" not in provider.removeprefix("urn:pulumi:"):
            raise StateFileError(f"{where}: provider reference {provider!r} is not `<provider urn>::<id>`")
        deps = raw.get("propertyDependencies") or {}
        if not isinstance(deps, Mapping):
            raise StateFileError(f"{where}: propertyDependencies must be an object")
        resources.append(
            StateResource(
                urn=urn,
                type=raw["type"],
                custom=bool(raw.get("custom", False)),
                id=str(raw.get("id") or ""),
                inputs=decoder.properties(raw.get("inputs"), f"{where}: inputs"),
                outputs=decoder.properties(raw.get("outputs"), f"{where}: outputs"),
                parent=raw.get("parent") or "",
                provider=provider,
                protect=bool(raw.get("protect", False)),
                retain_on_delete=bool(raw.get("retainOnDelete", False)),
                external=bool(raw.get("external", False)),
                dependencies=_string_list(raw.get("dependencies"), f"{where}: dependencies"),
                property_dependencies={
                    k: _string_list(v, f"{where}: propertyDependencies.{k}") for k, v in deps.items() if v
                },
                additional_secret_outputs=_string_list(raw.get("additionalSecretOutputs"), f"{where}: additionalSecretOutputs"),
                aliases=_string_list(raw.get("aliases"), f"{where}: aliases"),
                custom_timeouts=_timeouts(raw.get("customTimeouts")),
                ignore_changes=_string_list(raw.get("ignoreChanges"), f"{where}: ignoreChanges"),
            )
        )
    if not resources:
        raise StateFileError(f"{path}: the deployment has no resources (was the stack ever deployed?)")
    if len(stacks) > 1:
        names = ", ".join(f"{p}/{s}" for s, p in sorted(stacks))
        raise StateFileError(f"{path}: resources of more than one stack ({names})")
    stack, project = next(iter(stacks))
    by_urn = {r.urn for r in resources}
    for r in resources:
        if r.provider and provider_reference_urn(r.provider) not in by_urn:
            raise StateFileError(f"{path}: resource {r.urn} refers to provider {r.provider!r}, which is not in the state")
        if r.parent and r.parent not in by_urn:
            raise StateFileError(f"{path}: resource {r.urn} has parent {r.parent!r}, which is not in the state")
    for op in deployment.get("pending_operations") or []:
        res = op.get("resource", {}) if isinstance(op, Mapping) else {}
        warnings.append(f"{res.get('urn', '?')}: operation {op.get('type', '?')!r} was pending when the state was saved")
    if decoder.unreadable:
        warnings.append(
            f"{decoder.unreadable} encrypted secret value(s) cannot be read without `pulumi stack export "
            "--show-secrets`; policies that need them report them as unverifiable"
        )
    manifest = deployment.get("manifest") if isinstance(deployment.get("manifest"), Mapping) else {}
    return StateExport(
        path=path, project=project, stack=stack, resources=resources, manifest=dict(manifest),
        warnings=warnings, secrets_unreadable=decoder.unreadable,
    )
