"""Policy pack config read, layered and checked as the engine does, problems in the kit's own words."""

from __future__ import annotations

import pytest

from residency_kit.engine.pack_config import (
    PolicyConfig,
    PolicyConfigError,
    PolicySchema,
    parse_policy_pack_config,
    reconcile_policy_pack_config,
    validate_policy_config,
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


def test_validation_problems_name_the_property_the_kind_of_value_and_what_is_allowed():
    _, errors = reconcile_policy_pack_config(POLICIES, None, parse_policy_pack_config({"regions": {"allowed": "x"}}))
    assert errors == ["regions: allowed is a string; expected an array", "retention: days is required and not set"]
    _, errors = reconcile_policy_pack_config(POLICIES, None, parse_policy_pack_config({"retention": {"days": 5}}))
    assert errors == ["retention: days is 5; allowed: at least 30"]


@pytest.mark.parametrize(("schema", "value", "problem"), [
    ({"level": {"enum": ["low", "high"]}}, {"level": "mid"}, 'level is "mid"; allowed: "low", "high"'),
    ({"n": {"type": "integer", "exclusiveMaximum": 3}}, {"n": 3}, "n is 3; allowed: less than 3"),
    ({"name": {"type": "string", "maxLength": 2}}, {"name": "abc"}, "name has 3 characters; allowed: at most 2"),
    ({"names": {"type": "array", "minItems": 1}}, {"names": []}, "names has 0 items; allowed: at least 1"),
    ({"id": {"type": "string", "pattern": "^a"}}, {"id": "b"}, 'id is "b", which does not match the pattern ^a'),
    ({"flag": {"type": ["boolean", "null"]}}, {"flag": 1}, "flag is an integer; expected a boolean or a null"),
    ({"o": {"type": "object", "required": ["k"]}}, {"o": {}}, "o.k is required and not set"),
])
def test_each_kind_of_schema_problem_reads_as_a_sentence(schema, value, problem):
    assert validate_policy_config(PolicySchema(schema), value) == [problem]


def test_whole_numbers_sent_as_floats_are_integers():
    _, errors = reconcile_policy_pack_config(POLICIES, None, parse_policy_pack_config({"retention": {"days": 90.0}}))
    assert errors == []


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ({"p": "sometimes"}, "'p': the enforcement level \"sometimes\" is not one of advisory, mandatory, remediate, "
                             "disabled"),
        ({"p": {"enforcementLevel": 3}}, "'p.enforcementLevel': the enforcement level 3 is not one of advisory, "
                                         "mandatory, remediate, disabled"),
        ({"p": 5}, "'p': 5 is neither an enforcement level nor an object of the policy's properties"),
        ({"environments": ["e"]}, "'environments' names Pulumi ESC environments, which need a Pulumi backend; an "
                                  "offline preview has none: put the values in the file itself"),
    ],
)
def test_parse_errors(value, message):
    with pytest.raises(PolicyConfigError) as err:
        parse_policy_pack_config(value)
    assert str(err.value) == message


def test_empty_entries_are_dropped():
    assert parse_policy_pack_config({"p": {}}) == {}
