"""``residency preview`` on programs written for each pattern public programs use, through the CLI.

Resource references of every kind, ``main`` as a file and as a directory, secrets in every output, no
``--policy-pack`` given, program errors (configuration errors, failures caused by an invoke), invokes of
every class listed with the resources that used them, and source positions in SARIF.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

import illustrative_rules

TESTS = Path(__file__).resolve().parent.parent
PACKS = TESTS / "packs"
UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
RESOURCE_SIG = "5cf8f73096256a8f31e491e813e4eb8e"


def write_project(root: Path, files: dict[str, str], *, name: str = "proj", main: str | None = None,
                  config: dict[str, object] | None = None) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    project = f"name: {name}\nruntime: python\n" + (f"main: {main}\n" if main else "")
    (root / "Pulumi.yaml").write_text(project)
    # The parties the residency pack judges by come from the stack's `residency:` config, as in a team's project.
    parties = {f"residency:{key}": value for key, value in illustrative_rules.RULES.items()}
    stack = {"config": {"aws:region": "us-east-2", "oci:region": "us-ashburn-1", **parties, **(config or {})}}
    (root / "Pulumi.dev.yaml").write_text(json.dumps(stack))
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    return root


def preview(project: Path, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "residency_kit.cli", "preview", "--cwd", str(project), *args],
        capture_output=True, text=True, timeout=300, cwd=cwd or project, stdin=subprocess.DEVNULL,
        env={k: v for k, v in os.environ.items() if not k.startswith("PULUMI_")},
    )


def resources_by_name(doc: dict) -> dict[str, dict]:
    return {r["name"]: r for r in doc["resources"]}


# --- resource references ------------------------------------------------------------------------------------

REFERENCES = """
import pulumi
import pulumi_aws as aws


class Store(pulumi.ComponentResource):
    def __init__(self, name, opts=None):
        super().__init__("testkit:storage:Store", name, None, opts)
        self.register_outputs({})


store = Store("store")
role = aws.iam.Role("role", assume_role_policy="{}")
west = aws.Provider("west", region="us-west-2")
existing = aws.ec2.Vpc.get("existing", "vpc-0a1b2c3d4e5f60718")
first = aws.ec2.SecurityGroup("first", vpc_id=existing)
second = aws.ec2.SecurityGroup("second", vpc_id=existing)
aws.iam.RolePolicyAttachment("custom-ref", role=role, policy_arn="arn:aws:iam::aws:policy/ReadOnlyAccess")
aws.ec2.Instance("list-ref", ami="ami-0a1b2c3d4e5f60718", instance_type="t3.micro",
                 vpc_security_group_ids=[first, second])
aws.s3.Bucket("map-ref", tags={"store": store, "role": role, "provider": west})
aws.iam.RolePolicy("output-ref", role=pulumi.Output.from_input(role), policy="{}")
aws.iam.RolePolicy("apply-ref", role=role.name.apply(lambda _: role), policy="{}")
"""


def test_resource_references_of_every_kind_reach_the_pack_as_the_engine_marshals_them(tmp_path):
    project = write_project(tmp_path / "p", {"__main__.py": REFERENCES})
    done = preview(project, "--policy-pack", str(PACKS / "tiny"), "--json")
    assert done.returncode in (0, 1), done.stderr  # the pack ran; no "Unrecognized signature", no crash
    assert RESOURCE_SIG not in done.stdout
    doc = json.loads(done.stdout)
    r = resources_by_name(doc)
    store_urn = r["store"]["urn"]
    assert store_urn == "urn:pulumi:dev::proj::testkit:storage:Store::store"
    # A custom resource being created: its ID, unknown at preview. A component: its engine URN.
    assert r["custom-ref"]["inputs"]["role"] == UNKNOWN
    assert r["list-ref"]["inputs"]["vpcSecurityGroupIds"] == [UNKNOWN, UNKNOWN]
    assert r["map-ref"]["inputs"]["tags"] == {"store": store_urn, "role": UNKNOWN, "provider": UNKNOWN}
    assert r["output-ref"]["inputs"]["role"] == UNKNOWN
    assert r["apply-ref"]["inputs"].get("role", UNKNOWN) == UNKNOWN
    # A read resource has the id it was read with.
    assert r["first"]["inputs"]["vpcId"] == "vpc-0a1b2c3d4e5f60718"
    # The reference is still a dependency, as the engine records it.
    assert r["role"]["urn"] in r["custom-ref"]["propertyDependencies"]["role"]
    assert doc["reads"] == [{"type": "aws:ec2/vpc:Vpc", "name": "existing", "id": "vpc-0a1b2c3d4e5f60718"}]


# --- main as a file, as a directory, unset; working directory ------------------------------------------------

SIBLING_IMPORT = """
import pathlib
import pulumi_oci as oci
import helpers

