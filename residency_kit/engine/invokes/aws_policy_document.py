"""``aws:iam/getPolicyDocument:getPolicyDocument`` computed exactly as the provider computes it, offline.

pulumi_aws runs the Terraform data source ``aws_iam_policy_document`` (terraform-provider-aws
``internal/service/iam/policy_document_data_source.go`` and ``policy_model.go``). Its rules, followed here:

- **Merging.** ``sourcePolicyDocuments`` are merged first, in order (a non-empty ``Sid`` twice across them
  is an error); then the ``statements`` of this document (a non-empty ``Sid`` twice is an error); then each
  of ``overridePolicyDocuments``, whose statements replace those with the same ``Sid`` and are appended
  otherwise. A merge adopts a document's ``Id`` when it has one and raises ``Version`` to the greater.
- **Statements from arguments.** ``effect`` defaults to ``Allow``; ``actions``, ``notActions``,
  ``resources``, ``notResources`` and each principal block's ``identifiers`` are sets: one element is written
  as a string, several as a list sorted in *reverse* order. ``&{`` in resources, principal identifiers and
  condition values becomes ``${`` (an error in version ``2008-10-17``).
- **Principals.** A single block of type ``*`` with identifier ``*`` is written ``"Principal": "*"``;
  otherwise a map from type to identifiers, blocks of one type appended in the order of their Terraform
  set (sorted by the decimal CRC-32 of their hash serialization), each block's identifiers reverse-sorted.
- **Conditions.** A map test -> variable -> values; blocks with the same test and variable have their
  values appended (set order), and a single value is written as a string.
- **Documents read back** (source/override): JSON keys match fields case-insensitively, unknown keys
  are dropped, ``Statement`` must be a list, actions and resources are kept as written, principal
  identifiers come out reverse-sorted, condition values that are strings become one-element lists, bools
  become the string ``"true"``/``"false"``, and numbers are dropped (the model has no case for them).
- **Output.** Go's ``encoding/json``: fields in the order Version, Id, Statement and Sid, Effect, Action,
  NotAction, Resource, NotResource, Principal, NotPrincipal, Condition, empty ones omitted; map keys sorted;
  ``<``, ``>``, ``&``, U+2028 and U+2029 escaped as ``\\u003c``...; ``json`` indented by two spaces,
  ``minifiedJson`` compact; ``id`` is the CRC-32 of ``json`` in decimal.
"""

from __future__ import annotations

import json
import re
import zlib
from collections.abc import Mapping, Sequence
from typing import Any

from residency_kit.engine import go_json

TOKEN = "aws:iam/getPolicyDocument:getPolicyDocument"
VERSIONS = ("2008-10-17", "2012-10-17")
_SID_RE = re.compile(r"^[a-zA-Z0-9]*$")
_STATEMENT_FIELDS = ("Sid", "Effect", "Action", "NotAction", "Resource", "NotResource", "Principal", "NotPrincipal", "Condition")
_DOC_FIELDS = ("Version", "Id", "Statement")


class PolicyDocumentError(ValueError):
    """What the provider would refuse; the message names the argument, the value and what is allowed."""


# --- Terraform sets -----------------------------------------------------------------------------------


def _crc(text: str) -> int:
    return zlib.crc32(text.encode("utf-8"))


def _set_order(items: Sequence[Any], serialize) -> list[Any]:
    """A Terraform ``schema.Set``'s ``List()``: deduplicated by hash, ordered by the hash's decimal text."""
    by_key: dict[str, Any] = {}
    for item in items:
        by_key.setdefault(str(_crc(serialize(item))), item)
    return [by_key[k] for k in sorted(by_key)]


def _string_serial(value: str) -> str:
    return f"{value};"


def _string_set(values: Sequence[Any] | None) -> list[str]:
    return _set_order([str(v) for v in values or () if v is not None], _string_serial)


def _principal_serial(block: Mapping[str, Any]) -> str:
    identifiers = "".join(_string_serial(i) for i in _string_set(block.get("identifiers")))
    return f"identifiers:{{{identifiers}}};type:{block.get('type', '')};"


def _condition_serial(block: Mapping[str, Any]) -> str:
    values = "".join(_string_serial(str(v)) for v in block.get("values") or ())
    return f"test:{block.get('test', '')};values:({values});variable:{block.get('variable', '')};"


