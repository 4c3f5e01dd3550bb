"""``RunPlugin`` for a policy pack: a proxy in front of the pack, and the pack process behind it.

The engine reads a plugin's port from the first line of its stdout as soon as the plugin starts, and only then
says, with ``ConfigureStack``, which organization, project, stack and config it analyzes; a Python pack reads
those from its environment when it starts (``pulumi.policy``'s ``__main__``, and pulumi_policy on every call).
So the host answers with a proxy's port at once, and starts the pack when the first call other than
``Handshake`` arrives, with ``PULUMI_ORGANIZATION``, ``PULUMI_PROJECT``, ``PULUMI_STACK``, ``PULUMI_DRY_RUN`` and
``PULUMI_CONFIG`` (the decrypted config, a JSON object) set from ``ConfigureStack`` when that is the call, each
only when it has a value. From then on every call is passed to the pack as it is, its bytes untouched, and so is
the pack's answer or error. ``Handshake`` is answered by the proxy (the pack never sees it), and so is a
``Cancel`` that arrives before the pack runs.

The pack's own first stdout line (its port) is for the proxy; the rest of its stdout, its stderr and finally
its exit code go to the engine on the ``RunPlugin`` stream.
"""

from __future__ import annotations

import json
import queue
import subprocess
import threading
from collections.abc import Callable, Iterator, Mapping
from concurrent import futures
from pathlib import Path
from typing import Any

import grpc
from google.protobuf import empty_pb2
from pulumi.runtime.proto import analyzer_pb2, language_pb2

from residency_kit.engine.pack_interpreter import PackInterpreter, resolve_interpreter
from residency_kit.pulumi_cli.language_host.children import Children, abort, stop_processes
from residency_kit.pulumi_cli.language_host.program_run import Launch, runtime_options

ANALYZER = "/pulumirpc.Analyzer/"
# An AnalyzeStack over thousands of resources is larger than gRPC's 4 MiB default; the engine sets no limit either.
UNLIMITED_MESSAGES = [("grpc.max_receive_message_length", -1), ("grpc.max_send_message_length", -1)]
# More seconds than any real deadline: what gRPC reports as the time remaining of a call that has none.
_NO_DEADLINE = 365 * 24 * 3600.0
# The longest first line accepted as a port; anything longer is not one.
_PORT_LINE_LIMIT = 4096
# How long a stopping proxy lets the calls already in flight finish. A pack that exits before printing its port
# ends the RunPlugin stream while the call that started it is still sending the engine why; stopping without
# grace cancelled that call, and the engine saw "Cancelling all calls" instead of the reason.
_STOP_GRACE = 5.0


class PackStartError(RuntimeError):
    """The pack could not be started or did not say which port it serves on; the message says which."""


def environment_list(entries: tuple[str, ...]) -> dict[str, str]:
    """``KEY=value`` strings as the engine sends them; a later entry for a key wins, as in a process's environ."""
    env: dict[str, str] = {}
    for entry in entries:
        key, sep, value = entry.partition("=")
        if sep and key:
            env[key] = value
    return env


def pack_interpreter(request: language_pb2.RunPluginRequest, environ: Mapping[str, str]) -> PackInterpreter:
    pack_dir = Path(request.info.program_directory or request.pwd)
    return resolve_interpreter(pack_dir, runtime_options(request.info), environ, subject="pack",
                               project_file=pack_dir / "PulumiPolicy.yaml")


def pack_launch(request: language_pb2.RunPluginRequest, interpreter: PackInterpreter,
                environ: Mapping[str, str]) -> Launch:
    """``<python> -u -m pulumi.policy <the engine's args> <pack dir>`` in the pack directory (without the stack's
    values, which arrive later)."""
    pack_dir = Path(request.info.program_directory or request.pwd)
    if not (pack_dir / "__main__.py").is_file():
        raise PackStartError(f"{pack_dir} has no __main__.py: a Python policy pack runs as `python -m pulumi.policy "
                             f"{pack_dir}`, which runs that file")
    # -u: the port line must reach the proxy at once, not when a buffer fills.
    argv = (interpreter.python, "-u", "-m", "pulumi.policy", *request.args, str(pack_dir))
    return Launch(argv=argv, cwd=pack_dir, env=interpreter.environment(environ))