oci.identity.Compartment("c", compartment_id=helpers.TENANCY, description=pathlib.Path("note.txt").read_text().strip())
"""
HELPERS = 'TENANCY = "ocid1.tenancy.oc1..aaaaexample"\n'


@pytest.mark.parametrize(
    ("main", "entry", "imports"),
    [(None, "__main__.py", True), ("app", "app/__main__.py", True), ("app/prog.py", "app/prog.py", False)],
    ids=["main-unset", "main-directory", "main-file"],
)
def test_main_runs_as_the_language_host_runs_it(tmp_path, main, entry, imports):
    folder = Path(entry).parent
    project = write_project(tmp_path / "p", {
        entry: SIBLING_IMPORT, str(folder / "helpers.py"): HELPERS, str(folder / "note.txt"): "from the working dir\n",
    }, main=main)
    done = preview(project, "--policy-pack", str(PACKS / "tiny"), "--json", cwd=tmp_path)
    if imports:
        # A directory runs as ``runpy.run_path(".")``, which puts it on sys.path; the working directory is it.
        assert done.returncode in (0, 1), done.stderr
        (c,) = [x for x in json.loads(done.stdout)["resources"] if x["name"] == "c"]
        assert c["inputs"]["description"] == "from the working dir"
    else:
        # A file runs as ``runpy.run_path("prog.py")``: nothing on sys.path, so the sibling does not import,
        # exactly as under `pulumi preview`.
        assert done.returncode == 2
        assert "ModuleNotFoundError: No module named 'helpers'" in done.stderr
        assert f"{project / entry}:4" in done.stderr


# --- secrets ------------------------------------------------------------------------------------------------

SECRET = "s3cr3t-Passw0rd-9d1"
SECRETS = """
import pulumi
import pulumi_aws as aws

password = pulumi.Config().require_secret("dbPassword")
aws.ssm.Parameter("param", type="SecureString", value=password, description=password.apply(lambda p: f"pw {p}"),
                  tags={"quote": "yes"})
print("program output is scrubbed too:", pulumi.Config().require("dbPassword"))
"""


def test_secrets_never_print_in_text_json_reports_or_errors(tmp_path):
    project = write_project(tmp_path / "p", {"__main__.py": SECRETS}, config={"proj:dbPassword": SECRET})
    out = tmp_path / "reports"
    text = preview(project, "--policy-pack", str(PACKS / "quoting"), "--report-dir", str(out))
    as_json = preview(project, "--policy-pack", str(PACKS / "quoting"), "--json")
    assert text.returncode == 1 and as_json.returncode == 1, text.stderr
    outputs = {"text": text.stdout + text.stderr, "json": as_json.stdout + as_json.stderr}
    outputs.update({p.name: p.read_text() for p in out.iterdir()})
    assert set(outputs) == {"text", "json", "residency.sarif", "residency-junit.xml", "summary.md", "evidence.html",
                            "assessment-results.json"}
    for name, content in outputs.items():
        assert SECRET not in content, name
    doc = json.loads(as_json.stdout)
    param = resources_by_name(doc)["param"]["inputs"]
    assert param["value"] == "[secret]" and param["description"] == "[secret]"
    # The pack saw the plain value (pulumi_policy unwraps secrets) and quoted it; the message shows [secret].
    assert "value is [secret]" in {v["message"].splitlines()[-1] for v in doc["violations"]}
    assert "program output is scrubbed too: [secret]" in text.stdout

    failing = write_project(tmp_path / "f", {"__main__.py": SECRETS + "raise ValueError('bad ' + pulumi.Config().require('dbPassword'))\n"},
                            config={"proj:dbPassword": SECRET})
    done = preview(failing, "--policy-pack", str(PACKS / "quoting"))
    assert done.returncode == 2 and "ValueError: bad [secret]" in done.stderr
    assert SECRET not in done.stdout + done.stderr


# --- no --policy-pack -------------------------------------------------------------------------------------------

BUCKET = """
import pulumi_aws as aws

