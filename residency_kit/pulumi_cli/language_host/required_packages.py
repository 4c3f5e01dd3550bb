"""``GetRequiredPackages``: the resource plugins a program's environment asks for.

A Pulumi provider SDK for Python carries a ``pulumi-plugin.json`` in its top-level package, e.g.
``pulumi_oci/pulumi-plugin.json`` = ``{"resource": true, "name": "oci", "version": "5.5.0"}``. The engine
loads the plugins the host reports before the program runs, and takes the default providers' versions from
them. The files are read by the program's own interpreter (the environment the program will import from),
with a short script on stdin; ``"resource": false`` (``pulumi_policy``) is not a plugin.
"""

from __future__ import annotations

import base64
import json
import re
import subprocess
from collections.abc import Iterable, Mapping
from typing import Any

from pulumi.runtime.proto import plugin_pb2

from residency_kit.engine.pack_interpreter import PackInterpreter

# Run by the program's interpreter: every ``<dir on sys.path>/<package>/pulumi-plugin.json`` with the version of
# the distribution that installed the package (for a file that names no version), as one JSON list.
_FIND_PLUGIN_FILES = r"""
import importlib.metadata, json, os, sys
found, owners = [], None
for entry in sys.path:
    try:
        names = sorted(os.listdir(entry or "."))
    except OSError:
        continue
    for package in names:
        path = os.path.join(entry or ".", package, "pulumi-plugin.json")
        if not os.path.isfile(path):
            continue
        document, error = None, None
        try:
            with open(path, encoding="utf-8") as f:
                document = json.load(f)
        except (OSError, ValueError) as err:
            error = str(err)
        version = None
        if isinstance(document, dict) and not document.get("version"):
            owners = importlib.metadata.packages_distributions() if owners is None else owners
            for dist in owners.get(package, []):
                version = importlib.metadata.version(dist)
                break
        found.append({"package": package, "path": path, "plugin": document, "error": error,
                      "distribution_version": version})
json.dump(found, sys.stdout)
"""

# A version the engine's semver parser accepts (it tolerates a missing patch or minor).
_SEMVER = re.compile(r"^v?\d+(\.\d+){0,2}(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$")


class RequiredPackagesError(RuntimeError):
    """The environment could not be read; the message names the interpreter and why."""


def plugin_files(interpreter: PackInterpreter, environ: Mapping[str, str], cwd: str) -> list[dict[str, Any]]:
    """Every ``pulumi-plugin.json`` the interpreter's ``sys.path`` holds, as the script above reports it."""
    try:
        done = subprocess.run([interpreter.python, "-"], input=_FIND_PLUGIN_FILES, capture_output=True, text=True,
                              env=dict(interpreter.environment(environ)), cwd=cwd, timeout=120)
    except (OSError, subprocess.TimeoutExpired) as err:
        raise RequiredPackagesError(f"could not list the packages of {interpreter.python}: {err}") from err
    if done.returncode != 0:
        raise RequiredPackagesError(f"could not list the packages of {interpreter.python} ({interpreter.origin}): "
                                    f"{done.stderr.strip()[-2000:]}")
    return json.loads(done.stdout)


def package_dependency(found: Mapping[str, Any]) -> plugin_pb2.PackageDependency | None:
    """The resource plugin one ``pulumi-plugin.json`` names, None when it names none."""
    document = found["plugin"]
    if found.get("error"):
        raise RequiredPackagesError(f"{found['path']}: cannot be read: {found['error']}")
    if not isinstance(document, Mapping):
        raise RequiredPackagesError(f"{found['path']}: expected a JSON object, found {json.dumps(document)[:80]}")
    if not document.get("resource"):
        return None
    package = found["package"]
    name = document.get("name") or package.removeprefix("pulumi_").replace("_", "-")
    version = str(document.get("version") or found.get("distribution_version") or "")
    if version and not _SEMVER.match(version):
        # A Python-only version (``6.0.0a1``) the engine would refuse: leave it out, the engine picks any version.
        version = ""
    dependency = plugin_pb2.PackageDependency(name=name, kind="resource", version=version,
                                              server=str(document.get("server") or ""))
    parameterization = document.get("parameterization")
    if isinstance(parameterization, Mapping):
        dependency.parameterization.CopyFrom(plugin_pb2.PackageParameterization(
            name=str(parameterization.get("name", "")), version=str(parameterization.get("version", "")),
            value=base64.b64decode(parameterization.get("value") or "")))
    return dependency


def required_packages(files: Iterable[Mapping[str, Any]]) -> list[plugin_pb2.PackageDependency]:
    """One dependency per plugin, in name order (the same SDK seen twice on ``sys.path`` counts once)."""
    seen: dict[tuple[str, str, str], plugin_pb2.PackageDependency] = {}
    for found in files:
        dependency = package_dependency(found)
        if dependency is not None:
            seen.setdefault((dependency.name, dependency.version, dependency.server), dependency)
    return [seen[key] for key in sorted(seen)]
