"""The residency pack's own cost per resource: CPU time of its ``Analyze`` and ``AnalyzeStack`` work.

``python -m benchmarks.pack_time PROGRAM_DIR [--stack bench]`` runs the program on the mock runtime (as
``residency preview`` does), turns it into the engine's analyzer requests (``residency_kit.engine.analyzer_requests``)
and feeds them, in this process and on one thread, to pulumi_policy's analyzer servicer holding the pack's
policies with ``sdk_compat`` installed, exactly the objects the pack process serves over gRPC. It prints one
JSON line: resources, and the thread CPU seconds of every ``Analyze`` and of the one ``AnalyzeStack``.

Start-up (imports, the first request's rules file) and gRPC transport are excluded: this is what each
additional resource costs the pack. Thread CPU time, not wall time, so that other work on a shared machine
slows it less.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

from pulumi.runtime.proto import analyzer_pb2
from pulumi_policy import EnforcementLevel
from pulumi_policy.policy import _PolicyAnalyzerServicer  # the servicer the pack process serves (see sdk_compat)

from residency_kit.engine.analyzer_requests import analyze_request, stack_resource
from residency_kit.engine.capture import capture
from residency_kit.engine.preview_mocks import PreviewMocks
from residency_kit.engine.project import load_project, load_stack_config
from residency_kit.engine.shipped_pack import shipped_pack_dir
from residency_kit.engine.stack import EngineStackBuilder, apply_event

WARM_UP = 20
"""Requests analyzed before timing: the first builds the rules from residency.yaml and imports lazily."""


def _program(project) -> callable:
    import runpy
    import sys

    def run() -> None:
        cwd = os.getcwd()
        os.chdir(project.pwd)
        sys.path.insert(0, str(project.pwd))
        try:
            runpy.run_path(str(project.entry), run_name="__main__")
        finally:
            sys.path.remove(str(project.pwd))
            os.chdir(cwd)

    return run


def measure(program_dir: Path, stack: str) -> dict[str, float | int]:
    project = load_project(program_dir)
    config, secret_keys = load_stack_config(project, stack, None)
    mocks = PreviewMocks(config)
    monitor = capture(_program(project), project=project.name, stack=stack, preview=True, config=config,
                      mocks=mocks, secret_keys=secret_keys)
    builder = EngineStackBuilder(project=project.name, stack=stack, config=config, secret_keys=secret_keys)
    for kind, value in monitor.events:
        apply_event(builder, kind, value)
    engine_stack = builder.stack()
    requests = [analyze_request(engine_stack, r) for r in engine_stack.resources]
    stack_request = analyzer_pb2.AnalyzeStackRequest(
        resources=[stack_resource(engine_stack, r, None) for r in engine_stack.resources]
    )

    pack_dir = shipped_pack_dir()
    os.environ.update({"PULUMI_PROJECT": project.name, "PULUMI_STACK": stack, "PULUMI_DRY_RUN": "true",
                       "PULUMI_ORGANIZATION": "organization", "PULUMI_CONFIG": json.dumps(dict(config))})
    os.chdir(pack_dir)
    from residency_policies import sdk_compat
    from residency_policies.registry import ALL_POLICIES
    from residency_policies.rules_file import pack_config_errors

    sdk_compat.install(config_check=lambda c: pack_config_errors([p.name for p in ALL_POLICIES], c))
    servicer = _PolicyAnalyzerServicer("us-data-residency", "0.0.1", list(ALL_POLICIES), EnforcementLevel.MANDATORY)
    for request in requests[:WARM_UP]:
        servicer.Analyze(request, None)

    start = time.thread_time()
    for request in requests:
        servicer.Analyze(request, None)
    analyzed = time.thread_time()
    response = servicer.AnalyzeStack(stack_request, None)
    done = time.thread_time()
    return {
        "resources": len(requests),
        "analyze_seconds": analyzed - start,
        "analyze_stack_seconds": done - analyzed,
        "stack_violations": len(response.diagnostics),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("program_dir", type=Path)
    parser.add_argument("--stack", default="bench")
    args = parser.parse_args(argv)
    print(json.dumps(measure(args.program_dir.resolve(), args.stack)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
