"""`residency init`, `residency rules` and `residency pack-dir`: the commands a team adopting the kit types first."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]


def residency(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "residency_kit.cli", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=300, stdin=subprocess.DEVNULL)


def test_init_writes_a_project_whose_placeholders_fail_closed(tmp_path):
    done = residency("init", "estate", "--stack", "prod", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    project = tmp_path / "estate"
    written = {str(p.relative_to(project)) for p in project.rglob("*") if p.is_file()}
    assert written == {"Pulumi.yaml", "Pulumi.prod.yaml", "__main__.py", "requirements.txt", ".gitignore", "README.md",
                       ".pulumi-version", ".github/workflows/residency.yml"}
    pulumi_yaml = yaml.safe_load((project / "Pulumi.yaml").read_text())
    assert pulumi_yaml["name"] == "estate"
    assert pulumi_yaml["runtime"]["options"] == {"toolchain": "pip", "virtualenv": ".venv"}
    assert pulumi_yaml["config"]["residency:parentCompany"]["value"]["cidrs"] == ["REPLACE_WITH_PARENT_COMPANY_CIDR"]
    assert yaml.safe_load((project / "Pulumi.prod.yaml").read_text())["config"]["residency:tenancy"]["compartments"] \
        == {"root": "estate"}
    assert (project / "requirements.txt").read_text().splitlines()[-1].startswith("residency-kit")
    assert "residency preview --stack prod" in (project / ".github" / "workflows" / "residency.yml").read_text()
    # The next steps name every placeholder the team must replace.
    assert "REPLACE_WITH_US_TENANCY_OCID" in done.stdout and "REPLACE_WITH_PARENT_COMPANY_CIDR" in done.stdout
    # Until they are replaced, the pack refuses the rules: one error, before the program runs.
    preview = residency("preview", "--cwd", str(project), "--stack", "prod", cwd=tmp_path)
    assert preview.returncode == 2
    assert "parentCompany.cidrs = 'REPLACE_WITH_PARENT_COMPANY_CIDR'" in preview.stderr


def test_init_refuses_a_directory_that_is_not_empty_and_a_bad_name_in_one_error(tmp_path):
    (tmp_path / "taken").mkdir()
    (tmp_path / "taken" / "keep.txt").write_text("mine")
    done = residency("init", "taken", "--name", "Bad_Name", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.splitlines()[0] == "error: cannot create the project:"
    assert "DIR 'taken' exists and is not an empty directory" in done.stderr
    assert "--name 'Bad_Name' is not a usable project name" in done.stderr
    assert sorted(p.name for p in (tmp_path / "taken").iterdir()) == ["keep.txt"]  # nothing written


def test_rules_show_the_stacks_rules_and_print_them_as_policy_config(tmp_path):
    shown = residency("rules", "--stack", "us-prod", cwd=REPO)
    assert shown.returncode == 0, shown.stderr
    assert "parent company: cidrs 203.0.113.0/24, 2001:db8:bad::/48;" in shown.stdout
    assert "the stack config of us-prod (stacks/Pulumi.us-prod.yaml)" in shown.stdout
    config = json.loads(residency("rules", "--stack", "us-prod", "--as-policy-config", cwd=REPO).stdout)
    assert list(config) == ["residency-rules"]
    assert config["residency-rules"]["parentCompany"]["cidrs"] == ["203.0.113.0/24", "2001:db8:bad::/48"]
    assert config["residency-rules"]["estate"]["awsAccountIds"] == ["222222222222"]


def test_rules_name_a_stack_value_that_loosens_the_floor(tmp_path):
    (tmp_path / "Pulumi.yaml").write_text("name: p\nruntime: python\n")
    (tmp_path / "__main__.py").write_text("")
    (tmp_path / "Pulumi.dev.yaml").write_text(
        "config:\n  residency:parentCompany: {cidrs: [100.70.0.0/16]}\n  residency:minimumRetentionDays: 30\n")
    done = residency("rules", "--stack", "dev", cwd=tmp_path)
    assert done.returncode == 1
    assert done.stderr.startswith("error: invalid residency rules in the stack config of dev (Pulumi.dev.yaml): "
                                  "minimumRetentionDays = 30; allowed: at least 365 days")


def test_pack_dir_is_the_installed_pack(tmp_path):
    done = residency("pack-dir", cwd=tmp_path)
    assert done.returncode == 0
    pack = Path(done.stdout.strip())
    assert (pack / "PulumiPolicy.yaml").is_file() and (pack / "residency_policies" / "registry.py").is_file()
