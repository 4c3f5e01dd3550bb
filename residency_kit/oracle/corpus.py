"""The oracle's corpus and its command line (``python -m residency_kit.oracle``).

The corpus: this repository's stacks, the example projects under ``tests/programs``, the oracle's own
raw programs under ``tests/oracle/programs`` (resource references, invokes and pinned invoke answers,
secrets, components, explicit and default providers, ``pulumi:disable-default-providers``, aliases,
``ignore_changes``, transforms, stack references, ``main`` as a file and as a directory, hostile inputs),
and every program the policy and hostile-input tests preview (saved by ``residency_kit.oracle.capture_plugin``;
CI saves a sample, ``CI_CAPTURED_TESTS``).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from residency_kit.oracle.compare import Difference, compare
from residency_kit.oracle.run import REPO, Program, load_saved_programs, run_real, run_residency
from residency_kit.pulumi_cli.offline import OfflinePulumi, find_pulumi

RAW_PROGRAMS = REPO / "tests" / "oracle" / "programs"
# The tests whose previewed programs join the corpus (the full corpus: `make oracle-test-full`).
CAPTURED_TESTS = ["tests/policies", "tests/robustness/test_hostile_inputs.py"]
# What CI captures (`make oracle-test`): one violating program per policy (the registry's fixtures), the
# cross-account grants table (every grant type, to the trusted and to the parent account) and the hostile
# inputs. With the project programs this covers every pattern of issue 16 in about a fifth of the time.
CI_CAPTURED_TESTS = [
    "tests/policies/test_registry_metadata.py", "tests/policies/test_no_cross_tenancy_grants_table.py",
    "tests/robustness/test_hostile_inputs.py", "-k", "violating or not test_registry_fixture_flags",
]


@dataclass
class ProgramResult:
    program: Program
    real_requests: int
    residency_requests: int
    differences: list[Difference] = field(default_factory=list)
    real_error: str = ""
    residency_error: str = ""
    seconds: float = 0.0

    @property
    def unexplained(self) -> list[Difference]:
        return [d for d in self.differences if not d.cause]


def _project_stack(directory: Path) -> str:
    doc = yaml.safe_load((directory / "Pulumi.yaml").read_text()) or {}
    config_dir = directory / (doc.get("stackConfigDir") or "")
    stacks = sorted(p.name[len("Pulumi."):-len(".yaml")] for p in config_dir.glob("Pulumi.*.yaml"))
    return stacks[0] if stacks else "dev"


def project_programs() -> list[Program]:
    programs = [Program(name=f"stacks/{stack}", kind="project", directory=REPO, stack=stack)
                for stack in ("us-prod", "dev")]
    for directory in sorted((REPO / "tests" / "programs").iterdir()):
        doc = yaml.safe_load((directory / "Pulumi.yaml").read_text()) or {}
        runtime = doc.get("runtime")
        if (runtime.get("name") if isinstance(runtime, dict) else runtime) != "python":
            continue  # the nodejs example is about residency preview's refusal; the real CLI has no node host here
        programs.append(Program(name=f"tests/programs/{directory.name}", kind="project", directory=directory,
                                stack=_project_stack(directory)))
    for directory in sorted(p for p in RAW_PROGRAMS.iterdir() if (p / "Pulumi.yaml").exists()):
        programs.append(Program(name=f"tests/oracle/programs/{directory.name}", kind="project",
                                directory=directory, stack=_project_stack(directory)))
    return programs


def capture_programs(capture_dir: Path, tests: list[str] | None = None) -> subprocess.CompletedProcess:
    """Run the tests with the capture plugin so that every program they preview is saved in ``capture_dir``."""
    env = {**os.environ, "RESIDENCY_ORACLE_CAPTURE": str(capture_dir)}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "residency_kit.oracle.capture_plugin", "-p", "no:cacheprovider",
         *(tests or CAPTURED_TESTS)],
        cwd=REPO, env=env, capture_output=True, text=True, stdin=subprocess.DEVNULL)


def run_program(program: Program, offline: OfflinePulumi, workdir: Path) -> ProgramResult:
    started = time.monotonic()
    workdir.mkdir(parents=True, exist_ok=True)
    real = run_real(program, offline, workdir)
    mine = run_residency(program, workdir)
    return ProgramResult(program, real.recording.requests, mine.recording.requests, compare(program.name, real, mine),
                         real.error, mine.error, time.monotonic() - started)


def markdown_table(results: list[ProgramResult], skipped: list[tuple[str, str]]) -> str:
    lines = ["| program | requests (real / residency) | differences | unexplained | outcome |",
             "|---|---|---|---|---|"]
    for r in results:
        outcome = "both failed" if r.real_error and r.residency_error else (
            "failed: real" if r.real_error else "failed: residency" if r.residency_error else "ran")
        causes = Counter(d.cause or "UNEXPLAINED" for d in r.differences)
        lines.append(f"| {r.program.name} | {r.real_requests} / {r.residency_requests} | "
                     f"{', '.join(f'{c} x{n}' for c, n in sorted(causes.items())) or '0'} | {len(r.unexplained)} | {outcome} |")
    for name, reason in skipped:
        lines.append(f"| {name} | not run | | | not compared: {reason} |")
    return "\n".join(lines)


def cause_table(results: list[ProgramResult]) -> str:
    """Differences by cause over the corpus: how many, in how many programs, and the cause's status."""
    from residency_kit.oracle.compare import CAUSES

    counts: Counter[str] = Counter()
    programs: dict[str, set[str]] = {}
    for r in results:
        for d in r.differences:
            counts[d.cause or "UNEXPLAINED"] += 1
            programs.setdefault(d.cause or "UNEXPLAINED", set()).add(r.program.name)
    lines = [f"{len(results)} programs compared; requests recorded: "
             f"{sum(r.real_requests for r in results)} (real engine) / {sum(r.residency_requests for r in results)} "
             f"(residency preview); differences: {sum(counts.values())}.", "",
             "| cause | differences | programs | status |", "|---|---|---|---|"]
    for cause, n in counts.most_common():
        status = CAUSES[cause].status if cause in CAUSES else "UNEXPLAINED"
        lines.append(f"| `{cause}` | {n} | {len(programs[cause])} | {status} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m residency_kit.oracle", description=__doc__.splitlines()[0])
    parser.add_argument("--pulumi", help="the Pulumi CLI (default: .oracle/bin/pulumi, then PATH)")
    parser.add_argument("--capture-dir", help="reuse programs saved earlier by the capture plugin")
    parser.add_argument("--no-captured", action="store_true", help="only the project programs")
    parser.add_argument("--ci", action="store_true", help="capture only what CI runs (CI_CAPTURED_TESTS)")
    parser.add_argument("--only", action="append", default=[], help="run only programs whose name contains this")
    parser.add_argument("--json", help="write every difference to this file")
    args = parser.parse_args(argv)

    pulumi = find_pulumi(args.pulumi)
    if pulumi is None:
        sys.exit("error: no Pulumi CLI: run `make oracle` (or pass --pulumi)")
    workdir = Path(tempfile.mkdtemp(prefix="residency-oracle-"))
    try:
        _run_corpus(args, OfflinePulumi(pulumi, workdir / "cli"), workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def _run_corpus(args: argparse.Namespace, offline: OfflinePulumi, workdir: Path) -> None:
    offline.setup()

    programs = project_programs()
    skipped: list[tuple[str, str]] = []
    if not args.no_captured:
        capture_dir = Path(args.capture_dir) if args.capture_dir else workdir / "captured"
        if not args.capture_dir:
            done = capture_programs(capture_dir, CI_CAPTURED_TESTS if args.ci else None)
            if done.returncode != 0:
                print(done.stdout[-2000:], file=sys.stderr)
                sys.exit("error: the tests whose programs the oracle captures failed")
        saved, skipped = load_saved_programs(capture_dir)
        programs += saved
    if args.only:
        programs = [p for p in programs if any(s in p.name for s in args.only)]

    started = time.monotonic()
    results = []
    for i, program in enumerate(programs, 1):
        result = run_program(program, offline, workdir / f"run-{i}")
        results.append(result)
        print(f"[{i}/{len(programs)}] {program.name}: {len(result.differences)} differences, "
              f"{len(result.unexplained)} unexplained ({result.seconds:.1f}s)", file=sys.stderr, flush=True)
        for d in result.unexplained:
            print(f"    {d.area} {d.key}: {d.detail}", file=sys.stderr)
    print(cause_table(results))
    print(f"\n{len(programs)} programs in {time.monotonic() - started:.0f} s (after the capture).")
    print()
    print(markdown_table(results, skipped))
    if args.json:
        Path(args.json).write_text(json.dumps([d.as_json() for r in results for d in r.differences], indent=1))
    if any(r.unexplained for r in results):
        sys.exit(1)