def stack_environment(request: analyzer_pb2.AnalyzerStackConfigureRequest) -> dict[str, str]:
    values = {
        "PULUMI_ORGANIZATION": request.organization,
        "PULUMI_PROJECT": request.project,
        "PULUMI_STACK": request.stack,
        "PULUMI_DRY_RUN": "true" if request.dry_run else "false",
        "PULUMI_CONFIG": json.dumps(dict(request.config), sort_keys=True) if request.config else "",
    }
    return {key: value for key, value in values.items() if value}


class PackProcess:
    """One pack process: started on demand, its port read, its output and exit code put on ``outputs``.

    ``outputs`` ends with a ``RunPluginResponse`` carrying the exit code, or with None when the pack is stopped.
    """

    def __init__(self, launch: Launch, children: Children) -> None:
        self.launch = launch
        self.outputs: queue.Queue[language_pb2.RunPluginResponse | None] = queue.Queue()
        self._children = children
        self._process: subprocess.Popen | None = None

    def start(self, stack_env: Mapping[str, str]) -> int:
        """Start the pack with ``stack_env`` added to its environment; the port it serves on."""
        try:
            process = subprocess.Popen(
                self.launch.argv, cwd=self.launch.cwd, env={**self.launch.env, **stack_env},
                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, bufsize=0)
        except OSError as err:
            raise PackStartError(f"could not start the policy pack ({' '.join(self.launch.argv)}): {err}") from err
        self._process = process
        self._children.add(process)
        stderr = self._pump(process.stderr, "stderr")
        first = _first_line(process.stdout)
        stdout = self._pump(process.stdout, "stdout")
        threading.Thread(target=self._wait, args=(process, stdout, stderr), daemon=True).start()
        if not first.endswith(b"\n"):
            raise PackStartError("the policy pack stopped writing to stdout before it printed the port it serves on "
                                 "(its stderr is shown above)")
        text = first.decode(errors="replace").strip()
        if not text.isdigit() or not 0 < int(text) < 65536:
            stop_processes([process])
            raise PackStartError(f"the policy pack's first line of output is {text[:200]!r}, not the port it serves on")
        return int(text)

    def stop(self) -> None:
        if self._process is not None:
            stop_processes([self._process])
            self._children.discard(self._process)
        self.outputs.put(None)

    def _pump(self, stream, kind: str) -> threading.Thread:
        def run() -> None:
            while chunk := stream.read(65536):
                self.outputs.put(language_pb2.RunPluginResponse(**{kind: chunk}))

        thread = threading.Thread(target=run, daemon=True)
        thread.start()
        return thread

    def _wait(self, process: subprocess.Popen, *pumps: threading.Thread) -> None:
        for pump in pumps:
            pump.join()
        code = process.wait()
        self._children.discard(process)
        # The exit code is the stream's last message: everything the pack wrote is on it by now.
        self.outputs.put(language_pb2.RunPluginResponse(exitcode=code))


def _first_line(stream) -> bytes:
    line = b""
    while len(line) < _PORT_LINE_LIMIT and not line.endswith(b"\n"):
        byte = stream.read(1)
        if not byte:
            break
        line += byte
    return line


