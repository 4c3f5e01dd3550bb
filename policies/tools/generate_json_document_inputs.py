"""Regenerate ``residency_policies/data/json_document_inputs.txt``: string inputs the SDKs type as JSON documents.

Many inputs take a whole JSON document as one string: container definitions, state machine definitions,
redrive policies, event target inputs, resource policies. ``analysis/data_references.py`` parses every
string that is a JSON object or array wherever it appears and judges what is inside; this list says which
inputs *must* hold one, so that a string there that looks like JSON but does not parse is caught rather than
read as nothing. Derived from the installed SDKs (``sdk_schema``): a string input whose description says it
holds a JSON document (``JSON_DOCUMENT_DOC``) or whose type is a policy document
(``Union[str, PolicyDocumentArgs]``). Each row carries a role:

* ``grant``: an IAM / resource / organization policy document, judged by ``no-cross-tenancy-grants`` (which
  fails closed on a document it cannot parse), so nobody else reports it;
* ``inert``: a document that names no place data is kept or sent (event patterns, filters, formats, schemas,
  match rules, display and autoscaling settings), or an input template whose ``<placeholders>`` make it JSON
  only once filled in (``INERT``); what such a document names is still read whenever it parses;
* ``data``: every other document (definitions, container and job properties, redrive and delivery settings,
  target inputs, replication settings, ...): one that cannot be parsed hides where data goes, and
  ``no-untrusted-data-destinations`` fails closed on it.

    .venv/bin/python policies/tools/generate_json_document_inputs.py [--check]
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import generated_file  # noqa: E402
import sdk_schema  # noqa: E402
from residency_policies.rules.no_cross_tenancy_grants import POLICY_DOCUMENT_KEYS  # noqa: E402

OUT = Path(__file__).resolve().parent.parent / "residency_policies" / "data" / "json_document_inputs.txt"

JSON_DOCUMENT_DOC = re.compile(
    r"(?i)(JSON(?: \w+)?[- ](document|policy|text|string|object|array|formatted|encoded|map|representation|"
    r"definition|blob|list|structure)|valid JSON|in JSON format|as (a )?JSON|JSON that|Amazon States Language|"
    r"JSON-encoded|jsonencode)"
)
# Policy documents besides the inputs ``no-cross-tenancy-grants`` reads by name: organization policies, RAM
# permission templates (both grant or limit access; they name no place data goes).
GRANT = re.compile(r"(?i)(^content$|policytemplate)")
# Documents that name no place data is kept or sent: what to match, how to format, what to show; and input
# templates, which are JSON only once their ``<placeholders>`` are filled in (so an unparsable one is normal).
INERT = re.compile(
    r"(?i)(inputtemplate|pattern|filter|format|schema|query|criteria|routingrule|substitution|nls|translation|branding|"
    r"condition|monitorspecification|autoscaling|lifecycle|tablemapping|transformationrule|matchscope|"
    r"fallback|jsonpath|jsonkey|timetype|contenttype|sizeinspection|documentationpart|^properties$|^settings$|"
    r"inferenceparams|additionalparams|additionalmodelrequestfields|inputschema|customtranslation|"
    r"rulejson|ruledefinition|messageformat|deliverypolicy|replaypolicy|authorizertype|authorizationtype|"
    r"jwks|jwt|issuer|identifier|timestamp|^time$|^type$|classification|connectiontype|dataformat|fileformat|"
    r"fileextension|filetype|payloadtype|recordformattype|dbworkload|binlogrowvalueoptions|initialdefault|"
    r"writedefault|attributes|grantedattributevaluesjson|nginxsettings|secretid$|contentroot|"
    r"^value$|^key$|^protocol$|documentformat|options$|^path$|partitionkeypath|enableparameterreference|"
    r"webtierpolicyjson|browserpolicy|ingesttimeruleid|databaseid|overridedashboardcompartmentocid|"
    r"overridesavedsearchcompartmentocid|jsonfieldtype|requestdataformat|s3inputfiletype|sourceurl|manifesthash)"
)


def role(resource_token: str, path: str, item: sdk_schema.Input) -> str | None:
    if item.nested == "PolicyDocumentArgs":
        return "grant"
    if item.nested or item.shape != "scalar" or item.scalar not in ("str", None):
        return None
    if not JSON_DOCUMENT_DOC.search(item.doc):
        return None
    if item.wire in POLICY_DOCUMENT_KEYS or GRANT.search(path):
        return "grant"
    segments = [part for part in re.split(r"\.|\[\]|\{\}", path) if part]
    return "inert" if any(INERT.search(part) for part in segments) else "data"


def rows() -> list[str]:
    out = []
    for package in sdk_schema.packages():
        for resource in package.resources.values():
            if ":" not in resource.token:
                continue
            for path, item in package.paths(resource):
                kind = role(resource.token, path, item)
                if kind is not None:
                    out.append(f"{resource.token}\t{path}\t{kind}")
    return sorted(set(out))


def render() -> str:
    header = ["# Generated by policies/tools/generate_json_document_inputs.py; do not edit.",
              *sdk_schema.versions_header(), "# token\tinput path\trole (grant|inert|data)"]
    return "\n".join(header + rows()) + "\n"


def main(argv: list[str] | None = None) -> int:
    return generated_file.run(argv, description=__doc__.splitlines()[0], out=OUT, script=__file__, render=render,
                              noun="inputs")


if __name__ == "__main__":
    sys.exit(main())
