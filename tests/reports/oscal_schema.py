"""NIST's published OSCAL 1.1.3 assessment-results schema (vendored, see schemas/SOURCE.md) as a validator."""

from __future__ import annotations

import functools
import hashlib
import json
from pathlib import Path
from typing import Any

import jsonschema

SCHEMA_FILE = Path(__file__).parent / "schemas" / "oscal_assessment-results_schema.json"
SCHEMA_SHA256 = "d9e34757f0c12aff61f52b821f0b8f83ba0ba75b3a149a202b08ba82f82bc4c3"


def _python_patterns(node: Any) -> Any:
    """The schema with ``\\p{L}`` / ``\\p{N}`` (which Python's ``re`` lacks) replaced by equivalent classes."""
    if isinstance(node, dict):
        return {k: (_python_patterns(v) if k != "pattern" else
                    v.replace("\\p{L}", "[^\\W\\d_]").replace("\\p{N}", "\\d")) for k, v in node.items()}
    if isinstance(node, list):
        return [_python_patterns(v) for v in node]
    return node


@functools.cache
def validator() -> jsonschema.Draft7Validator:
    raw = SCHEMA_FILE.read_bytes()
    assert hashlib.sha256(raw).hexdigest() == SCHEMA_SHA256, "the vendored schema changed"
    schema = json.loads(raw)
    assert schema["$id"] == "http://csrc.nist.gov/ns/oscal/1.1.3/oscal-ar-schema.json"
    return jsonschema.Draft7Validator(_python_patterns(schema), format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER)


def oscal_errors(document: Any) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator().iter_errors(document)]
