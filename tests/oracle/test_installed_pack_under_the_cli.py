"""The pack installed with the kit, run by the real Pulumi CLI in a team's own project (issue 19, docs/adopting.md
section 6): a starter project (`residency init`) with its own `.venv` holding the kit's wheel (non-editable), the
pack taken from `residency pack-dir` and run on `PULUMI_PYTHON_CMD`, and the team's rules reaching it through the
stack config the engine sends (`ConfigureStack`), not through any file inside the installed package.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from residency_kit.pulumi_cli.offline import find_pulumi

REPO = Path(__file__).resolve().parents[2]
UV = Path(sys.executable).parent / "uv"
TEAM_PARENT = "100.70.0.0/16"
FILLED = {
    "REPLACE_WITH_PARENT_COMPANY_CIDR": TEAM_PARENT,
    "REPLACE_WITH_PARENT_COMPANY_TENANCY_OCID": "ocid1.tenancy.oc1..aaaaaaaaq7parentcoq7parentcoq7parentcoq7parentco",
    "REPLACE_WITH_US_TEAM_NAME": "us-data-team",
    "REPLACE_WITH_US_TENANCY_OCID": "ocid1.tenancy.oc1..aaaaaaaaw8usdataw8usdataw8usdataw8usdataw8usdata",
    "REPLACE_WITH_US_OPERATOR_CIDR": "100.64.10.0/24",
    "REPLACE_WITH_CI_RUNNER_EGRESS_CIDR": "100.64.20.0/28",
}
MISTAKE = f'''
oci.core.NetworkSecurityGroupSecurityRule(
    "from-parent", network_security_group_id=network.nsg_ids["app"], direction="INGRESS", protocol="6",
    source="{TEAM_PARENT}", source_type="CIDR_BLOCK", opts=pulumi.ResourceOptions(provider=home))
'''

pytestmark = [
    pytest.mark.oracle,
    pytest.mark.skipif(find_pulumi() is None, reason="no Pulumi CLI: run `make oracle`"),
    pytest.mark.skipif(not UV.exists(), reason="no uv next to the interpreter: run `make setup`"),
]


def _run(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(list(args), cwd=cwd, env=env, capture_output=True, text=True, timeout=900,
                          stdin=subprocess.DEVNULL)


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("team")
    dist = root / "dist"
    built = _run(str(UV), "build", "--wheel", "--no-build-isolation", "--quiet", "--out-dir", str(dist), cwd=REPO)
    assert built.returncode == 0, built.stderr
    (wheel,) = dist.glob("*.whl")
    constraints = root / "constraints.txt"
    exported = _run(str(UV), "export", "--frozen", "--no-default-groups", "--no-emit-project", "--no-hashes",
                    "--format", "requirements-txt", "--output-file", str(constraints), cwd=REPO)
    assert exported.returncode == 0, exported.stderr
    init = _run(sys.executable, "-m", "residency_kit.cli", "init", "estate", "--stack", "prod", cwd=root)
    assert init.returncode == 0, init.stderr
    estate = root / "estate"
    for name in ("Pulumi.yaml", "Pulumi.prod.yaml"):
        text = (estate / name).read_text()
        for placeholder, value in FILLED.items():
            text = text.replace(placeholder, value)
        (estate / name).write_text(text)
    venv = _run(sys.executable, "-m", "venv", str(estate / ".venv"), cwd=root)  # with pip: the CLI lists packages with it
    assert venv.returncode == 0, venv.stderr
    python = estate / ".venv" / "bin" / "python"
    installed = _run(str(UV), "pip", "install", "--python", str(python), str(wheel), "--constraint",
                     str(constraints), cwd=root)
    assert installed.returncode == 0, installed.stderr
    return estate


def _cli_preview(project: Path) -> dict:
    residency = project / ".venv" / "bin" / "residency"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PULUMI_")}
    env["PULUMI_PYTHON_CMD"] = str(project / ".venv" / "bin" / "python")
    done = _run(str(residency), "preview", "--stack", "prod", "--engine", "pulumi", "--pulumi", str(find_pulumi()),
                "--json", cwd=project, env=env)
    assert done.stdout, done.stderr[-3000:]
    document = json.loads(done.stdout)
    document["exitCode"] = done.returncode
    document["stderr"] = done.stderr[-3000:]
    return document


def test_the_installed_pack_reads_the_teams_rules_from_the_stack_config_under_the_real_cli(project):
    pack = _run(str(project / ".venv" / "bin" / "residency"), "pack-dir", cwd=project).stdout.strip()
    assert pack.startswith(str(project / ".venv" / "lib"))  # the installed package, not a checkout
    clean = _cli_preview(project)
    assert clean["exitCode"] == 0, clean["stderr"]
    program = project / "__main__.py"
    original = program.read_text()
    try:
        program.write_text(original + MISTAKE)
        broken = _cli_preview(project)
    finally:
        program.write_text(original)
    assert broken["exitCode"] == 1
    flagged = {(v["policy"], v["urn"].rsplit("::", 1)[-1]) for v in broken["violations"]
               if v["enforcementLevel"] == "mandatory"}
    # The team's parent range exists only in its Pulumi.yaml: the engine delivered it to the installed pack.
    assert flagged == {("no-parent-company-ingress", "from-parent")}
