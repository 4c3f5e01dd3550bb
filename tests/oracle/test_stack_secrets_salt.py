"""Stacks and the passphrase salt, with the real CLI: the story the README and deploy.yml tell (issue 15).

The first deploy creates the stack (`pulumi stack init --secrets-provider passphrase`, what pulumi/actions'
`upsert` runs) on a runner whose checkout is then thrown away, salt included. A later checkout has a stack
file without the salt; with `PULUMI_FALLBACK_TO_STATE_SECRETS_MANAGER=true` (set in both workflows) the CLI
takes the salt recorded in the stack's state, so secrets keep decrypting and nothing needs committing;
without it the CLI mints an unrelated salt. Runs the CLI `make oracle` builds, against a `file://` backend.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from residency_kit.pulumi_cli.offline import OfflinePulumi, find_pulumi

pytestmark = [pytest.mark.oracle, pytest.mark.skipif(find_pulumi() is None, reason="no Pulumi CLI: run `make oracle`")]

PROGRAM = """\
import pulumi
pulumi.export("token", pulumi.Output.secret("s3cr3t-token"))
"""


def checkout(root: Path, name: str) -> Path:
    """A fresh clone of the project: the committed files only (a stack file without salt)."""
    directory = root / name
    directory.mkdir()
    (directory / "Pulumi.yaml").write_text("name: salted\nruntime: python\n")
    (directory / "Pulumi.dev.yaml").write_text("config:\n  salted:owner: us-data-team\n")
    (directory / "__main__.py").write_text(PROGRAM)
    return directory


def salt(directory: Path) -> str | None:
    return (yaml.safe_load((directory / "Pulumi.dev.yaml").read_text()) or {}).get("encryptionsalt")


@pytest.fixture
def pulumi(tmp_path):
    offline = OfflinePulumi(find_pulumi(), tmp_path / "cli")
    offline.setup()
    backend = tmp_path / "backend"
    backend.mkdir()

    def run(directory: Path, *args: str, fallback: bool = True) -> subprocess.CompletedProcess[str]:
        env = offline.env({"PULUMI_BACKEND_URL": f"file://{backend}", "PULUMI_CONFIG_PASSPHRASE": "team-passphrase"})
        env.pop("PULUMI_FALLBACK_TO_STATE_SECRETS_MANAGER", None)
        if fallback:
            env["PULUMI_FALLBACK_TO_STATE_SECRETS_MANAGER"] = "true"
        done = subprocess.run([str(offline.pulumi), *args, "--non-interactive"], cwd=directory, env=env,
                              capture_output=True, text=True, timeout=600, stdin=subprocess.DEVNULL)
        assert done.returncode == 0, f"pulumi {' '.join(args)}: {done.stdout[-2000:]}{done.stderr[-2000:]}"
        return done

    yield run
    offline.close()


def test_later_checkouts_use_the_salt_the_first_deploy_recorded_in_the_state(pulumi, tmp_path):
    # The first deploy, on a runner: create the stack (upsert) and update it.
    runner = checkout(tmp_path, "first-runner")
    pulumi(runner, "stack", "init", "dev", "--secrets-provider", "passphrase")
    first_salt = salt(runner)
    assert first_salt and first_salt.startswith("v1:")  # written into the runner's copy of the stack file
    pulumi(runner, "up", "--yes", "--stack", "dev")
    state = json.loads(pulumi(runner, "stack", "export", "--stack", "dev").stdout)
    provider = state["deployment"]["secrets_providers"]
    assert provider["type"] == "passphrase" and provider["state"]["salt"] == first_salt
    shutil.rmtree(runner)  # the runner is gone, and its salt with it

    # A later run: a fresh checkout, whose stack file has no salt, reads it from the state.
    later = checkout(tmp_path, "later-runner")
    pulumi(later, "preview", "--stack", "dev")
    assert salt(later) == first_salt
    assert pulumi(later, "stack", "output", "token", "--show-secrets", "--stack", "dev").stdout.strip() == "s3cr3t-token"
    pulumi(later, "up", "--yes", "--stack", "dev")

    # Without the fallback the CLI mints an unrelated salt for the checkout (pulumi/pulumi#16412).
    unrelated = checkout(tmp_path, "no-fallback")
    pulumi(unrelated, "preview", "--stack", "dev", fallback=False)
    assert salt(unrelated) and salt(unrelated) != first_salt
