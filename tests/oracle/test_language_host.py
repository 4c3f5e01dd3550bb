"""The oracle's Python language host (residency_kit/pulumi_cli/language_host), driven over its gRPC protocol.

The host runs as the engine runs it (its own process, port on the first stdout line) and is called with the
``LanguageRuntime`` stubs the SDK ships. Policy packs and ``GetRequiredPackages`` need only the kit's
environment; ``Run`` needs the SDK's exec shim that ``make oracle`` copies next to the CLI (marker ``oracle``).
Under the real CLI the host is checked by the oracle itself (``test_oracle.py``, ``make oracle-test``).
"""

from __future__ import annotations

import contextlib
import importlib.metadata
import json
import os
import signal
import subprocess
import sys
import time
from concurrent import futures
from pathlib import Path

import grpc
import pytest
from google.protobuf import empty_pb2, struct_pb2
from pulumi.runtime.proto import (
    analyzer_pb2, analyzer_pb2_grpc, engine_pb2_grpc, language_pb2, language_pb2_grpc, resource_pb2, resource_pb2_grpc,
)

from process_watch import process_alive
from residency_kit.engine.pack_interpreter import PackInterpreter
from residency_kit.pulumi_cli.language_host.policy_proxy import (
    PackStartError, environment_list, pack_launch, stack_environment,
)
from residency_kit.pulumi_cli.language_host.program_run import program_launch, run_response
from residency_kit.pulumi_cli.language_host.required_packages import (
    RequiredPackagesError, package_dependency, plugin_files, required_packages,
)

REPO = Path(__file__).resolve().parents[2]
EXEC_SHIM = REPO / ".oracle" / "bin" / "pulumi-language-python-exec"

# A pack on the raw analyzer protocol that writes down the PULUMI_* variables it started with and every call it
# receives, and writes one line to stderr; launched as the engine launches any Python pack.
PACK = '''
import json, os, sys, time
from concurrent import futures
import grpc
from pulumi.runtime.proto import analyzer_pb2, analyzer_pb2_grpc, plugin_pb2

OUT = os.environ["HOST_TEST_OUT"]
with open(os.path.join(OUT, "env.json"), "w") as f:
    json.dump({k: v for k, v in os.environ.items() if k.startswith("PULUMI_") and k != "PULUMI_PYTHON_CMD"}, f)
with open(os.path.join(OUT, "pid"), "w") as f:
    f.write(str(os.getpid()))

def note(method):
    with open(os.path.join(OUT, "calls"), "a") as f:
        f.write(method + "\\n")

class Pack(analyzer_pb2_grpc.AnalyzerServicer):
    def Handshake(self, request, context):
        note("Handshake")
        return analyzer_pb2.AnalyzerHandshakeResponse()
    def ConfigureStack(self, request, context):
        note("ConfigureStack")
        return analyzer_pb2.AnalyzerStackConfigureResponse()
    def GetPluginInfo(self, request, context):
        note("GetPluginInfo")
        return plugin_pb2.PluginInfo(version="9.8.7")

server = grpc.server(futures.ThreadPoolExecutor(2))
analyzer_pb2_grpc.add_AnalyzerServicer_to_server(Pack(), server)
port = server.add_insecure_port("127.0.0.1:0")
server.start()
print(port, flush=True)
print("pack says hello", file=sys.stderr, flush=True)
while True:
    time.sleep(60)
'''


@contextlib.contextmanager
def running_host(engine_address: str = "127.0.0.1:9"):
    """The host process, as the engine starts it (flags, then the engine's address), and a stub to call it.
    Nothing listens at the default address: only Run talks to the engine (the `engine` fixture)."""
    args = [sys.executable, "-m", "residency_kit.pulumi_cli.language_host", "--logtostderr", "-v=3"]
    if EXEC_SHIM.is_file():
        args += ["--exec-shim", str(EXEC_SHIM)]
    # The programs it runs and the packages it lists are the test's interpreter's (no virtualenv: PULUMI_PYTHON_CMD).
    env = {**os.environ, "PULUMI_PYTHON_CMD": sys.executable}
    process = subprocess.Popen([*args, engine_address], stdout=subprocess.PIPE, cwd=REPO, env=env,
                               start_new_session=True)
    try:
        port = int(process.stdout.readline())
        channel = grpc.insecure_channel(f"127.0.0.1:{port}")
        yield language_pb2_grpc.LanguageRuntimeStub(channel), process
        channel.close()
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            process.wait(30)


