"""Policy pack config parsed, reconciled and validated the engine's way."""

from __future__ import annotations

import pytest

from residency_kit.engine.pack_config import (
    PolicyConfig,
    PolicyConfigError,
    PolicySchema,
    parse_policy_pack_config,
    reconcile_policy_pack_config,
)

POLICIES = {
    "regions": ("mandatory", PolicySchema({"allowed": {"type": "array", "default": ["us-ashburn-1"]}}, [])),
    "retention": ("advisory", PolicySchema({"days": {"type": "integer", "minimum": 30}}, ["days"])),
}


def test_defaults_initial_config_then_file():
    initial = {"retention": PolicyConfig("advisory", {"days": 90})}
    file = parse_policy_pack_config({"regions": {"allowed": ["us-phoenix-1"]}, "retention": "mandatory"})
    config, errors = reconcile_policy_pack_config(POLICIES, initial, file)
    assert errors == []
    assert config["regions"] == PolicyConfig("mandatory", {"allowed": ["us-phoenix-1"]})
    assert config["retention"] == PolicyConfig("mandatory", {"days": 90})


def test_all_sets_only_levels_and_a_named_policy_still_wins():
    initial = {"retention": PolicyConfig("advisory", {"days": 90})}
    file = parse_policy_pack_config({"all": {"enforcementLevel": "advisory", "days": 1}, "regions": "disabled"})
    config, errors = reconcile_policy_pack_config(POLICIES, initial, file)
    assert errors == []
    assert config["retention"] == PolicyConfig("advisory", {"days": 90})
    assert config["regions"].enforcement_level == "disabled"
    assert config["all"] == PolicyConfig("advisory", {"days": 1})


def test_unknown_policy_names_pass_through():
    config, errors = reconcile_policy_pack_config(
        POLICIES, {"retention": PolicyConfig("advisory", {"days": 90})}, parse_policy_pack_config({"gone": "mandatory"})
    )
    assert errors == [] and config["gone"] == PolicyConfig("mandatory", None)


def test_validation_messages_follow_gojsonschema():
    _, errors = reconcile_policy_pack_config(POLICIES, None, parse_policy_pack_config({"regions": {"allowed": "x"}}))
    assert errors == ["regions: allowed: Invalid type. Expected: array, given: string", "retention: days is required"]
    _, errors = reconcile_policy_pack_config(POLICIES, None, parse_policy_pack_config({"retention": {"days": 5}}))
    assert errors == ["retention: days: Must be greater than or equal to 30"]


def test_whole_numbers_sent_as_floats_are_integers():
    _, errors = reconcile_policy_pack_config(POLICIES, None, parse_policy_pack_config({"retention": {"days": 90.0}}))
    assert errors == []


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ({"p": "sometimes"}, "'sometimes' is not a valid enforcement level"),
        ({"p": {"enforcementLevel": 3}}, "must be a string"),
        ({"p": 5}, "must be a string or object"),
        ({"environments": ["e"]}, "ESC"),
    ],
)
def test_parse_errors(value, message):
    with pytest.raises(PolicyConfigError, match=message):
        parse_policy_pack_config(value)


def test_empty_entries_are_dropped():
    assert parse_policy_pack_config({"p": {}}) == {}
