"""The kit as a wheel: a non-editable install carries `residency_policies` and a complete, runnable pack.

Built with the locked setuptools through its PEP 517 hooks (what `pip install .` / `uv build` call), from a
fresh clone, both directly and through the sdist; installed into a fresh virtualenv with the lock's runtime
dependencies (hash-checked, from uv's cache), then used from a directory outside any checkout.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import tarfile
import zipfile
from pathlib import Path

import pytest

from cli_environments import (
    build_distribution,
    clean_env,
    copy_checkout,
    flagged_policies,
    residency_preview,
    uv,
    write_frankfurt_program,
)


@pytest.fixture(scope="module")
def installed(wheel, fresh_clone, tmp_path_factory) -> Path:
    """A fresh venv with the lock's runtime dependencies (no dev tools, hash-checked) and the wheel, non-editable."""
    venv = tmp_path_factory.mktemp("installed") / "venv"
    uv("sync", "--frozen", "--offline", "--no-default-groups", "--no-install-project", cwd=fresh_clone,
       env=clean_env(UV_PROJECT_ENVIRONMENT=str(venv)))
    python = venv / "bin" / "python"
    uv("pip", "install", "--offline", "--python", str(python), "--no-deps", str(wheel), cwd=venv.parent)
    return python


def _names(wheel: Path) -> set[str]:
    with zipfile.ZipFile(wheel) as zf:
        return set(zf.namelist())


def test_the_wheel_ships_the_pack_package_and_the_whole_pack_directory(wheel):
    names = _names(wheel)
    repo = Path(__file__).resolve().parents[2]
    pack_sources = {p.relative_to(repo / "policies").as_posix() for p in (repo / "policies" / "residency_policies").rglob("*")
                    if p.is_file() and "__pycache__" not in p.parts}
    assert pack_sources, "no pack sources found"
    # The shared package at top level, for the kit's own imports ...
    assert {f"{p}" for p in pack_sources} <= names
    # ... and the complete pack directory, for running the pack.
    assert {f"residency_policy_pack/{p}" for p in pack_sources} <= names
    assert {"residency_policy_pack/__init__.py", "residency_policy_pack/__main__.py", "residency_policy_pack/PulumiPolicy.yaml",
            "residency_policy_pack/residency.yaml", "residency_policy_pack/requirements.txt"} <= names
    # Nothing built or local: no virtualenv, no caches, no pack tools.
    assert not [n for n in names if "/venv/" in n or "__pycache__" in n or n.startswith("residency_policy_pack/tools/")]
    for package in ("residency_kit/settings/__init__.py", "residency_kit/cli.py", "residency_kit/reports/templates"):
        assert any(n.startswith(package) for n in names), package


def test_the_sdist_builds_the_same_wheel(wheel, tmp_path):
    """`uv build` and `python -m build` go through the sdist: it must carry the pack's data files too."""
    clone = copy_checkout(tmp_path / "src")
    sdist = build_distribution(clone, "build_sdist", tmp_path / "sdist")
    with tarfile.open(sdist) as tf:
        tf.extractall(tmp_path / "unpacked", filter="data")
    (unpacked,) = (tmp_path / "unpacked").iterdir()
    rebuilt = build_distribution(unpacked, "build_wheel", tmp_path / "rebuilt")
    strip = lambda names: {n for n in names if ".dist-info/" not in n}  # noqa: E731
    assert strip(_names(rebuilt)) == strip(_names(wheel))


def test_the_installed_kit_imports_from_site_packages_not_from_a_checkout(installed, tmp_path):
    code = ("import json, residency_kit, residency_policies, residency_policy_pack; "
            "print(json.dumps({m.__name__: m.__file__ for m in (residency_kit, residency_policies)} | "
            "{'PACK_DIR': str(residency_policy_pack.PACK_DIR)}))")
    done = subprocess.run([str(installed), "-c", code], cwd=tmp_path, env=clean_env(), capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    where = json.loads(done.stdout)
    site = str(installed.parent.parent / "lib")
    assert all(path.startswith(site) for path in where.values()), where
    pack = Path(where["PACK_DIR"])
    shipped, top = pack / "residency_policies", Path(where["residency_policies"]).parent
    digest = lambda root: {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()  # noqa: E731
                           for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts}
    assert digest(shipped) == digest(top)  # one package, shipped twice, identical


def test_the_installed_kit_runs_its_shipped_pack(installed, tmp_path):
    """No checkout anywhere: the `residency` script of the wheel previews a program with the shipped pack."""
    locate = subprocess.run([str(installed), "-c", "import residency_policy_pack as p; print(p.PACK_DIR)"],
                            cwd=tmp_path, env=clean_env(), capture_output=True, text=True, check=True)
    pack = Path(locate.stdout.strip())
    assert not (pack / "venv").exists()  # it runs on the kit's interpreter (residency_kit/engine/pack_interpreter.py)
    program = write_frankfurt_program(tmp_path / "program")
    done = residency_preview(installed.parent / "residency", program, pack, cwd=tmp_path)
    assert done.returncode == 1, done.stdout[-2000:] + done.stderr[-3000:]
    assert "us-region-providers" in flagged_policies(done.stdout)
    messages = [v["message"] for v in json.loads(done.stdout)["violations"] if v["policy"] == "us-region-providers"]
    # The allowed regions come from the shipped residency.yaml: the pack found its rules file.
    assert any("'eu-frankfurt-1' is not allowed; allowed: us-ashburn-1" in m for m in messages), messages


NETWORK_PROGRAM = '''
import pulumi_oci as oci

COMPARTMENT = "ocid1.compartment.oc1..aaaaaaaawheel"
vcn = oci.core.Vcn("vcn", compartment_id=COMPARTMENT, cidr_blocks=["10.0.0.0/16"])
oci.core.Subnet("data", compartment_id=COMPARTMENT, vcn_id=vcn.id, cidr_block="10.0.1.0/24",
                prohibit_public_ip_on_vnic=True, freeform_tags={"residency-tier": "data"})
'''


def test_the_installed_kit_draws_the_network_diagram(installed, tmp_path):
    """`residency diagram` of the wheel: the graph and the parent ranges come from the installed pack package."""
    program = tmp_path / "network"
    program.mkdir()
    (program / "Pulumi.yaml").write_text("name: network\nruntime: python\n")
    (program / "__main__.py").write_text(NETWORK_PROGRAM)
    (program / "Pulumi.dev.yaml").write_text("config:\n  oci:region: us-ashburn-1\n")
    done = subprocess.run(
        [str(installed.parent / "residency"), "diagram", "--cwd", str(program), "--stack", "dev", "--format", "mermaid"],
        cwd=tmp_path, env=clean_env(), capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.startswith("flowchart LR")
    assert "10.0.1.0/24" in done.stdout and "tier: data" in done.stdout
