"""Hostile configuration, programs and packs: clear errors, bounded time, no process left behind.

A few cases run ``residency preview`` as a subprocess (with a hard timeout) because the exit code and
message are the contract; the rest drive the engine API in-process to stay fast.
"""

from __future__ import annotations

import asyncio

import os
import signal
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pulumi
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from residency_kit.engine.api import preview_function
from residency_kit.engine.pack_config import PolicyConfig
from residency_kit.engine.packs import PolicyPackError, PolicyPackProcess
from residency_policies.registry import ALL_POLICIES
from tests.robustness.conftest import CONFIG, PROJECT, STACK, clone, configure, crashes
from process_watch import recorded_alive
from tests.robustness.strategies import values

REPO = Path(__file__).resolve().parents[2]
TINY_PACK = REPO / "tests" / "packs" / "tiny"
SILENT_PACK = REPO / "tests" / "packs" / "silent"
HANGING_PACK = Path(__file__).resolve().parent / "packs" / "hanging"
CLI_TIMEOUT = 120


def leftovers(pid_dir: Path) -> list[str]:
    return [p.name for p in pid_dir.iterdir() if recorded_alive(p)]


def write_project(root: Path, program: str, stack_yaml: str = "config:\n  oci:region: us-ashburn-1\n") -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "Pulumi.yaml").write_text("name: hostile\nruntime: python\n")
    (root / "Pulumi.dev.yaml").write_text(stack_yaml)
    (root / "__main__.py").write_text(textwrap.dedent(program))
    return root


def preview_cli(project: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "residency_kit.cli", "preview", "--cwd", str(project), "--stack", "dev", *extra],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
    )  # fmt: skip
    try:
        out, err = proc.communicate(timeout=CLI_TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        pytest.fail(f"residency preview did not finish within {CLI_TIMEOUT}s")
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


PROGRAM = """
    import pulumi_oci as oci
    oci.objectstorage.Bucket("b", compartment_id="ocid1.compartment.oc1..x", name="b", namespace="ns")
"""


@pytest.mark.parametrize(
    "stack_yaml, expected",
    [
        ("config: [oci:region, us-ashburn-1\n", "Pulumi.dev.yaml"),  # not YAML
        ("config: 5\n", "Pulumi.dev.yaml"),  # not a mapping
        ("- oci:region\n- us-ashburn-1\n", "Pulumi.dev.yaml"),  # a list, not a stack file
    ],
)
def test_malformed_stack_config_is_a_clear_usage_error(tmp_path, stack_yaml, expected):
    project = write_project(tmp_path / "p", PROGRAM, stack_yaml)
    result = preview_cli(project, "--policy-pack", str(TINY_PACK))
    assert result.returncode == 2, result.stderr
    assert "error:" in result.stderr and expected in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    "content, expected",
    [
        ("{not json", "policy.json"),
        ('["allowed-region"]', "policy.json"),
        ('{"allowed-region": "sometimes"}', "sometimes"),
        ('{"allowed-region": {"regions": "us-ashburn-1"}}', "validating policy config"),
    ],
)
def test_malformed_policy_config_is_a_clear_error(tmp_path, pid_dir, content, expected):
    project = write_project(tmp_path / "p", PROGRAM)
    config = tmp_path / "policy.json"
    config.write_text(content)
    result = preview_cli(project, "--policy-pack", str(TINY_PACK), "--policy-pack-config", str(config))
    assert result.returncode == 2, result.stderr
    assert expected in result.stderr
    assert "Traceback" not in result.stderr
    assert leftovers(pid_dir) == []


def test_program_raising_midway_names_the_line_and_stops_every_process(tmp_path, pid_dir):
    program = """
        import pulumi_oci as oci
        for i in range(50):
            oci.objectstorage.Bucket(f"b{i}", compartment_id="ocid1.compartment.oc1..x", name=f"b{i}", namespace="ns")
            if i == 25:
                raise ValueError("half-way failure")
    """
    project = write_project(tmp_path / "p", program)
    result = preview_cli(project, "--policy-pack", str(TINY_PACK))
    assert result.returncode == 2
    assert "half-way failure" in result.stderr
    assert "__main__.py:6" in result.stderr
    assert list(pid_dir.iterdir()), "the tiny pack did not record its pid"
    assert leftovers(pid_dir) == []


