"""The commands the pack suggests are well-formed: each runs as written in a shell.

Every backticked ``pulumi ...`` command in a violation message (from programs that trigger each of them through
the analyzer protocol) and in every policy's remediation text is checked: it splits as a shell would (balanced
quotes) and quoting it again gives the same text (nothing stray); a ``pulumi config ...`` command is
``pulumi config set [--path] KEY VALUE``, ``--path`` exactly when the key has a path, and a value a shell takes as
one word (no ``<placeholder>``, which it would read as a redirection).
"""

from __future__ import annotations

import re
import shlex

import pulumi_aws as aws
import pulumi_oci as oci
import pytest

from residency_kit.policy_docs import load_policies
from residency_policies.stack_config_commands import config_set
from tests.policies.conftest import PACK_DIR

ESTATE_ACCOUNT = "222222222222"
ESTATE_TENANCIES = ("ocid1.tenancy.oc1..aaaaaaaadevtenancyexample00000000000000000000000000000000",
                    "ocid1.tenancy.oc1..aaaaaaaausdataexample0000000000000000000000000000000000000")
COMMAND = re.compile(r"`(pulumi [^`]*)`")
KEY = re.compile(r"^(aws|oci):[A-Za-z]+(?P<path>(\[[0-9]+\]|\.[A-Za-z]+)*)$")


def assert_well_formed(command: str) -> list[str]:
    tokens = shlex.split(command)  # raises on an unbalanced quote
    assert " ".join(shlex.quote(t) for t in tokens) == command, command
    if tokens[:2] != ["pulumi", "config"]:
        return tokens  # another command (`pulumi destroy`): quoting is all there is to check
    assert tokens[:3] == ["pulumi", "config", "set"], command
    rest = tokens[3:]
    path = rest[:1] == ["--path"]
    key, value = rest[1:] if path else rest
    match = KEY.match(key)
    assert match, command
    assert path == bool(match["path"]), f"--path is needed exactly for a key with a path: {command}"
    assert value and not set(value) & set("<>|;&$`'\" "), command
    return tokens


def commands_in(text: str) -> list[str]:
    return COMMAND.findall(text)


def test_the_builder_quotes_only_what_the_shell_needs():
    assert config_set("aws:allowedAccountIds[0]", ESTATE_ACCOUNT) == \
        "pulumi config set --path 'aws:allowedAccountIds[0]' 222222222222"
    assert config_set("oci:tenancyOcid", ESTATE_TENANCIES[0]) == f"pulumi config set oci:tenancyOcid {ESTATE_TENANCIES[0]}"
    assert config_set("aws:region", "us-east-2") == "pulumi config set aws:region us-east-2"
    for command in (config_set("aws:allowedAccountIds[0]", ESTATE_ACCOUNT), config_set("oci:tenancyOcid", "x")):
        assert_well_formed(command)


@pytest.mark.parametrize("command", [
    "pulumi config set --path 'aws:allowedAccountIds[0]' <estate account id>'",  # the old message's shape
    "pulumi config set --path 'oci:tenancyOcid' <estate tenancy OCID>'",
    "pulumi config set aws:allowedAccountIds[0] 1",  # an indexed key without --path sets a literal key
    "pulumi config set oci:region <region>",  # a redirection, not a value
])
def test_the_check_refuses_malformed_commands(command):
    with pytest.raises((AssertionError, ValueError)):
        assert_well_formed(command)


def test_every_suggested_command_in_messages_is_well_formed(preview):
    def program():
        aws.sqs.Queue("on-default-aws")
        oci.ons.NotificationTopic("on-default-oci", compartment_id="ocid1.compartment.oc1..aaaa", name="t")

    found: list[str] = []
    # Nothing pinned and no region: estate-deploy-targets and us-region-providers both suggest a command;
    # then a disallowed region.
    for config in ({}, {"aws:region": "ap-southeast-1", "oci:region": "eu-frankfurt-1"}):
        result = preview(program, config=config)
        for violation in result.violations:
            found += commands_in(violation.message)
    for command in found:
        assert_well_formed(command)
    assert set(found) >= {
        f"pulumi config set --path 'aws:allowedAccountIds[0]' {ESTATE_ACCOUNT}",
        *(f"pulumi config set oci:tenancyOcid {t}" for t in ESTATE_TENANCIES),
        "pulumi config set aws:region us-east-1",
        "pulumi config set oci:region us-ashburn-1",
    }, found


@pytest.mark.parametrize("policy", load_policies(PACK_DIR), ids=lambda p: p.name)
def test_every_command_in_remediation_text_is_well_formed(policy):
    for command in commands_in(policy.remediation_steps):
        assert_well_formed(command)
