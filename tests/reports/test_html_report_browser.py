"""The HTML evidence report rendered in real headless Chromium (Debian's `chromium` package)."""

from __future__ import annotations

import html
import re
import shutil
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest
from png_pixels import pixel, read_png
from report_fixtures import DEFAULT_AWS, REASON

from residency_kit.reports.html import to_html

# Debian's package installs `chromium`; GitHub's runner images ship Google Chrome, which takes the same flags.
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="Chromium is not installed (Debian package `chromium`; .ci/run installs it)"
)
FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync", "--hide-scrollbars",
]
DIAGRAM = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="320" height="60"><rect width="320" height="60" fill="#eef"/>'
    '<text x="10" y="35">internet → data tier: no path</text></svg>'
)


def chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    profile = tmp_path / "profile"
    profile.mkdir(exist_ok=True)
    return subprocess.run(
        [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *args],
        capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL,
    )


def visible_text(dom: str) -> str:
    body = dom.split("<body>", 1)[1]
    body = re.sub(r"<style.*?</style>", "", body, flags=re.S)
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body)))


@pytest.fixture
def rendered(report, tmp_path):
    page = tmp_path / "evidence.html"
    page.write_text(to_html(replace(report, diagram_svg=DIAGRAM, diagram_note="")), encoding="utf-8")
    done = chromium(tmp_path, "--dump-dom", page.as_uri())
    assert done.returncode == 0, done.stderr[-2000:]
    return page, done.stdout


def test_browser_shows_verdict_run_details_and_every_policy(rendered, report):
    _, dom = rendered
    text = visible_text(dom)
    assert "Residency evidence — us-prod: failed" in text
    assert "us-data-residency version 0.1.0" in text
    assert report.packs[0].content_hash in text
    assert "2026-11-29 12:00:00 UTC" in text
    rows = re.findall(r'<tr class="policy" data-status="([^"]+)"><td><code><a href="[^"]+">([^<]+)</a>', dom)
    assert sorted(rows) == sorted(
        [("warn", "residency-tags"), ("fail", "us-region-providers"), ("waived", "private-data-stores"),
         ("pass", "backup-coverage"), ("not applicable", "us-keys-for-data")]
    )
    # The cards count each result.
    assert "1 Fail 1 Advisory only 1 Waived 1 Not applicable 1 Pass" in text


def test_browser_shows_violations_waivers_inventory_and_diagram(rendered):
    _, dom = rendered
    text = visible_text(dom)
    assert DEFAULT_AWS in text
    assert f"Waiver: {REASON} — approved by ciso@example.com, expires 2027-03-31" in text
    assert "Policy Resources Reason Approver Expires" in text
    summary = dom.split('id="inventory-summary"', 1)[1].split("</table>", 1)[0]
    rows = re.findall(r"<tr><td>([^<]+)</td><td>([^<]+)</td><td>([^<]+)</td><td[^>]*>(\d+)</td><td[^>]*>(\d+)</td></tr>", summary)
    assert ("OCI", "us-ashburn-1", "data", "1", "1") in rows
    assert ("AWS", "us-west-2", "—", "1", "0") in rows
    assert "Every resource (6)" in text  # the full list, folded under the summary
    assert "internet → data tier: no path" in text
    # A message's markup is shown as text, never run.
    assert "region <script>alert(1)</script> | is not allowed" in text
    assert "<script>" not in dom


def test_screenshot_shows_a_red_banner_for_a_failed_run(rendered, tmp_path):
    page, _ = rendered
    shot = tmp_path / "shot.png"
    done = chromium(tmp_path, "--window-size=1200,900", f"--screenshot={shot}", page.as_uri())
    assert done.returncode == 0 and shot.is_file(), done.stderr[-2000:]
    image = read_png(shot)
    assert image[:2] == (1200, 900)
    r, g, b = pixel(image, 200, 60)  # inside the banner
    assert r > 140 and g < 80 and b < 80, (r, g, b)
    r, g, b = pixel(image, 5, 5)  # page background
    assert min(r, g, b) > 230, (r, g, b)


def test_no_diagram_degrades_to_a_note(report, tmp_path):
    page = tmp_path / "evidence.html"
    page.write_text(to_html(report), encoding="utf-8")
    done = chromium(tmp_path, "--dump-dom", page.as_uri())
    assert done.returncode == 0
    assert "The network diagram is not available for this test." in visible_text(done.stdout)
