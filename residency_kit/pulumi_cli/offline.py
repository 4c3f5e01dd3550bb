"""Run a real Pulumi CLI's ``pulumi preview`` offline: no cloud, no credentials, nothing of the user's touched.

``OfflinePulumi`` gives the CLI a private world under one work directory:

- ``PULUMI_HOME`` of its own, whose plugin cache holds the stand-in ``oci`` and ``aws`` providers
  (``residency_kit.pulumi_cli.standin_provider``), installed with the CLI's own
  ``pulumi plugin install resource <pkg> <version> --file <launcher>`` at the versions the installed SDKs
  request, so the engine finds them exactly where it finds a real provider;
- a ``file://`` backend per run, a throwaway passphrase (or the caller's ``PULUMI_CONFIG_PASSPHRASE``);
- a mirror of the project: ``Pulumi.yaml`` and the stack file are copied (``pulumi stack init`` writes an
  ``encryptionsalt`` into the stack file), every other entry is a symlink to the user's files;
- a ``uv`` in front of the user's on PATH that makes ``uv sync`` a no-op for an environment outside the work
  directory. A project with ``toolchain: uv`` runs on its own virtualenv, which the mirror links to; Pulumi's
  own language host (an installed CLI's) runs ``uv sync --inexact`` before every Python process, and from the
  mirror that would reinstall the project, editable, from the mirror's temporary path (rewriting
  ``.venv/bin/*`` shebangs and the project's ``direct_url.json`` to a directory about to be deleted); the
  oracle's host (``residency_kit.pulumi_cli.language_host``) installs nothing. The run uses the environment as
  it is, as ``residency preview`` does; every other ``uv`` command (``uv export`` for the plugins the program
  needs, ``uv venv`` for a project without one, ``uv sync`` of an environment in the work directory) is uv.

``preview`` streams the engine's JSON events (``PULUMI_ENABLE_STREAMING_JSON_PREVIEW``) and returns them with
the exit code. Automatic plugin downloads are disabled; a provider the SDKs do not pin fails to load. The
stand-in providers read the project's pinned invoke answers from ``$RESIDENCY_PROJECT_DIR`` (the real
project directory, not the mirror). Everything lives under ``workdir``: remove it when done (``close``).
"""

from __future__ import annotations

import importlib.util
import json
import os
import shlex
import shutil
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
# `make oracle` builds the CLI here (gitignored).
ORACLE_BIN = REPO_ROOT / ".oracle" / "bin"
STANDIN_PACKAGES = ("oci", "aws")
OFFLINE_PASSPHRASE = "residency-offline-preview"
# The project whose residency-invokes.yaml the stand-in providers read (the CLI runs a mirror of it).
PROJECT_DIR_ENV = "RESIDENCY_PROJECT_DIR"

_UV_GUARD = """#!/bin/sh
# Written by residency_kit.pulumi_cli.offline: the user's uv, except that `uv sync` of an environment outside
# this work directory (the user's own virtualenv, linked into the project's mirror) does nothing.
for arg in "$@"; do
  case "$arg" in
    -*) ;;
    sync)
      environment=$(realpath -m "${{UV_PROJECT_ENVIRONMENT:-.venv}}")
      case "$environment" in
        {workdir}/*) ;;
        *) exit 0 ;;
      esac
      break ;;
    *) break ;;
  esac
done
exec {uv} "$@"
"""


class OfflinePulumiError(RuntimeError):
    """The CLI could not be prepared or run; the message says which command and why."""


def find_pulumi(explicit: str | os.PathLike[str] | None = None) -> Path | None:
    """The Pulumi CLI to use: ``explicit`` (only it, when given), ``$RESIDENCY_PULUMI``, the oracle build, then
    ``pulumi`` on PATH; None when there is none."""
    if explicit:
        path = Path(explicit)
        return path.resolve() if path.is_file() and os.access(path, os.X_OK) else None
    for candidate in (os.environ.get("RESIDENCY_PULUMI"), ORACLE_BIN / "pulumi"):
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return Path(candidate).resolve()
    found = shutil.which("pulumi")
    return Path(found).resolve() if found else None


