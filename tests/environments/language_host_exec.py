"""Run a Pulumi Python program the way ``pulumi-language-python-exec`` does, on the SDK's mock runtime.

``python language_host_exec.py <pwd> <entry> <project> <stack>`` with the stack config in ``PULUMI_CONFIG``
(JSON, ``"ns:key"`` -> string), as the language host passes it. Like the real shim (pulumi/pulumi
``sdk/python/cmd/pulumi-language-python-exec``) this file lives outside the program: ``sys.path[0]`` is this
file's directory, the process changes to ``pwd`` and calls ``runpy.run_path(entry)``, which for a file entry
puts nothing on ``sys.path``. So the program's own packages import only if its virtualenv has them.

Prints one JSON line: ``{"ok": true, "types": [...], "sys_path": [...], "modules": {...}}`` with every
registered resource type and where ``residency_kit`` and ``residency_policies`` were imported from, or
``{"ok": false, "error": "<Type>: <message>"}``. Invokes get the kit's plausible answers when the kit is
importable (a stand-in for the provider plugins), else an empty result.
"""

import json
import os
import runpy
import sys

import pulumi
from pulumi.runtime import mocks as pulumi_mocks


class Mocks(pulumi_mocks.Mocks):
    def __init__(self):
        self.types = []
        self._engine = None

    def new_resource(self, args):
        self.types.append(args.typ)
        return "", dict(args.inputs)

    def call(self, args):
        # Invokes: the offline engine's answers (a stand-in for the provider plugins), imported only when the
        # program calls one, i.e. after its own imports worked.
        if self._engine is None:
            try:
                from residency_kit.engine.preview_mocks import PreviewMocks
            except ImportError:
                return {}
            self._engine = PreviewMocks(json.loads(os.environ.get("PULUMI_CONFIG") or "{}"))
        return self._engine.call(args)


def main() -> int:
    pwd, entry, project, stack = sys.argv[1:5]
    mocks = Mocks()
    pulumi.runtime.set_mocks(mocks, project=project, stack=stack, preview=True)
    pulumi.runtime.set_all_config(pulumi.runtime.get_config_env(), pulumi.runtime.get_config_secret_keys_env())
    os.chdir(pwd)
    try:
        # pulumi.runtime.test runs the program and waits for every registration, as the language host's
        # run_in_stack does, and raises the program's error.
        pulumi.runtime.test(lambda: runpy.run_path(entry, run_name="__main__"))()
    except BaseException as err:  # noqa: BLE001 - the report is the point
        print(json.dumps({"ok": False, "error": f"{type(err).__name__}: {err}"}))
        return 1
    modules = {name: getattr(sys.modules.get(name), "__file__", None) for name in ("residency_kit", "residency_policies")}
    print(json.dumps({"ok": True, "types": mocks.types, "sys_path": sys.path, "modules": modules}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
