"""The oracle's Python language host: the ``LanguageRuntime`` gRPC service, written here from the protocol.

The Pulumi CLI that ``make oracle`` builds needs a ``pulumi-language-python`` plugin, and the Go module proxy
refuses Pulumi's own. ``make oracle`` puts a launcher of this package next to the CLI
(``oracle/pulumi-language-python``); the engine finds it there (or on PATH), starts it with its own address as the
last argument, reads the port from the first line of its stdout and calls it over gRPC (the stubs the Pulumi
Python SDK ships, ``pulumi.runtime.proto.language_pb2_grpc``). What it serves:

- ``Run`` (``program_run``): the program, through the SDK's ``pulumi-language-python-exec`` shim (``make oracle``
  copies it beside the launcher), on the interpreter ``runtime.options`` choose, with the stack's config in
  ``PULUMI_CONFIG`` / ``PULUMI_CONFIG_SECRET_KEYS``;
- ``RunPlugin`` for policy packs (``policy_proxy``): a proxy whose port is the plugin's first stdout line, which
  starts the pack (``python -u -m pulumi.policy <args> <pack dir>``) once the engine has said which stack it
  analyzes, with ``PULUMI_ORGANIZATION``/``PROJECT``/``STACK``/``DRY_RUN``/``CONFIG`` set from that;
- ``GetRequiredPackages`` (``required_packages``): the resource plugins the interpreter's installed SDKs name in
  their ``pulumi-plugin.json``, so that the engine loads the stand-in providers at the versions the SDKs request;
- ``GetPluginInfo``, ``Handshake`` and ``Cancel``.

The interpreter comes from ``residency_kit.engine.pack_interpreter`` (the same rules the embedded engine uses):
``toolchain`` pip, uv or poetry (unset: auto by the nearest lock file), ``virtualenv``. Nothing is installed:
a missing virtualenv fails with the command that creates it. Everything else (dependency installation, code
generation, packing, linking, ``About``, type checkers, debuggers, Python resource plugins) answers
UNIMPLEMENTED with a message saying so.
"""
