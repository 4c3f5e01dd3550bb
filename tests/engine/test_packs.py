"""A real policy pack driven over gRPC: info, violations per resource and per stack, config, failures."""

from __future__ import annotations

import json
from pathlib import Path

import pulumi
import pulumi_oci as oci
import pytest

from residency_kit.engine.api import preview_function
from residency_kit.engine.packs import PolicyPackConfigError, PolicyPackError, PolicyPackProcess
from residency_kit.engine.stack import UNKNOWN

PACKS = Path(__file__).resolve().parent.parent / "packs"
CONFIG = {"oci:region": "us-ashburn-1"}
COMPARTMENT = "ocid1.compartment.oc1..example"


def violating_program():
    frankfurt = oci.Provider("frankfurt", region="eu-frankfurt-1")
    public = oci.objectstorage.Bucket(
        "public", compartment_id=COMPARTMENT, name="public", namespace="ns", access_type="ObjectRead",
        opts=pulumi.ResourceOptions(provider=frankfurt),
    )
    oci.objectstorage.Bucket(
        "named-after-public", compartment_id=COMPARTMENT, name=public.id, namespace="ns",
        opts=pulumi.ResourceOptions(protect=True),
    )


def compliant_program():
    oci.kms.Vault("vault", compartment_id=COMPARTMENT, display_name="v", vault_type="DEFAULT")
    oci.objectstorage.Bucket(
        "archive", compartment_id=COMPARTMENT, name="archive", namespace="ns", freeform_tags={"owner": "me"},
        opts=pulumi.ResourceOptions(protect=True),
    )


def findings(result):
    return {(v.policy, v.resource_name, v.enforcement_level) for v in result.violations}


def test_info_reports_policies_sorted_with_the_yaml_version_and_reconciled_config(tiny_pack):
    info = tiny_pack.info
    assert (info.name, info.version) == ("tiny", "0.3.0")  # PulumiPolicy.yaml wins over pulumi_policy's 0.0.1
    assert [p.name for p in info.policies] == sorted(p.name for p in info.policies)
    region = info.policy("allowed-region")
    assert (region.enforcement_level, region.severity, region.policy_type) == ("mandatory", "critical", "resource")
    assert "enforcementLevel" in region.config_schema.properties
    assert info.config["allowed-region"].properties == {"regions": ["us-ashburn-1", "us-phoenix-1"]}
    assert info.policy("stack-has-vault").policy_type == "stack"


def test_violations_cover_explicit_and_default_providers_unknowns_and_the_stack(tiny_pack):
    result = preview_function(violating_program, pack=tiny_pack, config=CONFIG)
    assert findings(result) == {
        ("allowed-region", "frankfurt", "mandatory"),
        ("no-public-bucket", "public", "mandatory"),
        ("provider-region-seen", "public", "mandatory"),
        ("protected-buckets", "public", "mandatory"),
        ("stack-has-vault", "test-test", "advisory"),
        # The bucket named after an unknown id: pulumi_policy turns the unknown access into an advisory.
        ("bucket-name-lowercase", "named-after-public", "advisory"),
    }
    unknown = result.violations_of("bucket-name-lowercase")[0]
    assert "can't run policy 'bucket-name-lowercase'" in unknown.message and "during preview" in unknown.message
    assert result.stack.named("named-after-public").inputs["name"] == UNKNOWN
    public = result.violations_of("no-public-bucket")[0]
    assert public.urn == "urn:pulumi:test::test::oci:ObjectStorage/bucket:Bucket::public"
    assert public.message == "Buckets are never public.\nbucket access type is ObjectRead"
    assert (public.policy_pack, public.policy_pack_version, public.severity) == ("tiny", "0.3.0", "high")


def test_one_pack_process_analyzes_many_stacks(tiny_pack):
    assert findings(preview_function(compliant_program, pack=tiny_pack, config=CONFIG)) == set()
    assert findings(preview_function(violating_program, pack=tiny_pack, config=CONFIG))
    assert findings(preview_function(compliant_program, pack=tiny_pack, config=CONFIG)) == set()


