"""The ``LanguageRuntime`` service: what the engine can ask the oracle's Python language host."""

from __future__ import annotations

import importlib.metadata
import os
import shutil
import subprocess
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn

import grpc
from google.protobuf import empty_pb2
from pulumi.runtime.proto import language_pb2, language_pb2_grpc, plugin_pb2

from residency_kit.engine.pack_interpreter import PackInterpreterError
from residency_kit.pulumi_cli.language_host.children import Children, abort, stop_processes
from residency_kit.pulumi_cli.language_host.policy_proxy import PackSession, PackStartError
from residency_kit.pulumi_cli.language_host.program_run import program_interpreter, program_launch, run_response
from residency_kit.pulumi_cli.language_host.required_packages import (
    RequiredPackagesError, plugin_files, required_packages,
)

EXEC_SHIM = "pulumi-language-python-exec"
HOST = "the oracle's Python language host (residency_kit.pulumi_cli.language_host)"


def _unimplemented(method: str, why: str) -> Callable[..., Any]:
    def refuse(self: LanguageHost, request: object, context: grpc.ServicerContext) -> NoReturn:
        abort(context, grpc.StatusCode.UNIMPLEMENTED, f"{method}: {HOST} {why}")

    refuse.__name__ = method
    return refuse


def _in_background(action: Callable[[], None]) -> Callable[[], None]:
    """``action`` on a thread of its own: gRPC's callbacks must not wait for a child to exit."""
    return lambda: threading.Thread(target=action, daemon=True).start()


class LanguageHost(language_pb2_grpc.LanguageRuntimeServicer):
    def __init__(self, engine_address: str, exec_shim: Path | None, tracing: str | None = None) -> None:
        self.engine_address = engine_address
        self.exec_shim = exec_shim
        self.tracing = tracing
        self.children = Children()

    def Handshake(self, request: language_pb2.LanguageHandshakeRequest,
                  context: grpc.ServicerContext) -> language_pb2.LanguageHandshakeResponse:
        if request.engine_address:
            self.engine_address = request.engine_address
        return language_pb2.LanguageHandshakeResponse()

    def GetPluginInfo(self, request: empty_pb2.Empty, context: grpc.ServicerContext) -> plugin_pb2.PluginInfo:
        # The host is part of the kit: its version is the kit's.
        try:
            version = importlib.metadata.version("residency-kit")
        except importlib.metadata.PackageNotFoundError:
            version = ""
        return plugin_pb2.PluginInfo(version=version)

    def GetRequiredPackages(self, request: language_pb2.GetRequiredPackagesRequest,
                            context: grpc.ServicerContext) -> language_pb2.GetRequiredPackagesResponse:
        info = request.info
        try:
            interpreter = program_interpreter(info, os.environ)
            files = plugin_files(interpreter, os.environ, cwd=info.program_directory or info.root_directory)
            return language_pb2.GetRequiredPackagesResponse(packages=required_packages(files))
        except (PackInterpreterError, RequiredPackagesError) as err:
            abort(context, grpc.StatusCode.FAILED_PRECONDITION, str(err))

    def Run(self, request: language_pb2.RunRequest, context: grpc.ServicerContext) -> language_pb2.RunResponse:
        shim = self.exec_shim or (Path(found) if (found := shutil.which(EXEC_SHIM)) else None)
        if shim is None or not shim.is_file():
            return language_pb2.RunResponse(
                error=f"{HOST} needs the SDK's {EXEC_SHIM} (given: {self.exec_shim or 'none'}, and none on PATH); "
                      "`make oracle` puts it next to the CLI")
        environ = dict(os.environ)
        try:
            interpreter = program_interpreter(request.info, environ)
        except PackInterpreterError as err:
            return language_pb2.RunResponse(error=str(err))
        launch = program_launch(request, interpreter, engine_address=self.engine_address, exec_shim=shim,
                                tracing=self.tracing, environ=environ)
        try:
            # The program writes to the host's stdout and stderr, which the engine shows as the program's output.
            process = subprocess.Popen(launch.argv, cwd=launch.cwd, env=dict(launch.env), stdin=subprocess.DEVNULL)
        except OSError as err:
            return language_pb2.RunResponse(error=f"could not start the Python program with {launch.argv[0]}: {err}")
        self.children.add(process)
        context.add_callback(_in_background(lambda: stop_processes([process])))  # the engine gave up on the run
        try:
            returncode = process.wait()
        finally:
            self.children.discard(process)
        return run_response(returncode)

    def RunPlugin(self, request: language_pb2.RunPluginRequest, context: grpc.ServicerContext):
        if request.kind != "analyzer":
            abort(context, grpc.StatusCode.UNIMPLEMENTED,
                          f"RunPlugin: {HOST} runs policy packs (kind 'analyzer') only, not a {request.kind!r} plugin "
                          f"({request.info.program_directory or request.pwd})")
        try:
            session = PackSession(request, self.children)
        except (PackInterpreterError, PackStartError) as err:
            abort(context, grpc.StatusCode.FAILED_PRECONDITION, str(err))
        return session.stream(context)

    def Cancel(self, request: empty_pb2.Empty, context: grpc.ServicerContext) -> empty_pb2.Empty:
        _in_background(self.children.stop_all)()
        return empty_pb2.Empty()

    GetRequiredPlugins = _unimplemented(
        "GetRequiredPlugins", "answers GetRequiredPackages, which replaces it")
    InstallDependencies = _unimplemented(
        "InstallDependencies", "installs nothing: create the environment yourself (`uv sync`, or a virtualenv "
        "with `pip install -r requirements.txt`)")
    RuntimeOptionsPrompts = _unimplemented("RuntimeOptionsPrompts", "does not create projects")
    Template = _unimplemented("Template", "does not create projects")
    About = _unimplemented("About", "does not describe itself beyond GetPluginInfo")
    GetProgramDependencies = _unimplemented("GetProgramDependencies", "does not list a program's dependencies")
    GenerateProgram = _unimplemented("GenerateProgram", "does not generate code")
    GenerateProject = _unimplemented("GenerateProject", "does not generate code")
    GeneratePackage = _unimplemented("GeneratePackage", "does not generate code")
    Pack = _unimplemented("Pack", "does not build packages")
    Link = _unimplemented("Link", "does not link packages into projects")