def _decode_strings(values: list[str]) -> str | list[str]:
    """``policyDecodeConfigStrings``: one element as a string, several reverse-sorted."""
    if len(values) == 1:
        return values[0]
    return sorted(values, reverse=True)


def _replace_vars(value: str | list[str], version: str, where: str) -> str | list[str]:
    items = [value] if isinstance(value, str) else value
    for item in items:
        if version == "2008-10-17" and "&{" in item:
            raise PolicyDocumentError(
                f"{where}: {item!r} writes a policy variable as &{{...}}, which a version 2008-10-17 document "
                "cannot hold; use version 2012-10-17"
            )
    replaced = [item.replace("&{", "${") for item in items]
    return replaced[0] if isinstance(value, str) else replaced


# --- the model --------------------------------------------------------------------------------------------
# A statement is a dict keyed by the JSON field names; principals and conditions are lists of
# (type, identifiers) and (test, variable, values) where identifiers/values are a str or a list of str.


def _statement_from_args(raw: Mapping[str, Any], version: str, sids: set[str], where: str) -> dict[str, Any]:
    effect = raw.get("effect") or "Allow"
    if effect not in ("Allow", "Deny"):
        raise PolicyDocumentError(f"{where}.effect is {effect!r}; allowed: Allow, Deny")
    stmt: dict[str, Any] = {"Effect": effect}
    sid = raw.get("sid") or ""
    if not _SID_RE.match(sid):
        raise PolicyDocumentError(f"{where}.sid is {sid!r}; a Sid holds only letters and digits")
    if sid in sids:
        raise PolicyDocumentError(
            f"{where}.sid {sid!r} is already the Sid of an earlier statement; give each statement its own Sid or none")
    stmt["Sid"] = sid
    if sid:
        sids.add(sid)
    for arg, key, has_vars in (("actions", "Action", False), ("notActions", "NotAction", False),
                               ("resources", "Resource", True), ("notResources", "NotResource", True)):
        values = _string_set(raw.get(arg))
        if values:
            decoded = _decode_strings(values)
            stmt[key] = _replace_vars(decoded, version, f"{where}.{arg}") if has_vars else decoded
    for arg, key in (("principals", "Principal"), ("notPrincipals", "NotPrincipal")):
        blocks = list(raw.get(arg) or ())
        if blocks:
            principals = []
            for block in _set_order(blocks, _principal_serial):
                identifiers = _replace_vars(_decode_strings(_string_set(block.get("identifiers"))), version,
                                            f"{where}.{arg}.identifiers")
                principals.append((str(block.get("type", "")), identifiers))
            stmt[key] = principals
    blocks = list(raw.get("conditions") or ())
    if blocks:
        conditions = []
        for block in _set_order(blocks, _condition_serial):
            values = _replace_vars([str(v) for v in block.get("values") or ()], version, f"{where}.conditions.values")
            conditions.append((str(block.get("test", "")), str(block.get("variable", "")), values[0] if len(values) == 1 else values))
        stmt["Condition"] = conditions
    return stmt


def _fields_case_insensitive(obj: Mapping[str, Any], names: Sequence[str]) -> dict[str, Any]:
    """Go's ``json.Unmarshal`` into a struct: keys match field names regardless of case; others are dropped."""
    lowered = {n.lower(): n for n in names}
    out: dict[str, Any] = {}
    for key, value in obj.items():
        name = lowered.get(key.lower()) if isinstance(key, str) else None
        if name is not None:
            out[name] = value
    return out


def _principals_from_json(value: Any, where: str) -> list[tuple[str, Any]]:
    if value is None:
        return []
    if isinstance(value, str):
        return [("*", ["*"])]
    if isinstance(value, dict):
        out: list[tuple[str, Any]] = []
        for key, ids in value.items():
            if isinstance(ids, str):
                out.append((key, ids))
            elif isinstance(ids, list):
                for v in ids:
                    if not isinstance(v, str):
                        raise PolicyDocumentError(
                            f"{where} {key!r} lists {json.dumps(v)}; principal identifiers are strings")
                out.append((key, sorted(ids)))
            else:
                raise PolicyDocumentError(
                    f"{where} {key!r} is {json.dumps(ids)}; allowed: a string or a list of strings")
        return out
    raise PolicyDocumentError(
        f"{where} is {json.dumps(value)}; allowed: \"*\" or an object of principal types to identifiers")


