from __future__ import annotations

import hashlib
from dataclasses import replace
from pathlib import Path

from report_fixtures import AWS_BUCKET, BUCKET, COMPARTMENT, DEFAULT_AWS, PUBLIC, REASON, STACK, make_result

from residency_kit.engine.pack_config import PolicyConfig
from residency_kit.engine.results import FailureKind, NotApplicable, RunFailure
from residency_kit.reports.model import build_report, inventory_groups
from residency_kit.reports.pack_hash import pack_content_hash, pack_files


def _status(report, name):
    return next(p for p in report.policies if p.name == name).status


def test_every_policy_gets_its_result(report):
    assert {p.name: p.status for p in report.policies} == {
        "private-data-stores": "waived",
        "us-region-providers": "fail",
        "residency-tags": "warn",
        "backup-coverage": "pass",
        "us-keys-for-data": "not applicable",
    }
    disabled = next(p for p in report.policies if p.name == "us-keys-for-data")
    assert disabled.status_note == "disabled by policy config"
    assert disabled.enforcement_level == "disabled"


def test_waived_violation_is_matched_by_the_packs_own_waiver_lookup(report, pack_dir):
    (waived,) = report.waived
    assert waived.urn == PUBLIC
    assert waived.waiver.reason == REASON
    assert waived.waiver.approver == "ciso@example.com"
    assert waived.waiver.expires == "2027-03-31"
    assert waived.waiver.source == f"the pack's rules file {(pack_dir / 'residency.yaml').resolve()}"
    assert report.waivers == (waived.waiver,)


def test_advisory_violations_are_counted_with_the_waived_ones_as_the_text_output_counts_them(report):
    assert [v.urn for v in report.advisory] == [PUBLIC, AWS_BUCKET]
    assert [v.urn for v in report.mandatory] == [DEFAULT_AWS]
    assert report.violation_summary == "1 mandatory, 2 advisory (1 of them waived)"
    assert not report.passed and report.verdict == "failed"


def test_a_quoted_waiver_the_rules_do_not_hold_waives_nothing(tmp_path):
    # The message quotes a waiver, but no waiver the pack would apply covers the violation: not waived (no
    # text is parsed back out of messages).
    report = build_report(make_result(tmp_path), project="kit", stack=STACK)
    assert report.waived == () and report.waivers == ()
    assert {p.name: p.status for p in report.policies}["private-data-stores"] == "warn"


def test_a_mandatory_violation_is_never_waived_even_when_a_waiver_names_it(pack_dir):
    result = make_result(pack_dir)
    result.violations[0] = replace(result.violations[0], enforcement_level="mandatory")
    report = build_report(result, project="kit", stack=STACK)
    assert report.waived == ()
    assert {p.name: p.status for p in report.policies}["private-data-stores"] == "fail"


def test_violations_carry_the_program_line_and_the_rules_digest(report, pack_dir):
    by_urn = {v.urn: v for v in report.violations}
    assert (by_urn[AWS_BUCKET].source_file, by_urn[AWS_BUCKET].source_line) == ("/repo/__main__.py", 12)
    assert (by_urn[DEFAULT_AWS].source_file, by_urn[DEFAULT_AWS].source_line) == ("", 0)  # a default provider
    (pack,) = report.packs
    # Every violation carries the digest of the rules in force; the rules file is one source, with its own digest.
    assert {v.rules_digest for v in report.violations} == {pack.rules.digest}
    file_source = pack.rules.sources[0]
    assert file_source.location == str((pack_dir / "residency.yaml").resolve())
    assert file_source.digest == "sha256:" + hashlib.sha256((pack_dir / "residency.yaml").read_bytes()).hexdigest()
    assert pack.rules.digest != file_source.digest  # the rules in force are more than the file


def test_not_checked_when_no_policy_ran(tmp_path):
    result = make_result(tmp_path, violations=[])
    result.packs[0].config = {"all": PolicyConfig("disabled", None)}
    report = build_report(result, project="kit", stack=STACK)
    assert not report.checked and report.verdict == "not checked" and not report.passed
    assert "no policy ran: every policy of every pack is disabled; nothing was checked" in report.warnings


def test_not_applicable_when_the_pack_says_so_for_every_resource(tmp_path):
    result = make_result(tmp_path, violations=[])
    result.not_applicable = [
        NotApplicable("us-data-residency", "private-data-stores", r.urn, "no buckets") for r in result.resources
    ] + [NotApplicable("us-data-residency", "us-region-providers", BUCKET, "x")]
    report = build_report(result, project="kit", stack=STACK)
    assert _status(report, "private-data-stores") == "not applicable"
    # Not applicable to one resource only: it still ran on the others and passed.
    assert _status(report, "us-region-providers") == "pass"
    assert report.passed


