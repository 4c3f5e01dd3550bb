"""`residency preview --report-dir` end to end: a small raw-SDK program, the audit probe pack."""

from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

from oscal_schema import oscal_errors

from residency_kit.reports.oscal import NS

REPO = Path(__file__).resolve().parents[2]
PROBE_PACK = REPO / "tests" / "audit" / "probe_pack"
PROGRAM = """
import pulumi_oci as oci

home = oci.Provider("oci-home", region="us-ashburn-1")
opts = __import__("pulumi").ResourceOptions(provider=home)
data = oci.identity.Compartment("data", compartment_id="ocid1.tenancy.oc1..aaaaexample", description="US data",
                                name="data", opts=opts)
oci.objectstorage.Bucket("public-site", compartment_id=data.id, name="public-site", namespace="axaxnpcrorw5",
                         access_type="ObjectRead", opts=opts)
oci.objectstorage.Bucket("private", compartment_id=data.id, name="private", namespace="axaxnpcrorw5",
                         access_type="NoPublicAccess", opts=opts)
"""


def make_project(root: Path) -> Path:
    (root / "infra").mkdir(parents=True)
    (root / "Pulumi.yaml").write_text("name: tiny\nruntime: python\nstackConfigDir: infra\n")
    (root / "infra" / "Pulumi.dev.yaml").write_text("config:\n  oci:region: us-ashburn-1\n")
    (root / "__main__.py").write_text(PROGRAM)
    return root


def _commit(project: Path) -> str:
    """Make the project a git repository with one commit; its HEAD."""
    git = ["git", "-C", str(project), "-c", "user.name=Test", "-c", "user.email=test@example.com"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "program"], check=True)
    return subprocess.run([*git, "rev-parse", "HEAD"], check=True, capture_output=True, text=True).stdout.strip()


def test_preview_writes_all_reports_consistent_with_its_exit_code(tmp_path):
    project = make_project(tmp_path / "project")
    head = _commit(project)
    out = tmp_path / "reports"
    done = subprocess.run(
        [sys.executable, "-m", "residency_kit.cli", "preview", "--stack", "dev", "--policy-pack", str(PROBE_PACK),
         "--report-dir", str(out), "--json"],
        cwd=project, capture_output=True, text=True, timeout=600, stdin=subprocess.DEVNULL,
    )
    assert done.returncode == 1, done.stderr
    document = json.loads(done.stdout)
    assert sorted(p.name for p in out.iterdir()) == [
        "assessment-results.json", "evidence.html", "residency-junit.xml", "residency.sarif", "summary.md",
    ]
    public = "urn:pulumi:dev::tiny::oci:ObjectStorage/bucket:Bucket::public-site"

    (run,) = json.loads((out / "residency.sarif").read_text())["runs"]
    assert run["automationDetails"]["id"] == "residency/preview/dev/"
    assert {r["ruleId"] for r in run["results"]} == {"probe-public-bucket", "probe-stack-public-bucket"}
    assert {r["locations"][0]["logicalLocations"][0]["fullyQualifiedName"] for r in run["results"]} == {public}
    # Results point at the program line that declared the bucket, relative to where the command ran.
    declared = PROGRAM.splitlines().index(next(line for line in PROGRAM.splitlines() if '"public-site"' in line)) + 1
    assert {
        (r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
         r["locations"][0]["physicalLocation"]["region"]["startLine"])
        for r in run["results"]
    } == {("__main__.py", declared)}
    assert len(run["results"]) == len(document["violations"]) == 2

    suite = ET.parse(out / "residency-junit.xml").getroot().find("testsuite")
    cases = {c.get("name"): c for c in suite.findall("testcase")}
    assert set(cases) == {"probe-public-bucket", "probe-stack-public-bucket", "probe-never-applies"}
    assert public in cases["probe-public-bucket"].find("failure").text

    assert "### Residency preview: `dev` ❌ **failed**" in (out / "summary.md").read_text()
    page = (out / "evidence.html").read_text()
    assert "dev: failed</h1>" in page
    assert "<td>OCI</td><td>us-ashburn-1</td><td>data</td>" in page  # compartment by property dependency
    assert '<section id="network">' in page

    # Every file says what produced it: the kit's version and the program's commit (clean work tree).
    assert run["invocations"][0]["properties"]["provenance"]["programCommit"] == head
    assert run["invocations"][0]["properties"]["provenance"]["programUncommittedChanges"] is False
    assert f'name="provenance.program commit" value="{head}"' in (out / "residency-junit.xml").read_text()
    assert f"program commit {head}" in (out / "summary.md").read_text()
    assert f'<dt>Program commit</dt><dd class="mono">{head}</dd>' in page
    oscal = json.loads((out / "assessment-results.json").read_text())["assessment-results"]
    assert {"name": "provenance", "ns": NS, "value": f"program commit: {head}", "class": "program"} in oscal["metadata"]["props"]
    assert oscal["results"][0]["props"][0]["value"] == "failed"
    # The probe pack is not a residency pack: no policy IDs or controls are invented for it.
    assert "findings" in oscal["results"][0] and all(
        f["target"]["type"] == "objective-id" for f in oscal["results"][0]["findings"])
    assert not any("policyId" in r["properties"] for r in run["results"])
    # Both buckets are stores in the table, each with its region.
    stores = page.split('<table id="store-table">', 1)[1].split("</table>", 1)[0]
    assert stores.count("<tr><td><code>oci:ObjectStorage/bucket:Bucket</code>") == 2
    assert stores.count("<td>us-ashburn-1</td>") == 2
    assert oscal_errors({"assessment-results": oscal}) == []