class PolicyProxy:
    """The Analyzer endpoint the engine talks to; it starts the pack (``start_pack``) on the first real call."""

    def __init__(self, start_pack: Callable[[Mapping[str, str]], int]) -> None:
        self._start_pack = start_pack
        self._lock = threading.Lock()
        self._channel: grpc.Channel | None = None
        self._start_error = ""
        self._server = grpc.server(futures.ThreadPoolExecutor(max_workers=16, thread_name_prefix="policy-proxy"),
                                   handlers=[_Forward(self)], options=UNLIMITED_MESSAGES)

    def start(self) -> int:
        port = self._server.add_insecure_port("127.0.0.1:0")
        self._server.start()
        return port

    def stop(self) -> None:
        self._server.stop(_STOP_GRACE)
        with self._lock:
            if self._channel is not None:
                self._channel.close()

    def handle(self, method: str, request: bytes, context: grpc.ServicerContext) -> bytes:
        name = method.removeprefix(ANALYZER)
        if name == "Handshake":
            return analyzer_pb2.AnalyzerHandshakeResponse().SerializeToString()
        with self._lock:
            started = self._channel is not None
        if name == "Cancel" and not started:
            return empty_pb2.Empty().SerializeToString()
        stack_env = {}
        if name == "ConfigureStack":
            stack_env = stack_environment(analyzer_pb2.AnalyzerStackConfigureRequest.FromString(request))
        try:
            channel = self._pack_channel(stack_env)
        except PackStartError as err:
            abort(context, grpc.StatusCode.UNAVAILABLE, str(err))
        # A call without a deadline reports an effectively infinite time remaining, too large to pass on.
        remaining = context.time_remaining()
        timeout = remaining if remaining < _NO_DEADLINE else None
        try:
            return channel.unary_unary(method)(request, timeout=timeout, wait_for_ready=True)
        except grpc.RpcError as err:
            call: Any = err  # a failed call is also a grpc.Call, with its code and details
            abort(context, call.code(), call.details() or "")

    def _pack_channel(self, stack_env: Mapping[str, str]) -> grpc.Channel:
        with self._lock:
            if self._channel is None:
                if self._start_error:
                    raise PackStartError(self._start_error)
                try:
                    port = self._start_pack(stack_env)
                except PackStartError as err:
                    self._start_error = str(err)
                    raise
                self._channel = grpc.insecure_channel(f"127.0.0.1:{port}", options=UNLIMITED_MESSAGES)
            return self._channel


class _Forward(grpc.GenericRpcHandler):
    """Every Analyzer method, unary, with the request and the answer as raw bytes."""

    def __init__(self, proxy: PolicyProxy) -> None:
        self._proxy = proxy

    def service(self, handler_call_details):
        method = handler_call_details.method
        if not method.startswith(ANALYZER):
            return None
        return grpc.unary_unary_rpc_method_handler(
            lambda request, context: self._proxy.handle(method, request, context))


class PackSession:
    """A pack served to the engine: its proxy and its process, for the life of one ``RunPlugin`` stream."""

    def __init__(self, request: language_pb2.RunPluginRequest, children: Children) -> None:
        """Resolve the pack's interpreter and start the proxy (the pack itself starts on the first real call).
        Raises PackInterpreterError or PackStartError with a message for the engine."""
        environ = environment_list(tuple(request.env))
        self.pack = PackProcess(pack_launch(request, pack_interpreter(request, environ), environ), children)
        self.proxy = PolicyProxy(self.pack.start)
        self.port = self.proxy.start()

    def stop(self) -> None:
        self.pack.stop()
        self.proxy.stop()

    def stream(self, context: grpc.ServicerContext) -> Iterator[language_pb2.RunPluginResponse]:
        """The proxy's port, then the pack's output, then its exit code; nothing stays up once the stream ends
        (the engine closed the plugin, or the pack exited)."""
        # Not on gRPC's callback thread: stopping may wait for the pack to exit.
        context.add_callback(lambda: threading.Thread(target=self.stop, daemon=True).start())
        return self._messages()

    def _messages(self) -> Iterator[language_pb2.RunPluginResponse]:
        yield language_pb2.RunPluginResponse(stdout=f"{self.port}\n".encode())
        while (message := self.pack.outputs.get()) is not None:
            yield message
            if message.WhichOneof("output") == "exitcode":
                return