@pytest.fixture
def host():
    with running_host() as started:
        yield started


def _info(directory: Path, entry: str = ".", **options) -> language_pb2.ProgramInfo:
    struct = struct_pb2.Struct()
    struct.update(options)
    return language_pb2.ProgramInfo(root_directory=str(directory), program_directory=str(directory),
                                    entry_point=entry, options=struct)


def _environ(**extra: str) -> list[str]:
    env = {**os.environ, "PULUMI_PYTHON_CMD": sys.executable, **extra}
    return [f"{k}={v}" for k, v in env.items()]


def _wait_for(predicate, what: str, seconds: float = 30):
    deadline = time.monotonic() + seconds
    while not predicate():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


# --- the pieces, as functions ---------------------------------------------------------------------------------

def test_program_command_line_and_environment(tmp_path):
    python = PackInterpreter(python="/venv/bin/python", origin="test", venv=Path("/venv"))
    request = language_pb2.RunRequest(
        project="proj", stack="dev", pwd=str(tmp_path / "app"), args=["--flag", "x"],
        config={"proj:a": "1", "b:c": "2"},
        configSecretKeys=["proj:a"], dryRun=True, parallel=8, monitor_address="127.0.0.1:5", organization="org",
        info=_info(tmp_path, "program.py"))
    launch = program_launch(request, python, engine_address="127.0.0.1:6", exec_shim=Path("/bin/shim"), tracing=None,
                            environ={"PATH": "/usr/bin", "PULUMI_CONFIG": '{"leaked": "1"}'})
    assert launch.argv[:2] == ("/venv/bin/python", "/bin/shim")
    assert set(launch.argv[2:-4]) == {
        "--project=proj", "--stack=dev", "--monitor=127.0.0.1:5", "--engine=127.0.0.1:6", f"--pwd={tmp_path / 'app'}",
        "--dry_run=true", "--parallel=8", "--organization=org", f"--root_directory={tmp_path}"}
    # The entry point and the program's own arguments after "--", as given (an argument may start with a dash).
    assert launch.argv[-4:] == ("--", "program.py", "--flag", "x")
    assert launch.cwd == tmp_path / "app"
    assert json.loads(launch.env["PULUMI_CONFIG"]) == {"proj:a": "1", "b:c": "2"}  # the engine's, not the ambient one
    assert json.loads(launch.env["PULUMI_CONFIG_SECRET_KEYS"]) == ["proj:a"]
    assert launch.env["VIRTUAL_ENV"] == "/venv" and launch.env["PATH"] == f"/venv/bin{os.pathsep}/usr/bin"

    bare = program_launch(language_pb2.RunRequest(pwd="/p", info=language_pb2.ProgramInfo(program_directory="/p")),
                          python, engine_address="e", exec_shim=Path("/bin/shim"), tracing="http://t", environ={})
    assert "--dry_run=false" in bare.argv and "--parallel=0" in bare.argv and "--tracing=http://t" in bare.argv
    assert not any(a.startswith(("--organization", "--root_directory")) for a in bare.argv)
    assert bare.argv[-2:] == ("--", ".")
    assert (bare.env["PULUMI_CONFIG"], bare.env["PULUMI_CONFIG_SECRET_KEYS"]) == ("{}", "[]")


