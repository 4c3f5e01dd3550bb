"""``residency preview`` end to end, as a subprocess: exit codes, output, config layering, errors, no leftovers."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent.parent
REPO = TESTS.parent
PROGRAMS = TESTS / "programs"
PACKS = TESTS / "packs"


def preview(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "residency_kit.cli", "preview", *args],
        capture_output=True, text=True, timeout=120, env={**os.environ, **(env or {})}, cwd=REPO,
    )


def test_violating_program_fails_with_mandatory_violations_and_json(leftover_processes):
    result = preview("--cwd", str(PROGRAMS / "violating"), "--policy-pack", str(PACKS / "tiny"), "--json")
    assert result.returncode == 1, result.stderr
    doc = json.loads(result.stdout)
    urns = {r["name"]: r["urn"] for r in doc["resources"]}
    # main: app/ and stackConfigDir: config are honoured; the only stack file is picked.
    assert urns["store-bucket"] == "urn:pulumi:dev::violating::testkit:storage:Storage$oci:ObjectStorage/bucket:Bucket::store-bucket"
    resources = {r["name"]: r for r in doc["resources"]}
    assert resources["store-bucket"]["inputs"]["freeformTags"] == {"owner": "data-team"}
    assert resources["store-bucket"]["parent"] == urns["store"]
    assert resources["store-bucket"]["protect"] is True
    default = resources["default_5_5_0"]["inputs"]
    assert default["privateKey"] == "[secret]" and default["region"] == "us-ashburn-1"
    assert resources["public"]["provider"].startswith(urns["frankfurt"] + "::")
    assert doc["policyPacks"][0]["name"] == "tiny" and doc["policyPacks"][0]["version"] == "0.3.0"
    found = {(v["policy"], v["urn"].rsplit("::", 1)[1], v["enforcementLevel"]) for v in doc["violations"]}
    assert found == {
        ("allowed-region", "frankfurt", "mandatory"),
        ("no-public-bucket", "public", "mandatory"),
        ("provider-region-seen", "public", "mandatory"),
        ("protected-buckets", "public", "mandatory"),
        ("stack-has-vault", "violating-dev", "advisory"),
        ("bucket-name-lowercase", "named-after-public", "advisory"),
    }
    summary = doc["summary"]
    assert (summary["resources"], summary["toCreate"], summary["defaultProviders"]) == (len(doc["resources"]), 6, 1)
    assert (summary["mandatory"], summary["advisory"], summary["waived"], summary["checked"]) == (4, 2, 0, True)
    assert leftover_processes() == []


def test_text_output_and_the_all_key_from_a_config_file(tmp_path):
    config = tmp_path / "advisory.json"
    config.write_text(json.dumps({"all": "advisory"}))
    result = preview(
        "--cwd", str(PROGRAMS / "violating"), "--policy-pack", str(PACKS / "tiny"), "--policy-pack-config", str(config)
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Policies:" in out and "⚠️" in out and "❌" not in out
    assert "- [advisory] [severity: high]  no-public-bucket  (oci:ObjectStorage/bucket:Bucket: public)" in out
    assert "bucket access type is ObjectRead" in out
    assert "│  └─ oci:ObjectStorage/bucket:Bucket" in out  # nested under the component


def test_compliant_program_passes_with_config_override():
    result = preview(
        "--cwd", str(PROGRAMS / "compliant"), "--stack", "test", "--policy-pack", str(PACKS / "tiny"),
        "--config", "compartment=ocid1.compartment.oc1..override", "--json",
    )
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["violations"] == []
    vault = next(r for r in doc["resources"] if r["name"] == "vault")
    assert vault["inputs"]["compartmentId"] == "ocid1.compartment.oc1..override"
    archive = next(r for r in doc["resources"] if r["name"] == "archive")
    assert archive["inputs"]["name"] == "uocm-archive"  # from the assumed availability domains
    # The namespace is tenancy state: made up, traced, and listed as an assumption with its user.
    assert archive["inputs"]["namespace"].startswith("nsassumed")
    (namespace,) = [i for i in doc["invokes"] if i["token"] == "oci:ObjectStorage/getNamespace:getNamespace"]
    assert namespace["kind"] == "assumed" and namespace["assumed"] == ["namespace"]
    assert archive["urn"] in namespace["usedBy"]


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        (["--cwd", "{tmp}"], {}, "no Pulumi.yaml"),
        (["--cwd", str(PROGRAMS / "compliant"), "--stack", "no such/stack"], {},
         "invalid stack name 'no such/stack': allowed are 1 to 100 of the letters A-Z and a-z, the digits 0-9"),
        (["--cwd", str(PROGRAMS / "nodejs")], {}, "key 'runtime' is 'nodejs'"),
        (["--cwd", str(PROGRAMS / "compliant"), "--config", "novalue"], {}, "--config 'novalue': expected KEY=VALUE"),
        (
            ["--cwd", str(PROGRAMS / "compliant"), "--policy-pack", str(PACKS / "crashing")],
            {}, "exited with code 1 before reporting its port",
        ),
        (
            ["--cwd", str(PROGRAMS / "compliant"), "--policy-pack", str(PACKS / "silent")],
            {"RESIDENCY_PACK_START_TIMEOUT": "1.5"}, "did not report its port within 1.5s",
        ),
    ],
    ids=["no-project", "bad-stack-name", "nodejs", "bad-override", "crashing-pack", "silent-pack"],
)
def test_bad_inputs_exit_2_with_a_clear_message(tmp_path, leftover_processes, args, env, message):
    result = preview(*[a.replace("{tmp}", str(tmp_path)) for a in args], env=env)
    assert result.returncode == 2, result.stdout + result.stderr
    assert message in result.stderr
    assert result.stderr.startswith("error: ") or "\nerror: " in result.stderr
    assert leftover_processes(required=False) == []


def test_program_exception_names_the_users_file_and_line(leftover_processes):
    result = preview("--cwd", str(PROGRAMS / "failing"), "--policy-pack", str(PACKS / "tiny"))
    assert result.returncode == 2
    program = PROGRAMS / "failing" / "__main__.py"
    assert f"error: program failed at {program}:13 in bucket_name: ValueError: no name for bucket 1" in result.stderr
    assert f'File "{program}", line 16, in <module>' in result.stderr
    assert leftover_processes() == []  # the program child and the pack are both gone


def test_bad_policy_pack_config_prints_the_engine_error(tmp_path, leftover_processes):
    config = tmp_path / "bad.json"
    config.write_text(json.dumps({"owner-tag": {"maxDays": "soon"}}))
    result = preview(
        "--cwd", str(PROGRAMS / "compliant"), "--policy-pack", str(PACKS / "tiny"), "--policy-pack-config", str(config)
    )
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "error: validating policy config: tiny 0.3.0  owner-tag: maxDays is a string; expected an integer",
        "error: validating policy config",
    ]
    assert leftover_processes() == []



def test_an_invalid_stack_setting_of_the_kit_prints_its_problems_once_as_a_configuration_error():
    result = preview("--stack", "us-prod", "--config", "residency:homeRegion=eu-frankfurt-1",
                     "--policy-pack", str(PACKS / "tiny"))
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert lines[0] == "error: configuration error: invalid stack configuration (1 problem(s)):"
    assert lines[1].startswith("  - residency:homeRegion: 'eu-frankfurt-1' not a US OCI region; allowed: us-ashburn-1")
    assert len(lines) == 2  # once, with no traceback and none of the kit's own files or raise statements
    assert "Traceback" not in result.stderr and "residency_kit/settings" not in result.stderr


# --- a new user's first run: a stack with no config file, user data that looks like markup -------------------

def _project(root: Path, program: str, stacks: dict[str, str] | None = None) -> Path:
    root.mkdir(parents=True)
    (root / "Pulumi.yaml").write_text("name: newuser\nruntime: python\n")
    (root / "__main__.py").write_text(program)
    for name, text in (stacks or {}).items():
        (root / f"Pulumi.{name}.yaml").write_text(text)
    return root


CONFIG_FREE = """
import pulumi
import pulumi_oci as oci

