"""Run a Python policy pack the way the Pulumi engine does and drive it over the analyzer gRPC protocol.

Launch (``pythonLanguageHost.RunPlugin`` + ``constructEnv`` in pulumi/pulumi): ``<python> -u -m pulumi.policy
<engineAddr> <packDir>`` with the pack directory as working directory and ``PULUMI_ORGANIZATION``,
``PULUMI_PROJECT``, ``PULUMI_STACK``, ``PULUMI_DRY_RUN`` and ``PULUMI_CONFIG`` (decrypted config as JSON)
added to the environment when non-empty. The first stdout line is the port.

Then, as ``loadPolicyPlugins`` does: ``ConfigureStack`` (UNIMPLEMENTED tolerated), ``GetPluginInfo``,
``GetAnalyzerInfo`` (the ``version`` in PulumiPolicy.yaml wins), the reconciled ``Configure``. Each
``analyze(stack)`` sends ``Remediate`` (only when a policy is at ``remediate``; pulumi_policy answers nothing
otherwise), ``Analyze`` for every resource, and one ``AnalyzeStack``.

The pack runs in its own process group; ``close()`` (and ``__exit__``, and every start-up failure) kills
the group so no process outlives the preview.
"""

from __future__ import annotations

import atexit
import dataclasses
import json
import os
import queue
import signal
import subprocess
import threading
import weakref
from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import grpc
import yaml
from google.protobuf import empty_pb2, json_format
from pulumi.runtime.proto import analyzer_pb2, analyzer_pb2_grpc

from residency_kit.engine.analyzer_requests import analyze_request, preview_outputs, stack_resource
from residency_kit.engine.pack_rules import RulesInForce, rules_in_force
from residency_kit.engine.pack_config import (
    PolicyConfig,
    PolicyConfigError,
    PolicySchema,
    parse_policy_pack_config,
    reconcile_policy_pack_config,
)
from residency_kit.engine.levels import EnforcementLevel, PolicyType, Severity
from residency_kit.engine.pack_interpreter import PackInterpreter, PackInterpreterError, resolve_pack_interpreter
from residency_kit.engine.results import Analysis, NotApplicable, PackInfo, PolicyInfo, Violation
from residency_kit.engine.stack import EngineResource, EngineStack
from residency_policies.urns import urn_name, urn_type

DEFAULT_START_TIMEOUT = float(os.environ.get("RESIDENCY_PACK_START_TIMEOUT", "60"))
# A pack that hangs inside a policy must not hang the preview: every analyzer call has this deadline.
DEFAULT_CALL_TIMEOUT = float(os.environ.get("RESIDENCY_PACK_CALL_TIMEOUT", "300"))
ENGINE_ADDRESS = "127.0.0.1:0"  # pulumi_policy ignores the engine address; there is no engine to call back.
_MAX_MESSAGE = 400 * 1024 * 1024
_GRPC_OPTIONS = [("grpc.max_receive_message_length", _MAX_MESSAGE), ("grpc.max_send_message_length", _MAX_MESSAGE)]
_IN_FLIGHT = 8

class PolicyPackError(RuntimeError):
    """The pack could not be started, configured or run; the message names the pack directory."""


class PolicyPackConfigError(PolicyPackError):
    """The reconciled policy config failed validation; ``errors`` holds the engine-format lines."""

    def __init__(self, message: str, errors: Sequence[str]):
        super().__init__(message)
        self.errors = list(errors)


def read_pack_project(pack_dir: Path) -> dict[str, Any]:
    project_file = pack_dir / "PulumiPolicy.yaml"
    if not project_file.is_file():
        raise PolicyPackError(f"{pack_dir}: not a policy pack (no PulumiPolicy.yaml)")
    try:
        project = yaml.safe_load(project_file.read_text()) or {}
    except yaml.YAMLError as err:
        raise PolicyPackError(f"{project_file}: invalid YAML: {err}") from err
    if not isinstance(project, dict):
        raise PolicyPackError(f"{project_file}: expected a mapping")
    runtime = project.get("runtime")
    runtime_name = runtime.get("name") if isinstance(runtime, dict) else runtime
    if runtime_name != "python":
        raise PolicyPackError(f"{project_file}: runtime is {runtime_name!r}; only 'python' packs are supported")
    return project


