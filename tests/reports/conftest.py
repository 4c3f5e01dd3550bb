"""Fixtures for the report tests (data in ``report_fixtures``)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from report_fixtures import PUBLIC, REASON, STACK, make_result

from residency_kit.reports.model import build_report


@pytest.fixture
def pack_dir(tmp_path: Path) -> Path:
    pack = tmp_path / "pack"
    (pack / "residency_policies").mkdir(parents=True)
    (pack / "PulumiPolicy.yaml").write_text("runtime: python\nversion: 0.1.0\n")
    (pack / "residency_policies" / "__init__.py").write_text("")
    waiver = {"policy": "private-data-stores", "urns": [PUBLIC], "reason": REASON, "approver": "ciso@example.com",
              "expires": "2027-03-31"}
    floor = (Path(__file__).resolve().parents[2] / "policies" / "residency.yaml").read_text()
    (pack / "residency.yaml").write_text(floor + "waivers:\n  - " + json.dumps(waiver) + "\n")
    return pack


@pytest.fixture
def report(pack_dir: Path):
    return build_report(
        make_result(pack_dir),
        project="kit",
        stack=STACK,
        generated_at=dt.datetime(2026, 11, 29, 12, 0, tzinfo=dt.UTC),
        source="/repo",
        diagram_note="The network diagram is not available for this test.",
    )