def test_policy_config_properties_and_the_all_key():
    config = {"all": "advisory", "allowed-region": {"regions": ["eu-frankfurt-1"]}, "protected-buckets": "disabled"}
    with PolicyPackProcess(PACKS / "tiny", project="test", stack="test", config=CONFIG, policy_config=config) as pack:
        result = preview_function(violating_program, pack=pack, config=CONFIG)
    assert result.mandatory == []
    # The default provider (us-ashburn-1 from config) is now outside the configured regions.
    assert {v.resource_name for v in result.violations_of("allowed-region")} == {"default_5_5_0"}
    assert result.violations_of("protected-buckets") == []


def test_invalid_policy_config_fails_with_each_problem_and_stops_the_pack():
    pack = PolicyPackProcess(
        PACKS / "tiny", project="test", stack="test", config=CONFIG, policy_config={"owner-tag": {"maxDays": "x"}}
    )
    with pytest.raises(PolicyPackConfigError) as err:
        pack.start()
    assert err.value.errors == [
        "validating policy config: tiny 0.3.0  owner-tag: maxDays is a string; expected an integer"
    ]
    assert pack.pid is None


def test_a_crashing_pack_reports_its_exit_and_stderr(leftover_processes):
    with pytest.raises(PolicyPackError, match=r"exited with code 1 before reporting its port") as err:
        with PolicyPackProcess(PACKS / "crashing", project="test", stack="test", config=CONFIG):
            pass
    assert "crashing pack: policy module failed to import" in str(err.value)
    assert leftover_processes() == []


def test_a_pack_that_never_prints_a_port_times_out_and_its_process_group_is_killed(leftover_processes):
    # Long enough for `python -m pulumi.policy` to import and the pack to record its pids on a loaded machine.
    with pytest.raises(PolicyPackError, match=r"did not report its port within 4s"):
        PolicyPackProcess(PACKS / "silent", project="test", stack="test", config=CONFIG, start_timeout=4).start()
    assert leftover_processes() == []


def test_the_pack_sees_the_engine_environment(tmp_path):
    pack_dir = tmp_path / "envpack"
    pack_dir.mkdir()
    (pack_dir / "PulumiPolicy.yaml").write_text("runtime: python\n")
    (pack_dir / "__main__.py").write_text(
        "import json, os\n"
        "from pulumi_policy import PolicyPack, ResourceValidationPolicy\n"
        "seen = {k: os.environ.get(k) for k in ('PULUMI_ORGANIZATION', 'PULUMI_PROJECT', 'PULUMI_STACK', "
        "'PULUMI_DRY_RUN', 'PULUMI_CONFIG')}\n"
        "seen['cwd'] = os.getcwd()\n"
        "def validate(args, report):\n"
        "    if args.resource_type == 'pulumi:pulumi:Stack':\n"
        "        report(json.dumps(seen))\n"
        "PolicyPack('envpack', policies=[ResourceValidationPolicy(name='env', description='env', validate=validate)])\n"
    )
    with PolicyPackProcess(pack_dir, project="proj", stack="dev", config={"a:b": "c"}) as pack:
        result = preview_function(lambda: None, pack=pack, project="proj", stack="dev", config={"a:b": "c"})
    seen = json.loads(result.violations[0].message.split("\n", 1)[1])
    assert seen == {
        "PULUMI_ORGANIZATION": "organization", "PULUMI_PROJECT": "proj", "PULUMI_STACK": "dev",
        "PULUMI_DRY_RUN": "true", "PULUMI_CONFIG": '{"a:b": "c"}', "cwd": str(pack_dir),
    }


def test_not_applicable_replies_reach_the_preview_result():
    probe = Path(__file__).resolve().parents[1] / "audit" / "probe_pack"
    with PolicyPackProcess(probe, project="test", stack="test", config=CONFIG) as pack:
        result = preview_function(compliant_program, pack=pack, project="test", stack="test", config=CONFIG)
    never = {(n.policy, n.urn.rsplit("::", 1)[-1], n.reason) for n in result.not_applicable_to("probe-never-applies")}
    assert {name for _, name, _ in never} == {r.name for r in result.resources}
    assert {reason for _, _, reason in never} == {"probe"}
    not_buckets = {n.urn.rsplit("::", 1)[-1] for n in result.not_applicable_to("probe-public-bucket")}
    assert "archive" not in not_buckets and "vault" in not_buckets