aws.s3.Bucket("logs", bucket="logs")
"""


def test_without_a_policy_pack_the_shipped_residency_pack_runs_and_says_so(tmp_path):
    project = write_project(tmp_path / "p", {"__main__.py": BUCKET})
    done = preview(project, "--json")
    doc = json.loads(done.stdout)
    (pack,) = doc["policyPacks"]
    assert pack["origin"] == "shipped with the kit" and pack["policiesEnabled"] > 0
    sources = pack["rules"]["sources"]
    assert sources[0]["kind"] == "pack rules file" and sources[0]["location"].endswith("residency.yaml")
    assert sources[1]["kind"] == "stack config" and sources[1]["location"] == "Pulumi.dev.yaml"
    assert pack["rules"]["digest"].startswith("sha256:") and all(s["digest"].startswith("sha256:") for s in sources)
    assert pack["rules"]["values"]["parentCompany"]["cidrs"] == illustrative_rules.PARENT_CIDRS
    assert done.returncode == 1  # an unencrypted, unprotected, untagged bucket breaks the shipped rules
    assert {v["policyPack"] for v in doc["violations"]} == {pack["name"]}
    shown = preview(project)
    assert "shipped with the kit" in shown.stdout and "rules in force:" in shown.stdout
    assert "parent company: cidrs 203.0.113.0/24, 2001:db8:bad::/48" in shown.stdout


def test_a_run_in_which_no_policy_ran_never_passes(tmp_path):
    project = write_project(tmp_path / "p", {"__main__.py": BUCKET})
    config = tmp_path / "off.json"
    config.write_text(json.dumps({"all": "disabled"}))
    out = tmp_path / "reports"
    done = preview(project, "--policy-pack-config", str(config), "--report-dir", str(out))
    assert done.returncode == 2
    assert "no policy ran" in done.stdout and "preview failed" not in done.stdout
    assert "not checked" in (out / "summary.md").read_text()
    suite = ET.parse(out / "residency-junit.xml").getroot()
    assert suite.get("errors") == "1"


# --- program errors ---------------------------------------------------------------------------------------------

CONFIG_ERROR = """
import pulumi

class StackSettingsError(pulumi.RunError):
    pass

raise StackSettingsError("stack setting `regions.home` = 'eu-frankfurt-1' is not a US region; allowed: us-ashburn-1, us-phoenix-1")
"""


def test_a_configuration_error_prints_once_without_a_traceback(tmp_path):
    project = write_project(tmp_path / "p", {"__main__.py": CONFIG_ERROR})
    done = preview(project, "--policy-pack", str(PACKS / "tiny"))
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        "error: configuration error: stack setting `regions.home` = 'eu-frankfurt-1' is not a US region; "
        "allowed: us-ashburn-1, us-phoenix-1"
    ]


INVOKE_FAILURES = {
    "cidr": """
        import ipaddress
        import pulumi_aws as aws

        vpc = aws.ec2.get_vpc(default=True)
        network = ipaddress.ip_network(vpc.cidr_block)
        """,
    "unanswered": """
        import pulumi

        thing = pulumi.runtime.invoke("nosuchprovider:index/getThing:getThing", {}).value
        print(thing["name"])
        """,
}


@pytest.mark.parametrize(("case", "token"), [("cidr", "aws:ec2/getVpc:getVpc"),
                                             ("unanswered", "nosuchprovider:index/getThing:getThing")])
def test_a_program_failing_on_an_invoke_answer_names_the_invoke(tmp_path, case, token):
    project = write_project(tmp_path / case, {"__main__.py": INVOKE_FAILURES[case]})
    done = preview(project, "--policy-pack", str(PACKS / "tiny"))
    assert done.returncode == 2
    assert token in done.stderr and "residency-invokes.yaml" in done.stderr


# --- invokes of every class, listed with their users, in every output --------------------------------------------

INVOKES = """
import pulumi
import pulumi_aws as aws