@pytest.mark.parametrize(("code", "error", "bail"), [
    (0, "", False),
    (32, "", True),  # the shim has shown the error itself
    (1, "the Python program exited with code 1", False),
    (-9, "the Python program was stopped by signal SIGKILL", False),
])
def test_exit_codes_become_run_responses(code, error, bail):
    response = run_response(code)
    assert (response.error, response.bail) == (error, bail)


def test_stack_values_become_the_packs_environment_only_when_set():
    full = analyzer_pb2.AnalyzerStackConfigureRequest(
        organization="organization", project="p", stack="dev", dry_run=True,
        config={"p:x": "1", "aws:region": "us-east-2"},
        config_secret_keys=["p:x"], tags={"t": "v"})
    assert stack_environment(full) == {
        "PULUMI_ORGANIZATION": "organization", "PULUMI_PROJECT": "p", "PULUMI_STACK": "dev", "PULUMI_DRY_RUN": "true",
        "PULUMI_CONFIG": json.dumps({"aws:region": "us-east-2", "p:x": "1"}, sort_keys=True)}
    assert stack_environment(analyzer_pb2.AnalyzerStackConfigureRequest(stack="s")) == {
        "PULUMI_STACK": "s", "PULUMI_DRY_RUN": "false"}


def test_the_engines_environment_list_later_entries_win():
    assert environment_list(("A=1", "B=x=y", "A=2", "novalue", "=empty")) == {"A": "2", "B": "x=y"}


def test_a_pack_without_main_is_refused_with_how_it_would_run(tmp_path):
    python = PackInterpreter(python=sys.executable, origin="test")
    request = language_pb2.RunPluginRequest(kind="analyzer", info=_info(tmp_path), args=["127.0.0.1:1"])
    with pytest.raises(PackStartError) as err:
        pack_launch(request, python, {})
    assert str(err.value) == (f"{tmp_path} has no __main__.py: a Python policy pack runs as `python -m pulumi.policy "
                              f"{tmp_path}`, which runs that file")
    (tmp_path / "__main__.py").write_text("")
    launch = pack_launch(request, python, {"PATH": "/usr/bin"})
    assert launch.argv == (sys.executable, "-u", "-m", "pulumi.policy", "127.0.0.1:1", str(tmp_path))
    assert launch.cwd == tmp_path


def test_required_packages_are_the_installed_sdks_plugins():
    files = plugin_files(PackInterpreter(python=sys.executable, origin="test"), dict(os.environ), cwd=str(REPO))
    packages = {(p.name, p.kind, p.version) for p in required_packages(files)}
    assert packages == {("aws", "resource", "7.51.1"), ("oci", "resource", "5.5.0")}  # pulumi_policy is no plugin


def _found(plugin, version=None, package="pulumi_example", error=None):
    return {"package": package, "path": f"/site/{package}/pulumi-plugin.json", "plugin": plugin, "error": error,
            "distribution_version": version}


def test_a_plugin_file_without_name_or_version_takes_the_packages():
    dependency = package_dependency(_found({"resource": True}, version="2.3.4", package="pulumi_my_cloud"))
    assert (dependency.name, dependency.version, dependency.server) == ("my-cloud", "2.3.4", "")
    # A Python-only version the engine's semver parser refuses is left out (any installed version is used).
    assert package_dependency(_found({"resource": True, "name": "x"}, version="6.0.0a1")).version == ""
    assert package_dependency(_found({"resource": False})) is None
    served = package_dependency(_found({"resource": True, "name": "x", "version": "1.0.0", "server": "https://s",
                                        "parameterization": {"name": "y", "version": "0.1.0", "value": "aGk="}}))
    assert (served.server, served.parameterization.name, served.parameterization.value) == ("https://s", "y", b"hi")


def test_an_unreadable_plugin_file_is_an_error_naming_it():
    with pytest.raises(RequiredPackagesError, match=r"^/site/pulumi_example/pulumi-plugin.json: cannot be read: bad"):
        package_dependency(_found(None, error="bad"))
    with pytest.raises(RequiredPackagesError, match=r"pulumi-plugin.json: expected a JSON object, found \[1\]"):
        package_dependency(_found([1]))


