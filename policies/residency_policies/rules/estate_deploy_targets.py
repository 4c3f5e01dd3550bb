"""estate-deploy-targets: every provider deploys into the estate's own accounts and tenancies, never the parent's.

Providers are judged as the engine analyzes them: explicit ``aws.Provider`` / ``oci.Provider`` resources
and the default providers, whose properties are the stack's ``aws:*`` / ``oci:*`` config keys as raw
strings (the AWS provider JSON-encodes ``allowedAccountIds``, ``forbiddenAccountIds``, ``assumeRoles``
and ``assumeRoleWithWebIdentity``; ``values.maybe_json`` reads both forms).

AWS: no ``assumeRoles[].roleArn`` / ``assumeRoleWithWebIdentity.roleArn`` in a parent-company account, no
parent account in ``allowedAccountIds``. Where the estate is named (``estate.awsAccountIds``), every AWS
provider pins ``allowedAccountIds`` to estate accounts only (the provider then refuses to run with
credentials of any other account) and assumes roles only in estate accounts. Where it is not named, a
provider must still be verifiably kept out of the parent's accounts: ``allowedAccountIds`` without a
parent account, or ``forbiddenAccountIds`` listing every parent account; otherwise the account comes from
whatever credentials run the deployment and cannot be verified.

OCI: no provider whose ``tenancyOcid`` is a parent tenancy. Where the estate is named
(``estate.ociTenancyIds``), every OCI provider sets ``tenancyOcid`` to an estate tenancy; a provider that
takes its tenancy from ``~/.oci/config``, or from an instance / resource / workload principal
(``auth`` = InstancePrincipal, ResourcePrincipal, OKEWorkloadIdentity, ...), which the provider does not
check against ``tenancyOcid``, cannot be verified.

Resources: an OCI resource whose ``compartmentId`` is a tenancy OCID is created in that tenancy's root
compartment: never a parent tenancy's, and only an estate tenancy's where the estate is named (the organization
plane's child tenancies and subscription mappings name the organization's tenancy there: ``estate-organization``). AWS
resources whose inputs name the accounts they act or deploy in (``accountId`` / ``awsAccountId`` "defaults to
the provider's account", a stack set's ``accounts`` / ``deploymentTargets.accounts``, an automation's
``targetAccount``, ...; generated from the SDK schema, top-level and nested: ``data/account_targets.txt``) never
name a parent account, and name only estate accounts where the estate is named. Unknown values fail closed
with the key to set.

An OCI ``compartmentId`` unknown at preview is judged over the stack (``AnalyzeStack``), where the engine's
property dependencies show where it came from: the id of a compartment (or the compartment of a resource)
created in this stack is placed where that resource is, and that resource's own ``compartmentId`` is judged
here too, so it passes; one that comes from no resource of the stack (a lookup such as
``oci.identity.get_compartments``, whose ids the preview leaves unknown) cannot be verified and fails closed.
An unknown AWS account target fails closed already per resource: a resource created in the stack does not make
an account the estate's (a stack can create accounts), so its origin cannot vouch for it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from residency_policies.analysis.organization_plane import ORGANIZATION_TYPES
from residency_policies.aws_identifiers import is_account_id, parse_arn
from residency_policies.compliance import RESIDENCY
from residency_policies.deferred_to_stack import DeferredPaths
from residency_policies.framework import Finding, ResourceView, StackView, resource_policy
from residency_policies.oci_identifiers import is_ocid_of
from residency_policies.provider_regions import PROVIDER_TYPE_PREFIX, is_default_provider
from residency_policies.rules_file import Rules
from residency_policies.stack_config_commands import config_set, one_of
from residency_policies.values import contains_unknown, is_unknown, maybe_json, walk

AWS_PROVIDER = f"{PROVIDER_TYPE_PREFIX}aws"
OCI_PROVIDER = f"{PROVIDER_TYPE_PREFIX}oci"
# OCI auth modes whose tenancy is the principal's (the provider does not use tenancyOcid for them).
PRINCIPAL_AUTH = frozenset({
    "instanceprincipal", "instanceprincipalwithcerts", "resourceprincipal", "okeworkloadidentity",
    "workloadidentityfederation",
})
DATA_FILE = Path(__file__).resolve().parent.parent / "data" / "account_targets.txt"


def _load_account_targets(path: Path = DATA_FILE) -> dict[str, tuple[str, ...]]:
    out: dict[str, list[str]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            token, key = line.split("\t")
            out.setdefault(token, []).append(key)
    return {t: tuple(k) for t, k in out.items()}


ACCOUNT_TARGETS = _load_account_targets()
# OCI resources whose compartmentId Analyze found unknown (judged over the stack).
_UNKNOWN_COMPARTMENTS = DeferredPaths()


def _fix(view: ResourceView, config_key: str, python_arg: str, values: list[str]) -> str:
    """How to pin the provider: the stack-config command for a default provider, the argument for an explicit
    one; with each value the rules allow (one of them)."""
    if is_default_provider(view.name):
        return "set it in the stack config: " + one_of([config_set(config_key, v) for v in values])
    return f"set {' or '.join(python_arg.format(v) for v in values)} on the provider {view.name!r}"


def _account_list(value: Any) -> tuple[list[str] | None, bool]:
    """``(accounts, unknown)`` of an ``allowedAccountIds``-style input (JSON text, list or one ID); None = unset."""
    value = maybe_json(value)
    if value is None or value == "" or value == []:
        return None, False
    if contains_unknown(value):
        return None, True
    items = value if isinstance(value, list) else [value]
    out = []
    for item in items:
        if isinstance(item, (int, float)) and not isinstance(item, bool) and float(item).is_integer():
            item = f"{int(item):012d}"
        out.append(str(item).strip())
    return out, False


def _role_arns(props: Mapping[str, Any]) -> Iterator[tuple[str, Any]]:
    """``(key path, roleArn)`` of every role the AWS provider assumes (``assumeRoles``, legacy ``assumeRole``,
    ``assumeRoleWithWebIdentity``), each given as JSON text or as an object."""
    for key in ("assumeRoles", "assumeRole", "assumeRoleWithWebIdentity"):
        value = maybe_json(props.get(key))
        if value is None:
            continue
        if is_unknown(value):
            yield key, value
            continue
        items = value if isinstance(value, list) else [value]
        for i, item in enumerate(items):
            where = f"{key}[{i}]" if isinstance(value, list) else key
            if is_unknown(item):
                yield where, item
            elif isinstance(item, dict):
                arn = item.get("roleArn", item.get("role_arn"))
                if arn is not None:
                    yield f"{where}.roleArn", arn


def _aws_provider(view: ResourceView, rules: Rules) -> Iterator[Finding]:
    props = view.props
    parent, estate = rules.parent_aws_account_ids, rules.estate_aws_account_ids
    fix = _fix(view, "aws:allowedAccountIds[0]", 'allowed_account_ids=["{}"]', sorted(estate) or ["ESTATE_ACCOUNT_ID"])
    allowed, allowed_unknown = _account_list(props.get("allowedAccountIds"))
    for where, arn in _role_arns(props):
        if is_unknown(arn):
            yield Finding("the role the provider assumes decides which account it deploys into", path=where, unverifiable=True)
            continue
        parsed = parse_arn(arn)
        account = parsed.account if parsed else None
        if account in parent:
            yield Finding(f"{where} = {arn!r} assumes a role in the parent company's account {account}: the "
                          "provider would deploy into the parent's account; assume a role in an estate account")
        elif estate and account and account not in estate:
            yield Finding(f"{where} = {arn!r} assumes a role in account {account}, which is not an estate account "
                          f"({', '.join(sorted(estate))}); assume a role in an estate account, or, if it is one, add it "
                          f"to {rules.where('estate.awsAccountIds')}")
    if allowed_unknown:
        yield Finding("allowedAccountIds decides which accounts the provider may deploy into", path="allowedAccountIds",
                      unverifiable=True)
        return
    if allowed is not None:
        bad = [a for a in allowed if a in parent]
        if bad:
            yield Finding(f"allowedAccountIds names the parent company's account(s) {', '.join(bad)}: the provider may "
                          "deploy into the parent's account; list only estate accounts")
        others = [a for a in allowed if a not in parent and a not in estate]
        if estate and others:
            yield Finding(f"allowedAccountIds names {', '.join(others)}, not estate accounts ({', '.join(sorted(estate))}); "
                          f"list only estate accounts, or, if they are the estate's, add them to "
                          f"{rules.where('estate.awsAccountIds')}")
        return
    if estate:
        yield Finding(
            "the provider does not pin allowedAccountIds, so it deploys into whatever account its credentials belong "
            f"to and cannot be verified as an estate account; pin it to estate accounts ({', '.join(sorted(estate))}): "
            f"{fix}"
        )
        return
    forbidden, forbidden_unknown = _account_list(props.get("forbiddenAccountIds"))
    if parent and (forbidden_unknown or not parent <= set(forbidden or ())):
        yield Finding(
            "the provider pins neither allowedAccountIds nor forbiddenAccountIds covering the parent company's "
            f"accounts ({', '.join(sorted(parent))}), so the account it deploys into cannot be verified; name the "
            f"estate's accounts in {rules.where('estate.awsAccountIds')} and pin allowedAccountIds to them: " + fix,
            unverifiable=forbidden_unknown, path="forbiddenAccountIds" if forbidden_unknown else None,
        )


def _oci_provider(view: ResourceView, rules: Rules) -> Iterator[Finding]:
    props = view.props
    tenancy = props.get("tenancyOcid")
    parent, estate = rules.parent_oci_tenancy_ids, rules.estate_oci_tenancy_ids
    fix = _fix(view, "oci:tenancyOcid", 'tenancy_ocid="{}"', sorted(estate) or ["ESTATE_TENANCY_OCID"])
    if is_unknown(tenancy):
        yield Finding("tenancyOcid decides which tenancy the provider deploys into", path="tenancyOcid", unverifiable=True)
        return
    auth = props.get("auth")
    if is_unknown(auth):
        yield Finding("auth decides where the provider's tenancy comes from", path="auth", unverifiable=True)
        return
    text = tenancy.strip().lower() if isinstance(tenancy, str) and tenancy.strip() else None
    if text in parent:
        yield Finding(f"tenancyOcid {tenancy!r} is the parent company's tenancy: the provider would deploy into it; "
                      "use an estate tenancy")
        return
    if not estate:
        return
    principal = isinstance(auth, str) and auth.strip().lower() in PRINCIPAL_AUTH
    if principal:
        yield Finding(
            f"auth {auth!r} takes the tenancy from the principal running the deployment (the provider does not check "
            "tenancyOcid), which the preview cannot see, so the target cannot be verified as an estate tenancy; use "
            f"ApiKey or SecurityToken auth with tenancyOcid set to an estate tenancy ({', '.join(sorted(estate))})"
        )
    elif text is None:
        yield Finding(
            "the provider sets no tenancyOcid, so its tenancy would come from ~/.oci/config or the environment and "
            f"cannot be verified as an estate tenancy ({', '.join(sorted(estate))}): {fix}"
        )
    elif text not in estate:
        yield Finding(f"tenancyOcid {tenancy!r} is not an estate tenancy ({', '.join(sorted(estate))}); use an estate "
                      f"tenancy, or, if it is one, add it to {rules.where('estate.ociTenancyIds')}")


def _root_compartment(view: ResourceView, rules: Rules) -> Iterator[Finding]:
    value = view.props.get("compartmentId")
    _UNKNOWN_COMPARTMENTS.record(view.urn, ["compartmentId"] if is_unknown(value) else [])
    if is_unknown(value):
        return  # judged over the stack (check_stack), where its origin is visible
    yield from _tenancy_root(value, rules)


def _tenancy_root(value: Any, rules: Rules) -> Iterator[Finding]:
    """A known compartmentId that is a tenancy OCID: that tenancy's root compartment."""
    if not isinstance(value, str) or not is_ocid_of(value.strip().lower(), "tenancy"):
        return
    text = value.strip().lower()
    if text in rules.parent_oci_tenancy_ids:
        yield Finding(f"compartmentId {value!r} is the parent company's tenancy: the resource would be created in the "
                      "parent's root compartment; use a compartment of an estate tenancy")
    elif rules.estate_oci_tenancy_ids and text not in rules.estate_oci_tenancy_ids:
        yield Finding(f"compartmentId {value!r} is the root compartment of a tenancy that is not an estate tenancy "
                      f"({', '.join(sorted(rules.estate_oci_tenancy_ids))}); use a compartment of an estate tenancy, or, "
                      f"if it is one, add it to {rules.where('estate.ociTenancyIds')}")