azs = aws.get_availability_zones()
ami = aws.ec2.get_ami(most_recent=True, owners=["amazon"], filters=[{"name": "name", "values": ["al2023-*"]}])
vpc = aws.ec2.get_vpc(default=True)
doc = aws.iam.get_policy_document(statements=[{"actions": ["sts:AssumeRole"],
                                               "principals": [{"type": "Service", "identifiers": ["ec2.amazonaws.com"]}]}])
role = aws.iam.Role("role", assume_role_policy=doc.json)
aws.ec2.Instance("web", ami=ami.id, instance_type="t3.micro", availability_zone=azs.names[0])
aws.ec2.SecurityGroup("sg", vpc_id=vpc.id, ingress=[{"protocol": "tcp", "from_port": 443, "to_port": 443,
                                                    "cidr_blocks": [vpc.cidr_block]}])
"""
PINS = """
invokes:
  - token: aws:ec2/getVpc:getVpc
    args: {default: true}
    result: {id: vpc-0123456789abcdef0, cidrBlock: 10.20.0.0/16}
"""


def test_every_assumed_answer_is_listed_with_its_users_in_every_output(tmp_path):
    project = write_project(tmp_path / "p", {"__main__.py": INVOKES})
    out = tmp_path / "reports"
    as_json = preview(project, "--policy-pack", str(PACKS / "tiny"), "--json", "--report-dir", str(out))
    assert as_json.returncode in (0, 1), as_json.stderr
    doc = json.loads(as_json.stdout)
    kinds = {i["token"]: i for i in doc["invokes"]}
    assert kinds["aws:iam/getPolicyDocument:getPolicyDocument"]["kind"] == "computed"
    assert kinds["aws:ec2/getAmi:getAmi"]["kind"] == "assumed"
    web = resources_by_name(doc)["web"]
    assert kinds["aws:ec2/getAmi:getAmi"]["usedBy"] == [web["urn"]]
    assert web["urn"] in kinds["aws:index/getAvailabilityZones:getAvailabilityZones"]["usedBy"]
    assert resources_by_name(doc)["sg"]["inputs"]["ingress"][0]["cidrBlocks"] == [UNKNOWN]
    assert json.loads(resources_by_name(doc)["role"]["inputs"]["assumeRolePolicy"])["Statement"][0]["Principal"] == {
        "Service": "ec2.amazonaws.com"
    }
    assumed = [line for line in doc["assumptions"] if "aws:ec2/getAmi:getAmi" in line]
    assert len(assumed) == 1 and "used by: web" in assumed[0]
    # The same line in the text output and in every report.
    text = preview(project, "--policy-pack", str(PACKS / "tiny"))
    assert assumed[0] in text.stdout
    (run,) = json.loads((out / "residency.sarif").read_text())["runs"]
    assert any(assumed[0] in n["message"]["text"] for n in run["invocations"][0]["toolExecutionNotifications"])
    assert assumed[0] in (out / "residency-junit.xml").read_text()
    assert assumed[0] in (out / "summary.md").read_text()
    assert assumed[0].replace("'", "&#x27;") in (out / "evidence.html").read_text()

    (project / "residency-invokes.yaml").write_text(PINS)
    pinned = json.loads(preview(project, "--policy-pack", str(PACKS / "tiny"), "--json").stdout)
    assert resources_by_name(pinned)["sg"]["inputs"]["ingress"][0]["cidrBlocks"] == ["10.20.0.0/16"]
    vpc = {i["token"]: i for i in pinned["invokes"]}["aws:ec2/getVpc:getVpc"]
    assert set(vpc["pinned"]) == {"id", "cidrBlock"}


# --- source positions ---------------------------------------------------------------------------------------------

COMPONENT = """
import pulumi
import pulumi_oci as oci


class Storage(pulumi.ComponentResource):
    def __init__(self, name, opts=None):
        super().__init__("testkit:storage:Storage", name, None, opts)
        oci.objectstorage.Bucket(f"{name}-bucket", compartment_id="ocid1.compartment.oc1..aaaa", name=name,
                                 namespace="ns", access_type="ObjectRead", opts=pulumi.ResourceOptions(parent=self))
        self.register_outputs({})
"""
USES_COMPONENT = """
import pulumi_oci as oci
from lib.storage import Storage