# --- the host process, over gRPC ------------------------------------------------------------------------------

def test_a_policy_pack_starts_behind_the_proxy_with_the_stacks_values(host, tmp_path):
    stub, _ = host
    pack = tmp_path / "pack"
    pack.mkdir()
    (pack / "PulumiPolicy.yaml").write_text("runtime: python\n")
    (pack / "__main__.py").write_text(PACK)
    out = tmp_path / "out"
    out.mkdir()
    stream = stub.RunPlugin(language_pb2.RunPluginRequest(
        pwd=str(tmp_path), args=["127.0.0.1:9"], env=_environ(HOST_TEST_OUT=str(out)), info=_info(pack),
        kind="analyzer"))
    first = next(stream)
    port = int(first.stdout.decode())
    assert first.stdout.endswith(b"\n")
    analyzer = analyzer_pb2_grpc.AnalyzerStub(grpc.insecure_channel(f"127.0.0.1:{port}"))

    # The proxy answers the handshake itself; the pack starts on ConfigureStack, with its values.
    analyzer.Handshake(analyzer_pb2.AnalyzerHandshakeRequest(engine_address="127.0.0.1:9"), timeout=30)
    assert not (out / "pid").exists()
    analyzer.ConfigureStack(analyzer_pb2.AnalyzerStackConfigureRequest(
        organization="organization", project="proj", stack="dev", dry_run=True, config={"proj:k": "v"}), timeout=60)
    assert json.loads((out / "env.json").read_text()) == {
        "PULUMI_ORGANIZATION": "organization", "PULUMI_PROJECT": "proj", "PULUMI_STACK": "dev",
        "PULUMI_DRY_RUN": "true", "PULUMI_CONFIG": '{"proj:k": "v"}'}
    assert analyzer.GetPluginInfo(empty_pb2.Empty(), timeout=30).version == "9.8.7"
    assert (out / "calls").read_text().split() == ["ConfigureStack", "GetPluginInfo"]
    # A method the pack does not serve: its error comes back as the pack gave it.
    with pytest.raises(grpc.RpcError) as err:
        analyzer.GetAnalyzerInfo(empty_pb2.Empty(), timeout=30)
    assert err.value.code() == grpc.StatusCode.UNIMPLEMENTED

    # The pack's stderr travels on the stream; closing the stream (as the engine does) stops the pack.
    assert b"pack says hello" in next(stream).stderr
    pid = int((out / "pid").read_text())
    stream.cancel()
    _wait_for(lambda: not process_alive(pid), "the pack to stop")


def test_a_pack_that_exits_reports_its_output_and_exit_code(host, tmp_path):
    stub, _ = host
    pack = tmp_path / "pack"
    pack.mkdir()
    (pack / "__main__.py").write_text("import sys\nprint('cannot start', file=sys.stderr)\nsys.exit(3)\n")
    stream = stub.RunPlugin(language_pb2.RunPluginRequest(args=["127.0.0.1:9"], env=_environ(), info=_info(pack),
                                                          kind="analyzer"))
    port = int(next(stream).stdout.decode())
    analyzer = analyzer_pb2_grpc.AnalyzerStub(grpc.insecure_channel(f"127.0.0.1:{port}"))
    with pytest.raises(grpc.RpcError) as err:
        analyzer.ConfigureStack(analyzer_pb2.AnalyzerStackConfigureRequest(stack="dev"), timeout=60)
    assert err.value.code() == grpc.StatusCode.UNAVAILABLE
    assert "the policy pack stopped writing to stdout before it printed the port it serves on" in err.value.details()
    rest = list(stream)
    assert b"cannot start" in b"".join(m.stderr for m in rest)
    assert rest[-1].WhichOneof("output") == "exitcode" and rest[-1].exitcode == 3


