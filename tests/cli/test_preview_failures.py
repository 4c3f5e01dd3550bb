"""``residency preview`` runs that fail or check nothing, through the CLI: what ``--json``, ``--report-dir`` and the
text say. A failed run (exit 2) still prints its error as JSON with what it had learned and writes every report
marked as an error; a run that is not checked never prints a clean-looking count; an import the kit's interpreter
cannot satisfy says which interpreter ran and how to fix it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent.parent
PACKS = TESTS / "packs"


def write_project(root: Path, program: str, *, project_yaml: str = "name: failing\nruntime: python\n",
                  stack: str | None = "config:\n  oci:region: us-ashburn-1\n") -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "Pulumi.yaml").write_text(project_yaml)
    if stack is not None:
        (root / "Pulumi.dev.yaml").write_text(stack)
    (root / "__main__.py").write_text(textwrap.dedent(program))
    return root


def preview(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "residency_kit.cli", "preview", *args],
        capture_output=True, text=True, timeout=300, cwd=cwd, stdin=subprocess.DEVNULL,
        env={k: v for k, v in os.environ.items() if not k.startswith("PULUMI_")},
    )


def reports(out: Path) -> dict[str, str]:
    return {p.name: p.read_text() for p in out.iterdir()}


FAILS_MIDWAY = """
import pulumi_oci as oci

oci.objectstorage.Bucket("public", compartment_id="ocid1.compartment.oc1..aaaa", name="public", namespace="ns",
                         access_type="ObjectRead")