def _target_accounts(view: ResourceView, rules: Rules) -> Iterator[Finding]:
    """Every account an input of ``account_targets.txt`` names (top-level or nested, one or a list)."""
    estate = rules.estate_aws_account_ids
    for path in ACCOUNT_TARGETS.get(view.type, ()):
        for where, value in walk(view.props, path):
            if value is None or value == "":
                continue
            if is_unknown(value):
                yield Finding(f"{where} decides which account the resource acts in", path=where, unverifiable=True)
                continue
            account = str(value).strip()
            if account in rules.parent_aws_account_ids:
                yield Finding(f"{where} {account!r} is the parent company's account: the resource would act in it; use "
                              "an estate account or leave it unset (the provider's account)", path=where)
            elif estate and is_account_id(account) and account not in estate:
                yield Finding(f"{where} {account!r} is not an estate account ({', '.join(sorted(estate))}); use an "
                              "estate account or leave it unset (the provider's account), or, if it is the estate's, "
                              f"add it to {rules.where('estate.awsAccountIds')}", path=where)


def check_stack(resources: StackView, rules: Rules) -> Iterator[Finding]:
    """OCI ``compartmentId``s unknown at preview: the estate's when they come from resources of this stack."""
    for view in resources:
        if not view.type.startswith("oci:") or view.type in ORGANIZATION_TYPES or not isinstance(view.props, dict):
            continue
        value = view.props.get("compartmentId")
        if value is None or not _UNKNOWN_COMPARTMENTS.deferred(view.urn, "compartmentId"):
            continue
        if not is_unknown(value):  # unknown to Analyze, known in the outputs: judged as a literal
            for finding in _tenancy_root(value, rules):
                yield Finding(finding.message, urn=view.urn)
            continue
        if view.property_dependencies.get("compartmentId"):
            continue  # an in-stack compartment's id: placed where that compartment is, which is judged here too
        yield Finding(
            "compartmentId decides the tenancy and compartment the resource is created in, and it comes from no "
            "resource of this stack (a lookup's result, say), so it cannot be verified as an estate compartment; give "
            "the compartment OCID as a literal or config value, or create the compartment in this stack and pass its id",
            urn=view.urn, unverifiable=True, path="compartmentId",
        )


