"""``python -m residency_kit.pulumi_cli.language_host [--exec-shim PATH] [engine flags] <engine address>``.

The engine starts a language plugin with its own flags (``--logtostderr``, ``-v=N``, ``--logflow``,
``--tracing X``) before the engine's address, which comes last. The host serves on a free local port, writes it
as the first line of stdout, and serves until the engine stops it: SIGINT to the host's process group (which
the programs and packs it started share), then SIGKILL after a few seconds. On SIGINT or SIGTERM it stops its
children and exits at once.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
from concurrent import futures
from pathlib import Path

import grpc
from pulumi.runtime.proto import language_pb2_grpc

from residency_kit.pulumi_cli.language_host.policy_proxy import UNLIMITED_MESSAGES
from residency_kit.pulumi_cli.language_host.service import LanguageHost


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="pulumi-language-python", description=__doc__.splitlines()[0])
    parser.add_argument("--exec-shim", type=Path, help="the SDK's pulumi-language-python-exec (default: on PATH)")
    parser.add_argument("--tracing", help="passed on to programs")
    # Accepted because the engine may pass them; the host logs nothing of its own.
    parser.add_argument("--logtostderr", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--logflow", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("-v", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("engine_address", nargs="?", default="", help="the engine's gRPC address")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    host = LanguageHost(args.engine_address, args.exec_shim, args.tracing)
    # A RunPlugin stream holds a worker for as long as its pack runs; a preview uses a handful at most.
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=32, thread_name_prefix="language-host"),
                         options=UNLIMITED_MESSAGES)
    language_pb2_grpc.add_LanguageRuntimeServicer_to_server(host, server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()

    stopping = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stopping.set())
    print(port, flush=True)
    while not stopping.wait(1.0):
        pass
    host.children.stop_all()
    server.stop(None)
    sys.stdout.flush()
    sys.stderr.flush()
    # gRPC's worker threads may still be unwinding streams; nothing is left to wait for.
    os._exit(0)


if __name__ == "__main__":
    main()
