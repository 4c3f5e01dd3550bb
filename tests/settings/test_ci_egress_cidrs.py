"""`residency:ciEgressCidrs` (issue 15 item 5): CI runner ranges admitted by the tenancy's sign-in boundary.

After the first deploy the authentication policy admits only its network sources, so a CI runner outside them
is refused. The CI ranges are a setting of their own, checked against the parent company's ranges like the
operators', and get their own network source next to the operators'.
"""

from __future__ import annotations

import runpy

import pytest

from residency_kit.settings import SettingsError, parse_settings
from residency_kit.engine.capture import capture
from residency_kit.engine.preview_mocks import PreviewMocks
from test_settings_model import BASE, as_config, stack_config

NETWORK_SOURCE = "oci:Identity/networkSource:NetworkSource"


def test_ci_egress_ranges_default_to_none_and_parse():
    assert parse_settings(as_config(BASE)).ci_egress_cidrs == ()
    settings = parse_settings(as_config({**BASE, "ciEgressCidrs": ["198.51.100.64/26", "2001:db8:c1::/48"]}))
    assert [str(c) for c in settings.ci_egress_cidrs] == ["198.51.100.64/26", "2001:db8:c1::/48"]


@pytest.mark.parametrize("ranges, expected", [
    (["203.0.113.0/25"], ["residency:ciEgressCidrs[0]: '203.0.113.0/25' overlaps parent-company range 203.0.113.0/24 "
                          "(residency:parentCompany.cidrs); allowed: US CI runner egress ranges disjoint from every "
                          "parent-company range"]),
    # A hosted-runner style "anything" range reaches the parent company too.
    (["0.0.0.0/0"], ["residency:ciEgressCidrs[0]: '0.0.0.0/0' overlaps parent-company range 203.0.113.0/24 "
                     "(residency:parentCompany.cidrs); allowed: US CI runner egress ranges disjoint from every "
                     "parent-company range"]),
])
def test_ci_egress_ranges_may_not_reach_the_parent_company(ranges, expected):
    with pytest.raises(SettingsError) as err:
        parse_settings(as_config({**BASE, "ciEgressCidrs": ranges}))
    assert [str(i) for i in err.value.issues][:1] == expected


def test_a_malformed_ci_range_names_the_key():
    with pytest.raises(SettingsError) as err:
        parse_settings(as_config({**BASE, "ciEgressCidrs": ["198.51.100.65/26"]}))
    assert any(str(i).startswith("residency:ciEgressCidrs[0]: '198.51.100.65/26' not a CIDR block") for i in err.value.issues)


def _sign_in(config):
    monitor = capture(lambda: runpy.run_path("__main__.py"), project="us-data-residency", stack="dev",
                      config=config, preview=True, mocks=PreviewMocks(config))
    return monitor


def test_the_sign_in_boundary_admits_the_ci_ranges_through_their_own_network_source(monkeypatch):
    from pathlib import Path

    monkeypatch.chdir(Path(__file__).resolve().parents[2])
    config = stack_config("dev") | {"residency:ciEgressCidrs": '["198.51.100.64/26"]'}
    monitor = _sign_in(config)
    sources = {r.name: r for r in monitor.of_type(NETWORK_SOURCE)}
    assert set(sources) == {"us-residency-operator-network-source", "us-residency-ci-network-source"}
    assert sources["us-residency-ci-network-source"].inputs["publicSourceLists"] == ["198.51.100.64/26"]
    assert sources["us-residency-operator-network-source"].inputs["publicSourceLists"] == ["198.51.100.0/24"]
    policy = monitor.named("us-residency-sign-in-policy")
    # Both sources are referenced (their ids are unknown at preview; the dependencies say which).
    assert {sources[n].mock_urn for n in sources} <= set(policy.dependencies)

    unset = {k: v for k, v in stack_config("dev").items() if k != "residency:ciEgressCidrs"}
    without = _sign_in(unset)
    assert [r.name for r in without.of_type(NETWORK_SOURCE)] == ["us-residency-operator-network-source"]


def test_the_shipped_stacks_admit_their_ci_runners_beside_the_operators(monkeypatch):
    """As shipped, a first deploy from CI must not lock CI out (deploy.yml refuses a stack without the ranges)."""
    from pathlib import Path

    monkeypatch.chdir(Path(__file__).resolve().parents[2])
    expected = {"dev": ["192.0.2.16/28"], "us-prod": ["192.0.2.0/28", "2001:db8:c1::/64"]}
    for stack, ranges in expected.items():
        config = stack_config(stack)
        settings = parse_settings({k: v for k, v in config.items() if k.startswith("residency:")})
        assert [str(c) for c in settings.ci_egress_cidrs] == ranges
        # Documentation ranges (RFC 5737 / RFC 3849), apart from the operators' and the parent company's.
        assert not {str(c) for c in settings.ci_egress_cidrs} & {str(c) for c in settings.operator_cidrs}
        sources = {r.name: r for r in _sign_in(config).of_type(NETWORK_SOURCE)}
        assert sources["us-residency-ci-network-source"].inputs["publicSourceLists"] == ranges
