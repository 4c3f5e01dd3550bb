"""The one validation message format every component shares."""

from __future__ import annotations

import pytest

from residency_kit.components.arg_problems import ArgProblems, ComponentArgsError


def test_no_problem_raises_nothing():
    problems = ArgProblems("ThingArgs")
    assert not problems
    problems.raise_if_any("thing")


@pytest.mark.parametrize("name, header", [("thing", "invalid ThingArgs for 'thing' (2 problem(s)):"),
                                          (None, "invalid ThingArgs (2 problem(s)):")])
def test_every_problem_in_one_error_with_or_without_an_instance_name(name, header):
    problems = ArgProblems("ThingArgs")
    problems.add("size", 3, "is below the minimum of 5", "5 or more")
    problems.add_line("ThingArgs.ranges[0]: '10.0.0.0/8' overlaps parent-company range(s) 10.1.0.0/16; allowed: "
                      "ranges disjoint from every parent-company range")
    with pytest.raises(ComponentArgsError) as raised:
        problems.raise_if_any(name)
    error = raised.value
    assert isinstance(error, ValueError) and error.args_type == "ThingArgs" and error.name == name
    assert [p.field for p in error.problems] == ["ThingArgs.size", "ThingArgs.ranges[0]"]
    assert str(error).splitlines() == [
        header,
        "  - ThingArgs.size: 3 is below the minimum of 5; allowed: 5 or more",
        "  - ThingArgs.ranges[0]: '10.0.0.0/8' overlaps parent-company range(s) 10.1.0.0/16; allowed: ranges "
        "disjoint from every parent-company range",
    ]


def test_values_are_shown_as_python_literals():
    problems = ArgProblems("ThingArgs")
    problems.add("names", [], "is empty", "at least one name")
    problems.add("label", None, "while policy_compartment_id is set", "a label")
    assert [str(p) for p in problems.problems] == [
        "ThingArgs.names: [] is empty; allowed: at least one name",
        "ThingArgs.label: None while policy_compartment_id is set; allowed: a label",
    ]