def pack_interpreter(pack_dir: Path, project: Mapping[str, Any]) -> PackInterpreter:
    try:
        return resolve_pack_interpreter(pack_dir, project)
    except PackInterpreterError as err:
        raise PolicyPackError(str(err)) from None


# Packs still running when this process exits are killed by their process group. (A preexec_fn that sets
# PR_SET_PDEATHSIG would also cover a hard kill of this process, but running Python code between fork
# and exec while gRPC threads are alive crashed the child now and then.)
_LIVE_PACKS: weakref.WeakSet[PolicyPackProcess] = weakref.WeakSet()


@atexit.register
def _close_live_packs() -> None:
    for pack in list(_LIVE_PACKS):
        pack.close()


class PolicyPackProcess:
    """One running policy pack; ``analyze`` may be called any number of times."""

    def __init__(
        self,
        pack_dir: str | os.PathLike[str],
        *,
        project: str,
        stack: str,
        config: Mapping[str, str],
        dry_run: bool = True,
        policy_config: Mapping[str, Any] | None = None,
        secret_keys: Iterable[str] = (),
        organization: str = "organization",
        tags: Mapping[str, str] | None = None,
        start_timeout: float | None = None,
        call_timeout: float | None = None,
        stack_files: Mapping[str, str] | None = None,
    ):
        self.pack_dir = Path(pack_dir).resolve()
        self.stack_files = dict(stack_files or {})
        """For the evidence: the file each ``residency:<key>`` of ``config`` came from, when the caller knows."""
        self.project = project
        self.stack = stack
        self.config = dict(config)
        self.dry_run = dry_run
        self.secret_keys = list(secret_keys)
        self.organization = organization
        self.tags = dict(tags or {})
        self.start_timeout = DEFAULT_START_TIMEOUT if start_timeout is None else start_timeout
        self.call_timeout = DEFAULT_CALL_TIMEOUT if call_timeout is None else call_timeout
        try:
            self._file_config = parse_policy_pack_config(policy_config)
        except PolicyConfigError as err:
            raise PolicyPackError(f"policy pack config for {self.pack_dir}: {err}") from err
        self._proc: subprocess.Popen[bytes] | None = None
        self._channel: grpc.Channel | None = None
        self._stub: analyzer_pb2_grpc.AnalyzerStub | None = None
        self._stderr: deque[str] = deque(maxlen=200)
        self._stderr_pump: threading.Thread | None = None
        self._info: PackInfo | None = None
        self._yaml_version = ""

    # --- lifecycle -------------------------------------------------------------------------------------

    def __enter__(self) -> PolicyPackProcess:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc else None

    def rules_in_force(self) -> RulesInForce | None:
        """The residency rules this pack enforces (``pack_rules``), or None for a pack that is not a residency pack."""
        info = self.info
        return rules_in_force(info.name, self.pack_dir, info.config, stack_config=self.config, stack=self.stack,
                              policy_names=[p.name for p in info.policies], stack_files=self.stack_files)

    @property
    def info(self) -> PackInfo:
        if self._info is None:
            raise PolicyPackError(f"{self.pack_dir}: policy pack not started")
        return self._info

    @property
    def stderr_tail(self) -> str:
        return "".join(self._stderr)

    def start(self) -> None:
        if self._info is not None:
            return
        try:
            self._launch()
            self._load()
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        if self._channel is not None:
            self._channel.close()
            self._channel = None
        proc, self._proc = self._proc, None
        if proc is None:
            return
        if proc.poll() is None:
            for sig, wait in ((signal.SIGTERM, 2.0), (signal.SIGKILL, 5.0)):
                try:
                    os.killpg(proc.pid, sig)
                except ProcessLookupError:
                    break
                try:
                    proc.wait(timeout=wait)
                    break
                except subprocess.TimeoutExpired:
                    continue
        else:
            try:  # children the pack may have started in its group
                os.killpg(proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        proc.wait()
        for stream in (proc.stdout, proc.stderr):
            if stream is not None:
                stream.close()

    def _env(self) -> dict[str, str]:
        env = dict(os.environ)
        values = {
            "PULUMI_CONFIG": json.dumps(self.config) if self.config else "",
            "PULUMI_ORGANIZATION": self.organization,
            "PULUMI_PROJECT": self.project,
            "PULUMI_STACK": self.stack,
            "PULUMI_DRY_RUN": "true" if self.dry_run else "false",
        }
        env.update({k: v for k, v in values.items() if v})
        return env

    def _launch(self) -> None:
        project = read_pack_project(self.pack_dir)
        version = project.get("version")
        self._yaml_version = str(version) if version is not None else ""
        interpreter = pack_interpreter(self.pack_dir, project)
        cmd = [interpreter.python, "-u", "-m", "pulumi.policy", ENGINE_ADDRESS, str(self.pack_dir)]
        self._proc = subprocess.Popen(
            cmd,
            cwd=self.pack_dir,
            env=interpreter.environment(self._env()),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
        _LIVE_PACKS.add(self)
        first_line: queue.Queue[bytes | None] = queue.Queue()
        threading.Thread(target=self._pump_stdout, args=(self._proc, first_line), daemon=True).start()
        self._stderr_pump = threading.Thread(target=self._pump_stderr, args=(self._proc,), daemon=True)
        self._stderr_pump.start()
        try:
            line = first_line.get(timeout=self.start_timeout)
        except queue.Empty:
            raise PolicyPackError(
                f"policy pack {self.pack_dir} did not report its port within {self.start_timeout:g}s"
                + self._stderr_hint()
            ) from None
        if line is None:
            code = self._proc.wait(timeout=5)
            raise PolicyPackError(
                f"policy pack {self.pack_dir} exited with code {code} before reporting its port"
                f" (its Python: {interpreter.origin})" + self._stderr_hint()
            )
        text = line.decode(errors="replace").strip()
        try:
            port = int(text)
        except ValueError:
            port = 0
        if not 1 <= port <= 65535:
            raise PolicyPackError(
                f"policy pack {self.pack_dir} printed {text[:200]!r} instead of its port" + self._stderr_hint()
            )
        self._channel = grpc.insecure_channel(f"127.0.0.1:{port}", options=_GRPC_OPTIONS)
        try:
            grpc.channel_ready_future(self._channel).result(timeout=self.start_timeout)
        except grpc.FutureTimeoutError:
            raise PolicyPackError(f"policy pack {self.pack_dir}: cannot connect to port {port}") from None
        self._stub = analyzer_pb2_grpc.AnalyzerStub(self._channel)

    @staticmethod
    def _pump_stdout(proc: subprocess.Popen[bytes], first: queue.Queue[bytes | None]) -> None:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        first.put(line if line else None)
        # Keep draining so a chatty pack never blocks on a full pipe.
        while proc.stdout.read(65536):
            pass

    def _pump_stderr(self, proc: subprocess.Popen[bytes]) -> None:
        assert proc.stderr is not None
        for raw in iter(proc.stderr.readline, b""):
            self._stderr.append(raw.decode(errors="replace"))

    def _stderr_hint(self) -> str:
        if self._proc is not None and self._proc.poll() is not None and self._stderr_pump is not None:
            self._stderr_pump.join(timeout=5)  # it ends at EOF: every last line of a dead pack is in
        tail = self.stderr_tail.strip()
        if not tail:
            return ""
        lines = tail.splitlines()[-15:]
        return "\n  pack stderr:\n    " + "\n    ".join(lines)

    def _rpc(self, what: str, call: Any, request: Any) -> Any:
        try:
            return call(request, timeout=self.call_timeout)
        except grpc.RpcError as err:
            raise PolicyPackError(self._rpc_message(what, err)) from None

    def _rpc_message(self, what: str, err: grpc.RpcError) -> str:
        details = err.details() if hasattr(err, "details") else str(err)
        exited = self._proc is not None and self._proc.poll() is not None
        hint = self._stderr_hint() if exited else ""
        return f"policy pack {self.pack_dir}: {what} failed: {details}{hint}"

    @property
    def stub(self) -> analyzer_pb2_grpc.AnalyzerStub:
        """The analyzer client, once the pack has started."""
        if self._stub is None:
            raise PolicyPackError(f"policy pack {self.pack_dir}: called before the pack started")
        return self._stub

    # --- load-time protocol ----------------------------------------------------------------------------

    def _load(self) -> None:
        stub = self._stub
        assert stub is not None
        try:
            stub.ConfigureStack(
                analyzer_pb2.AnalyzerStackConfigureRequest(
                    stack=self.stack,
                    project=self.project,
                    organization=self.organization,
                    dry_run=self.dry_run,
                    config=self.config,
                    config_secret_keys=self.secret_keys,
                    tags=self.tags,
                )
            )
        except grpc.RpcError as err:
            if err.code() != grpc.StatusCode.UNIMPLEMENTED:
                raise PolicyPackError(self._rpc_message("ConfigureStack", err)) from None
        plugin_info = self._rpc("GetPluginInfo", stub.GetPluginInfo, empty_pb2.Empty())
        raw = self._rpc("GetAnalyzerInfo", stub.GetAnalyzerInfo, empty_pb2.Empty())
        info = self._convert_info(raw, plugin_info.version)
        if raw.supportsConfig:
            schemas = {p.name: (p.enforcement_level, p.config_schema) for p in info.policies}
            config, errors = reconcile_policy_pack_config(schemas, info.initial_config, self._file_config)
            if errors:
                lines = [f"validating policy config: {info.name} {info.version}  {e}" for e in errors]
                raise PolicyPackConfigError("\n".join(lines), lines)
            info.config = config
            if config:
                self._configure(config, f"{info.name}@v{info.version}")
        self._info = info

    def _convert_info(self, raw: analyzer_pb2.AnalyzerInfo, plugin_version: str) -> PackInfo:
        policies = []
        for p in raw.policies:
            schema = PolicySchema(
                properties=json_format.MessageToDict(p.configSchema.properties) if p.HasField("configSchema") else {},
                required=list(p.configSchema.required),
            )
            if raw.supportsConfig:
                schema.properties["enforcementLevel"] = {
                    "type": "string",
                    "enum": [level.value for level in EnforcementLevel],
                }
            policies.append(
                PolicyInfo(
                    name=p.name,
                    display_name=p.displayName,
                    description=p.description,
                    enforcement_level=EnforcementLevel.from_proto(p.enforcementLevel),
                    severity=Severity.from_proto(p.severity),
                    policy_type=PolicyType.from_proto(p.policy_type),
                    config_schema=schema,
                    remediation_steps=p.remediation_steps,
                    url=p.url,
                    tags=list(p.tags),
                    framework=json_format.MessageToDict(p.framework) if p.HasField("framework") else {},
                )
            )
        policies.sort(key=lambda p: p.name)
        # As in the engine, an initial-config entry without a level reads as the proto default, advisory.
        initial = {
            key: PolicyConfig(EnforcementLevel.from_proto(value.enforcementLevel),
                              json_format.MessageToDict(value.properties) or None)
            for key, value in raw.initialConfig.items()
        }
        return PackInfo(
            name=raw.name,
            version=self._yaml_version or raw.version,
            display_name=raw.displayName,
            description=raw.description,
            plugin_version=plugin_version,
            policies=policies,
            initial_config=initial,
        )

    def _configure(self, config: Mapping[str, PolicyConfig], pack_label: str = "") -> None:
        request = analyzer_pb2.ConfigureAnalyzerRequest()
        for name, value in config.items():
            if value.enforcement_level is None:
                raise PolicyPackError(
                    f"policy pack {self.pack_dir}: no enforcement level for {name!r} (a config entry for a policy "
                    "the pack does not have needs an enforcementLevel)"
                )
            entry = request.policyConfig[name]
            entry.enforcementLevel = value.enforcement_level.to_proto()
            # The engine always sends a properties struct, empty when the policy has none (oracle-verified).
            entry.properties.SetInParent()
            if value.properties:
                entry.properties.update(value.properties)
        try:
            self.stub.Configure(request, timeout=self.call_timeout)
        except grpc.RpcError as err:
            if err.code() == grpc.StatusCode.INVALID_ARGUMENT:
                # The pack refused its config: one configuration error, as the CLI's "configuring policy pack".
                label = pack_label or (self._info.name if self._info else str(self.pack_dir))
                raise PolicyPackError(f"configuring policy pack {label}: {err.details()}") from None
            raise PolicyPackError(self._rpc_message("Configure", err)) from None

    # --- analysis --------------------------------------------------------------------------------------

    def _violation(self, diag: analyzer_pb2.AnalyzeDiagnostic, urn: str) -> Violation:
        return Violation(
            policy_pack=diag.policyPackName or self.info.name,
            policy_pack_version=self.info.version or diag.policyPackVersion,
            policy=diag.policyName,
            enforcement_level=EnforcementLevel.from_proto(diag.enforcementLevel).reported,
            severity=Severity.from_proto(diag.severity),
            urn=urn,
            message=diag.message,
            resource_type=urn_type(urn) if urn else "",
            resource_name=urn_name(urn) if urn else "",
            description=diag.description,
        )

    def analyze(self, stack: EngineStack) -> list[Violation]:
        """Remediate, Analyze every resource (pipelined on one channel), then one AnalyzeStack."""
        return self.analyze_detailed(stack).violations

    def session(self, *, remediate: bool = True) -> AnalysisSession:
        """An analysis fed one resource at a time, as the engine analyzes each registration as it happens."""
        self.start()
        return AnalysisSession(self, remediate=remediate)

    def analyze_detailed(
        self,
        stack: EngineStack,
        *,
        stack_properties: Mapping[str, Mapping[str, Any]] | None = None,
        remediate: bool = True,
    ) -> Analysis:
        """The violations and not-applicable replies of one run over ``stack``.

        ``Analyze`` sees each resource's inputs (remediated, when ``remediate`` and a policy remediates);
        ``AnalyzeStack`` sees ``stack_properties[urn]`` where given (a state audit passes outputs), else the
        same properties as ``Analyze``.
        """
        session = self.session(remediate=remediate)
        try:
            for resource in stack.resources:
                session.add(stack, resource)
            return session.finish(stack, stack_properties=stack_properties)
        finally:
            session.cancel()

    def reconfigure(self, overrides: Mapping[str, PolicyConfig]) -> None:
        """Send the engine's ``Configure`` again: the reconciled config with ``overrides`` laid over it."""
        self.start()
        self._configure({**self.info.config, **overrides})


class AnalysisSession:
    """One pack's analysis of one stack: ``add`` each resource as it is registered, then ``finish``.

    ``add`` sends ``Remediate`` (only when a policy remediates) and then ``Analyze``, keeping up to
    ``_IN_FLIGHT`` calls in flight on the channel; ``finish`` collects the rest and sends ``AnalyzeStack``.
    """

    def __init__(self, pack: PolicyPackProcess, *, remediate: bool = True):
        self.pack = pack
        self._remediates = remediate and any(
            c.enforcement_level is EnforcementLevel.REMEDIATE for c in pack.info.config.values()
        )
        self.remediated: dict[str, dict[str, Any]] = {}
        self.violations: list[Violation] = []
        self.not_applicable: list[NotApplicable] = []
        self._in_flight: deque[tuple[str, grpc.Future]] = deque()

    def _record_not_applicable(self, replies: Iterable[Any], urn: str) -> None:
        name = self.pack.info.name
        self.not_applicable.extend(NotApplicable(name, n.policy_name, urn, n.reason) for n in replies)

    def _remediate(self, stack: EngineStack, resource: EngineResource) -> None:
        pack = self.pack
        response = pack._rpc("Remediate", pack.stub.Remediate, analyze_request(stack, resource))
        for remediation in response.remediations:
            if remediation.HasField("properties") and remediation.properties.fields:
                self.remediated[resource.urn] = json_format.MessageToDict(remediation.properties)
            elif remediation.diagnostic:
                self.violations.append(
                    Violation(
                        policy_pack=remediation.policyPackName,
                        policy_pack_version=pack.info.version,
                        policy=remediation.policyName,
                        enforcement_level=EnforcementLevel.ADVISORY,
                        severity=Severity.UNSPECIFIED,
                        urn=resource.urn,
                        message=remediation.diagnostic,
                        resource_type=resource.type,
                        resource_name=resource.name,
                        description=remediation.description,
                    )
                )

    def _collect(self, urn: str, future: grpc.Future) -> None:
        try:
            response = future.result()
        except grpc.RpcError as err:
            raise PolicyPackError(self.pack._rpc_message(f"Analyze of {urn}", err)) from None
        # The engine attributes an Analyze diagnostic to the resource being analyzed.
        self.violations.extend(self.pack._violation(d, urn) for d in response.diagnostics)
        self._record_not_applicable(response.not_applicable, urn)

    def add(self, stack: EngineStack, resource: EngineResource) -> None:
        if self._remediates:
            self._remediate(stack, resource)
        request = analyze_request(stack, resource, self.remediated.get(resource.urn))
        future = self.pack.stub.Analyze.future(request, timeout=self.pack.call_timeout)
        self._in_flight.append((resource.urn, future))
        if len(self._in_flight) >= _IN_FLIGHT:
            self._collect(*self._in_flight.popleft())

    def finish(self, stack: EngineStack, *, stack_properties: Mapping[str, Mapping[str, Any]] | None = None) -> Analysis:
        while self._in_flight:
            self._collect(*self._in_flight.popleft())

        def props(resource: EngineResource) -> Mapping[str, Any] | None:
            if stack_properties is not None and resource.urn in stack_properties:
                return stack_properties[resource.urn]
            if resource.urn in self.remediated:  # the provider previews the create of the remediated inputs
                return preview_outputs(dataclasses.replace(resource, inputs=self.remediated[resource.urn]), stack)
            return None

        pack = self.pack
        request = analyzer_pb2.AnalyzeStackRequest(
            resources=[stack_resource(stack, r, props(r)) for r in stack.resources]
        )
        response = pack._rpc("AnalyzeStack", pack.stub.AnalyzeStack, request)
        for diag in response.diagnostics:
            # resolveStackPolicyViolationURN: the diagnostic's URN if it is in the stack, else the root Stack.
            urn = diag.urn if diag.urn in stack.by_urn else stack.root.urn
            self.violations.append(pack._violation(diag, urn))
        self._record_not_applicable(response.not_applicable, "")
        return Analysis(self.violations, self.not_applicable)

    def partial(self) -> Analysis:
        """What ``Analyze`` found so far, for a run that failed before ``AnalyzeStack`` (which never runs then)."""
        while self._in_flight:
            try:
                self._collect(*self._in_flight.popleft())
            except PolicyPackError:
                continue  # the failure being reported already; the rest of what was found still counts
        return Analysis(list(self.violations), list(self.not_applicable))

    def cancel(self) -> None:
        for _, future in self._in_flight:
            future.cancel()
        self._in_flight.clear()