def sdk_plugin_version(package: str) -> str | None:
    """The provider version the installed ``pulumi_<package>`` SDK requests (its pulumi-plugin.json)."""
    spec = importlib.util.find_spec(f"pulumi_{package}")
    if spec is None or not spec.submodule_search_locations:
        return None
    plugin_json = Path(next(iter(spec.submodule_search_locations))) / "pulumi-plugin.json"
    try:
        return json.loads(plugin_json.read_text())["version"]
    except (OSError, ValueError, KeyError):
        return None


@dataclass
class CliPreview:
    """One ``pulumi preview`` run: exit code, the engine's JSON events and the CLI's stderr."""

    returncode: int
    events: list[dict[str, Any]]
    stderr: str
    project_dir: Path

    @property
    def policy_events(self) -> list[dict[str, Any]]:
        return [e["policyEvent"] for e in self.events if "policyEvent" in e]

    @property
    def errors(self) -> list[str]:
        return [e["diagnosticEvent"]["message"] for e in self.events
                if e.get("diagnosticEvent", {}).get("severity") == "error"]


@dataclass
class OfflinePulumi:
    pulumi: Path
    workdir: Path
    python: str = sys.executable
    _runs: int = field(default=0, init=False)

    @property
    def home(self) -> Path:
        return self.workdir / "pulumi-home"

    @property
    def guard_bin(self) -> Path:
        """Where the ``uv`` guard lives (first on PATH)."""
        return self.workdir / "bin"

    def _search_path(self) -> str:
        # The CLI's own directory first: the language host ships next to it.
        return os.pathsep.join([str(self.pulumi.parent), str(Path(self.python).parent), os.environ.get("PATH", "")])

    def env(self, extra: Mapping[str, str] | None = None) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PULUMI_ACCESS_TOKEN", "PULUMI_BACKEND_URL"))}
        env.update({
            "PATH": os.pathsep.join([str(self.guard_bin), self._search_path()]),
            "PULUMI_HOME": str(self.home),
            "PULUMI_PYTHON_CMD": self.python,
            "PULUMI_CONFIG_PASSPHRASE": os.environ.get("PULUMI_CONFIG_PASSPHRASE", OFFLINE_PASSPHRASE),
            "PULUMI_SKIP_UPDATE_CHECK": "true",
            "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
            "PULUMI_SKIP_CONFIRMATIONS": "true",
        })
        env.pop("PULUMI_CONFIG_PASSPHRASE_FILE", None)
        env.update(extra or {})
        return env

    def _run(self, args: Sequence[str], cwd: Path, env: Mapping[str, str], timeout: float = 900) -> subprocess.CompletedProcess:
        try:
            return subprocess.run([str(self.pulumi), *args], cwd=cwd, env=dict(env), capture_output=True, text=True,
                                  timeout=timeout, stdin=subprocess.DEVNULL, start_new_session=True)
        except subprocess.TimeoutExpired as err:
            raise OfflinePulumiError(f"pulumi {' '.join(args)} timed out after {timeout:.0f}s") from err

    def setup(self) -> None:
        """Create the private PULUMI_HOME, install the stand-in providers into its plugin cache and put the
        ``uv`` guard on PATH."""
        launchers = self.workdir / "launchers"
        launchers.mkdir(parents=True, exist_ok=True)
        self.home.mkdir(parents=True, exist_ok=True)
        self.guard_bin.mkdir(parents=True, exist_ok=True)
        uv = shutil.which("uv", path=self._search_path())
        guard = self.guard_bin / "uv"
        if uv and not guard.exists():
            guard.write_text(_UV_GUARD.format(workdir=self.workdir.resolve(), uv=shlex.quote(uv)))
            guard.chmod(0o755)
        for package in STANDIN_PACKAGES:
            version = sdk_plugin_version(package)
            if version is None:
                continue
            if (self.home / "plugins" / f"resource-{package}-v{version}" / f"pulumi-resource-{package}").exists():
                continue
            launcher = launchers / f"pulumi-resource-{package}"
            launcher.write_text(
                "#!/bin/sh\n"
                f"exec '{self.python}' -m residency_kit.pulumi_cli.standin_provider {package} \"$@\"\n"
            )
            launcher.chmod(0o755)
            done = self._run(["plugin", "install", "resource", package, version, "--file", str(launcher)],
                             cwd=self.workdir, env=self.env())
            if done.returncode != 0:
                raise OfflinePulumiError(
                    f"pulumi plugin install resource {package} {version} failed: {done.stderr.strip()}")

    def close(self) -> None:
        """Remove the work directory: the plugin cache, mirrors, backends and the guard."""
        shutil.rmtree(self.workdir, ignore_errors=True)

    def mirror_project(self, project_dir: Path, stack: str) -> Path:
        """A directory that looks like ``project_dir`` to the CLI, with its own copies of the files it writes."""
        self._runs += 1
        mirror = self.workdir / f"project-{self._runs}"
        if mirror.exists():
            shutil.rmtree(mirror)
        mirror.mkdir(parents=True)
        project_dir = project_dir.resolve()
        doc = yaml.safe_load((project_dir / "Pulumi.yaml").read_text()) or {}
        config_dir = doc.get("stackConfigDir") or (doc.get("config") if isinstance(doc.get("config"), str) else "")
        config_rel = Path(config_dir) if config_dir else Path(".")
        copies = {Path("Pulumi.yaml"), config_rel / f"Pulumi.{stack}.yaml"}
        self._link_tree(project_dir, mirror, Path("."), copies)
        return mirror

    def _link_tree(self, source: Path, target: Path, rel: Path, copies: set[Path]) -> None:
        expand = {parent for copy in copies for parent in copy.parents if parent != Path(".")}
        for entry in sorted((source / rel).iterdir()):
            entry_rel = rel / entry.name
            if entry_rel in copies:
                shutil.copy2(entry, target / entry_rel)
            elif entry_rel in expand and entry.is_dir():
                (target / entry_rel).mkdir()
                self._link_tree(source, target, entry_rel, copies)
            else:
                (target / entry_rel).symlink_to(entry)

    def preview(
        self,
        project_dir: str | Path,
        *,
        stack: str,
        policy_packs: Sequence[str | Path] = (),
        policy_pack_configs: Sequence[str | Path] = (),
        config: Sequence[str] = (),
        secrets: Mapping[str, str] | None = None,
        env: Mapping[str, str] | None = None,
        timeout: float = 900,
    ) -> CliPreview:
        """``pulumi preview --json`` on a mirror of ``project_dir`` against a fresh file backend.

        ``config`` items (``key=value``) are passed as ``--config``; ``secrets`` are set first with
        ``pulumi config set --secret`` (encrypted in the mirror's stack file with the run's passphrase).
        """
        mirror = self.mirror_project(Path(project_dir), stack)
        backend = mirror.parent / f"{mirror.name}-state"
        shutil.rmtree(backend, ignore_errors=True)
        backend.mkdir()
        run_env = self.env({"PULUMI_BACKEND_URL": f"file://{backend}",
                            PROJECT_DIR_ENV: str(Path(project_dir).resolve()), **(env or {})})
        init = self._run(["stack", "init", stack, "--non-interactive"], cwd=mirror, env=run_env)
        if init.returncode != 0:
            raise OfflinePulumiError(f"pulumi stack init {stack} failed in {project_dir}: {init.stderr.strip()}")
        for key, value in (secrets or {}).items():
            done = self._run(["config", "set", "--secret", "--stack", stack, key, value], cwd=mirror, env=run_env)
            if done.returncode != 0:
                raise OfflinePulumiError(f"pulumi config set --secret {key} failed: {done.stderr.strip()}")
        args = ["preview", "--json", "--non-interactive", "--stack", stack]
        for pack in policy_packs:
            args += ["--policy-pack", str(Path(pack).resolve())]
        for pack_config in policy_pack_configs:
            args += ["--policy-pack-config", str(Path(pack_config).resolve())]
        for item in config:
            args += ["--config", item]
        run_env["PULUMI_ENABLE_STREAMING_JSON_PREVIEW"] = "1"
        done = self._run(args, cwd=mirror, env=run_env, timeout=timeout)
        events = []
        for line in done.stdout.splitlines():
            line = line.strip()
            if line.startswith("{"):
                try:
                    events.append(json.loads(line))
                except ValueError:
                    pass
        return CliPreview(done.returncode, events, done.stderr, mirror)
