"""A Pulumi project directory read the way the CLI reads it: Pulumi.yaml, ``main``, ``stackConfigDir``, stack config.

- ``main`` is relative to the project root; a directory (or no ``main``: the root) runs its ``__main__.py``
  with that directory as the working directory, a file runs with its parent as the working directory
  (``getPwdMain``).
- ``Pulumi.<stack>.yaml`` lives in ``<root>/<stackConfigDir>``; a legacy string ``config:`` means the same,
  and having both is an error. A stack named with ``--stack`` whose file does not exist has empty config,
  as in the CLI (``pulumi stack init`` writes no file; ``pulumi preview`` runs it with no config); the run
  says so in a note. With no ``--stack``, the one stack file there is the stack.
- Config keys without a namespace belong to the project; scalars become their YAML text, objects and arrays
  JSON text; ``secure:`` values cannot be decrypted offline and become secrets holding a placeholder.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from residency_kit.engine.go_json import dumps as go_json_dumps

SECRET_PLACEHOLDER = "[secret]"


class ProjectError(ValueError):
    """A project, stack or config problem; the message names the file and key."""


@dataclass
class Project:
    root: Path
    name: str
    runtime_options: dict[str, Any]
    pwd: Path
    entry: Path
    stack_config_dir: Path
    project_config: dict[str, Any] = field(default_factory=dict)
    entry_is_directory: bool = True
    """``main`` unset or a directory: the language host runs ``.`` (its ``__main__.py``), which puts the
    directory on ``sys.path``; a file ``main`` runs that file and puts nothing there."""

    @property
    def project_file(self) -> Path:
        return self.root / "Pulumi.yaml"

    def stack_file(self, stack: str) -> Path:
        return self.stack_config_dir / f"Pulumi.{stack}.yaml"

    def stacks(self) -> list[str]:
        return sorted(p.name[len("Pulumi.") : -len(".yaml")] for p in self.stack_config_dir.glob("Pulumi.*.yaml"))


def _read_yaml(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text())
    except yaml.YAMLError as err:
        raise ProjectError(f"{path}: invalid YAML: {err}") from err
    except OSError as err:
        raise ProjectError(f"{path}: cannot read: {err.strerror}") from err


def load_project(cwd: str | Path) -> Project:
    root = Path(cwd).resolve()
    if not root.is_dir():
        raise ProjectError(f"{root}: no such directory")
    project_file = root / "Pulumi.yaml"
    if not project_file.is_file():
        if (root / "Pulumi.yml").is_file():
            project_file = root / "Pulumi.yml"
        else:
            raise ProjectError(f"{root}: no Pulumi.yaml (not a Pulumi project directory; use --cwd)")
    doc = _read_yaml(project_file)
    if not isinstance(doc, dict):
        raise ProjectError(f"{project_file}: expected a mapping with name and runtime")
    name = doc.get("name")
    if not isinstance(name, str) or not name:
        raise ProjectError(f"{project_file}: key 'name' is missing")
    runtime = doc.get("runtime")
    runtime_name = runtime.get("name") if isinstance(runtime, dict) else runtime
    if runtime_name != "python":
        raise ProjectError(
            f"{project_file}: key 'runtime' is {runtime_name!r}; residency preview runs only Python programs"
        )
    options = (runtime.get("options") or {}) if isinstance(runtime, dict) else {}

    config_section = doc.get("config")
    stack_config_dir = doc.get("stackConfigDir")
    project_config: dict[str, Any] = {}
    if isinstance(config_section, str):
        if stack_config_dir:
            raise ProjectError(f"{project_file}: keys 'config' (a path) and 'stackConfigDir' cannot both be set")
        stack_config_dir = config_section
    elif isinstance(config_section, dict):
        project_config = config_section
    elif config_section is not None:
        raise ProjectError(f"{project_file}: key 'config' must be a mapping")
    config_dir = (root / stack_config_dir).resolve() if stack_config_dir else root

    main = doc.get("main")
    is_directory = True
    if main:
        target = (root / str(main)).resolve()
        if target.is_dir():
            pwd, entry = target, target / "__main__.py"
        elif target.is_file():
            pwd, entry, is_directory = target.parent, target, False
        else:
            raise ProjectError(f"{project_file}: key 'main' points to {target}, which does not exist")
    else:
        pwd, entry = root, root / "__main__.py"
    if not entry.is_file():
        raise ProjectError(f"{project_file}: the program entry point {entry} does not exist")
    return Project(
        root=root, name=name, runtime_options=options, pwd=pwd, entry=entry,
        stack_config_dir=config_dir, project_config=project_config, entry_is_directory=is_directory,
    )


def _config_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    return go_json(value)


def go_json(value: Any) -> str:
    """JSON text as the CLI writes an object or array config value (Go's ``encoding/json``: keys sorted, no
    spaces, non-ASCII kept, ``<>&`` escaped, whole floats as integers). The oracle saw
    ``{"zeta": "<&>", "alpha": 1}`` arrive as ``{"alpha":1,"zeta":"\\u003c\\u0026\\u003e"}`` in the
    program's and the packs' config."""
    return go_json_dumps(value, sort_keys=True)


def _full_key(project: Project, key: str) -> str:
    return key if ":" in key else f"{project.name}:{key}"


def _strip_secure(value: Any) -> tuple[Any, bool]:
    """Replace ``{secure: ...}`` anywhere in a value by the placeholder; report whether any was found."""
    if isinstance(value, dict):
        if set(value) == {"secure"}:
            return SECRET_PLACEHOLDER, True
        found = False
        out = {}
        for k, v in value.items():
            out[k], f = _strip_secure(v)
            found = found or f
        return out, found
    if isinstance(value, list):
        items = [_strip_secure(v) for v in value]
        return [v for v, _ in items], any(f for _, f in items)
    return value, False


# pulumi/pulumi ``tokens.ValidateStackName``: what a stack name may hold.
_STACK_NAME = re.compile(r"[A-Za-z0-9_.-]{1,100}")


@dataclass(frozen=True)
class StackChoice:
    name: str
    note: str = ""
    """Set when the stack has no config file: it is previewed with empty config (shown in every output)."""


def choose_stack(project: Project, stack: str | None) -> StackChoice:
    """The stack to preview: ``--stack NAME`` (with or without a config file), else the only stack file."""
    if stack:
        if not _STACK_NAME.fullmatch(stack):
            raise ProjectError(
                f"invalid stack name {stack!r}: allowed are 1 to 100 of the letters A-Z and a-z, the digits 0-9, "
                "'-', '_' and '.'"
            )
        stack_file = project.stack_file(stack)
        if stack_file.is_file():
            return StackChoice(stack)
        others = project.stacks()
        known = f" (stack config files there: {', '.join(others)})" if others else ""
        return StackChoice(
            stack,
            f"stack {stack!r} has no config file ({stack_file} does not exist){known}: previewed with empty "
            f"stack config, as the Pulumi CLI previews a new stack",
        )
    stacks = project.stacks()
    if len(stacks) == 1:
        return StackChoice(stacks[0])
    if not stacks:
        raise ProjectError(
            f"no stack config file (Pulumi.<stack>.yaml) in {project.stack_config_dir}: pass --stack NAME to name "
            "the stack to preview (a stack with no config file is previewed with empty config, as a new stack)"
        )
    raise ProjectError(f"several stacks in {project.stack_config_dir} ({', '.join(stacks)}); pass --stack NAME")


def resolve_stack(project: Project, stack: str | None) -> str:
    return choose_stack(project, stack).name


def load_stack_config(
    project: Project, stack: str, overrides: Mapping[str, str] | None = None
) -> tuple[dict[str, str], list[str]]:
    """The stack's config as engine strings (``ns:key`` -> text) and the keys that are secrets."""
    config: dict[str, str] = {}
    secret_keys: set[str] = set()
    for key, spec in project.project_config.items():
        value = spec.get("value", spec.get("default")) if isinstance(spec, dict) else spec
        if value is not None:
            config[_full_key(project, str(key))] = _config_text(value)
    stack_file = project.stack_file(stack)
    doc = _read_yaml(stack_file) if stack_file.is_file() else {}
    doc = doc or {}
    if not isinstance(doc, dict):
        raise ProjectError(f"{stack_file}: expected a mapping")
    section = doc.get("config") or {}
    if not isinstance(section, dict):
        raise ProjectError(f"{stack_file}: key 'config' must be a mapping")
    for key, value in section.items():
        full = _full_key(project, str(key))
        value, is_secret = _strip_secure(value)
        config[full] = _config_text(value)
        if is_secret:
            secret_keys.add(full)
    for key, value in (overrides or {}).items():
        full = _full_key(project, key)
        config[full] = value
        secret_keys.discard(full)
    return config, sorted(secret_keys)