Storage("store")
oci.objectstorage.Bucket("direct", compartment_id="ocid1.compartment.oc1..aaaa", name="direct", namespace="ns",
                         access_type="ObjectRead")
"""


def test_violations_point_at_the_line_that_declared_the_resource(tmp_path):
    project = write_project(tmp_path / "p", {"__main__.py": USES_COMPONENT, "lib/__init__.py": "",
                                             "lib/storage.py": COMPONENT})
    out = tmp_path / "reports"
    done = preview(project, "--policy-pack", str(PACKS / "tiny"), "--report-dir", str(out))
    assert done.returncode == 1, done.stderr
    assert "__main__.py:6" in done.stdout and "lib/storage.py:9" in done.stdout
    (run,) = json.loads((out / "residency.sarif").read_text())["runs"]
    located = {
        (r["locations"][0]["logicalLocations"][0]["name"], r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
         r["locations"][0]["physicalLocation"]["region"]["startLine"])
        for r in run["results"] if r["ruleId"] == "no-public-bucket"
    }
    assert located == {("direct", "__main__.py", 6), ("store-bucket", "lib/storage.py", 9)}


REMOTE = """
import pulumi

pulumi.ComponentResource("awsx:ec2:Vpc", "vpc", {"cidrBlock": "10.0.0.0/16"}, remote=True)
"""


def test_a_remote_component_makes_the_run_not_checked(tmp_path):
    project = write_project(tmp_path / "p", {"__main__.py": REMOTE})
    done = preview(project, "--policy-pack", str(PACKS / "tiny"))
    assert done.returncode == 2
    assert "not checked: remote component awsx:ec2:Vpc 'vpc' was not checked" in done.stdout


# --- invoke answers fit the SDK's types; unknowns survive the provider's JSON escaping -----------------------------

STRING_FLAGS = """
import pulumi_aws as aws

ami = aws.ec2.get_ami(most_recent="true", owners=["amazon"], filters=[{"name": "name", "values": ["al2023-*"]}])
aws.ec2.Instance("web", ami=ami.id, instance_type="t3.micro", tags={"recent": str(ami.most_recent)})
"""


def test_an_argument_given_as_text_is_answered_as_the_provider_converts_it(tmp_path):
    project = write_project(tmp_path / "p", {"__main__.py": STRING_FLAGS})
    done = preview(project, "--policy-pack", str(PACKS / "tiny"), "--json")
    assert done.returncode in (0, 1), done.stderr
    doc = json.loads(done.stdout)
    web = resources_by_name(doc)["web"]
    assert web["inputs"]["tags"] == {"recent": "True"}  # the SDK's GetAmiResult got the bool true
    (ami,) = [i for i in doc["invokes"] if i["token"] == "aws:ec2/getAmi:getAmi"]
    assert ami["kind"] == "assumed" and ami["usedBy"] == [web["urn"]]

    refused = write_project(tmp_path / "r", {"__main__.py": STRING_FLAGS.replace('most_recent="true"', 'most_recent="yes"')})
    done = preview(refused, "--policy-pack", str(PACKS / "tiny"))
    assert done.returncode == 2
    assert "invoke of aws:ec2/getAmi:getAmi failed: argument mostRecent: 'yes' is not a bool" in done.stderr


TRUST_FROM_UNKNOWN_ACCOUNT = """
import pulumi_aws as aws

me = aws.get_caller_identity()
doc = aws.iam.get_policy_document(statements=[{
    "actions": ["sts:AssumeRole"],
    "principals": [{"type": "AWS", "identifiers": [f"arn:aws:iam::{me.account_id}:root"]}],
}])
aws.iam.Role("trust", assume_role_policy=doc.json)
aws.iam.Role("service", assume_role_policy=aws.iam.get_policy_document(statements=[{
    "actions": ["sts:AssumeRole"], "principals": [{"type": "Service", "identifiers": ["ec2.amazonaws.com"]}]}]).json)