def test_runplugin_refusals_name_what_is_wrong(host, tmp_path):
    stub, _ = host
    with pytest.raises(grpc.RpcError) as err:
        list(stub.RunPlugin(language_pb2.RunPluginRequest(kind="resource", info=_info(tmp_path))))
    assert err.value.code() == grpc.StatusCode.UNIMPLEMENTED
    assert "runs policy packs (kind 'analyzer') only, not a 'resource' plugin" in err.value.details()
    with pytest.raises(grpc.RpcError) as err:
        list(stub.RunPlugin(language_pb2.RunPluginRequest(kind="analyzer", env=_environ(),
                                                          info=_info(tmp_path, toolchain="pip", virtualenv="venv"))))
    assert err.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert f"{tmp_path / 'venv'} is not a virtualenv (no bin/python); run `pulumi install`" in err.value.details()


def test_required_packages_and_plugin_info_over_grpc(host, tmp_path):
    stub, _ = host
    (tmp_path / "Pulumi.yaml").write_text("name: p\nruntime: python\n")
    response = stub.GetRequiredPackages(language_pb2.GetRequiredPackagesRequest(info=_info(tmp_path)))
    installed = {(name, importlib.metadata.version(f"pulumi-{name}")) for name in ("aws", "oci")}
    assert {(p.name, p.version) for p in response.packages} == installed
    assert stub.GetPluginInfo(empty_pb2.Empty()).version == importlib.metadata.version("residency-kit")
    with pytest.raises(grpc.RpcError) as err:
        stub.GetRequiredPackages(language_pb2.GetRequiredPackagesRequest(info=_info(tmp_path, toolchain="conda")))
    assert err.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert "runtime.options.toolchain 'conda' is not supported; allowed: pip, uv, poetry" in err.value.details()


def test_what_the_host_does_not_do_is_unimplemented_with_a_reason(host):
    stub, _ = host
    with pytest.raises(grpc.RpcError) as err:
        stub.GenerateProgram(language_pb2.GenerateProgramRequest())
    assert err.value.code() == grpc.StatusCode.UNIMPLEMENTED
    assert err.value.details() == ("GenerateProgram: the oracle's Python language host "
                                   "(residency_kit.pulumi_cli.language_host) does not generate code")
    with pytest.raises(grpc.RpcError) as err:
        list(stub.InstallDependencies(language_pb2.InstallDependenciesRequest()))
    assert err.value.code() == grpc.StatusCode.UNIMPLEMENTED and "installs nothing" in err.value.details()


def test_the_host_exits_at_once_on_sigint(host):
    _, process = host
    process.send_signal(signal.SIGINT)
    assert process.wait(10) == 0


# --- Run, through the SDK's exec shim (`make oracle` copies it next to the CLI) --------------------------------

# Writes what it sees to the file its first argument names, then exits with its second argument (before the
# SDK would talk to the monitor, which these tests do not run).
PROGRAM = """
import json, os, sys
import pulumi
with open(sys.argv[1], "w") as f:
    json.dump({"cwd": os.getcwd(), "argv": sys.argv[2:], "value": pulumi.Config("proj").get("k"),
               "secret_keys": json.loads(os.environ["PULUMI_CONFIG_SECRET_KEYS"]), "project": pulumi.get_project(),
               "stack": pulumi.get_stack(), "organization": pulumi.get_organization(),
               "dry_run": pulumi.runtime.is_dry_run()}, f)
os._exit(int(sys.argv[2]))
"""

needs_shim = pytest.mark.skipif(not EXEC_SHIM.is_file(), reason="no exec shim: run `make oracle`")


class FewestMonitor(resource_pb2_grpc.ResourceMonitorServicer):
    """Just enough of a resource monitor for the SDK to reach the program: no features (GetDeploymentInfo is
    unimplemented, so the SDK reads nothing from it), and the stack registered."""

    def SupportsFeature(self, request, context):
        return resource_pb2.SupportsFeatureResponse(hasSupport=False)

    def RegisterResource(self, request, context):
        return resource_pb2.RegisterResourceResponse(urn=f"urn:pulumi:dev::proj::{request.type}::{request.name}")