region = pulumi.Config("oci").get("region") or "unset"
oci.objectstorage.Bucket("b", compartment_id="ocid1.compartment.oc1..aaaa", name="b-" + region, namespace="ns")
"""


def test_a_stack_named_with_no_config_file_runs_with_empty_config_and_says_so_everywhere(tmp_path, leftover_processes):
    project = _project(tmp_path / "p", CONFIG_FREE, {"prod": "config:\n  oci:region: us-ashburn-1\n"})
    note = (f"stack 'dev' has no config file ({project / 'Pulumi.dev.yaml'} does not exist) (stack config files "
            "there: prod): previewed with empty stack config, as the Pulumi CLI previews a new stack")
    out = tmp_path / "reports"
    text = preview("--cwd", str(project), "--stack", "dev", "--policy-pack", str(PACKS / "tiny"), "--report-dir", str(out))
    as_json = preview("--cwd", str(project), "--stack", "dev", "--policy-pack", str(PACKS / "tiny"), "--json")
    assert text.returncode == 1 and as_json.returncode == 1, text.stderr  # tiny: no vault, bucket not protected
    assert f"note: {note}" in text.stdout
    doc = json.loads(as_json.stdout)
    assert doc["notes"] == [note] and f"note: {note}" in doc["warnings"]
    assert {r["name"]: r for r in doc["resources"]}["b"]["inputs"]["name"] == "b-unset"  # no config at all
    for name in ("summary.md", "residency-junit.xml"):
        assert note in (out / name).read_text(), name
    assert note.replace("'", "&#x27;") in (out / "evidence.html").read_text()
    (run,) = json.loads((out / "residency.sarif").read_text())["runs"]
    assert f"note: {note}" in {n["message"]["text"] for n in run["invocations"][0]["toolExecutionNotifications"]}
    assert leftover_processes() == []


def test_without_stack_or_stack_file_the_error_says_how_to_name_one(tmp_path):
    project = _project(tmp_path / "p", CONFIG_FREE)
    done = preview("--cwd", str(project), "--policy-pack", str(PACKS / "tiny"))
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        f"error: no stack config file (Pulumi.<stack>.yaml) in {project}: pass --stack NAME to name the stack to "
        "preview (a stack with no config file is previewed with empty config, as a new stack)"
    ]


MARKUP_LOOKALIKES = """
import pulumi
import pulumi_oci as oci

comp = pulumi.ComponentResource("my:x:Comp", ":warning:[bold]name")
oci.objectstorage.Bucket("b", compartment_id="c", name=":thumbs_up: [red]Upper", namespace="ns", access_type=":x:",
                         opts=pulumi.ResourceOptions(parent=comp))
print("program says :smile: and [/]")
"""


def test_types_names_and_messages_print_as_they_are_not_as_emoji_or_markup(tmp_path):
    project = _project(tmp_path / "p", MARKUP_LOOKALIKES, {"dev": "config:\n  oci:region: us-ashburn-1\n"})
    done = preview("--cwd", str(project), "--policy-pack", str(PACKS / "tiny"))
    assert done.returncode == 1, done.stderr
    out = done.stdout
    assert "└─ my:x:Comp" in out and ":warning:[bold]name" in out  # the type and the name, verbatim
    assert "(oci:ObjectStorage/bucket:Bucket: b)" in out
    assert "bucket access type is :x:" in out  # a violation message quoting user data
    assert "program says :smile: and [/]" in out
    assert "❌Comp" not in out and "⚠" not in out.split("Policies:")[0] and "😄" not in out