"""


def test_a_policy_document_built_from_an_unknown_account_is_unknown_and_listed_with_its_user(tmp_path):
    project = write_project(tmp_path / "p", {"__main__.py": TRUST_FROM_UNKNOWN_ACCOUNT})
    done = preview(project, "--policy-pack", str(PACKS / "tiny"), "--json")
    assert done.returncode in (0, 1), done.stderr
    doc = json.loads(done.stdout)
    roles = resources_by_name(doc)
    assert roles["trust"]["inputs"]["assumeRolePolicy"] == UNKNOWN  # the engine's unknown, not escaped marker text
    assert json.loads(roles["service"]["inputs"]["assumeRolePolicy"])["Statement"][0]["Principal"] == {
        "Service": "ec2.amazonaws.com"
    }
    identity, trust_doc, service_doc = doc["invokes"]
    assert identity["token"] == "aws:index/getCallerIdentity:getCallerIdentity"
    assert identity["usedBy"] == [roles["trust"]["urn"]]
    assert (trust_doc["kind"], trust_doc["usedBy"]) == ("assumed", [roles["trust"]["urn"]])
    assert {"json", "minifiedJson"} <= set(trust_doc["unknown"])
    assert service_doc["kind"] == "computed"
    # The text output lists both, with the resource that used them.
    text = preview(project, "--policy-pack", str(PACKS / "tiny")).stdout
    assert "invoke aws:index/getCallerIdentity:getCallerIdentity (default provider, us-east-2): unknown: accountId, arn, " \
           "userId; used by: trust" in text
    assert "invoke aws:iam/getPolicyDocument:getPolicyDocument (default provider, us-east-2): unknown: json, " \
           "minifiedJson, statements[].principals[].identifiers[]; used by: trust" in text
    assert "no resource input (traceable) uses it" not in text


# --- source positions of default providers and of directly instantiated base classes -------------------------------

DIRECT = """
import pulumi
import pulumi_oci as oci

group = pulumi.ComponentResource("testkit:x:Group", "group")
pulumi.CustomResource("oci:ObjectStorage/bucket:Bucket", "raw", {
    "compartmentId": "ocid1.compartment.oc1..aaaa", "name": "raw", "namespace": "ns", "accessType": "ObjectRead"},
    opts=pulumi.ResourceOptions(parent=group))
oci.kms.Vault("vault", compartment_id="ocid1.compartment.oc1..aaaa", display_name="v", vault_type="DEFAULT")
"""
STACK_FILE = """config:
  proj:owner: data-team
  oci:configFileProfile: DEFAULT
  oci:region: eu-frankfurt-1
"""


def test_a_default_provider_points_at_its_config_and_a_direct_base_class_at_its_line(tmp_path):
    project = write_project(tmp_path / "p", {"__main__.py": DIRECT})
    (project / "Pulumi.dev.yaml").write_text(STACK_FILE)
    out = tmp_path / "reports"
    done = preview(project, "--policy-pack", str(PACKS / "tiny"), "--report-dir", str(out))
    assert done.returncode == 1, done.stderr
    assert "(pulumi:providers:oci: default_5_5_0)  Pulumi.dev.yaml:4" in done.stdout  # the oci:region line
    assert "(oci:ObjectStorage/bucket:Bucket: raw)  __main__.py:6" in done.stdout
    doc = json.loads(preview(project, "--policy-pack", str(PACKS / "tiny"), "--json").stdout)
    positions = {r["name"]: r["sourcePosition"] for r in doc["resources"]}
    assert positions["group"] == {"file": str(project / "__main__.py"), "line": 5}
    assert positions["raw"] == {"file": str(project / "__main__.py"), "line": 6}
    assert positions["default_5_5_0"] == {"file": str(project / "Pulumi.dev.yaml"), "line": 4}
    (run,) = json.loads((out / "residency.sarif").read_text())["runs"]
    located = {
        (r["ruleId"], r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
         r["locations"][0]["physicalLocation"]["region"]["startLine"])
        for r in run["results"] if r["ruleId"] in ("allowed-region", "no-public-bucket")
    }
    assert located == {("allowed-region", "Pulumi.dev.yaml", 4), ("no-public-bucket", "__main__.py", 6)}

    # No oci key in the stack file (the region comes from --config): line 1 of the stack file.
    (project / "Pulumi.dev.yaml").write_text("config:\n  proj:owner: data-team\n")
    done = preview(project, "--policy-pack", str(PACKS / "tiny"), "--config", "oci:region=eu-frankfurt-1")
    assert "(pulumi:providers:oci: default_5_5_0)  Pulumi.dev.yaml:1" in done.stdout