class LogOnlyEngine(engine_pb2_grpc.EngineServicer):
    """The engine's log, kept for the test to read."""

    def __init__(self):
        self.messages = []

    def Log(self, request, context):
        self.messages.append((request.severity, request.message))
        return empty_pb2.Empty()


@pytest.fixture
def engine():
    """A resource monitor and an engine log on one local port, and a host told it as the engine's address."""
    log = LogOnlyEngine()
    server = grpc.server(futures.ThreadPoolExecutor(4))
    resource_pb2_grpc.add_ResourceMonitorServicer_to_server(FewestMonitor(), server)
    engine_pb2_grpc.add_EngineServicer_to_server(log, server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    address = f"127.0.0.1:{port}"
    with running_host(address) as (stub, _):
        yield stub, address, log
    server.stop(None)


def _run_request(monitor: str, root: Path, program_dir: Path, entry: str, *args: str,
                 **options) -> language_pb2.RunRequest:
    return language_pb2.RunRequest(
        project="proj", stack="dev", pwd=str(program_dir), args=list(args), config={"proj:k": "v"},
        configSecretKeys=["proj:k"], dryRun=True, parallel=4, monitor_address=monitor,
        organization="organization", info=_info(root, entry, **options))


@pytest.mark.oracle
@needs_shim
@pytest.mark.parametrize("entry", ["program.py", "."])
def test_run_starts_the_program_through_the_shim(engine, tmp_path, entry):
    stub, monitor, log = engine
    app = tmp_path / "app"
    app.mkdir()
    (app / "program.py").write_text(PROGRAM)
    (app / "__main__.py").write_text(PROGRAM)
    out = tmp_path / "out.json"
    request = _run_request(monitor, tmp_path, app, entry, str(out), "0")
    request.info.program_directory = str(app)
    assert stub.Run(request, timeout=120) == language_pb2.RunResponse(), log.messages
    assert json.loads(out.read_text()) == {
        "cwd": str(app), "argv": ["0"], "value": "v", "secret_keys": ["proj:k"], "project": "proj", "stack": "dev",
        "organization": "organization", "dry_run": True}


@pytest.mark.oracle
@needs_shim
def test_run_reports_the_programs_exit_and_a_missing_virtualenv(engine, tmp_path):
    stub, monitor, _ = engine
    (tmp_path / "__main__.py").write_text(PROGRAM)
    response = stub.Run(_run_request(monitor, tmp_path, tmp_path, ".", str(tmp_path / "out.json"), "3"), timeout=120)
    assert (response.error, response.bail) == ("the Python program exited with code 3", False)
    response = stub.Run(_run_request(monitor, tmp_path, tmp_path, ".", "x", "0", virtualenv="venv"), timeout=120)
    assert response.error == (
        f"{tmp_path / 'Pulumi.yaml'}: the program runs in virtualenv 'venv' (toolchain pip), but {tmp_path / 'venv'} "
        f"is not a virtualenv (no bin/python); run `pulumi install` in {tmp_path} to create it and install "
        "requirements.txt")


@pytest.mark.oracle
@needs_shim
def test_a_run_the_engine_abandons_stops_the_program(engine, tmp_path):
    stub, monitor, _ = engine
    (tmp_path / "__main__.py").write_text(
        "import os, sys, time\nopen(sys.argv[1], 'w').write(str(os.getpid()))\ntime.sleep(600)\n")
    pid_file = tmp_path / "pid"
    call = stub.Run.future(_run_request(monitor, tmp_path, tmp_path, ".", str(pid_file)))
    _wait_for(lambda: pid_file.exists() and pid_file.read_text(), "the program to start", 120)
    pid = int(pid_file.read_text())
    call.cancel()
    _wait_for(lambda: not process_alive(pid), "the program to stop")
