"""`residency audit` end to end, as a subprocess, over realistic exports (including drift made outside Pulumi)."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import state_fixtures as f

REPO = Path(__file__).resolve().parents[2]
PROBE = Path(__file__).resolve().parent / "probe_pack"


def residency(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "residency_kit.cli", *args], cwd=cwd, capture_output=True, text=True, timeout=300,
        stdin=subprocess.DEVNULL,
    )


def audit_json(state: Path, *extra: str) -> tuple[int, dict]:
    done = residency("audit", "--state", str(state), "--json", *extra)
    assert done.returncode in (0, 1), done.stderr
    return done.returncode, json.loads(done.stdout)


def flagged(document: dict, policy: str) -> set[str]:
    return {v["urn"] for v in document["violations"] if v["policy"] == policy}


def processes_mentioning(text: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if text in cmdline and state not in ("Z", "X"):
            found.append(int(entry.name))
    return found


@pytest.fixture(scope="module")
def states(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("states")
    compliant = f.compliant_export()

    unrefreshed = f.compliant_export()
    f.drift(unrefreshed, f.BUCKET, {"accessType": "ObjectRead"}, refreshed=False)

    refreshed = f.compliant_export()
    f.drift(refreshed, f.BUCKET, {"accessType": "ObjectRead"})

    exfiltrating = f.compliant_export()
    f.drift(exfiltrating, f.REPLICATION, {"destinationRegionName": "eu-frankfurt-1"})
    return {
        "compliant": f.write(compliant, root / "compliant.json"),
        "unrefreshed": f.write(unrefreshed, root / "unrefreshed.json"),
        "refreshed": f.write(refreshed, root / "refreshed.json"),
        "exfiltrating": f.write(exfiltrating, root / "exfiltrating.json"),
    }


# --- what each analyzer call sees (probe pack) --------------------------------------------------------


def test_analyze_sees_inputs_and_analyze_stack_sees_outputs(states):
    code, doc = audit_json(states["unrefreshed"], "--policy-pack", str(PROBE))
    # Changed outside Pulumi, not refreshed: only the outputs (AnalyzeStack) show it.
    assert code == 1
    assert flagged(doc, "probe-stack-public-bucket") == {f.BUCKET}
    assert flagged(doc, "probe-public-bucket") == set()

    code, doc = audit_json(states["refreshed"], "--policy-pack", str(PROBE))
    # After `pulumi refresh` the provider's Read put the live value into the inputs too.
    assert code == 1
    assert flagged(doc, "probe-public-bucket") == {f.BUCKET}
    assert flagged(doc, "probe-stack-public-bucket") == {f.BUCKET}


def test_not_applicable_reports_are_kept_for_the_evidence(states, tmp_path):
    code, doc = audit_json(states["compliant"], "--policy-pack", str(PROBE), "--report-dir", str(tmp_path))
    assert code == 0
    never = [n for n in doc["notApplicable"] if n["policy"] == "probe-never-applies"]
    assert {n["urn"] for n in never} == {r["urn"] for r in doc["resources"]}
    junit = (tmp_path / "residency-junit.xml").read_text()
    assert '<testcase name="probe-never-applies"' in junit
    assert "not applicable: probe" in junit


def test_audit_leaves_no_pack_process_behind(states, tmp_path):
    pack = shutil.copytree(PROBE, tmp_path / "unique-probe-pack")
    done = residency("audit", "--state", str(states["compliant"]), "--policy-pack", str(pack))
    assert done.returncode == 0, done.stderr
    assert processes_mentioning(str(pack)) == []


# --- the residency pack over deployed state ---------------------------------------------------------


def test_compliant_state_passes_the_residency_pack(states):
    done = residency("audit", "--state", str(states["compliant"]))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Auditing state of stack us-prod" in done.stdout
    # The shipped rules file still holds the illustrative identifiers: one advisory notice says so (13.12).
    assert re.search(r"⚠️\s+us-data-residency@v", done.stdout), done.stdout
    assert "residency-rules" in done.stdout and "illustrative identifiers" in done.stdout
    assert "Policy violations: 0 mandatory, 1 advisory" in done.stdout


def test_replication_redirected_to_frankfurt_outside_pulumi_fails(states):
    code, doc = audit_json(states["exfiltrating"])
    assert code == 1
    assert flagged(doc, "us-region-replication") == {f.REPLICATION}
    assert flagged(doc, "backup-coverage") == {f.BUCKET}
    assert {v["policy"] for v in doc["violations"] if v["enforcementLevel"] == "mandatory"} == {
        "us-region-replication", "backup-coverage",
    }
    assert doc["summary"]["mandatory"] == 2
    assert doc["state"] == str(states["exfiltrating"])


def test_bucket_made_public_outside_pulumi_fails(states):
    if "private-data-stores" not in _pack_policies():
        pytest.skip("the pack has no private-data-stores policy yet")
    code, doc = audit_json(states["refreshed"])
    assert code == 1
    assert flagged(doc, "private-data-stores") == {f.BUCKET}


def _pack_policies() -> set[str]:
    registry = (REPO / "policies" / "residency_policies" / "registry.py").read_text()
    return {line.split("import ")[-1].strip().replace("_", "-") for line in registry.splitlines()
            if line.startswith("from residency_policies.rules import")}


def test_audit_reports_are_written(states, tmp_path):
    from tests.reports.oscal_schema import oscal_errors

    state = shutil.copy(states["exfiltrating"], REPO / ".pytest-audit-state.json")
    state_digest = "sha256:" + hashlib.sha256(Path(state).read_bytes()).hexdigest()
    try:
        done = residency("audit", "--state", ".pytest-audit-state.json", "--report-dir", str(tmp_path))
    finally:
        os.unlink(state)
    assert done.returncode == 1, done.stderr
    assert "error: audit failed: mandatory policy violations" in done.stdout
    sarif = json.loads((tmp_path / "residency.sarif").read_text())
    (run,) = sarif["runs"]
    assert run["automationDetails"]["id"] == "residency/audit/us-prod/"
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in run["results"]}
    assert uris == {".pytest-audit-state.json"}
    page = (tmp_path / "evidence.html").read_text()
    assert "Audit of exported stack state" in page
    assert "OCI · us-phoenix-1" in page  # the replica, placed by its provider's region
    assert "compartment us-residency-data" in page  # compartment named from the state's compartment id
    assert (tmp_path / "summary.md").read_text().startswith("<!-- residency-report -->\n### Residency audit: `us-prod` ❌")
    # OSCAL assessment results, valid against NIST's schema; the state file's digest says what was audited.
    oscal = json.loads((tmp_path / "assessment-results.json").read_text())
    assert oscal_errors(oscal) == []
    (result,) = oscal["assessment-results"]["results"]
    assert {p["value"] for p in result["props"] if p["name"] == "kind"} == {"audit"}
    replication = [f for f in result["findings"] if any(p["value"] == "RK-REG-002" for p in f["props"])]
    assert {p["value"] for f in replication for p in f["props"] if p["name"] == "control"} == {"SA-9(5)", "AC-4"}
    assert f"state file: {state_digest}" in {p["value"] for p in oscal["assessment-results"]["metadata"]["props"]}
    assert f"State file</dt><dd class=\"mono\">{state_digest}" in page


# --- errors exit 2 with a message that names the problem --------------------------------------------


def test_bad_state_file_exits_2(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"version": 1, "deployment": {}}))
    done = residency("audit", "--state", str(bad))
    assert done.returncode == 2
    assert f"error: {bad}: deployment version 1 is not supported" in done.stderr


def test_bad_policy_pack_and_config_exit_2(states, tmp_path):
    done = residency("audit", "--state", str(states["compliant"]), "--policy-pack", str(tmp_path))
    assert done.returncode == 2 and "not a policy pack (no PulumiPolicy.yaml)" in done.stderr

    config = tmp_path / "config.json"
    config.write_text('{"probe-public-bucket": "sometimes"}')
    done = residency("audit", "--state", str(states["compliant"]), "--policy-pack", str(PROBE),
                     "--policy-pack-config", str(config))
    assert done.returncode == 2
    assert ("'probe-public-bucket': the enforcement level \"sometimes\" is not one of advisory, mandatory, remediate, "
            "disabled") in done.stderr

    done = residency("audit", "--state", str(states["compliant"]), "--policy-pack", str(PROBE),
                     "--policy-pack-config", str(config), "--policy-pack-config", str(config))
    assert done.returncode == 2 and "they pair by position" in done.stderr


def test_state_is_required():
    done = residency("audit")
    assert done.returncode == 2 and "--state" in done.stderr
