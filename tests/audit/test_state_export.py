from __future__ import annotations

import json

import pytest
import state_fixtures as f

from residency_kit.audit.analyze import engine_stack_from_state
from residency_kit.audit.export import StateFileError, load_state_export
from residency_kit.engine.secrets import SECRET_SIG, SECRET_SIG_KEY
from residency_kit.engine.stack import UNKNOWN


def test_loads_a_version_3_export(tmp_path):
    export = load_state_export(f.write(f.compliant_export(), tmp_path / "state.json"))
    assert (export.project, export.stack) == (f.PROJECT, f.STACK)
    assert export.time == "2026-11-28T23:12:44.908117Z"
    assert export.warnings == []
    bucket = next(r for r in export.resources if r.urn == f.BUCKET)
    assert bucket.custom and bucket.protect
    assert bucket.provider == f.HOME_PROVIDER_REF
    assert bucket.parent == f.COMPONENT
    assert bucket.inputs["accessType"] == "NoPublicAccess"
    assert bucket.outputs["id"] == "n/axaxnpcrorw5/b/us-data-bucket"
    assert bucket.property_dependencies == {"compartmentId": [f.DATA_COMPARTMENT_URN]}


def test_engine_stack_from_state_puts_the_root_first_and_keeps_outputs_apart(tmp_path):
    export = load_state_export(f.write(f.compliant_export(), tmp_path / "state.json"))
    stack, outputs = engine_stack_from_state(export)
    assert stack.root.urn == f.STACK_URN
    assert [r.urn for r in stack.resources].count(f.STACK_URN) == 1
    assert stack.provider_of(stack.by_urn[f.BUCKET]).inputs == {"region": "us-ashburn-1", "tenancyOcid": f.TENANCY,
                                                             "version": "5.5.0"}
    assert stack.provider_of(stack.by_urn[f.REPLICA]).name == "oci-backup"
    assert stack.by_urn[f.HOME_PROVIDER].version == "5.5.0"
    assert stack.by_urn[f.BUCKET].name == "us-data-bucket"
    assert "bucketId" not in stack.by_urn[f.BUCKET].inputs
    assert outputs[f.BUCKET]["bucketId"].startswith("ocid1.bucket.oc1.iad.")
    assert outputs[f.STACK_URN]["jurisdiction"] == "US"


def test_a_state_without_its_root_stack_gets_one(tmp_path):
    doc = f.compliant_export()
    doc["deployment"]["resources"] = [r for r in doc["deployment"]["resources"] if r["urn"] != f.STACK_URN]
    for r in doc["deployment"]["resources"]:
        if r.get("parent") == f.STACK_URN:
            del r["parent"]
    stack, _ = engine_stack_from_state(load_state_export(f.write(doc, tmp_path / "s.json")))
    assert stack.root.urn == f.STACK_URN and stack.root.synthesized


def test_secrets_plaintext_is_decoded_and_ciphertext_is_unknown(tmp_path):
    doc = f.compliant_export()
    bucket = f.resource(doc, f.BUCKET)
    bucket["inputs"]["kmsKeyId"] = {**f.SECRET_SIG, "plaintext": json.dumps(f.HOME_KEY)}
    bucket["outputs"]["kmsKeyId"] = {**f.SECRET_SIG, "ciphertext": "v1:Zm9v:YmFy"}
    export = load_state_export(f.write(doc, tmp_path / "s.json"))
    loaded = next(r for r in export.resources if r.urn == f.BUCKET)
    assert loaded.inputs["kmsKeyId"] == {SECRET_SIG_KEY: SECRET_SIG, "value": f.HOME_KEY}
    assert loaded.outputs["kmsKeyId"] == {SECRET_SIG_KEY: SECRET_SIG, "value": UNKNOWN}
    assert export.secrets_unreadable == 1
    assert any("--show-secrets" in w for w in export.warnings)


def test_copies_pending_deletion_are_skipped_with_a_warning(tmp_path):
    doc = f.compliant_export()
    old = json.loads(json.dumps(f.resource(doc, f.REPLICA)))
    old["delete"] = True
    doc["deployment"]["resources"].append(old)
    export = load_state_export(f.write(doc, tmp_path / "s.json"))
    assert [r.urn for r in export.resources].count(f.REPLICA) == 1
    assert export.warnings == [f"{f.REPLICA}: skipped a copy pending deletion (delete: true)"]


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: d.update(version=2), "deployment version 2 is not supported"),
        (lambda d: d.pop("deployment"), "not a `pulumi stack export` file"),
        (lambda d: d["deployment"].update(resources=[]), "the deployment has no resources"),
        (lambda d: d["deployment"]["resources"].append(dict(d["deployment"]["resources"][1])), "appears twice"),
        (lambda d: f.resource(d, f.BUCKET).update(provider="urn:pulumi:us-prod::us-data-residency::pulumi:providers:oci::gone::1"),
         "refers to provider"),
        (lambda d: f.resource(d, f.BUCKET).update(parent=f.urn("residency:oci:Gone", "x")), "which is not in the state"),
        (lambda d: f.resource(d, f.BUCKET).update(urn="bucket"), "is not a Pulumi URN"),
        (lambda d: f.resource(d, f.BUCKET).update(inputs=["x"]), "inputs must be an object"),
        (lambda d: d["deployment"]["resources"][1].pop("type"), "has no `type`"),
    ],
)
def test_bad_exports_are_refused_naming_the_problem(tmp_path, mutate, message):
    doc = f.compliant_export()
    mutate(doc)
    path = f.write(doc, tmp_path / "s.json")
    with pytest.raises(StateFileError, match=message) as err:
        load_state_export(path)
    assert str(path) in str(err.value)


def test_unreadable_or_invalid_json(tmp_path):
    with pytest.raises(StateFileError, match="cannot read the state file"):
        load_state_export(tmp_path / "missing.json")
    bad = tmp_path / "bad.json"
    bad.write_text('{"version": 3,')
    with pytest.raises(StateFileError, match="invalid JSON at line 1"):
        load_state_export(bad)
