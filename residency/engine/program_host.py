"""Child-process entry point that runs a user's Pulumi program on the mock runtime, like the language host.

``python -m residency.engine.program_host <request.json> <result.json>``: changes to the program's working
directory, puts it first on ``sys.path``, sets the stack config, runs the entry with ``runpy`` as
``__main__`` in preview mode and writes every registration (or the program's exception, with the frame in
the user's code that raised it) to the result file. Exit 0 on success, 2 when the program failed.
"""

from __future__ import annotations

import dataclasses
import json
import os
import runpy
import sys
import traceback
from pathlib import Path
from typing import Any


def _user_frames(tb: traceback.StackSummary, root: Path) -> list[traceback.FrameSummary]:
    prefixes = {os.path.realpath(p) for p in (sys.prefix, sys.base_prefix, sys.exec_prefix)}
    kit = os.path.realpath(Path(__file__).parent.parent) + os.sep
    frames = []
    for frame in tb:
        if frame.filename.startswith("<"):
            continue
        path = os.path.realpath(frame.filename)
        if path.startswith(kit):
            continue
        if not path.startswith(str(root) + os.sep):
            continue
        if "site-packages" in path or any(path.startswith(p + os.sep) for p in prefixes):
            continue
        frames.append(frame)
    return frames


def _describe_failure(err: BaseException, root: Path) -> dict[str, Any]:
    tb = traceback.extract_tb(err.__traceback__)
    frames = _user_frames(tb, root)
    where = frames[-1] if frames else None
    # Show the traceback from the user's first frame on: the runner's own frames are noise to them.
    start = next((i for i, f in enumerate(tb) if frames and f is frames[0]), 0)
    shown = "Traceback (most recent call last):\n" + "".join(traceback.format_list(list(tb)[start:]))
    shown += "".join(traceback.format_exception_only(type(err), err))
    return {
        "type": type(err).__name__,
        "message": str(err),
        "file": where.filename if where else "",
        "line": where.lineno if where else 0,
        "function": where.name if where else "",
        "code": (where.line or "") if where else "",
        "traceback": shown,
    }


def main(argv: list[str]) -> int:
    request_path, result_path = argv[1], argv[2]
    request = json.loads(Path(request_path).read_text())
    root = Path(request["root"])
    pwd = request["pwd"]
    entry = request["entry"]
    config: dict[str, str] = request["config"]
    secret_keys: list[str] = request["secret_keys"]

    os.chdir(pwd)
    sys.path.insert(0, pwd)
    # Programs (and libraries) that read the environment see what the language host would set.
    os.environ["PULUMI_CONFIG"] = json.dumps(config)
    os.environ["PULUMI_CONFIG_SECRET_KEYS"] = json.dumps(secret_keys)
    os.environ["PULUMI_PROJECT"] = request["project"]
    os.environ["PULUMI_STACK"] = request["stack"]
    os.environ["PULUMI_DRY_RUN"] = "true"
    os.environ["PULUMI_ORGANIZATION"] = "organization"

    from residency.engine.capture import capture
    from residency.engine.preview_mocks import PreviewMocks

    mocks = PreviewMocks(config)
    result: dict[str, Any] = {"registrations": [], "unanswered_invokes": [], "error": None}
    code = 0
    try:
        monitor = capture(
            lambda: runpy.run_path(entry, run_name="__main__"),
            project=request["project"],
            stack=request["stack"],
            preview=True,
            config=config,
            mocks=mocks,
            secret_keys=secret_keys,
        )
        result["registrations"] = [dataclasses.asdict(r) for r in monitor.registrations]
    except SystemExit as err:
        if err.code not in (0, None):
            result["error"] = _describe_failure(err, root)
            result["error"]["message"] = f"the program called sys.exit({err.code!r})"
            code = 2
    except BaseException as err:  # noqa: BLE001 - every program failure is reported, not raised
        result["error"] = _describe_failure(err, root)
        code = 2
    result["unanswered_invokes"] = list(mocks.unanswered_invokes)
    Path(result_path).write_text(json.dumps(result))
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv))
