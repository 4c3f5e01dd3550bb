"""Helpers shared by the network/identity/data-store policy tests (owned with those tests).

Programs get explicit US providers; the session-scoped ``pack`` fixture comes from ``conftest.py``.
"""

from __future__ import annotations

import pulumi_aws as aws
import pulumi_oci as oci

import illustrative_rules
from residency_kit.engine.api import preview_function
from tests.policies.conftest import Judged
from tests.policies.conftest import judged as judged_result

PROJECT = "test"
STACK = "test"
# The program's config is the config the engine sends the pack too: the parties come with it (illustrative_rules).
CONFIG = {"oci:region": "us-phoenix-1", "aws:region": "us-east-2", **illustrative_rules.stack_config()}


def urn_of(type_token: str, name: str) -> str:
    return f"urn:pulumi:{STACK}::{PROJECT}::{type_token}::{name}"


def oci_provider(region: str = "us-phoenix-1") -> oci.Provider:
    return oci.Provider("oci-home", region=region)


def aws_provider(region: str = "us-east-2") -> aws.Provider:
    return aws.Provider("aws-home", region=region, skip_credentials_validation=True)


def judged(program, pack, policy: str) -> Judged:
    """The flagged and the passed resources of ``policy`` over ``program`` (``conftest.judged``)."""
    result = preview_function(program, pack=pack, project=PROJECT, stack=STACK, config=CONFIG)
    return judged_result(result, policy)


def flagged(program, pack, policy: str, *, with_messages: bool = False):
    result = preview_function(program, pack=pack, project=PROJECT, stack=STACK, config=CONFIG)
    violations = result.violations_of(policy)
    urns = {v.urn for v in violations}
    if with_messages:
        return urns, [v.message for v in violations]
    return urns