def in_scope(type_token: str) -> bool:
    """OCI and AWS providers and resources."""
    return type_token in (AWS_PROVIDER, OCI_PROVIDER) or type_token.startswith(("oci:", "aws:"))


def check(resource: ResourceView, rules: Rules) -> Iterator[Finding]:
    if resource.type == AWS_PROVIDER:
        yield from _aws_provider(resource, rules)
    elif resource.type == OCI_PROVIDER:
        yield from _oci_provider(resource, rules)
    elif resource.type.startswith("oci:") and resource.type not in ORGANIZATION_TYPES:
        yield from _root_compartment(resource, rules)
    elif resource.type.startswith("aws:"):
        yield from _target_accounts(resource, rules)


POLICY = resource_policy(
    name="estate-deploy-targets",
    description=(
        "Every provider deploys only into the estate's own AWS accounts and OCI tenancies (pinned, so the provider "
        "refuses any other), and nothing is created in a parent company's account, tenancy or root compartment."
    ),
    severity="critical",
    remediation=(
        "Name the estate in the stack config (`residency:estate` awsAccountIds and ociTenancyIds; "
        "`residency:tenancy.tenancyOcid` counts). Pin every AWS provider with "
        "allowedAccountIds set to estate accounts (default provider: "
        f"`{config_set('aws:allowedAccountIds[0]', 'ESTATE_ACCOUNT_ID')}`) and assume roles only in estate accounts; "
        "set every OCI provider's tenancyOcid to an estate tenancy (default provider: "
        f"`{config_set('oci:tenancyOcid', 'ESTATE_TENANCY_OCID')}`) with ApiKey "
        "or SecurityToken auth; never use a parent tenancy OCID as a compartmentId or a parent account as an accountId. "
        "Give every compartmentId as a literal or config value or as the id of a compartment created in the stack (a "
        "lookup's result cannot be verified at preview)."
    ),
    tags=["accounts", "tenancy", "isolation", "residency"],
    framework=RESIDENCY.control("ISO-1"),
    check=check,
    applies_to=in_scope,
    stack_check=check_stack,
)
