"""The residency rules in force, validated: the pack's rules file, the policy config, and the stack's settings.

The layers and how a stack's ``residency:`` config may only tighten the pack's rules are in ``rules_layers``.
Every policy accepts any top-level key of the rules file in its policy config (``--policy-pack-config``,
engine format ``{"<policy>": {"<key>": value}}``); the value replaces the file's value *for that policy*, and
the ``residency-rules`` entry does the same for every policy.
The engine validates config against each policy's ``config_schema`` (``CONFIG_SCHEMA`` below) before the
program runs, but pulumi_policy does no validation of its own, so anything that still arrives malformed
is turned into ``ConfigError``s here, which the framework reports as mandatory violations (fail closed)
instead of raising.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from collections.abc import Iterable, Mapping
from typing import Any

import yaml

from residency_policies.aws_identifiers import ACCOUNT_ID_PATTERN, ORGANIZATION_ID_PATTERN
from residency_policies.ip_ranges import Network, parse_cidr
from residency_policies.oci_identifiers import TENANCY_OCID_PATTERN
from residency_policies.region_tables import AWS_REGION_PATTERN, OCI_REGION_ID_PATTERN
from residency_policies.rules_in_force import illustrative_identifiers
from residency_policies.rules_layers import (
    PACK_WIDE_POLICY,
    Loosening,
    RulesSource,
    SourceKind,
    stack_config_from_environment,
    stack_rules,
    stack_source,
    tighten,
    normalize_identifier,
    where_unset,
)
from residency_policies.sanctioned_interfaces import CONFIG_SCHEMA as INTERFACES_SCHEMA
from residency_policies.sanctioned_interfaces import InterfaceProblem, SanctionedInterface, parse_interfaces
from residency_policies.waivers import Waiver, WaiverProblem, parse_waivers

RULES_FILE_NAME = "residency.yaml"
RULES_PATH = Path(__file__).resolve().parent.parent / RULES_FILE_NAME
"""The rules file of the pack directory this package runs from (the kit's floor: no identifiers)."""
FILE_SOURCE = RulesSource(SourceKind.PACK_FILE, str(RULES_PATH))

TOP_LEVEL_KEYS = (
    "allowedRegions", "parentCompany", "trusted", "estate", "minimumRetentionDays", "requiredTags", "waivers",
    "dataClassification", "sanctionedInterfaces",
)

_OCI_REGION = OCI_REGION_ID_PATTERN
_AWS_REGION = AWS_REGION_PATTERN
_TENANCY_OCID = TENANCY_OCID_PATTERN
_AWS_ACCOUNT = ACCOUNT_ID_PATTERN
_AWS_ORG = ORGANIZATION_ID_PATTERN
# An estate-owned destination outside the stack: an OCID, an S3 bucket ARN, or an S3 bucket name.
_DESTINATION = r"^(ocid1\.[a-z0-9]+\.oc[0-9]+\..+|arn:aws[a-z-]*:s3:::[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]|[a-z0-9][a-z0-9.-]{1,61}[a-z0-9])$"
URN_PATTERN = r"^urn:pulumi:[^:]+::[^:]+::[^:]+(:[^:]+)*::.+$"  # RE2-safe: the engine validates with Go regexps
# A tag key both clouds accept (OCI defined-tag keys take no periods or spaces) and tag values.
_TAG_KEY = r"^[A-Za-z0-9][A-Za-z0-9_:/+=@-]{0,99}$"
_TAG_VALUE = r"^[A-Za-z0-9][A-Za-z0-9 _.:/+=@-]{0,99}$"
_COMPARTMENT_OCID = r"^ocid1\.compartment\.oc[0-9]+\.[a-z0-9-]*(\.[a-z0-9-]+)?\.[a-z0-9_-]+$"

_STR_LIST = lambda pattern, what: {  # noqa: E731 - a schema fragment factory reads best inline
    "type": "array",
    "items": {"type": "string", "pattern": pattern},
    "description": f"List of {what}.",
}

CONFIG_SCHEMA: dict[str, dict[str, Any]] = {
    "allowedRegions": {
        "type": "object",
        "description": "Regions data may live in, per cloud. Replaces the rules file's allowedRegions.",
        "properties": {
            "oci": {**_STR_LIST(_OCI_REGION, "OCI region identifiers (us-ashburn-1)"), "minItems": 1},
            "aws": {**_STR_LIST(_AWS_REGION, "AWS region codes (us-east-2)"), "minItems": 1},
        },
        "required": ["oci", "aws"],
        "additionalProperties": False,
    },
    "parentCompany": {
        "type": "object",
        "description": "Identifiers of the foreign parent company, which must never reach the estate.",
        "properties": {
            "cidrs": _STR_LIST(r"^[0-9a-fA-F:.]+/[0-9]{1,3}$", "IPv4/IPv6 CIDR blocks"),
            "ociTenancyIds": _STR_LIST(_TENANCY_OCID, "OCI tenancy OCIDs"),
            "awsAccountIds": _STR_LIST(_AWS_ACCOUNT, "12-digit AWS account IDs"),
            "awsOrganizationIds": _STR_LIST(_AWS_ORG, "AWS organization IDs (o-...)"),
        },
        "required": ["cidrs"],
        "additionalProperties": False,
    },
    "trusted": {
        "type": "object",
        "description": "Parties that may be granted access or peered with.",
        "properties": {
            "ociTenancyIds": _STR_LIST(_TENANCY_OCID, "OCI tenancy OCIDs"),
            "awsAccountIds": _STR_LIST(_AWS_ACCOUNT, "12-digit AWS account IDs"),
            "awsOrganizationIds": _STR_LIST(_AWS_ORG, "AWS organization IDs (o-...)"),
        },
        "additionalProperties": False,
    },
    "estate": {
        "type": "object",
        "description": (
            "The estate's own AWS accounts and OCI tenancies (providers may deploy only there; when named, every "
            "AWS provider must pin allowedAccountIds to them and every OCI provider's tenancyOcid must be one), and "
            "estate-owned destinations managed outside the stack that managed services may send data to."
        ),
        "properties": {
            "ociTenancyIds": _STR_LIST(_TENANCY_OCID, "OCI tenancy OCIDs of the estate"),
            "awsAccountIds": _STR_LIST(_AWS_ACCOUNT, "12-digit AWS account IDs of the estate"),
            "destinations": _STR_LIST(_DESTINATION, "OCIDs and S3 bucket names/ARNs of estate-owned destinations outside the stack"),
        },
        "additionalProperties": False,
    },
    "minimumRetentionDays": {
        "type": "integer",
        "minimum": 1,
        "maximum": 36500,
        "description": "Minimum retention / Object Lock days for backup buckets.",
    },
    "requiredTags": {
        "type": "object",
        "additionalProperties": {"type": "string"},
        "description": "Tags every taggable resource must carry (key: value).",
    },
    "dataClassification": {
        "type": "object",
        "description": (
            "Which resources hold US user data. Durability rules (immutable-backups, backup-coverage) are mandatory "
            "for US user data and advisory for data classified otherwise: by the tag tagKey with one of otherValues, "
            "or (OCI, untagged) by placement in a compartment so tagged or listed in nonDataCompartmentIds. "
            "Untagged means US user data."
        ),
        "properties": {
            "tagKey": {"type": "string", "pattern": _TAG_KEY, "description": "The classification tag's key (residency-data)."},
            "userDataValues": {**_STR_LIST(_TAG_VALUE, "tag values meaning US user data (us-user-data)"), "minItems": 1},
            "otherValues": _STR_LIST(_TAG_VALUE, "tag values meaning no US user data (internal, public, ephemeral)"),
            "nonDataCompartmentIds": _STR_LIST(_COMPARTMENT_OCID, "OCI compartment OCIDs that hold no US user data"),
        },
        "additionalProperties": False,
    },
    "waivers": {
        "type": "array",
        "description": "Waivers: one policy, named URNs, a reason, an approver and an expiry date.",
        "items": {
            "type": "object",
            "properties": {
                "policy": {"type": "string"},
                "urns": {"type": "array", "items": {"type": "string", "pattern": URN_PATTERN}, "minItems": 1},
                "reason": {"type": "string", "minLength": 20},
                "approver": {"type": "string", "minLength": 1},
                "expires": {"type": "string", "pattern": r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"},
            },
            "required": ["policy", "urns", "reason", "approver", "expires"],
            "additionalProperties": False,
        },
    },
    "sanctionedInterfaces": INTERFACES_SCHEMA,
}


@dataclass(frozen=True)
class ConfigError:
    """One invalid value: where it came from, the key, the value, and what is allowed."""

    source: RulesSource
    key: str
    value: Any
    allowed: str

    def message(self, policy: str | None = None) -> str:
        return f"invalid residency rules in {self.source.describe()}: {self.key} = {self.value!r}; allowed: {self.allowed}"

    @classmethod
    def loosening(cls, found: Loosening, source: RulesSource) -> ConfigError:
        return cls(source, found.key, found.stack_value,
                   f"{found.allowed}; {found.rules_source.describe()} has {found.key} = {found.rules_value!r}")


def pack_config_errors(policy_names: Iterable[str], config: Mapping[str, Mapping[str, Any] | None]) -> list[str]:
    """Every problem with the rules the engine configures the pack with (``Configure``), each once, for one error.

    ``config`` maps policy names (and the engine's ``all``) to their properties. A name that is no policy of
    the pack is refused (the engine passes such names through silently, so a typo would go unnoticed); each
    policy's rules are built as analysis will build them, the stack's settings included, so a stack value that
    would loosen the rules stops the run here, before the program runs.
    """
    names = list(policy_names)
    lines: list[str] = []
    for key in config:
        if key != "all" and key not in names:
            lines.append(f"policy config names policy {key!r}, which is not in this pack; allowed: all, {', '.join(names)}")
    seen: set[str] = set()
    pack_wide = config.get(PACK_WIDE_POLICY)
    for name in names:
        _, errors = build_rules(config.get(name), pack_config=pack_wide, policy=name)
        for error in errors:
            line = error.message(name)
            if line not in seen:
                seen.add(line)
                lines.append(line)
    return lines


CLASSIFICATION_TAG_KEY = "residency-data"
US_USER_DATA = "us-user-data"
NOT_US_USER_DATA = ("internal", "public", "ephemeral")


@dataclass(frozen=True)
class DataClassificationRules:
    """``dataClassification``: the documented classification the durability rules follow (``data_classification``)."""

    tag_key: str = CLASSIFICATION_TAG_KEY
    user_data_values: tuple[str, ...] = (US_USER_DATA,)
    """Tag values that mean the resource holds US user data."""
    other_values: tuple[str, ...] = NOT_US_USER_DATA
    """Tag values that mean it holds none (any other value is judged as US user data)."""
    non_data_compartment_ids: frozenset[str] = frozenset()
    """OCI compartments (outside the stack) that hold no US user data: untagged resources placed there are not."""

    @property
    def allowed_values(self) -> tuple[str, ...]:
        return self.user_data_values + self.other_values


@dataclass(frozen=True)
class Rules:
    allowed_regions_oci: frozenset[str]
    allowed_regions_aws: frozenset[str]
    parent_cidrs: tuple[Network, ...]
    parent_oci_tenancy_ids: frozenset[str]
    parent_aws_account_ids: frozenset[str]
    parent_aws_organization_ids: frozenset[str]
    trusted_oci_tenancy_ids: frozenset[str]
    trusted_aws_account_ids: frozenset[str]
    trusted_aws_organization_ids: frozenset[str]
    minimum_retention_days: int
    required_tags: dict[str, str]
    waivers: tuple[Waiver, ...] = ()
    estate_oci_tenancy_ids: frozenset[str] = frozenset()
    """The estate's own tenancies (``estate.ociTenancyIds``); empty when the estate is not named."""
    estate_aws_account_ids: frozenset[str] = frozenset()
    """The estate's own AWS accounts (``estate.awsAccountIds``); empty when the estate is not named."""
    estate_destinations: frozenset[str] = frozenset()
    """Estate-owned destinations outside the stack (OCIDs lower-cased, S3 bucket names; ``estate.destinations``)."""
    file_waiver_problems: tuple[WaiverProblem, ...] = field(default=(), compare=False)
    """Problems with the rules file's own waivers (reported once, by ``residency-waivers``)."""
    illustrative: tuple[str, ...] = ()
    """Identifiers of these rules that only illustrate the format (``rules_in_force``): to be replaced."""
    data_classification: DataClassificationRules = DataClassificationRules()
    """Which resources hold US user data (``dataClassification``; defaults when the rules leave it out)."""
    sources: Mapping[str, RulesSource] = field(default_factory=dict, compare=False)
    """Who owns each top-level key in force: the pack's layer that set it, else the stack config."""
    waiver_source: RulesSource = field(default=FILE_SOURCE, compare=False)
    sanctioned_interfaces: tuple[SanctionedInterface, ...] = ()
    """The declared interfaces in force (``sanctionedInterfaces``): well-formed and within their review date."""
    interface_problems: tuple[InterfaceProblem, ...] = field(default=(), compare=False)
    """Problems with the rules file's or the stack's declarations (reported once, by ``sanctioned-interfaces``)."""
    interface_source: RulesSource = field(default=FILE_SOURCE, compare=False)

    def where(self, key: str) -> str:
        """Where a user sets ``key`` (``estate.destinations``) for these rules: the file or config that owns it."""
        source = self.sources.get(key.split(".", 1)[0])
        return source.where(key) if source is not None else where_unset(key)

    def allowed_regions(self, cloud: str | None) -> frozenset[str]:
        return self.allowed_regions_oci if cloud == "oci" else self.allowed_regions_aws


_file_cache: dict[str, Any] | None = None
_file_errors: list[ConfigError] = []


def _load_file() -> tuple[dict[str, Any], list[ConfigError]]:
    global _file_cache, _file_errors
    if _file_cache is None:
        if not RULES_PATH.is_file():
            _file_cache, _file_errors = {}, []  # a pack with no rules file: the policy config and the stack decide
            return {}, []
        try:
            data = yaml.safe_load(RULES_PATH.read_text(encoding="utf-8"))
            if data is None:
                data = {}
            if not isinstance(data, dict):
                _file_errors = [ConfigError(FILE_SOURCE, "<file>", type(data).__name__, "a mapping of rules")]
                data = {}
        except (OSError, yaml.YAMLError) as exc:
            _file_errors = [ConfigError(FILE_SOURCE, "<file>", str(exc), f"a readable YAML file at {RULES_PATH}")]
            data = {}
        _file_cache = data
    return _file_cache, list(_file_errors)


_stack_cache: dict[str, dict[str, Any]] = {}


def _stack_layer() -> dict[str, Any]:
    """The rules keys of the stack config this pack process was configured with (cached per environment)."""
    import os

    raw = os.environ.get("PULUMI_CONFIG") or ""
    if raw not in _stack_cache:
        _stack_cache[raw] = stack_rules(stack_config_from_environment(), TOP_LEVEL_KEYS)
    return _stack_cache[raw]


def _config_layer(config: Any, source: RulesSource, into: dict[str, tuple[RulesSource, Any]],
                  errors: list[ConfigError]) -> None:
    if config is None:
        return
    if not isinstance(config, dict):
        errors.append(ConfigError(source, "<config>", config, "an object of rules-file keys"))
        return
    for key, value in config.items():
        if key == "enforcementLevel":
            continue
        if key not in TOP_LEVEL_KEYS:
            errors.append(ConfigError(source, key, value, "top-level keys " + ", ".join(TOP_LEVEL_KEYS)))
            continue
        into[key] = (source, value)


def build_rules(
    config: Any,
    *,
    file_data: dict[str, Any] | None = None,
    pack_config: Any = None,
    stack_data: Mapping[str, Any] | None = None,
    policy: str | None = None,
    file_source: RulesSource | None = None,
    stack: RulesSource | None = None,
) -> tuple[Rules | None, list[ConfigError]]:
    """Rules for one policy: the pack's rules file, the policy config (every policy's, then this policy's) and
    the stack's settings (``rules_layers.tighten``).

    ``file_data`` defaults to this pack directory's rules file and ``stack_data`` to the stack config the engine
    gave the process (``PULUMI_CONFIG``); pass ``{}`` for none. Returns ``(rules, errors)``; ``rules`` is None
    when any value is invalid (the caller fails closed).
    """
    file_source = file_source or FILE_SOURCE
    if file_data is None:
        data, errors = _load_file()
    else:
        data, errors = file_data, []
    stack = stack or stack_source()
    stack_values = _stack_layer() if stack_data is None else dict(stack_data)
    merged: dict[str, tuple[RulesSource, Any]] = {k: (file_source, v) for k, v in data.items()}
    for key in sorted(set(data) - set(TOP_LEVEL_KEYS)):
        errors.append(ConfigError(file_source, key, data[key], "top-level keys " + ", ".join(TOP_LEVEL_KEYS)))
        merged.pop(key, None)
    _config_layer(pack_config, RulesSource(SourceKind.PACK_CONFIG), merged, errors)
    _config_layer(config, RulesSource(SourceKind.POLICY_CONFIG, policy or "this policy"), merged, errors)

    # The stack's values are checked on their own first, so that an error names the stack config.
    stack_errors: list[ConfigError] = []
    _validate({k: (stack, v) for k, v in stack_values.items()}, stack_errors, partial=True)
    for key in sorted(set(stack_values) - set(TOP_LEVEL_KEYS)):
        stack_errors.append(ConfigError(stack, key, stack_values[key], "top-level keys " + ", ".join(TOP_LEVEL_KEYS)))
    bad_keys = {e.key.split(".", 1)[0].split("[", 1)[0] for e in stack_errors}
    errors.extend(stack_errors)
    usable = {k: v for k, v in stack_values.items() if k not in bad_keys and k in TOP_LEVEL_KEYS}
    estates = [merged["estate"]] if "estate" in merged else []
    estates += [(stack, usable["estate"])] if "estate" in usable else []
    merged, loosenings = tighten(merged, usable, stack)
    errors.extend(ConfigError.loosening(found, stack) for found in loosenings)
    # A parent identifier named as the estate's in any layer is refused, even where another layer narrows it away.
    errors.extend(_estate_named_as_parent(estates, merged.get("parentCompany", (stack, {}))[1]))

    values = _validate(merged, errors, partial=False, reported=bad_keys)
    if errors or values is None:
        return None, errors
    return Rules(**values, sources={key: source for key, (source, _) in merged.items()},
                 waiver_source=merged.get("waivers", (file_source, None))[0],
                 interface_source=merged.get("sanctionedInterfaces", (file_source, None))[0]), []


def stack_rules_errors(stack_values: Mapping[str, Any], stack: RulesSource | None = None) -> list[ConfigError]:
    """Problems with a stack's rules keys on their own (no other layer): what the program's settings check."""
    errors: list[ConfigError] = []
    _validate({k: (stack or stack_source(), v) for k, v in stack_values.items()}, errors, partial=True)
    return errors


def _estate_named_as_parent(estates: list[tuple[RulesSource, Any]], parent: Any) -> list[ConfigError]:
    if not isinstance(parent, dict):
        return []
    found: list[ConfigError] = []
    for source, estate in estates:
        if not isinstance(estate, dict):
            continue
        for label in ("ociTenancyIds", "awsAccountIds"):
            theirs = {normalize_identifier(v) for v in parent.get(label) or [] if isinstance(parent.get(label), list)}
            mine = estate.get(label)
            for value in mine if isinstance(mine, list) else []:
                if normalize_identifier(value) in theirs:
                    found.append(ConfigError(source, f"estate.{label}", normalize_identifier(value),
                                             f"identifiers of the estate itself, never a parent-company one (parentCompany.{label})"))
    return found


def _validate(merged: dict[str, tuple[RulesSource, Any]], errors: list[ConfigError], *, partial: bool,
              reported: set[str] | frozenset[str] = frozenset()) -> dict[str, Any] | None:
    v = _Validator(errors, partial=partial, reported=reported)
    regions = v.section(merged, "allowedRegions", ("oci", "aws"), required=("oci", "aws"))
    oci_regions = v.str_list(regions, "allowedRegions", "oci", _OCI_REGION, "OCI region identifiers like us-ashburn-1", min_items=1)
    aws_regions = v.str_list(regions, "allowedRegions", "aws", _AWS_REGION, "AWS region codes like us-east-2", min_items=1)
    parent = v.section(merged, "parentCompany", ("cidrs", "ociTenancyIds", "awsAccountIds", "awsOrganizationIds"), required=("cidrs",))
    cidrs = v.cidrs(parent, "parentCompany", "cidrs")
    parent_tenancies = v.str_list(parent, "parentCompany", "ociTenancyIds", _TENANCY_OCID, "tenancy OCIDs (ocid1.tenancy.oc1..)",
                                  lower=True)
    parent_accounts = v.accounts(parent, "parentCompany")
    parent_orgs = v.str_list(parent, "parentCompany", "awsOrganizationIds", _AWS_ORG, "AWS organization IDs like o-abcdef1234")
    trusted = v.section(merged, "trusted", ("ociTenancyIds", "awsAccountIds", "awsOrganizationIds"), required=(), optional=True)
    trusted_tenancies = v.str_list(trusted, "trusted", "ociTenancyIds", _TENANCY_OCID, "tenancy OCIDs (ocid1.tenancy.oc1..)", lower=True)
    trusted_accounts = v.accounts(trusted, "trusted")
    trusted_orgs = v.str_list(trusted, "trusted", "awsOrganizationIds", _AWS_ORG, "AWS organization IDs like o-abcdef1234")
    estate = v.section(merged, "estate", ("ociTenancyIds", "awsAccountIds", "destinations"), required=(), optional=True)
    estate_tenancies = v.str_list(estate, "estate", "ociTenancyIds", _TENANCY_OCID, "tenancy OCIDs (ocid1.tenancy.oc1..)", lower=True)
    estate_accounts = v.accounts(estate, "estate")
    estate_destinations = v.str_list(estate, "estate", "destinations", _DESTINATION,
                                     "OCIDs, S3 bucket ARNs (arn:aws:s3:::name) or S3 bucket names", lower=True)
    for label, mine, theirs in (("ociTenancyIds", estate_tenancies, parent_tenancies),
                                ("awsAccountIds", estate_accounts, parent_accounts)):
        for value in mine:
            error = ConfigError(estate[0], f"estate.{label}", value,
                                f"identifiers of the estate itself, never a parent-company one (parentCompany.{label})")
            if value in theirs and error not in v.errors:
                v.errors.append(error)
    days = v.days(merged)
    tags = v.tags(merged)
    classification = v.data_classification(merged)

    source, raw_waivers = merged.get("waivers", (None, []))
    waivers, problems = parse_waivers(raw_waivers)
    file_problems: tuple[WaiverProblem, ...] = ()
    if source is not None and source.kind in (SourceKind.POLICY_CONFIG, SourceKind.PACK_CONFIG):
        for p in problems:
            errors.append(ConfigError(source, f"waivers[{p.index}]", p.entry, p.problem))
    else:
        file_problems = problems
    interfaces, interface_problems = _interfaces(merged, errors, None if partial else cidrs)
    if partial:
        return None
    return dict(
        allowed_regions_oci=frozenset(oci_regions),
        allowed_regions_aws=frozenset(aws_regions),
        parent_cidrs=tuple(cidrs),
        parent_oci_tenancy_ids=frozenset(parent_tenancies),
        parent_aws_account_ids=frozenset(parent_accounts),
        parent_aws_organization_ids=frozenset(parent_orgs),
        trusted_oci_tenancy_ids=frozenset(trusted_tenancies),
        trusted_aws_account_ids=frozenset(trusted_accounts),
        trusted_aws_organization_ids=frozenset(trusted_orgs),
        minimum_retention_days=days,
        required_tags=tags,
        waivers=waivers,
        estate_oci_tenancy_ids=frozenset(estate_tenancies),
        estate_aws_account_ids=frozenset(estate_accounts),
        estate_destinations=frozenset(re.sub(r"^arn:aws[a-z-]*:s3:::", "", d) for d in estate_destinations),
        file_waiver_problems=file_problems,
        illustrative=illustrative_identifiers({key: value for key, (_, value) in merged.items()}),
        data_classification=classification,
        sanctioned_interfaces=interfaces,
        interface_problems=interface_problems,
    )


def _interfaces(merged: dict[str, tuple[RulesSource, Any]], errors: list[ConfigError],
                parents: list[Network] | None) -> tuple[tuple[SanctionedInterface, ...], tuple[InterfaceProblem, ...]]:
    """The declared interfaces in force and the problems the ``sanctioned-interfaces`` policy reports.

    Like waivers: declared in a policy's config, a problem is bad rules (refused when the engine configures the
    pack); in the pack's rules file or the stack config, it is a mandatory violation and that declaration
    sanctions nothing.
    """
    source, raw = merged.get("sanctionedInterfaces", (None, None))
    interfaces, problems = parse_interfaces(raw, parent_cidrs=parents)
    if source is not None and source.kind in (SourceKind.POLICY_CONFIG, SourceKind.PACK_CONFIG):
        for p in problems:
            allowed = f"a reviewBy date not in the past ({p.allowed})" if p.overdue else p.allowed
            errors.append(ConfigError(source, p.key, p.value, allowed))
        return interfaces, ()
    return interfaces, problems


class _Validator:
    def __init__(self, errors: list[ConfigError], *, partial: bool = False,
                 reported: set[str] | frozenset[str] = frozenset()) -> None:
        self.errors = errors
        self.partial = partial
        """Only the keys given are checked (one layer on its own): nothing is required."""
        self.reported = reported
        """Keys whose given value was already refused: not reported again as missing."""

    def _err(self, source: RulesSource, key: str, value: Any, allowed: str) -> None:
        self.errors.append(ConfigError(source, key, value, allowed))

    def section(self, merged, key, sub_keys, *, required, optional=False) -> tuple[RulesSource, dict]:
        if key not in merged:
            if not optional and not self.partial and key not in self.reported:
                self._err(stack_source(), key, None, f"an object with {', '.join(sub_keys)}; set it as "
                          f"{where_unset(key, stack_source().location)} (required: no rules file or policy config gives it)")
            return (stack_source(), {})
        source, value = merged[key]
        if not isinstance(value, dict):
            self._err(source, key, value, f"an object with {', '.join(sub_keys)}")
            return (source, {})
        for extra in sorted(set(value) - set(sub_keys)):
            self._err(source, f"{key}.{extra}", value[extra], f"sub-keys {', '.join(sub_keys)}")
        for req in (() if self.partial else required):
            if req not in value:
                self._err(source, f"{key}.{req}", None, "a value (required)")
        return (source, value)

    def str_list(self, section, key, sub, pattern, what, *, min_items=0, lower=False) -> list[str]:
        source, value = section
        if self.partial and sub not in value:
            return []
        items = value.get(sub, [])
        if items is None:
            items = []
        if not isinstance(items, list) or len(items) < min_items:
            if sub in value or min_items:
                self._err(source, f"{key}.{sub}", items, f"a list of {what}" + (f" (at least {min_items})" if min_items else ""))
            return []
        out = []
        for item in items:
            if not isinstance(item, str) or not re.match(pattern, item.strip().lower() if lower else item.strip()):
                self._err(source, f"{key}.{sub}", item, what)
                continue
            out.append(item.strip().lower() if lower else item.strip())
        return out

    def cidrs(self, section, key, sub):
        source, value = section
        items = value.get(sub, [])
        if not isinstance(items, list):
            self._err(source, f"{key}.{sub}", items, "a list of IPv4/IPv6 CIDR blocks")
            return []
        out = []
        for item in items:
            network = parse_cidr(item)
            if network is None:
                self._err(source, f"{key}.{sub}", item, "IPv4/IPv6 CIDR blocks like 203.0.113.0/24 or 2001:db8::/32")
            else:
                out.append(network)
        return out

    def accounts(self, section, key) -> list[str]:
        source, value = section
        items = value.get("awsAccountIds", [])
        if not isinstance(items, list):
            self._err(source, f"{key}.awsAccountIds", items, "a list of 12-digit AWS account IDs")
            return []
        out = []
        for item in items:
            # YAML without quotes and the engine's JSON numbers (5 arrives as 5.0) both lose the string form.
            if isinstance(item, (int, float)) and not isinstance(item, bool) and float(item).is_integer() and 0 <= item < 10**12:
                item = f"{int(item):012d}"
            if not isinstance(item, str) or not re.match(_AWS_ACCOUNT, item.strip()):
                self._err(source, f"{key}.awsAccountIds", item, "12-digit AWS account IDs as strings, like \"111111111111\"")
                continue
            out.append(item.strip())
        return out

    def days(self, merged) -> int:
        if "minimumRetentionDays" not in merged and self.partial:
            return 0
        source, value = merged.get("minimumRetentionDays", (stack_source(), None))
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 36500:
            self._err(source, "minimumRetentionDays", value, "an integer number of days between 1 and 36500")
            return 0
        return value

    def data_classification(self, merged) -> DataClassificationRules:
        default = DataClassificationRules()
        keys = ("tagKey", "userDataValues", "otherValues", "nonDataCompartmentIds")
        section = self.section(merged, "dataClassification", keys, required=(), optional=True)
        source, value = section
        if value is None or not value:
            return default
        before = len(self.errors)
        tag_key = value.get("tagKey", default.tag_key)
        if not isinstance(tag_key, str) or not re.match(_TAG_KEY, tag_key):
            self._err(source, "dataClassification.tagKey", tag_key,
                      "a tag key of letters, digits and _:/+=@- (no periods or spaces: OCI defined tags refuse them)")
        what = "tag values (letters, digits, spaces and _.:/+=@-)"
        user = (self.str_list(section, "dataClassification", "userDataValues", _TAG_VALUE, what, min_items=1)
                if "userDataValues" in value else list(default.user_data_values))
        other = (self.str_list(section, "dataClassification", "otherValues", _TAG_VALUE, what)
                 if "otherValues" in value else list(default.other_values))
        for both in sorted(set(user) & set(other)):
            self._err(source, "dataClassification.otherValues", both,
                      "values that are not also userDataValues (a value cannot mean both)")
        compartments = self.str_list(section, "dataClassification", "nonDataCompartmentIds", _COMPARTMENT_OCID,
                                     "compartment OCIDs (ocid1.compartment.oc1..)", lower=True)
        if len(self.errors) > before:
            return default
        return DataClassificationRules(tag_key, tuple(dict.fromkeys(user)), tuple(dict.fromkeys(other)),
                                       frozenset(compartments))

    def tags(self, merged) -> dict[str, str]:
        source, value = merged.get("requiredTags", (stack_source(), {}))
        if value is None:
            return {}
        if not isinstance(value, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
            self._err(source, "requiredTags", value, "an object of tag name -> string value")
            return {}
        return dict(value)
