"""The oracle: the stand-in provider, the comparison, and (``-m oracle``) the corpus under the real CLI.

The corpus tests need the CLI that ``make oracle`` builds; ``make oracle-test`` runs them. Every difference
between the two engines must carry a documented cause (``residency_kit.oracle.compare.CAUSES``, listed in
docs/preview.md); a new, unexplained one fails with its details.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

import grpc
import pytest
from google.protobuf import json_format, struct_pb2
from pulumi.runtime.proto import provider_pb2
from pulumi.runtime.proto.provider_pb2 import InvokeResponse

from residency_kit.engine.invokes import InvokeAnswerer
from residency_kit.engine.project import go_json
from residency_kit.oracle.compare import (
    CAUSES, UNKNOWN, Outcome, Recording, Verdict, compare, error_essence, read_recording,
)
from residency_kit.pulumi_cli.offline import find_pulumi
from residency_kit.pulumi_cli.sdk_outputs import computed_outputs
from residency_kit.pulumi_cli.standin_provider import StandInProvider

BUCKET = "oci:ObjectStorage/bucket:Bucket"
PROGRAMS = Path(__file__).resolve().parent / "programs"


def struct(value: dict) -> struct_pb2.Struct:
    out = struct_pb2.Struct()
    out.update(value)
    return out


class AbortingContext:
    def abort(self, code, details):
        raise grpc.RpcError(f"{code}: {details}")


def test_computed_outputs_are_read_from_the_installed_sdk():
    outputs = computed_outputs(BUCKET)
    assert {"bucketId", "etag", "timeCreated", "approximateSize"} <= outputs
    assert not outputs & {"compartmentId", "name", "namespace", "kmsKeyId"}  # inputs
    assert "tagsAll" in computed_outputs("aws:kms/key:Key")
    assert computed_outputs("aws:s3/bucketV2:BucketV2") >= {"arn", "bucketDomainName"}
    assert computed_outputs("nothing:here/at:All") == frozenset()


def test_stand_in_provider_checks_creates_in_preview_only_and_answers_invokes():
    provider = StandInProvider("oci", "5.5.0")
    inputs = {"compartmentId": "ocid1.compartment.oc1..x", "name": "b", "freeformTags": {"a": UNKNOWN}}
    checked = provider.Check(provider_pb2.CheckRequest(urn="urn:pulumi:s::p::" + BUCKET + "::b", type=BUCKET,
                                                       news=struct(inputs)), None)
    assert json_format.MessageToDict(checked.inputs) == inputs

    created = provider.Create(provider_pb2.CreateRequest(urn="urn:pulumi:s::p::" + BUCKET + "::b", type=BUCKET,
                                                         properties=struct(inputs), preview=True), None)
    properties = json_format.MessageToDict(created.properties)
    assert created.id == ""
    assert {k: properties[k] for k in inputs} == inputs
    assert properties["bucketId"] == UNKNOWN and properties["etag"] == UNKNOWN
    with pytest.raises(grpc.RpcError, match="only previews"):
        provider.Create(provider_pb2.CreateRequest(type=BUCKET, properties=struct(inputs), preview=False),
                        AbortingContext())

    provider.Configure(provider_pb2.ConfigureRequest(args=struct({"region": "us-phoenix-1"})), None)
    answer = provider.Invoke(provider_pb2.InvokeRequest(tok="oci:Identity/getAvailabilityDomains:getAvailabilityDomains",
                                                        args=struct({"compartmentId": "c"})), None)
    ads = json_format.MessageToDict(getattr(answer, "return"))["availabilityDomains"]
    assert [ad["name"] for ad in ads] == ["Uocm:PHX-AD-1", "Uocm:PHX-AD-2", "Uocm:PHX-AD-3"]
    # A lookup of tenancy state: shaped by the SDK's result type, the compartment (which decides residency) unknown.
    looked_up = provider.Invoke(provider_pb2.InvokeRequest(tok="oci:Identity/getCompartments:getCompartments"), None)
    compartments = json_format.MessageToDict(getattr(looked_up, "return"))["compartments"]
    assert compartments and all(c["compartmentId"].startswith("<<unknown ") for c in compartments)
    unanswered = provider.Invoke(provider_pb2.InvokeRequest(tok="nosuchprovider:index/getThing:getThing"), None)
    assert json_format.MessageToDict(getattr(unanswered, "return")) == {}


def _invoke(provider: StandInProvider, token: str, args: dict) -> InvokeResponse:
    return provider.Invoke(provider_pb2.InvokeRequest(tok=token, args=struct(args)), None)


def test_stand_in_answers_are_residency_previews_answers_whatever_was_asked_before(tmp_path):
    images = ("oci:Core/getImages:getImages", {"compartmentId": "ocid1.compartment.oc1..x", "limit": 2})
    provider = StandInProvider("oci", "5.5.0", project_dir=str(tmp_path))
    provider.Configure(provider_pb2.ConfigureRequest(args=struct({"region": "us-phoenix-1", "version": "5.5.0"})), None)
    _invoke(provider, "oci:Core/getVcns:getVcns", {"compartmentId": "c"})
    stand_in = json_format.MessageToDict(getattr(_invoke(provider, *images), "return"))

    embedded = InvokeAnswerer({"oci:region": "us-phoenix-1"})  # one ledger for a whole run, as residency preview
    embedded.answer("oci:Identity/getAvailabilityDomains:getAvailabilityDomains", {"compartmentId": "c"})
    embedded.answer("oci:Core/getVcns:getVcns", {"compartmentId": "c"})
    assert stand_in == embedded.answer(*images)
    assert stand_in["images"][0]["id"].startswith("ocid1.image.oc1.phx.assumed")


def test_stand_in_answers_with_the_projects_pinned_answers(tmp_path):
    (tmp_path / "residency-invokes.yaml").write_text(
        "invokes:\n  - token: oci:ObjectStorage/getNamespace:getNamespace\n    result: {namespace: pinnedns}\n")
    provider = StandInProvider("oci", "5.5.0", project_dir=str(tmp_path))
    answer = _invoke(provider, "oci:ObjectStorage/getNamespace:getNamespace", {"compartmentId": "c"})
    assert json_format.MessageToDict(getattr(answer, "return"))["namespace"] == "pinnedns"
    assert not answer.failures

    (tmp_path / "residency-invokes.yaml").write_text("invokes: {}\n")
    broken = StandInProvider("oci", "5.5.0", project_dir=str(tmp_path))
    failed = _invoke(broken, "oci:ObjectStorage/getNamespace:getNamespace", {"compartmentId": "c"})
    assert [f.reason for f in failed.failures] == [f"{tmp_path / 'residency-invokes.yaml'}: key 'invokes' must be a list, got dict"]


def _resource(urn: str, **extra) -> dict:
    return {"urn": urn, "type": BUCKET, "name": urn.rsplit("::", 1)[-1], "options": {"customTimeouts": {}},
            "provider": {"urn": "urn:pulumi:s::p::pulumi:providers:oci::default_5_5_0"}, **extra}


def _outcome(analyze: list[dict], stack: list[dict], verdicts=()) -> Outcome:
    recording = Recording(analyze={r["urn"]: r for r in analyze}, analyze_stack=[stack], requests=len(analyze) + 1)
    return Outcome(recording, set(verdicts))


def test_compare_reports_each_difference_and_explains_only_documented_ones():
    a = "urn:pulumi:s::p::" + BUCKET + "::a"
    b = "urn:pulumi:s::p::" + BUCKET + "::b"
    real = _outcome(
        [_resource(a, properties={"name": "a", "tag": "<<unknown oci:Core/getImages:getImages.x #12345678>>"}),
         _resource(b, properties={"name": "b"})],
        [_resource(a, properties={"name": "a", "etag": UNKNOWN}, dependencies=[b, a])],
        [Verdict("pack", "p1", b, "mandatory", "m")],
    )
    mine = _outcome(
        [_resource(a, properties={"name": "a", "tag": UNKNOWN}), _resource(b, properties={"name": "B"})],
        [_resource(a, properties={"name": "a"}, dependencies=[a, b])],
    )
    diffs = compare("prog", real, mine)
    by_area = {(d.area, d.key): d for d in diffs}
    assert by_area[("analyze", f"{b} properties.name")].cause == ""  # a real difference, unexplained
    assert by_area[("analyze", f"{a} properties.tag")].cause == "invoke-unknown-fields"
    # A computed output residency preview fails to send is a regression now that it sends them: unexplained.
    assert by_area[("analyze-stack", f"{a} properties.etag")].cause == ""
    assert ("verdicts", b) in by_area and by_area[("verdicts", b)].cause == ""
    assert not any("dependencies" in d.key for d in diffs)  # the SDK's dependency order is not a difference
    assert len(diffs) == 4

    assert compare("prog", real, real) == []


def test_behaviours_residency_preview_reproduces_have_no_cause_left():
    """Causes of differences residency preview fixed are gone, so a regression fails the oracle."""
    assert not set(CAUSES) & {"computed-outputs", "registered-outputs", "aliases-on-create", "read-urns", "transforms",
                              "invoke-default-providers", "main-file-sys-path", "unconfigured-provider-outputs",
                              "computed-outputs-verdicts"}
    assert all(c.status.startswith("by design") for c in CAUSES.values())
    provider = "urn:pulumi:s::transforms::pulumi:providers:oci::default_5_5_0"
    real = _outcome([_resource(provider)], [])
    ran = compare("tests/oracle/programs/transforms", real, _outcome([], []))
    assert [(d.area, d.cause) for d in ran] == [("analyze", "")]  # an extra default provider: unexplained
    missing = "Program failed with an unhandled exception:\nTraceback (most recent call last):\n  File \"x\", line 1\n" \
              "ModuleNotFoundError: No module named 'names'"
    failed = compare("main-file", Outcome(Recording(), set(), missing), Outcome(Recording(), set()))
    assert [(d.area, d.cause) for d in failed] == [("outcome", "")]


def test_runs_that_failed_under_both_engines_are_compared_by_error_and_by_the_requests_before():
    a = "urn:pulumi:s::p::" + BUCKET + "::a"
    traceback = ("Program failed with an unhandled exception:\nTraceback (most recent call last):\n"
                 "  File \"/tmp/m/__main__.py\", line 5, in <module>\n    raise RuntimeError(\"half way\")\n"
                 "RuntimeError: half way")
    mine_error = ("ProgramError: program failed at /repo/__main__.py:5 in <module>: RuntimeError: half way\n"
                  "    raise RuntimeError(\"half way\")")
    before = [_resource(a, properties={"name": "a"})]
    same = compare("p", Outcome(_outcome(before, []).recording, set(), traceback),
                   Outcome(_outcome(before, []).recording, set(), mine_error))
    assert same == []

    other = compare("p", Outcome(_outcome(before, []).recording, set(), traceback),
                    Outcome(_outcome([_resource(a, properties={"name": "A"})], []).recording, set(),
                            "ProgramError: program failed at /repo/__main__.py:5 in <module>: ValueError: other"))
    assert {(d.area, d.key) for d in other} == {("outcome", "error"), ("analyze", f"{a} properties.name")}
    assert all(d.cause == "" for d in other)
    (outcome,) = [d for d in other if d.area == "outcome"]
    assert "'RuntimeError: half way'" in outcome.detail and "'ValueError: other'" in outcome.detail


def test_the_same_refusal_worded_differently_is_explained_and_verdicts_before_a_failure_are_not_compared():
    refused = "Default provider for 'oci' disabled. 'urn:pulumi:dev::p::oci:ObjectStorage/bucket:Bucket::b' must use " \
              "an explicit provider."
    mine = "EngineStackError: resource '{}' of type oci:ObjectStorage/bucket:Bucket needs the default oci provider, " \
           "but config key pulumi:disable-default-providers disables it; pass an explicit provider"
    early = {Verdict("pack", "p", "urn:pulumi:dev::p::oci:ObjectStorage/bucket:Bucket::a", "mandatory", "m")}
    same = compare("p", Outcome(Recording(), early, refused), Outcome(Recording(), set(), mine.format("b")))
    assert [(d.area, d.cause) for d in same] == [("outcome", "error-wording")]
    other = compare("p", Outcome(Recording(), set(), refused), Outcome(Recording(), set(), mine.format("c")))
    assert [(d.area, d.cause) for d in other] == [("outcome", "")]


@pytest.mark.parametrize(("real", "mine"), [
    ("Configuration 'p:count' value 'x' is not a valid 'int'; an unhandled error occurred: the Python program exited "
     "with code 1", "ProgramError: configuration error: Configuration 'p:count' value 'x' is not a valid 'int'"),
    ("Program failed with an unhandled exception:\nTraceback (most recent call last):\n  File \"/tmp/a.py\", line 1, "
     "in <module>\n    f()\n    ^^^\nValueError: no name for bucket 1",
     "ProgramError: program failed at /r/__main__.py:13 in bucket_name: ValueError: no name for bucket 1\n    raise X"),
    # A project preview's failure message (``RunFailure.message``) carries no exception type.
    ("Configuration 'p:count' value 'x' is not a valid 'int'; an unhandled error occurred: the Python program exited "
     "with code 1", "configuration error: Configuration 'p:count' value 'x' is not a valid 'int'"),
    ("Program failed with an unhandled exception:\nTraceback (most recent call last):\n  File \"/tmp/a.py\", line 1, "
     "in <module>\n    f()\n    ^^^\nValueError: no name for bucket 1",
     "program failed at /r/__main__.py:13 in bucket_name: ValueError: no name for bucket 1\n    raise X"),
])
def test_error_essence_removes_each_engines_framing(real, mine):
    assert error_essence(real) == error_essence(mine) != ""


def test_an_invoke_marker_inside_go_escaped_json_explains_an_unknown_input():
    # The stand-in provider answers a policy document as the provider writes it (Go escapes the marker's < >);
    # residency preview sends the engine's unknown for the input built from it.
    a = "urn:pulumi:s::p::" + BUCKET + "::a"
    doc = '{"Principal": "arn:aws:iam::\\u003c\\u003cunknown aws:index/getCallerIdentity:getCallerIdentity.accountId #1\\u003e\\u003e:root"}'
    real = _outcome([_resource(a, properties={"policy": doc})], [])
    mine = _outcome([_resource(a, properties={"policy": UNKNOWN})], [])
    (diff,) = compare("prog", real, mine)
    assert diff.cause == "invoke-unknown-fields"


def test_verdicts_on_a_resource_built_from_an_invoke_marker_are_explained_by_it_and_only_there():
    a = "urn:pulumi:s::p::" + BUCKET + "::a"
    b = "urn:pulumi:s::p::" + BUCKET + "::b"
    marker = "<<unknown oci:Identity/getCompartments:getCompartments.compartments[0].id #12345678>>"
    real = _outcome([_resource(a, properties={"compartmentId": marker}), _resource(b, properties={"name": "b"})], [],
                    [Verdict("pack", "p1", a, "mandatory", "judged on the text"),
                     Verdict("pack", "p1", b, "mandatory", "other")])
    mine = _outcome([_resource(a, properties={"compartmentId": UNKNOWN}), _resource(b, properties={"name": "b"})], [],
                    [Verdict("pack", "p1", a, "mandatory", "cannot be verified at preview")])
    causes = {(d.area, d.key, d.detail.split(":", 1)[0]): d.cause for d in compare("prog", real, mine)}
    assert causes == {
        ("analyze", f"{a} properties.compartmentId", "real \"<<unknown oci"): "invoke-unknown-fields",
        ("verdicts", a, "real engine only"): "invoke-unknown-fields",
        ("verdicts", a, "residency preview only"): "invoke-unknown-fields",
        ("verdicts", b, "real engine only"): "",  # b holds no marker: a real difference
    }


def test_a_stack_reference_to_another_organization_is_the_offline_backends_limit():
    refused = "Preview failed: organization name must be 'organization'"
    (diff,) = compare("p", Outcome(Recording(), set(), refused), Outcome(Recording(), set()))
    assert diff.cause == "stack-reference-offline"


def test_the_preview_doc_lists_exactly_the_oracles_causes():
    import re

    doc = (Path(__file__).resolve().parents[2] / "docs" / "preview.md").read_text()
    table = doc.split("### Differences and their causes", 1)[1].split("\n### ", 1)[0]
    rows = dict(re.findall(r"^\| `([a-z-]+)` \| ([^|]+) \|", table, re.MULTILINE))
    assert {cause: c.status for cause, c in CAUSES.items()} == {k: v.strip() for k, v in rows.items()}


def test_recordings_are_read_by_method(tmp_path):
    path = tmp_path / "r.jsonl"
    path.write_text(
        '{"method": "ConfigureStack", "request": {"stack": "s"}}\n'
        '{"method": "Analyze", "request": {"urn": "u1"}}\n'
        '{"method": "Remediate", "request": {"urn": "u1"}}\n'
        '{"method": "AnalyzeStack", "request": {"resources": [{"urn": "u1"}]}}\n'
    )
    recording = read_recording(path)
    assert recording.requests == 4
    assert list(recording.analyze) == ["u1"] and list(recording.remediate) == ["u1"]
    assert recording.stack_resources == {"u1": {"urn": "u1"}}


def test_object_config_text_is_written_as_the_cli_writes_it():
    # Observed under the real CLI for {zeta: "<&>", alpha: [1, 2.5, true, null], nested: {b: 1, a: x}}.
    assert go_json({"zeta": "<&>", "alpha": [1, 2.5, True, None], "nested": {"b": 1, "a": "x"}}) == (
        '{"alpha":[1,2.5,true,null],"nested":{"a":"x","b":1},"zeta":"\\u003c\\u0026\\u003e"}')
    assert go_json({"n": 1.0, "é": "é"}) == '{"n":1,"é":"é"}'


# --- the corpus under the real CLI -----------------------------------------------------------------------
# `make oracle-test` (CI, marker `oracle`): every project program and a sample of the captured ones.
# `make oracle-test-full` (marker `oracle_full` too): every program the policy and hostile-input tests preview.

needs_cli = pytest.mark.skipif(find_pulumi() is None, reason="no Pulumi CLI: run `make oracle`")
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def offline():
    from residency_kit.pulumi_cli.offline import OfflinePulumi

    cli = OfflinePulumi(find_pulumi(), Path(tempfile.mkdtemp(prefix="oracle-test-")) / "cli")
    cli.setup()
    yield cli
    shutil.rmtree(cli.workdir.parent, ignore_errors=True)


def _assert_no_unexplained(result) -> None:
    lines = [f"{d.area} {d.key}: {d.detail}" for d in result.unexplained]
    assert not lines, f"{result.program.name}: differences without a documented cause:\n" + "\n".join(lines[:40])


def _project_ids():
    from residency_kit.oracle.corpus import project_programs

    return [p.name for p in project_programs()]


def _kit_environment() -> dict[str, bytes]:
    """What a uv sync from a mirror rewrote: the kit's console script and its editable install's record."""
    venv = Path(sys.prefix)
    files = [venv / "bin" / "residency", *venv.glob("lib/python*/site-packages/residency_kit-*.dist-info/direct_url.json")]
    return {str(f): f.read_bytes() for f in files if f.exists()}


@pytest.mark.oracle
@needs_cli
@pytest.mark.parametrize("name", _project_ids())
def test_project_program_agrees_with_the_real_engine(name, offline, tmp_path):
    from residency_kit.oracle.corpus import project_programs, run_program

    program = next(p for p in project_programs() if p.name == name)
    before = _kit_environment()
    result = run_program(program, offline, tmp_path)
    _assert_no_unexplained(result)
    # An engine that ran recorded requests (a recording lost on the way would compare as "nothing differs").
    assert result.real_requests or result.real_error, "the real engine ran but nothing was recorded"
    assert result.residency_requests or result.residency_error, "residency preview ran but nothing was recorded"
    # The kit's stacks are a `toolchain: uv` project whose .venv is the one running this test (issue 16).
    assert _kit_environment() == before


def _compare_captured(tests, offline, tmp_path):
    from residency_kit.oracle.corpus import capture_programs, run_program
    from residency_kit.oracle.run import load_saved_programs

    done = capture_programs(tmp_path / "captured", tests)
    assert done.returncode == 0, done.stdout[-3000:]
    programs, unsaved = load_saved_programs(tmp_path / "captured")
    failures = []
    for i, program in enumerate(programs):
        result = run_program(program, offline, tmp_path / f"run-{i}")
        failures += [f"{program.name}: {d.area} {d.key}: {d.detail}" for d in result.unexplained]
    assert not failures, "differences without a documented cause:\n" + "\n".join(failures[:60])
    return programs, unsaved


@pytest.mark.oracle
@needs_cli
def test_a_sample_of_the_programs_the_policy_and_hostile_tests_preview_agrees_with_the_real_engine(offline, tmp_path):
    from residency_kit.oracle.corpus import CI_CAPTURED_TESTS
    from residency_policies.registry import ALL_POLICIES

    programs, unsaved = _compare_captured(CI_CAPTURED_TESTS, offline, tmp_path)
    assert not unsaved, unsaved
    tests = {p.name.rsplit(" #", 1)[0] for p in programs}
    registry = "tests/policies/test_registry_metadata.py::test_registry_fixture_flags_exactly_its_expected_resources"
    assert {f"{registry}[{p.name}-violating]" for p in ALL_POLICIES} <= tests, "a policy's violating program is missing"
    assert sum("test_no_cross_tenancy_grants_table.py::" in t for t in tests) >= 5
    assert any("test_program_registering_thousands_of_resources" in t for t in tests)


@pytest.mark.oracle_full
@needs_cli
def test_every_program_the_policy_and_hostile_tests_preview_agrees_with_the_real_engine(offline, tmp_path):
    programs, _ = _compare_captured(None, offline, tmp_path)
    assert len(programs) >= 100, "the capture plugin saved too few programs"


def test_engine_pulumi_without_a_cli_is_a_clear_error(tmp_path):
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-m", "residency_kit.cli", "preview", "--engine", "pulumi",
                           "--pulumi", str(tmp_path / "no-such-pulumi"), "--cwd", str(PROGRAMS / "main-file")],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert "--engine pulumi needs a Pulumi CLI" in done.stderr and "embedded engine" in done.stderr


@pytest.mark.oracle
@needs_cli
@pytest.mark.parametrize("program", ["tests/programs/compliant", "tests/oracle/programs/providers"])
def test_engine_pulumi_reaches_the_embedded_engines_verdicts(program):
    import json
    import subprocess
    import sys

    repo = Path(__file__).resolve().parents[2]

    def run(engine):
        done = subprocess.run([sys.executable, "-m", "residency_kit.cli", "preview", "--engine", engine, "--json",
                               "--cwd", str(repo / program)], capture_output=True, text=True, timeout=600)
        document = json.loads(done.stdout)
        return done.returncode, {(v["policy"], v["urn"], v["enforcementLevel"]) for v in document["violations"]}

    embedded, pulumi = run("embedded"), run("pulumi")
    assert pulumi == embedded