def _conditions_from_json(value: Any, where: str) -> list[tuple[str, str, Any]]:
    if value is None:
        return []
    if not isinstance(value, dict) or not all(isinstance(v, dict) for v in value.values()):
        raise PolicyDocumentError(
            f"{where} is {json.dumps(value)[:200]}; allowed: an object of operators, each an object of keys to values")
    out: list[tuple[str, str, Any]] = []
    for test, variables in value.items():
        for variable, values in variables.items():
            if isinstance(values, str):
                out.append((test, variable, [values]))
            elif isinstance(values, bool):
                out.append((test, variable, "true" if values else "false"))
            elif isinstance(values, list):
                out.append((test, variable, [str(v) if isinstance(v, str) else v for v in values]))
            # Numbers and objects have no case in the provider's model: they are dropped.
    return out


def _document_from_json(text: Any, where: str) -> dict[str, Any]:
    """One of ``sourcePolicyDocuments`` / ``overridePolicyDocuments`` (``where`` names it), read back."""
    try:
        data = json.loads(text) if isinstance(text, str) else None
    except json.JSONDecodeError as err:
        raise PolicyDocumentError(f"{where} is not valid JSON ({err})") from None
    if not isinstance(data, dict):
        raise PolicyDocumentError(f"{where} must be a JSON object (a policy document), got {json.dumps(data)[:80]}")
    doc = _fields_case_insensitive(data, _DOC_FIELDS)
    statements = doc.get("Statement")
    if statements is not None and not isinstance(statements, list):
        raise PolicyDocumentError(f"{where}: Statement is {json.dumps(statements)[:80]}; allowed: a list of statements")
    parsed = []
    for n, raw in enumerate(statements or ()):
        at = f"{where}: Statement[{n}]"
        if not isinstance(raw, dict):
            raise PolicyDocumentError(f"{at} is {json.dumps(raw)[:80]}; a statement is a JSON object")
        fields = _fields_case_insensitive(raw, _STATEMENT_FIELDS)
        stmt: dict[str, Any] = {k: v for k, v in fields.items() if k not in ("Principal", "NotPrincipal", "Condition")}
        for key in ("Sid", "Effect"):
            if key in stmt and not isinstance(stmt[key], str):
                raise PolicyDocumentError(f"{at}.{key} is {json.dumps(stmt[key])}; it must be a string")
        for key in ("Principal", "NotPrincipal"):
            if key in fields:
                stmt[key] = _principals_from_json(fields[key], f"{at}.{key}")
        if "Condition" in fields:
            stmt["Condition"] = _conditions_from_json(fields["Condition"], f"{at}.Condition")
        parsed.append(stmt)
    version = doc.get("Version") if isinstance(doc.get("Version"), str) else ""
    policy_id = doc.get("Id") if isinstance(doc.get("Id"), str) else ""
    return {"Version": version, "Id": policy_id, "Statement": parsed}


def _merge(into: dict[str, Any], new: Mapping[str, Any]) -> None:
    if new.get("Id"):
        into["Id"] = new["Id"]
    if (new.get("Version") or "") > (into.get("Version") or ""):
        into["Version"] = new["Version"]
    statements = into.setdefault("Statement", [])
    for stmt in new.get("Statement") or ():
        sid = stmt.get("Sid") or ""
        if sid:
            for i, existing in enumerate(statements):
                if (existing.get("Sid") or "") == sid:
                    statements[i] = stmt
                    break
            else:
                statements.append(stmt)
        else:
            statements.append(stmt)


# --- output -----------------------------------------------------------------------------------------------


def _principals_json(principals: list[tuple[str, Any]]) -> Any:
    if len(principals) == 1 and principals[0][0] == "*" and principals[0][1] in ("*", ["*"]):
        return "*"
    raw: dict[str, Any] = {}
    for ptype, ids in principals:
        current = raw.get(ptype)
        if isinstance(ids, list):
            merged = [] if current is None else ([current] if isinstance(current, str) else current)
            raw[ptype] = merged + sorted(ids, reverse=True)
        elif current is None:
            raw[ptype] = ids
        elif isinstance(current, str):
            raw[ptype] = [current, ids]
        else:
            raw[ptype] = current + [ids]
    return raw