def test_inventory_places_resources_by_cloud_region_and_compartment(report):
    placed = {r.name: (r.cloud, r.region, r.compartment) for r in report.resources}
    assert placed["us-data"] == ("OCI", "us-ashburn-1", "data")  # unknown id, resolved by property dependency
    assert placed["public-<site>"] == ("OCI", "us-ashburn-1", "tenancy (root)")
    assert placed["copy"] == ("AWS", "us-west-2", "—")  # the resource's own region beats its provider's
    assert placed["oci-home"] == ("OCI", "us-ashburn-1", "—")
    assert placed["kit-us-prod"][0] == "Pulumi"
    groups = {(g.cloud, g.region, g.compartment): [r.name for r in g.resources] for g in inventory_groups(report)}
    assert groups[("OCI", "us-ashburn-1", "data")] == ["us-data"]
    assert groups[("AWS", "us-west-2", "—")] == ["copy"]


def test_compartment_named_by_id_when_the_id_is_known(tmp_path):
    compartment_ocid = "ocid1.compartment.oc1..aaaadata"
    result = make_result(tmp_path, compartment_id=compartment_ocid)
    report = build_report(result, project="kit", stack=STACK, outputs={COMPARTMENT: {"id": compartment_ocid}})
    assert next(r for r in report.resources if r.urn == BUCKET).compartment == "data"


def test_pack_hash_covers_paths_and_contents_but_not_environments(tmp_path):
    pack = tmp_path / "p"
    (pack / "rules").mkdir(parents=True)
    (pack / "rules" / "a.py").write_text("A = 1\n")
    (pack / "PulumiPolicy.yaml").write_text("runtime: python\n")
    first = pack_content_hash(pack)
    assert first.startswith("sha256:") and len(first) == len("sha256:") + 64

    for junk in ("venv/lib/x.py", ".venv/bin/python", "rules/__pycache__/a.cpython-311.pyc"):
        (pack / junk).parent.mkdir(parents=True, exist_ok=True)
        (pack / junk).write_text("junk")
    assert pack_content_hash(pack) == first
    assert [p.as_posix() for p in pack_files(pack)] == ["PulumiPolicy.yaml", "rules/a.py"]

    (pack / "rules" / "a.py").write_text("A = 2\n")
    changed = pack_content_hash(pack)
    assert changed != first
    (pack / "rules" / "a.py").rename(pack / "rules" / "b.py")
    assert pack_content_hash(pack) != changed


def test_report_records_pack_name_version_and_hash(report, pack_dir: Path):
    (pack,) = report.packs
    assert (pack.name, pack.version, pack.path) == ("us-data-residency", "0.1.0", str(pack_dir))
    assert pack.content_hash == pack_content_hash(pack_dir)


def test_a_failed_run_is_an_error_whose_clean_policies_are_not_checked(pack_dir):
    from residency_kit.reports.junit import to_junit
    from residency_kit.reports.markdown import to_markdown

    result = make_result(pack_dir)
    result.failure = RunFailure(
        FailureKind.PROGRAM, "program failed at /repo/__main__.py:3 in <module>: ValueError: boom\n    raise ValueError('boom')"
    )
    report = build_report(result, project="kit", stack=STACK)
    assert (report.checked, report.verdict, report.passed) == (False, "error", False)
    statuses = {p.name: p.status for p in report.policies}
    assert statuses["backup-coverage"] == "not checked" and statuses["us-region-providers"] == "fail"
    assert report.violation_summary == (
        "not checked (the run failed); 1 mandatory, 2 advisory (1 of them waived) in what was checked"
    )
    assert report.not_checked[0].startswith("the run failed (program failed at /repo/__main__.py:3")
    markdown = to_markdown(report)
    assert "**Error:** program failed at /repo/__main__.py:3 in <module>: ValueError: boom" in markdown
    assert "```text\n    raise ValueError('boom')\n```" in markdown
    assert 'type="error"' in to_junit(report)


def test_a_run_with_nothing_to_analyze_counts_as_not_checked_not_clean(tmp_path):
    result = make_result(tmp_path, violations=[])
    result.packs[0].config = {"all": PolicyConfig("disabled", None)}
    assert build_report(result, project="kit", stack=STACK).violation_summary == "not checked (no policy ran)"
