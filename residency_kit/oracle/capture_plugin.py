"""A pytest plugin that saves every program the test suite previews, so the oracle can run it again.

Loaded with ``-p residency_kit.oracle.capture_plugin`` and ``RESIDENCY_ORACLE_CAPTURE=<dir>``. It wraps
``residency_kit.engine.api.preview_function`` before the test modules import it, and saves each program with
its project, stack and config as ``<n>.pkl`` (cloudpickle: module-level functions by reference, closures
by value), together with the test that ran it. With the variable unset it does nothing.
"""

from __future__ import annotations

import importlib
import io
import itertools
import os
import types
from pathlib import Path

_DIR = os.environ.get("RESIDENCY_ORACLE_CAPTURE")


def dumps(program) -> bytes:
    """``cloudpickle.dumps``, with the provider SDKs' not-yet-loaded submodules saved by name.

    The SDKs load their submodules lazily (module objects of a ``ModuleType`` subclass until first use), which
    pickle refuses. cloudpickle saves, next to a closure, every loaded submodule of a module the closure uses
    whose name is made of names in the closure's code: ``pulumi_oci.oci`` for any closure that uses ``oci``
    (``import pulumi_oci as oci``). Saved by name, it is imported again when the program is loaded.
    """
    import cloudpickle

    class _Pickler(cloudpickle.Pickler):
        def reducer_override(self, obj):
            if isinstance(obj, types.ModuleType) and type(obj) is not types.ModuleType:
                return importlib.import_module, (obj.__name__,)
            return super().reducer_override(obj)

    out = io.BytesIO()
    _Pickler(out).dump(program)
    return out.getvalue()


if _DIR:
    import cloudpickle

    import residency_kit.engine.api as _api

    _original = _api.preview_function
    _counter = itertools.count(1)
    Path(_DIR).mkdir(parents=True, exist_ok=True)

    def _capturing_preview_function(program_fn, *, pack, project="test", stack="test", config=None, secret_keys=()):
        entry = {
            "test": os.environ.get("PYTEST_CURRENT_TEST", "").rsplit(" (", 1)[0],
            "project": project,
            "stack": stack,
            "config": dict(config or {}),
            "secret_keys": list(secret_keys),
        }
        # Pickle after the run: a closure that reaches a provider SDK's lazily imported submodule
        # (``aws.ebs.Volume``) pickles only once that submodule is imported.
        result = _original(program_fn, pack=pack, project=project, stack=stack, config=config, secret_keys=secret_keys)
        try:
            entry["program"] = dumps(program_fn)
        except Exception as err:  # noqa: BLE001 - a program that cannot be pickled is reported, not run by the oracle
            entry["program"] = None
            entry["unpicklable"] = f"{type(err).__name__}: {err}"
        with open(Path(_DIR) / f"{next(_counter):05d}.pkl", "wb") as out:
            cloudpickle.dump(entry, out)
        return result

    _api.preview_function = _capturing_preview_function