raise ValueError("the program gave up after one bucket")
"""


def test_a_failed_program_prints_its_error_and_what_was_learned_as_json_and_writes_error_reports(tmp_path, leftover_processes):
    project = write_project(tmp_path / "p", FAILS_MIDWAY)
    out = tmp_path / "reports"
    done = preview("--cwd", str(project), "--policy-pack", str(PACKS / "tiny"), "--json", "--report-dir", str(out),
                   cwd=tmp_path)
    assert done.returncode == 2
    assert "error: program failed at" in done.stderr and "ValueError: the program gave up after one bucket" in done.stderr
    doc = json.loads(done.stdout)
    error = doc["error"]
    assert error["kind"] == "program" and "ValueError: the program gave up after one bucket" in error["message"]
    assert 'raise ValueError("the program gave up after one bucket")' in error["traceback"]
    assert (doc["project"], doc["stack"]) == ("failing", "dev")
    # What was learned: the bucket registered before the failure, and what Analyze said about it; the
    # whole-stack policies (AnalyzeStack: stack-has-vault, protected-buckets) never ran.
    assert {r["name"] for r in doc["resources"]} == {"failing-dev", "default_5_5_0", "public"}
    assert {(v["policy"], v["urn"].rsplit("::", 1)[1]) for v in doc["violations"]} == {("no-public-bucket", "public")}
    summary = doc["summary"]
    assert (summary["checked"], summary["verdict"], summary["mandatory"]) == (False, "error", 1)
    assert any(w.startswith("the run failed (program failed at") for w in doc["warnings"])

    written = reports(out)
    assert set(written) == {"residency.sarif", "residency-junit.xml", "summary.md", "evidence.html", "assessment-results.json"}
    assert "⛔ **error** (the run failed: not checked)" in written["summary.md"]
    assert "Policy violations: not checked (the run failed); 1 mandatory, 0 advisory in what was checked" in written["summary.md"]
    assert "✅ pass" not in written["summary.md"]  # a policy of a failed run is never a pass
    (run,) = json.loads(written["residency.sarif"])["runs"]
    invocation = run["invocations"][0]
    assert invocation["executionSuccessful"] is False and invocation["properties"]["verdict"] == "error"
    errors = [n for n in invocation["toolExecutionNotifications"] if n["level"] == "error"]
    assert len(errors) == 1 and "ValueError: the program gave up" in errors[0]["message"]["text"]
    suites = ET.fromstring(written["residency-junit.xml"])
    assert suites.get("errors") == "1" and suites.get("failures") == "1"
    (case,) = [c for c in suites.iter("testcase") if c.get("name") == "run-checked"]
    assert case.find("error").get("type") == "error"
    assert {c.get("name") for c in suites.iter("testcase") if c.find("skipped") is not None} >= {"stack-has-vault"}
    assert 'id="run-error"' in written["evidence.html"] and "ValueError: the program gave up" in written["evidence.html"]
    # The OSCAL results of a failed run: valid, verdict error, the error in the result, the violation a finding.
    from tests.reports.oscal_schema import oscal_errors

    oscal = json.loads(written["assessment-results.json"])
    assert oscal_errors(oscal) == []
    (result,) = oscal["assessment-results"]["results"]
    assert result["props"][0] == {"name": "verdict", "ns": result["props"][0]["ns"], "value": "error"}
    assert "The run failed: " in result["description"] and "ValueError: the program gave up" in result["description"]
    assert [f["target"]["target-id"] for f in result["findings"]] == ["no-public-bucket"]
    assert leftover_processes() == []


def test_an_error_before_anything_ran_is_still_json_and_reports(tmp_path):
    out = tmp_path / "reports"
    empty = tmp_path / "empty"
    empty.mkdir()
    done = preview("--cwd", str(empty), "--json", "--report-dir", str(out), cwd=tmp_path)
    assert done.returncode == 2 and f"error: {empty}: no Pulumi.yaml" in done.stderr
    doc = json.loads(done.stdout)
    assert doc["error"]["kind"] == "preview" and "no Pulumi.yaml" in doc["error"]["message"]
    assert doc["project"] is None and doc["resources"] == [] and doc["violations"] == []
    assert (doc["summary"]["checked"], doc["summary"]["verdict"]) == (False, "error")
    written = reports(out)
    assert "⛔ **error**" in written["summary.md"] and "no Pulumi.yaml" in written["summary.md"]
    suites = ET.fromstring(written["residency-junit.xml"])
    assert (suites.get("tests"), suites.get("errors")) == ("1", "1")
    assert json.loads(written["residency.sarif"])["runs"][0]["invocations"][0]["executionSuccessful"] is False


def test_a_policy_config_error_is_json_with_each_problem(tmp_path):
    project = write_project(tmp_path / "p", "import pulumi\n")
    config = tmp_path / "bad.json"
    config.write_text(json.dumps({"owner-tag": {"maxDays": "soon"}}))
    done = preview("--cwd", str(project), "--policy-pack", str(PACKS / "tiny"), "--policy-pack-config", str(config),
                   "--json", cwd=tmp_path)
    assert done.returncode == 2
    error = json.loads(done.stdout)["error"]
    assert error["kind"] == "policy-config" and error["message"] == "validating policy config"
    assert error["details"] == ["validating policy config: tiny 0.3.0  owner-tag: maxDays is a string; expected an integer"]


def test_a_run_that_checked_nothing_never_prints_a_clean_count(tmp_path):
    project = write_project(tmp_path / "p", FAILS_MIDWAY.replace('raise ValueError("the program gave up after one bucket")', ""))
    config = tmp_path / "off.json"
    config.write_text(json.dumps({"all": "disabled"}))
    out = tmp_path / "reports"
    done = preview("--cwd", str(project), "--policy-pack", str(PACKS / "tiny"), "--policy-pack-config", str(config),
                   "--report-dir", str(out), cwd=tmp_path)
    assert done.returncode == 2
    assert "Policy violations: not checked (no policy ran)" in done.stdout
    assert "0 mandatory" not in done.stdout and "✅" not in done.stdout
    assert "⛔ tiny@v0.3.0" in done.stdout
    for name, text in reports(out).items():
        assert "0 mandatory, 0 advisory" not in text, name
    assert "Policy violations: not checked (no policy ran);" in reports(out)["summary.md"]


def test_a_missing_module_says_the_kit_interpreter_ran_the_program_and_how_to_fix_it(tmp_path):
    # The project's virtualenv (as `pulumi install` would make it) holds the package; the kit's does not.
    project = write_project(tmp_path / "p", "import pulumi\nimport residency_test_only_pkg.sub\n",
                            project_yaml="name: venvproj\nruntime:\n  name: python\n  options:\n    virtualenv: venv\n")
    site = project / "venv" / "lib" / f"python{sys.version_info[0]}.{sys.version_info[1]}" / "site-packages"
    (site / "residency_test_only_pkg").mkdir(parents=True)
    (site / "residency_test_only_pkg" / "__init__.py").write_text("")
    done = preview("--cwd", str(project), "--policy-pack", str(PACKS / "tiny"), "--json", cwd=tmp_path)
    assert done.returncode == 2
    assert "ModuleNotFoundError: No module named 'residency_test_only_pkg'" in done.stderr
    hint = (
        f"residency preview runs the program on the kit's own interpreter ({sys.executable}); the project's virtualenv "
        f"{project / 'venv'} (Pulumi.yaml runtime.options.virtualenv: venv) was not used (residency_test_only_pkg is "
        "installed there); install the distribution that provides `residency_test_only_pkg` into that environment, "
        "under the name your project's dependencies give it (a module's name is not always its distribution's, and a "
        "guessed name may be another project on the package index), or preview with the real CLI: "
        "`residency preview --engine pulumi`"
    )
    # Never a command that installs a guessed name (it could be somebody else's project on the index).
    assert "pip install residency_test_only_pkg" not in done.stderr
    assert hint in done.stderr
    assert hint in json.loads(done.stdout)["error"]["message"]


def test_the_hint_does_not_call_the_kits_own_virtualenv_unused(tmp_path):
    # This repository's Pulumi.yaml names .venv, the environment the kit itself runs in.
    from residency_kit.engine.project import load_project
    from residency_kit.engine.project_preview import interpreter_hint

    project = write_project(tmp_path / "p", "import pulumi\n", project_yaml=(
        f"name: own\nruntime:\n  name: python\n  options:\n    virtualenv: {sys.prefix}\n"))
    hint = interpreter_hint(load_project(project), "missing_mod")
    assert hint.startswith(f"residency preview runs the program on the kit's own interpreter ({sys.executable}) "
                           f"(which is the project's virtualenv {sys.prefix} (Pulumi.yaml runtime.options.virtualenv: ")
    assert "was not used" not in hint and "missing_mod" in hint


@pytest.mark.parametrize(("module", "local", "expected", "refused"), [
    # Issue 19: a project's own `components/` folder, run with `main: __main__.py`, is not importable; the hint
    # used to suggest `pip install components`, a different project on the package index.
    ("components", True, "`components` is part of this project", "pip install components"),
    ("residency_kit", False, "-m pip install residency-kit`", None),
    ("pulumi_random", False, "-m pip install pulumi-random`", None),
    ("yaml_tools_x", False, "install the distribution that provides `yaml_tools_x`", "pip install yaml_tools_x"),
])
def test_the_missing_module_hint_never_guesses_a_distribution(tmp_path, module, local, expected, refused):
    from residency_kit.engine.project import load_project
    from residency_kit.engine.project_preview import interpreter_hint

    project = write_project(tmp_path / "p", "import pulumi\n")
    if local:
        (project / module).mkdir()
        (project / module / "__init__.py").write_text("")
    hint = interpreter_hint(load_project(project), f"{module}.oci")
    assert expected in hint
    if refused:
        assert refused not in hint