def stack_files(project: Project, stack: str, namespace: str = "residency") -> dict[str, str]:
    """For the evidence: which file each ``<namespace>:<key>`` comes from, the stack file winning over Pulumi.yaml
    (as the CLI layers them). Keys are without the namespace; files are relative to the project root."""
    found: dict[str, str] = {}
    for key in project.project_config:
        ns, _, name = _full_key(project, str(key)).partition(":")
        if ns == namespace:
            found[name] = project.project_file.name
    stack_file = project.stack_file(stack)
    if stack_file.is_file():
        try:
            doc = yaml.safe_load(stack_file.read_text()) or {}
        except (OSError, yaml.YAMLError):
            doc = {}
        section = doc.get("config") if isinstance(doc, dict) else None
        for key in section or {}:
            ns, _, name = _full_key(project, str(key)).partition(":")
            if ns == namespace:
                found[name] = str(stack_file.relative_to(project.root)) if stack_file.is_relative_to(project.root) \
                    else str(stack_file)
    return found


@dataclass(frozen=True)
class ConfigPositions:
    """Where each package's provider configuration is written, for findings on its default provider.

    The engine configures a default provider from the stack's ``<pkg>:*`` keys, so a finding on it is fixed
    where those keys are set: the line of ``<pkg>:region`` (else the package's first key) in the stack file,
    else in Pulumi.yaml's ``config:``; with none, line 1 of the stack file (Pulumi.yaml when the stack has no
    file)."""

    lines: dict[str, tuple[str, int]] = field(default_factory=dict)
    """Package -> (file, line)."""
    fallback: tuple[str, int] = ("", 0)

    def of_package(self, package: str) -> tuple[str, int]:
        return self.lines.get(package, self.fallback)


