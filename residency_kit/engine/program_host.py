"""Child-process entry point that runs a user's Pulumi program on the mock runtime, as the language host does.

``python -P -m residency_kit.engine.program_host <request.json> <events fd or file>`` (``-P``: nothing is put on
``sys.path`` for the host itself, as for ``pulumi-language-python-exec``, whose own directory holds no
program code). Like the exec shim it:

- sets the stack config from ``PULUMI_CONFIG`` / ``PULUMI_CONFIG_SECRET_KEYS`` (the only variables the
  language host adds to the environment for a program);
- changes to the program's working directory, sets ``sys.argv = [entry]`` and calls
  ``runpy.run_path(entry, run_name="__main__")``: a directory (``main`` unset or a directory) is put on
  ``sys.path`` by ``runpy``, a file puts nothing there (sibling modules import only if they are installed).
  The entry is passed as an absolute path (the shim passes it relative to the working directory), so that
  code objects carry absolute file names and the SDK can send source positions for the entry file;
- reports a ``pulumi.RunError`` (``ConfigMissingError``, a program's own configuration errors) by its
  message alone, and any other exception with the traceback from the program's own first frame.

It writes one JSON object per line to the events file descriptor as things happen: each registration
(``{"registration": ...}``, so the parent can analyze while the program runs), read (``{"read": ...}``),
component or stack outputs (``{"outputs": {"urn", "outputs"}}``) and default provider an invoke needs
(``{"default-provider": ...}``), then ``{"done": {"error": ..., "invokes": [...]}}``. Exit 0 on success, 2
when the program failed.
"""

from __future__ import annotations

import dataclasses
import json
import os
import runpy
import sys
import threading
import traceback
from pathlib import Path
from typing import Any


def _user_frames(tb: traceback.StackSummary, root: Path) -> list[traceback.FrameSummary]:
    prefixes = {os.path.realpath(p) for p in (sys.prefix, sys.base_prefix, sys.exec_prefix)}
    kit = os.path.realpath(Path(__file__).parent) + os.sep
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


def describe_failure(err: BaseException, root: Path, entry: Path) -> dict[str, Any]:
    import pulumi

    if isinstance(err, pulumi.RunError):
        # The exec shim logs a RunError's message only: it is an error already explained to the user.
        return {"type": type(err).__name__, "message": str(err), "file": "", "line": 0, "function": "",
                "code": "", "traceback": "", "run_error": True}
    tb = traceback.extract_tb(err.__traceback__)
    frames = _user_frames(tb, root)
    where = frames[-1] if frames else None
    # Like the exec shim: the traceback from the program's own entry file on.
    entry_real = os.path.realpath(entry)
    start = next((i for i, f in enumerate(tb) if os.path.realpath(f.filename) == entry_real), None)
    if start is None:
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
        "run_error": False,
        "module": (err.name or "") if isinstance(err, ImportError) else "",
    }


class EventWriter:
    """JSON lines to a file descriptor (the preview's pipe) or, given a path, to a file (benchmarks)."""

    def __init__(self, target: str):
        self._out = os.fdopen(int(target), "w", buffering=1 << 16) if target.isdigit() else open(target, "w")
        self._lock = threading.Lock()

    def write(self, event: dict[str, Any]) -> None:
        line = json.dumps(event, separators=(",", ":")) + "\n"
        with self._lock:
            self._out.write(line)

    def close(self) -> None:
        with self._lock:
            self._out.flush()
            self._out.close()


def main(argv: list[str]) -> int:
    request = json.loads(Path(argv[1]).read_text())
    events = EventWriter(argv[2])
    root = Path(request["root"])
    pwd = request["pwd"]
    entry = request["entry"]
    config: dict[str, str] = json.loads(os.environ.get("PULUMI_CONFIG") or "{}")
    secret_keys: list[str] = json.loads(os.environ.get("PULUMI_CONFIG_SECRET_KEYS") or "[]")

    import pulumi

    from residency_kit.engine.capture import install_mocks, with_stack_outputs
    from residency_kit.engine.invokes.pinned import PinnedAnswers, load_pinned_answers
    from residency_kit.engine.preview_mocks import PreviewMocks

    pinned = load_pinned_answers(root) if request.get("pinned_answers", True) else PinnedAnswers()
    mocks = PreviewMocks(config, pinned=pinned)

    def on_registration(reg: Any) -> None:
        events.write({"registration": dataclasses.asdict(reg)})

    def on_event(kind: str, value: Any) -> None:
        if kind == "outputs":
            urn, outputs = value
            events.write({"outputs": {"urn": urn, "outputs": outputs}})
        else:
            events.write({kind: dataclasses.asdict(value)})

    os.chdir(pwd)
    sys.argv = [entry]
    # The exec shim passes ``entry`` relative to the working directory; passing it absolute changes nothing
    # runpy puts on sys.path (the directory itself, or nothing for a file) but gives code objects absolute
    # file names, without which the SDK sends no source position for resources declared in the entry file.
    target = os.path.abspath(entry)
    error: dict[str, Any] | None = None
    code = 0
    monitor = install_mocks(
        mocks, project=request["project"], stack=request["stack"], preview=True, config=config,
        secret_keys=secret_keys, on_registration=on_registration, on_event=on_event,
    )
    mocks.attach(monitor)
    try:
        pulumi.runtime.test(with_stack_outputs(lambda: runpy.run_path(target, run_name="__main__")))()
    except SystemExit as err:
        if err.code not in (0, None):
            error = describe_failure(err, root, Path(pwd) / entry)
            error["message"] = f"the program called sys.exit({err.code!r})"
            code = 2
    except BaseException as err:  # noqa: BLE001 - every program failure is reported, not raised
        error = describe_failure(err, root, Path(pwd) / entry)
        code = 2
    if error is not None:
        error["invokes"] = [r.call for r in mocks.ledger.explain(error["message"] + error["traceback"])]
    events.write({"done": {"error": error, "invokes": [r.as_json() for r in mocks.ledger.records]}})
    events.close()
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv))
