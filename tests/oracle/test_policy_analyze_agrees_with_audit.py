"""`pulumi policy analyze --file` and `residency audit --state` reach the same verdicts (issue 15 item 8).

The README tells operators to use either over deployed state. Both run the packs over a `pulumi stack export`
without the program or the providers; this runs the real CLI (`make oracle`) and the audit on the audit
tests' realistic exports (tests/audit/state_fixtures.py: compliant, drifted outside Pulumi before and after
a refresh, replication redirected to Frankfurt) with the residency pack and the probe pack beside it (which
shows that `Analyze` sees each resource's inputs and `AnalyzeStack` its outputs), and requires the same
violations (pack, policy, URN, enforcement level, message) and the same pass/fail.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from audit import state_fixtures as f
from residency_kit.pulumi_cli.offline import OfflinePulumi, find_pulumi

REPO = Path(__file__).resolve().parents[2]
PACKS = [REPO / "policies", REPO / "tests" / "audit" / "probe_pack"]

pytestmark = [pytest.mark.oracle, pytest.mark.skipif(find_pulumi() is None, reason="no Pulumi CLI: run `make oracle`")]


def _unrefreshed():
    document = f.compliant_export()
    f.drift(document, f.BUCKET, {"accessType": "ObjectRead"}, refreshed=False)
    return document


def _refreshed():
    document = f.compliant_export()
    f.drift(document, f.BUCKET, {"accessType": "ObjectRead"})
    return document


def _exfiltrating():
    document = f.compliant_export()
    f.drift(document, f.REPLICATION, {"destinationRegionName": "eu-frankfurt-1"})
    return document


STATES = {"compliant": f.compliant_export, "unrefreshed": _unrefreshed, "refreshed": _refreshed,
          "exfiltrating": _exfiltrating}
# What each state must show (a floor, so that two engines agreeing on nothing cannot pass).
EXPECTED_MANDATORY = {
    "compliant": set(),
    "unrefreshed": {("probe-stack-public-bucket", f.BUCKET)},
    "refreshed": {("probe-public-bucket", f.BUCKET), ("probe-stack-public-bucket", f.BUCKET),
                  ("private-data-stores", f.BUCKET)},
    "exfiltrating": {("us-region-replication", f.REPLICATION), ("backup-coverage", f.BUCKET)},
}


@pytest.fixture(scope="module")
def cli(tmp_path_factory):
    offline = OfflinePulumi(find_pulumi(), tmp_path_factory.mktemp("policy-analyze"))
    offline.setup()  # a private PULUMI_HOME, no backend, no plugin downloads
    yield offline
    offline.close()


def rules_as_policy_config(directory: Path) -> list[Path]:
    """`pulumi policy analyze` sends the packs no stack config (the engine passes no analyzer options there), so the
    residency pack gets the stack's rules as its policy config (`residency rules --as-policy-config`, the README's
    command); the probe pack needs none."""
    done = subprocess.run([sys.executable, "-m", "residency_kit.cli", "rules", "--stack", f.STACK, "--as-policy-config"],
                          cwd=REPO, capture_output=True, text=True, timeout=300, check=True)
    residency, probe = directory / "residency-rules.json", directory / "probe.json"
    residency.write_text(done.stdout)
    probe.write_text("{}")
    return [residency, probe]


def policy_analyze(cli: OfflinePulumi, state: Path) -> tuple[int, set[tuple[str, str, str, str, str]]]:
    args = [str(cli.pulumi), "policy", "analyze", "--file", str(state), "--json", "--non-interactive"]
    for pack, config in zip(PACKS, rules_as_policy_config(state.parent), strict=True):
        args += ["--policy-pack", str(pack), "--policy-pack-config", str(config)]
    done = subprocess.run(args, cwd=state.parent, env=cli.env(), capture_output=True, text=True, timeout=600,
                          stdin=subprocess.DEVNULL)
    events = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    verdicts = {(e["policyPackName"], e["policyName"], e["resourceUrn"], e["enforcementLevel"], e["message"].rstrip("\n"))
                for e in (event["policyEvent"] for event in events if "policyEvent" in event)}
    errors = [line for line in done.stderr.splitlines() if line.startswith("error:")]
    assert not set(errors) - {"error: one or more mandatory policy violations were found"}, done.stderr
    return done.returncode, verdicts


def residency_audit(state: Path) -> tuple[int, set[tuple[str, str, str, str, str]]]:
    """The audit with the same inputs as `pulumi policy analyze`: the rules as policy config, and no project (the
    state's directory has no Pulumi.yaml), so the pack names the same sources in its messages."""
    args = [sys.executable, "-m", "residency_kit.cli", "audit", "--state", str(state), "--json"]
    for pack, config in zip(PACKS, rules_as_policy_config(state.parent), strict=True):
        args += ["--policy-pack", str(pack), "--policy-pack-config", str(config)]
    done = subprocess.run(args, cwd=state.parent, capture_output=True, text=True, timeout=600,
                          stdin=subprocess.DEVNULL)
    assert done.returncode in (0, 1), done.stderr
    document = json.loads(done.stdout)
    return done.returncode, {(v["policyPack"], v["policy"], v["urn"], v["enforcementLevel"], v["message"].rstrip("\n"))
                             for v in document["violations"]}


@pytest.mark.parametrize("name", sorted(STATES))
def test_pulumi_policy_analyze_and_residency_audit_reach_the_same_verdicts(cli, tmp_path, name):
    state = f.write(STATES[name](), tmp_path / f"{name}.json")
    real_code, real = policy_analyze(cli, state)
    audit_code, audited = residency_audit(state)

    assert real == audited
    mandatory = {(policy, urn) for _, policy, urn, level, _ in real if level == "mandatory"}
    assert mandatory >= EXPECTED_MANDATORY[name]
    assert bool(mandatory) == (audit_code == 1) == (real_code != 0)
