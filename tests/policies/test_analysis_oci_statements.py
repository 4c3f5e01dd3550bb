"""Unit tests for the pure OCI policy-statement helpers."""

import pytest

from residency_policies.analysis.oci_statements import judge_statements
from residency_policies.oci_iam_statements import parse_statement
from residency_policies.values import UNKNOWN

TRUSTED_OCID = "ocid1.tenancy.oc1..aaaaaaaaoversight"
PARENT_OCID = "ocid1.tenancy.oc1..aaaaaaaaparent"
TRUSTED = frozenset({TRUSTED_OCID})
PARENTS = frozenset({PARENT_OCID})


def problems(*statements):
    return judge_statements(list(statements), TRUSTED, PARENTS)


def test_plain_allow_statements_pass():
    assert problems("Allow group Admins to manage all-resources in tenancy",
                    "allow group Readers to read buckets in compartment data where target.bucket.name='x'",
                    "Allow any-user to read objects in compartment x where request.principal.type = 'datasafe'") == []


def test_trusted_tenancy_admit_passes_case_insensitively():
    assert problems(f"DEFINE TENANCY Oversight AS {TRUSTED_OCID.upper()}",
                    "define group Auditors as ocid1.group.oc1..aaaa",
                    "ADMIT group Auditors of tenancy Oversight to read all-resources in tenancy") == []


def test_parent_tenancy_define_endorse_admit_fail():
    found = problems(f"Define tenancy Parent as {PARENT_OCID}",
                     "Endorse group Ops to manage object-family in tenancy Parent",
                     "Admit group Theirs of tenancy Parent to read buckets in compartment data")
    assert [p.index for p in found] == [0, 1, 2]
    assert all("parent-company" in p.message for p in found)


def test_a_tenancy_in_the_trusted_set_passes_and_a_parent_in_it_still_fails():
    # The policy passes the estate's tenancies with the trusted ones; a parent named in both is still refused.
    assert problems(f"Define tenancy Oversight as {TRUSTED_OCID}",
                    "Endorse group Ops to read buckets in tenancy Oversight") == []
    found = judge_statements([f"Define tenancy P as {PARENT_OCID}", "Admit group G of tenancy P to read buckets in tenancy"],
                             TRUSTED | PARENTS, PARENTS)
    assert [p.index for p in found] == [0, 1] and all("parent-company" in p.message for p in found)


def test_unlisted_tenancy_fails():
    found = problems("Define tenancy Other as ocid1.tenancy.oc1..aaaaaaaaother",
                     "Admit group G of tenancy Other to read buckets in tenancy")
    assert [p.index for p in found] == [0, 1]
    assert all("neither an estate nor a trusted tenancy" in p.message for p in found)


@pytest.mark.parametrize("statement", [
    "Endorse group Ops to manage all-resources in any-tenancy",
    "Admit any-user of any-tenancy to read objects in compartment data",
    "endorse any-group to read buckets in any-tenancy",
])
def test_any_tenancy_fails(statement):
    assert problems(statement)


def test_any_user_allow_without_where_fails():
    assert len(problems("Allow any-user to read objects in tenancy")) == 1


def test_undefined_alias_is_unverifiable():
    found = problems("Admit group G of tenancy Ghost to read buckets in tenancy")
    assert len(found) == 1 and found[0].unverifiable


def test_association_statement_names_the_peer_tenancy():
    found = problems(f"Define tenancy P as {PARENT_OCID}",
                     "Endorse group NetAdmins to associate local-peering-gateways in compartment net "
                     "with local-peering-gateways in tenancy P")
    assert [p.index for p in found] == [0, 1]


@pytest.mark.parametrize("statements", [UNKNOWN, ["Allow group A to read buckets in tenancy", UNKNOWN]])
def test_unknown_statements_are_unverifiable(statements):
    found = judge_statements(statements, TRUSTED, PARENTS)
    assert len(found) == 1 and found[0].unverifiable


@pytest.mark.parametrize("statements", [None, [], "Allow group A to read buckets in tenancy"])
def test_absent_or_own_tenancy_statements_grant_nothing_across_tenancies(statements):
    assert judge_statements(statements, TRUSTED, PARENTS) == []


@pytest.mark.parametrize(
    ("statements", "where"),
    [(42, [-1]), ({"a": 1}, [-1]), ([None, 3, {"a": 1}], [0, 1, 2]), (["Allow group A to read buckets in tenancy", 7], [1])],
)
def test_statements_that_cannot_be_read_fail_closed(statements, where):
    problems = judge_statements(statements, TRUSTED, PARENTS)
    assert [p.index for p in problems] == where
    assert all("cannot be checked (fail closed)" in p.message for p in problems)


def test_parse_bare_in_tenancy_names_no_alias():
    st = parse_statement("Admit group G of tenancy Src to manage object-family in tenancy where x = 'y'")
    assert st.tenancy_aliases == ("src",)
