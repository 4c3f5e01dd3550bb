"""docs/adopting.md, followed as a new team would: a fresh virtualenv, a non-editable install of the built wheel
(OCI only, no AWS extra), `residency init`, the placeholders filled, a preview that passes, then the guide's three
deliberate mistakes, each refused under the team's own rules with a message that names the fix.

The commands are the guide's own: each fenced `sh` block of the guide that this test runs is read from the guide,
so the guide cannot drift from what works. Nothing here reads the kit's checkout once the wheel is built.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from cli_environments import REPO, clean_env, uv

GUIDE = REPO / "docs" / "adopting.md"
# Real-looking values a team would type (no documentation range or example ID, so no "illustrative" notice).
FILLED = {
    "REPLACE_WITH_PARENT_COMPANY_CIDR": "100.70.0.0/16",
    "REPLACE_WITH_PARENT_COMPANY_TENANCY_OCID": "ocid1.tenancy.oc1..aaaaaaaaq7parentcoq7parentcoq7parentcoq7parentco",
    "REPLACE_WITH_US_TEAM_NAME": "us-data-team",
    "REPLACE_WITH_US_TENANCY_OCID": "ocid1.tenancy.oc1..aaaaaaaaw8usdataw8usdataw8usdataw8usdataw8usdata",
    "REPLACE_WITH_US_OPERATOR_CIDR": "100.64.10.0/24",
    "REPLACE_WITH_CI_RUNNER_EGRESS_CIDR": "100.64.20.0/28",
}


def guide_block(title: str) -> str:
    """The fenced block that follows the guide's heading or paragraph starting with ``title``."""
    text = GUIDE.read_text()
    start = text.index(title)
    match = re.search(r"```(?:sh|python)\n(.*?)```", text[start:], re.S)
    assert match, f"no code block after {title!r} in {GUIDE}"
    return match.group(1)


@pytest.fixture(scope="module")
def team(wheel, tmp_path_factory) -> Path:
    """The team's machine: a virtualenv with the kit's wheel (OCI only) and `residency init` run in a new project."""
    root = tmp_path_factory.mktemp("team")
    venv = root / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, env=clean_env())
    # The wheel and its runtime dependencies at the lock's versions, resolved against the package index as a team's
    # install is (uv takes the files it already has from its cache).
    constraints = root / "constraints.txt"
    uv("export", "--frozen", "--no-default-groups", "--no-emit-project", "--no-hashes", "--format",
       "requirements-txt", "--output-file", str(constraints), cwd=REPO)
    uv("pip", "install", "--python", str(venv / "bin" / "python"), str(wheel),
       "--constraint", str(constraints), cwd=root)
    residency = venv / "bin" / "residency"
    done = subprocess.run([str(residency), "init", "my-estate", "--stack", "prod"], cwd=root, env=clean_env(),
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "init my-estate --stack prod" in guide_block("## 2. Start a project")
    return root


def _preview(team: Path, *extra: str) -> subprocess.CompletedProcess:
    residency = team / "venv" / "bin" / "residency"
    return subprocess.run([str(residency), "preview", "--stack", "prod", "--json", *extra], cwd=team / "my-estate",
                          env=clean_env(), capture_output=True, text=True, timeout=600, stdin=subprocess.DEVNULL)


def _fill(project: Path) -> None:
    for name in ("Pulumi.yaml", "Pulumi.prod.yaml"):
        path = project / name
        text = path.read_text()
        for placeholder, value in FILLED.items():
            text = text.replace(placeholder, value)
        path.write_text(text)


def test_the_kit_installs_without_aws_and_says_how_to_add_it(team):
    python = team / "venv" / "bin" / "python"
    done = subprocess.run([str(python), "-c", "import residency_kit.components.aws.immutable_backup_copy"],
                          cwd=team, env=clean_env(), capture_output=True, text=True)
    assert done.returncode != 0
    assert "install the kit with its aws extra (pip install 'residency-kit[aws]'" in done.stderr


def test_the_starter_refuses_to_run_on_placeholders(team):
    done = _preview(team)
    assert done.returncode == 2
    error = json.loads(done.stdout)["error"]["message"]
    assert "parentCompany.cidrs = 'REPLACE_WITH_PARENT_COMPANY_CIDR'" in error
    assert "allowed: IPv4/IPv6 CIDR blocks" in error


def test_the_filled_starter_previews_clean_and_shows_the_teams_rules(team):
    project = team / "my-estate"
    _fill(project)
    done = _preview(team, "--report-dir", str(team / "evidence"))
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    result = json.loads(done.stdout)
    assert [v for v in result["violations"] if v["enforcementLevel"] == "mandatory"] == []
    rules = result["policyPacks"][0]["rules"]
    assert rules["values"]["parentCompany"]["cidrs"] == ["100.70.0.0/16"]
    assert [s["location"] for s in rules["sources"]][1:] == ["Pulumi.yaml", "Pulumi.prod.yaml"]
    summary = (team / "evidence" / "summary.md").read_text()
    assert "100.70.0.0/16" in summary and rules["digest"] in summary


MISTAKES = {
    # The guide's mistake heading -> the policy that refuses it and words its message must carry.
    "### A rule admitting the parent company's range": ("no-parent-company-ingress", "100.70.0.0/16"),
    "### A replication target outside the US": ("us-region-replication", "eu-frankfurt-1"),
    "### A public database": ("private-data-stores", "private endpoint"),
}


@pytest.mark.parametrize("heading", sorted(MISTAKES))
def test_each_mistake_in_the_guide_is_refused_with_its_fix(team, heading):
    project = team / "my-estate"
    _fill(project)
    program = project / "__main__.py"
    original = program.read_text()
    policy, words = MISTAKES[heading]
    try:
        program.write_text(original + "\n" + guide_block(heading))
        done = _preview(team)
    finally:
        program.write_text(original)
    assert done.returncode == 1, done.stdout[-3000:] + done.stderr[-3000:]
    mandatory = [v for v in json.loads(done.stdout)["violations"] if v["enforcementLevel"] == "mandatory"]
    # The mistake is refused by the policy the guide names, with the fix; nothing else of the estate is flagged.
    named = [v for v in mandatory if v["policy"] == policy]
    assert named and any(words in v["message"] for v in named), [v["message"] for v in mandatory]
    mistake = {v["urn"] for v in named}
    assert len(mistake) == 1 and {v["urn"] for v in mandatory} == mistake, [(v["policy"], v["urn"]) for v in mandatory]