def _conditions_json(conditions: list[tuple[str, str, Any]]) -> dict[str, Any]:
    raw: dict[str, dict[str, list[Any]]] = {}
    for test, variable, values in conditions:
        entry = raw.setdefault(test, {}).setdefault(variable, [])
        entry.extend(values if isinstance(values, list) else [values])
    return {t: {v: (vals[0] if len(vals) == 1 else vals) for v, vals in vs.items()} for t, vs in raw.items()}


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def _document_json(doc: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if doc.get("Version"):
        out["Version"] = doc["Version"]
    if doc.get("Id"):
        out["Id"] = doc["Id"]
    statements = []
    for stmt in doc.get("Statement") or ():
        s: dict[str, Any] = {}
        for key in _STATEMENT_FIELDS:
            value = stmt.get(key)
            if key in ("Principal", "NotPrincipal") and value:
                value = _principals_json(value)
            elif key == "Condition" and value:
                value = _conditions_json(value)
            if not _empty(value):
                s[key] = value
        statements.append(s)
    if statements:
        out["Statement"] = statements
    return out


def _sort_map_keys(doc: dict[str, Any]) -> dict[str, Any]:
    for stmt in doc.get("Statement", []):
        for key in ("Principal", "NotPrincipal"):
            if isinstance(stmt.get(key), dict):
                stmt[key] = dict(sorted(stmt[key].items()))
        if isinstance(stmt.get("Condition"), dict):
            stmt["Condition"] = {t: dict(sorted(v.items())) for t, v in sorted(stmt["Condition"].items())}
    return doc


def policy_document(args: Mapping[str, Any]) -> dict[str, Any]:
    """The data source's result for ``args`` (wire names); raises ``PolicyDocumentError`` as the provider errs."""
    for deprecated, instead in (("overrideJson", "overridePolicyDocuments"), ("sourceJson", "sourcePolicyDocuments")):
        if args.get(deprecated):
            raise PolicyDocumentError(
                f"{deprecated} is deprecated and the provider accepts it only empty; pass the document in {instead}")
    version = args.get("version") or "2012-10-17"
    if version not in VERSIONS:
        raise PolicyDocumentError(f"version is {version!r}; allowed: {', '.join(VERSIONS)}")

    merged: dict[str, Any] = {"Version": "", "Id": "", "Statement": []}
    source_sids: set[str] = set()
    for index, text in enumerate(args.get("sourcePolicyDocuments") or ()):
        if text is None:
            continue
        where = f"sourcePolicyDocuments[{index}]"
        source = _document_from_json(text, where)
        for stmt_index, stmt in enumerate(source["Statement"]):
            sid = stmt.get("Sid") or ""
            if sid:
                if sid in source_sids:
                    raise PolicyDocumentError(
                        f"{where}: Statement[{stmt_index}] has Sid {sid!r}, which an earlier statement of the source "
                        "documents already has; the source documents' Sids must all differ (an override replaces "
                        "by Sid instead)"
                    )
                source_sids.add(sid)
        _merge(merged, source)

    own: dict[str, Any] = {"Version": version, "Id": args.get("policyId") or "", "Statement": []}
    sids: set[str] = set()
    own["Statement"] = [_statement_from_args(s, version, sids, f"statements[{i}]")
                        for i, s in enumerate(args.get("statements") or ())]
    _merge(merged, own)

    for index, text in enumerate(args.get("overridePolicyDocuments") or ()):
        if text is None:
            continue
        _merge(merged, _document_from_json(text, f"overridePolicyDocuments[{index}]"))

    document = _sort_map_keys(_document_json(merged))
    pretty = go_json.dumps(document, indent=True)
    minified = go_json.dumps(document)
    statements = []
    for s in args.get("statements") or ():
        echoed = dict(s)
        echoed.setdefault("effect", "Allow")
        statements.append(echoed)
    return {
        "id": str(_crc(pretty)),
        "json": pretty,
        "minifiedJson": minified,
        "overridePolicyDocuments": list(args.get("overridePolicyDocuments") or []),
        "policyId": args.get("policyId"),
        "sourcePolicyDocuments": list(args.get("sourcePolicyDocuments") or []),
        "statements": statements,
        "version": version,
    }