def test_program_registering_thousands_of_resources_is_analyzed_in_full(pack):
    def program():
        for i in range(2000):
            pulumi.CustomResource("test:index:Thing", f"thing-{i}", {"index": i, "cidr": f"10.{i // 256}.{i % 256}.0/24"})

    result = preview_function(program, pack=pack, project=PROJECT, stack=STACK, config=CONFIG)
    assert len([r for r in result.resources if r.type == "test:index:Thing"]) == 2000
    assert crashes(result.violations) == []


INVALID_RULES = st.fixed_dictionaries(
    {},
    optional={
        "waivers": st.one_of(
            st.lists(st.one_of(values(4), st.fixed_dictionaries({"policy": values(2), "urns": values(2), "expires": values(2)})), min_size=1, max_size=3),
            st.sampled_from([5, "all", {"policy": "x"}]),
        ),
        "allowedRegions": st.sampled_from([5, "us-ashburn-1", {"oci": "us-ashburn-1"}, {"oci": [5]}, [None]]),
        "parentCompany": st.sampled_from(["203.0.113.0/24", {"cidrs": "nope"}, {"cidrs": ["300.0.0.0/8"]}, {"cidrs": [None]}]),
        "minimumRetentionDays": st.sampled_from(["a year", -5, None, 1.5, [365]]),
        "requiredTags": st.sampled_from([["jurisdiction"], "US", {"jurisdiction": 5}]),
    },
).filter(bool)


@settings(max_examples=12, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(policy=st.sampled_from([p.name for p in ALL_POLICIES]), properties=INVALID_RULES)
def test_malformed_policy_config_and_waivers_are_refused_at_configure(pack, base_stack, policy, properties):
    """pulumi_policy does no schema validation on Configure, so the pack refuses bad rules there, as one error
    naming the policy, before anything is analyzed; the pack keeps working with the config it had."""
    level = pack.info.config[policy].enforcement_level
    try:
        with pytest.raises(PolicyPackError, match=r"configuring policy pack \S+: invalid policy pack config:\n") as err:
            configure(pack, {policy: PolicyConfig(level, properties)})
        assert f"in the policy config of '{policy}' (--policy-pack-config)" in str(err.value)
    finally:
        configure(pack, {})
    assert crashes(pack.analyze(clone(base_stack))) == []


def test_pack_that_never_reports_its_port_times_out_and_leaves_nothing(pid_dir):
    pack = PolicyPackProcess(SILENT_PACK, project=PROJECT, stack=STACK, config=CONFIG, start_timeout=4)
    with pytest.raises(PolicyPackError, match="did not report its port within 4s"):
        pack.start()
    recorded = list(pid_dir.iterdir())
    assert recorded and leftovers(pid_dir) == []


def test_pack_that_hangs_in_analyze_is_bounded_and_leaves_nothing(pid_dir):
    pack = PolicyPackProcess(HANGING_PACK, project=PROJECT, stack=STACK, config=CONFIG, call_timeout=1.5)
    pack.start()
    outcome: dict[str, BaseException | None] = {}

    def run() -> None:
        asyncio.set_event_loop(asyncio.new_event_loop())  # the mock runtime needs a loop in this thread

        def program():
            pulumi.CustomResource("test:index:Thing", "thing", {})

        try:
            preview_function(program, pack=pack, project=PROJECT, stack=STACK, config=CONFIG)
            outcome["error"] = None
        except BaseException as err:  # noqa: BLE001 - recorded for the assertion below
            outcome["error"] = err

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(timeout=4)
    finished = not worker.is_alive()
    pack.close()  # stops the group either way, so no pack outlives the test
    assert leftovers(pid_dir) == []
    assert finished, "analyze of a hung pack did not return within 4s"
    assert isinstance(outcome["error"], PolicyPackError)
