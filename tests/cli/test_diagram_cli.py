"""``residency diagram`` end to end: it runs the program as the preview runs it and imports the pack's network
model as an installed package, never by putting the pack directory on ``sys.path``."""

from __future__ import annotations

import subprocess
import sys
import textwrap

PROGRAM = """
import pulumi_oci as oci

vcn = oci.core.Vcn("vcn", compartment_id="ocid1.compartment.oc1..aaaa", cidr_blocks=["10.0.0.0/16"])
oci.core.Subnet("data", compartment_id="ocid1.compartment.oc1..aaaa", vcn_id=vcn.id, cidr_block="10.0.1.0/24",
                prohibit_public_ip_on_vnic=True, freeform_tags={"tier": "data"})
"""


def test_diagram_runs_from_any_directory_without_touching_sys_path(tmp_path):
    project = tmp_path / "p"
    project.mkdir()
    (project / "Pulumi.yaml").write_text("name: net\nruntime: python\n")
    (project / "Pulumi.dev.yaml").write_text("config:\n  oci:region: us-ashburn-1\n")
    (project / "__main__.py").write_text(textwrap.dedent(PROGRAM))
    done = subprocess.run(
        [sys.executable, "-m", "residency_kit.cli", "diagram", "--cwd", str(project), "--format", "mermaid"],
        capture_output=True, text=True, timeout=300, cwd=tmp_path, stdin=subprocess.DEVNULL,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("flowchart LR") and "data" in done.stdout and "10.0.1.0/24" in done.stdout
    check = subprocess.run(
        [sys.executable, "-c", "import sys; before = list(sys.path); import residency_kit.commands.diagram; "
         "import residency_kit.reports.network_diagram as d; assert sys.path == before, sys.path; print(d.ng.__name__)"],
        capture_output=True, text=True, timeout=120, cwd=tmp_path,
    )
    assert check.returncode == 0, check.stderr
    assert check.stdout.strip() == "residency_policies.analysis.network_graph"