def _config_key_lines(path: Path) -> list[tuple[str, int]]:
    """``(key, line)`` of each config key in a stack file (``config:``) or Pulumi.yaml (``config:`` mapping)."""
    try:
        root = yaml.compose(path.read_text())
    except (OSError, yaml.YAMLError):
        return []
    if not isinstance(root, yaml.MappingNode):
        return []
    section = next((v for k, v in root.value if isinstance(k, yaml.ScalarNode) and k.value == "config"), None)
    if not isinstance(section, yaml.MappingNode):
        return []
    return [(str(k.value), k.start_mark.line + 1) for k, _ in section.value if isinstance(k, yaml.ScalarNode)]


def provider_config_positions(project: Project, stack: str) -> ConfigPositions:
    stack_file = project.stack_file(stack)
    lines: dict[str, tuple[str, int]] = {}
    for path in (stack_file, project.project_file):
        if not path.is_file():
            continue
        for key, line in _config_key_lines(path):
            package, sep, name = key.partition(":")
            if not sep or (package in lines and name != "region"):
                continue
            if package in lines and lines[package][0] != str(path):
                continue  # the stack file's line wins over Pulumi.yaml's
            lines[package] = (str(path), line)
    fallback = (str(stack_file), 1) if stack_file.is_file() else (str(project.project_file), 1)
    return ConfigPositions(lines, fallback)


def parse_config_override(text: str) -> tuple[str, str]:
    key, sep, value = text.partition("=")
    if not sep or not key:
        raise ProjectError(f"--config {text!r}: expected KEY=VALUE")
    return key, value
