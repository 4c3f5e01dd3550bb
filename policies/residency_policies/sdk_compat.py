"""Every private name of pulumi_policy the pack relies on, in one place, each pinned by a test.

pulumi_policy 1.21 has no public way to (a) report one violation at a level other than its policy's, (b)
refuse a policy config when the engine sends it, (c) know where one request ends and the next begins (to
decode each resource once per request instead of once per policy), or (d) hand every stack policy one shared
stack: its ``AnalyzeStack`` rebuilds a ``PolicyResource`` for every resource once per stack policy. The pack
needs all four; this module reaches into these private names of ``pulumi_policy.policy`` and nothing else
does:

====================================================  ===========================================================
private name                                          why
====================================================  ===========================================================
``_PolicyAnalyzerServicer._create_report_violation``  its ``response`` argument is the ``AnalyzeResponse`` the new
                                                      ``report_violation`` appends to; tagged on the function so
                                                      ``report_at_level`` can set one diagnostic's level (a)
``_PolicyAnalyzerServicer.Configure``                 wrapped to run the pack's config check and refuse the RPC
                                                      (``INVALID_ARGUMENT``) before anything is analyzed (b)
``_PolicyAnalyzerServicer._configure_runtime_settings``  the first call of ``Analyze``, ``AnalyzeStack`` and
                                                      ``Remediate``: a new request starts on this thread (c); it
                                                      re-reads the process environment each time, so it runs
                                                      again only when that environment changed
``_PolicyAnalyzerServicer._get_resource_options``,    what the servicer builds from each request message once per
``_get_provider_resource``                            policy; memoized per request (c)
``pulumi_policy.policy.json_format``,                 the module globals the servicer decodes every resource with,
``deserialize_properties``, ``unknown_checking_proxy``  once per policy; memoized per request (c)
``_PolicyAnalyzerServicer.AnalyzeStack``              wrapped: when every stack policy the servicer holds reads the
                                                      shared stack (``SHARED_STACK_ATTR``), it runs on a view of the
                                                      request whose ``resources`` is empty, so its per-policy loop
                                                      builds nothing, and ``shared_stack`` decodes the resources
                                                      once for all of them (d)
``_PolicyAnalyzerServicer__policies``                 the policies the servicer holds (set by its constructor):
                                                      read to confirm (d) hides the resources from no policy that
                                                      would read them from its arguments
====================================================  ===========================================================

tests/policies/test_sdk_compat.py has one test per name: an SDK upgrade that moves one fails there, not in
production. ``install`` patches only when every name is present; ``installed()`` says whether it did.

Without (a) the pack cannot lower a waived violation or raise a crash to mandatory: ``report_at_level``
raises ``SdkCompatibilityError`` (uncaught by the framework), so the engine fails the run with "failed to run
policy" rather than passing it at the wrong level. Without (b) config errors are reported by each policy
instead (``framework``); without (c) the pack decodes per policy (slower, same results). Without the policy
list of (d), or when a stack policy does not read the shared stack, ``AnalyzeStack`` runs as pulumi_policy
wrote it and the framework builds its view from the policy's arguments (slower, same results).

Concurrency: the SDK serves requests on a thread pool (4 workers) and the offline engine keeps several
``Analyze`` calls in flight; each request runs start to end on one thread, so the per-request caches are
thread-local and a new request never clears one another thread is using. A thread keeps its last request's
cache until its next request starts.

Reading properties needs no private name: ``plain_properties`` returns the decoded dict the memoized proxy was
built from, or walks the proxy through its public ``Mapping`` / ``Sequence`` interface, reading an unknown's
sentinel from the public ``UnknownValueError.unknown_type_sentinel``.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pulumi.runtime import proto
from pulumi_policy import EnforcementLevel
from pulumi_policy.proxy import UnknownValueError

_RESPONSE_ATTR = "_residency_analyze_response"
_LEVELS = {EnforcementLevel.ADVISORY: proto.ADVISORY, EnforcementLevel.MANDATORY: proto.MANDATORY}

_PATCHED_NAMES = (
    "_create_report_violation", "Configure", "_configure_runtime_settings", "_get_resource_options",
    "_get_provider_resource", "AnalyzeStack",
)
_POLICIES_ATTR = "_PolicyAnalyzerServicer__policies"  # the constructor's ``self.__policies``, name-mangled

SHARED_STACK_ATTR = "reads_shared_stack"
"""Set true on a stack policy that reads the stack from ``shared_stack()`` (when it is not None) rather than
from its ``StackValidationArgs.resources``: only when every stack policy of the servicer does are the
resources kept out of pulumi_policy's per-policy loop."""
_RUNTIME_ENV = ("PULUMI_CONFIG", "PULUMI_PROJECT", "PULUMI_STACK", "PULUMI_DRY_RUN", "PULUMI_ORGANIZATION")
_DECODING_NAMES = ("json_format", "deserialize_properties", "unknown_checking_proxy")

ConfigCheck = Callable[[Mapping[str, Mapping[str, Any] | None]], list[str]]
"""Called with ``{policy name: properties or None}`` as ``Configure`` received them; returns error lines."""


class SdkCompatibilityError(RuntimeError):
    """The installed pulumi_policy does not offer what the pack relies on; the message says what."""


# --- per-request scope ------------------------------------------------------------------------------


class _Scope:
    __slots__ = ("memo", "targets", "shared")

    def __init__(self) -> None:
        self.memo: dict[tuple[int, int, tuple[Any, ...]], tuple[Any, Any]] = {}
        self.targets: dict[int, tuple[Any, Any]] = {}  # id(proxy) -> (proxy, decoded dict it wraps)
        self.shared: dict[Any, Any] = {}


_local = threading.local()


def _scope() -> _Scope | None:
    return getattr(_local, "scope", None)


def begin_request() -> None:
    """Start a new request on this thread: nothing decoded for this thread's last request is reused."""
    _local.scope = _Scope()


def end_request() -> None:
    _local.scope = None


def request_memo(tag: str, anchors: Sequence[Any], build: Callable[[], Any]) -> Any:
    """``build()`` once per request for the same ``anchors`` (compared by identity), else on every call.

    Outside a request (``install`` not run, or a direct call in a test) nothing is cached.
    """
    scope = _scope()
    if scope is None:
        return build()
    key = (tag, tuple(map(id, anchors)))
    hit = scope.shared.get(key)
    if hit is not None and len(hit[0]) == len(anchors) and all(a is b for a, b in zip(hit[0], anchors, strict=True)):
        return hit[1]
    value = build()
    scope.shared[key] = (tuple(anchors), value)  # holding the anchors keeps their ids from being reused
    return value


@dataclass(frozen=True, slots=True)
class StackProvider:
    """The provider of one resource in an ``AnalyzeStack`` request, its properties decoded."""

    type: str
    urn: str
    name: str
    props: dict[str, Any]


@dataclass(frozen=True, slots=True)
class StackResource:
    """One resource of an ``AnalyzeStack`` request, decoded once for every stack policy.

    The same data a stack policy reads from pulumi_policy's ``PolicyResource``: ``props`` is the dict its
    unknown-checking proxy would wrap (``plain_properties``), and ``parent``, ``dependencies`` and
    ``property_dependencies`` name only resources of the request, as pulumi_policy links them (a parent outside
    the request falls back to the resource options' parent, as ``PolicyResourceOptions.parent`` does).
    """

    type: str
    urn: str
    name: str
    props: dict[str, Any]
    protect: bool
    provider: StackProvider | None
    parent: str | None
    dependencies: tuple[str, ...]
    property_dependencies: dict[str, tuple[str, ...]]


def shared_stack() -> tuple[StackResource, ...] | None:
    """The resources of the ``AnalyzeStack`` request this thread is serving, decoded once per request; None
    when the stack policies get the resources in their arguments instead (no such request, or ``install``
    found a stack policy that does not read this)."""
    request = getattr(_local, "stack_request", None)
    if request is None:
        return None
    return request_memo("shared-stack", (request,), lambda: _decode_stack(request))


def _decode_stack(request: Any) -> tuple[StackResource, ...]:
    messages = list(request.resources)
    present = {r.urn for r in messages}
    decoded = []
    for r in messages:
        provider = None
        if r.HasField("provider"):
            p = r.provider
            provider = StackProvider(p.type, p.urn, p.name, _decode_properties(p.properties))
        parent = r.parent if r.parent in present else (r.options.parent or None)
        decoded.append(StackResource(
            type=r.type,
            urn=r.urn,
            name=r.name,
            props=_decode_properties(r.properties),
            protect=bool(r.options.protect),
            provider=provider,
            parent=parent,
            dependencies=tuple(d for d in r.dependencies if d in present),
            property_dependencies={
                key: tuple(d for d in deps.urns if d in present) for key, deps in r.propertyDependencies.items()
            },
        ))
    return tuple(decoded)


class _WithoutResources:
    """An ``AnalyzeStackRequest`` as pulumi_policy's ``AnalyzeStack`` reads it, with no resources to rebuild."""

    __slots__ = ("_request",)
    resources: tuple[Any, ...] = ()

    def __init__(self, request: Any):
        self._request = request

    def __getattr__(self, name: str) -> Any:
        return getattr(self._request, name)


def _memoized(fn: Callable[..., Any], *, record_target: bool = False) -> Callable[..., Any]:
    tag = id(fn)

    def memoized(arg: Any, *rest: Any, **kwargs: Any) -> Any:
        scope = _scope()
        if scope is None or kwargs:
            return fn(arg, *rest, **kwargs)
        key = (tag, id(arg), rest)
        hit = scope.memo.get(key)
        if hit is not None and hit[0] is arg:
            return hit[1]
        result = fn(arg, *rest)
        scope.memo[key] = (arg, result)  # holding ``arg`` keeps its id from being reused within the request
        if record_target:
            scope.targets[id(result)] = (result, arg)
        return result

    memoized.__wrapped__ = fn  # type: ignore[attr-defined]
    return memoized


def _memoized_method(fn: Callable[..., Any]) -> Callable[..., Any]:
    """``fn(self, request)`` once per request for the same ``request`` message (compared by identity)."""
    tag = id(fn)

    def memoized(self: Any, request: Any) -> Any:
        scope = _scope()
        if scope is None:
            return fn(self, request)
        key = (tag, id(request), ())
        hit = scope.memo.get(key)
        if hit is not None and hit[0] is request:
            return hit[1]
        result = fn(self, request)
        scope.memo[key] = (request, result)
        return result

    memoized.__wrapped__ = fn  # type: ignore[attr-defined]
    return memoized


class _JsonFormat:
    """``google.protobuf.json_format`` as pulumi_policy sees it, with ``MessageToDict`` memoized."""

    def __init__(self, inner: Any):
        self._inner = inner
        self.MessageToDict = _memoized(inner.MessageToDict)  # noqa: N815 (protobuf's name)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


# --- installing -------------------------------------------------------------------------------------

_installed = False
_decode_properties: Callable[[Any], dict[str, Any]]
"""pulumi_policy's own decoding of a properties ``Struct`` (``MessageToDict`` then ``deserialize_properties``),
unmemoized: ``shared_stack`` decodes each resource exactly once."""
_config_check: ConfigCheck | None = None
_config_generation = 0
_pack_wide_config: dict[str, Any] | None = None
from residency_policies.rules_layers import PACK_WIDE_POLICY  # noqa: E402 - beside the state it names



def pack_wide_config() -> dict[str, Any] | None:
    """The properties the engine configured the ``residency-rules`` policy with: rules for every policy."""
    return _pack_wide_config


def config_generation() -> int | None:
    """A number that changes whenever the engine sends ``Configure`` (None when ``install`` has not run): a
    policy's config is the same for every request between two changes."""
    return _config_generation if _installed else None


def _servicer_module() -> Any:
    from pulumi_policy import policy

    return policy


def missing_names() -> list[str]:
    """The private names above that the installed pulumi_policy lacks (empty on the pinned version)."""
    sdk = _servicer_module()
    servicer = getattr(sdk, "_PolicyAnalyzerServicer", None)
    if servicer is None:
        return ["pulumi_policy.policy._PolicyAnalyzerServicer"]
    missing = [f"_PolicyAnalyzerServicer.{n}" for n in _PATCHED_NAMES if not callable(getattr(servicer, n, None))]
    missing += [f"pulumi_policy.policy.{n}" for n in _DECODING_NAMES if not hasattr(sdk, n)]
    return missing


def shares_stack(servicer: Any) -> bool:
    """Whether every stack policy ``servicer`` holds reads ``shared_stack()`` (False when its policies cannot
    be read: then ``AnalyzeStack`` gives each policy the resources, as pulumi_policy does)."""
    from pulumi_policy import StackValidationPolicy

    policies = getattr(servicer, _POLICIES_ATTR, None)
    if not isinstance(policies, list):
        return False
    return all(getattr(p, SHARED_STACK_ATTR, False) for p in policies if isinstance(p, StackValidationPolicy))


def installed() -> bool:
    return _installed


def install(config_check: ConfigCheck | None = None) -> None:
    """Patch pulumi_policy's servicer (idempotent); ``config_check`` (None: none) replaces the one given before.

    Raises ``SdkCompatibilityError`` naming what is missing when this pulumi_policy lacks a private name.
    """
    global _installed, _config_check, _decode_properties
    _config_check = config_check
    if _installed:
        return
    missing = missing_names()
    if missing:
        raise SdkCompatibilityError(
            "this pulumi_policy lacks what the residency pack relies on: " + ", ".join(missing)
            + "; install a pulumi-policy the kit supports (residency-kit requires pulumi-policy>=1.21,<2)"
        )
    sdk = _servicer_module()
    servicer = sdk._PolicyAnalyzerServicer

    original_create = servicer._create_report_violation

    def create_report_violation(self: Any, response: Any, *args: Any, **kwargs: Any) -> Any:
        report_violation = original_create(self, response, *args, **kwargs)
        setattr(report_violation, _RESPONSE_ATTR, response)
        return report_violation

    original_configure = servicer.Configure

    def configure(self: Any, request: Any, context: Any) -> Any:
        global _config_generation, _pack_wide_config
        result = original_configure(self, request, context)
        _config_generation += 1
        config = {
            name: (sdk.json_format.MessageToDict(entry.properties) or None)
            for name, entry in request.policyConfig.items()
        }
        _pack_wide_config = config.get(PACK_WIDE_POLICY)
        if _config_check is not None:
            errors = _config_check(config)
            if errors:
                _abort(context, "invalid policy pack config:\n  " + "\n  ".join(errors))
        return result

    original_runtime = servicer._configure_runtime_settings
    configured_for: list[tuple[str | None, ...]] = []

    def configure_runtime_settings(self: Any) -> Any:
        begin_request()
        # The SDK re-reads these variables on every request (a JSON parse, a Settings and an inspect.signature
        # each time); they only change when the process environment does.
        seen = tuple(os.environ.get(name) for name in _RUNTIME_ENV)
        if configured_for and configured_for[-1] == seen:
            return None
        result = original_runtime(self)
        configured_for[:] = [seen]
        return result

    original_analyze_stack = servicer.AnalyzeStack

    def analyze_stack(self: Any, request: Any, context: Any) -> Any:
        if not shares_stack(self):
            return original_analyze_stack(self, request, context)
        _local.stack_request = request
        try:
            return original_analyze_stack(self, _WithoutResources(request), context)
        finally:
            _local.stack_request = None

    message_to_dict, deserialize = sdk.json_format.MessageToDict, sdk.deserialize_properties
    _decode_properties = lambda message: deserialize(message_to_dict(message))  # noqa: E731

    servicer._create_report_violation = create_report_violation
    servicer.AnalyzeStack = analyze_stack
    servicer.Configure = configure
    servicer._configure_runtime_settings = configure_runtime_settings
    servicer._get_resource_options = _memoized_method(servicer._get_resource_options)
    servicer._get_provider_resource = _memoized_method(servicer._get_provider_resource)
    sdk.json_format = _JsonFormat(sdk.json_format)
    sdk.deserialize_properties = _memoized(sdk.deserialize_properties)
    sdk.unknown_checking_proxy = _memoized(sdk.unknown_checking_proxy, record_target=True)
    _installed = True


def _abort(context: Any, message: str) -> None:
    import grpc

    if context is not None and hasattr(context, "abort"):
        context.abort(grpc.StatusCode.INVALID_ARGUMENT, message)  # raises
    raise ValueError(message)


# --- what the framework uses ------------------------------------------------------------------------


def report_at_level(
    report_violation: Callable[..., None], message: str, urn: str | None, level: EnforcementLevel
) -> None:
    """Report one violation and set its enforcement level (advisory or mandatory).

    Raises ``SdkCompatibilityError`` when the level cannot be set (``install`` has not run, or pulumi_policy
    reported nothing or more than one diagnostic): never a violation at the wrong level.
    """
    response = getattr(report_violation, _RESPONSE_ATTR, None)
    if response is None:
        raise SdkCompatibilityError(
            f"cannot report at level {level.value!r}: report_violation is not pulumi_policy's (sdk_compat.install() "
            "has not run or the SDK changed)"
        )
    before = len(response.diagnostics)
    report_violation(message, urn)
    if len(response.diagnostics) != before + 1:
        raise SdkCompatibilityError("pulumi_policy's report_violation did not append exactly one diagnostic")
    response.diagnostics[-1].enforcementLevel = _LEVELS[level]


def can_report_at_level(report_violation: Callable[..., None]) -> bool:
    return getattr(report_violation, _RESPONSE_ATTR, None) is not None


def plain_properties(value: Any) -> Any:
    """The decoded data behind pulumi_policy's unknown-checking proxy, unknowns as their sentinel strings.

    Returns the dict the proxy was built from when this request's memo recorded it (no copy: callers freeze
    it), else walks the proxy through its public interface. Never raises on an unknown.
    """
    scope = _scope()
    if scope is not None:
        hit = scope.targets.get(id(value))
        if hit is not None and hit[0] is value:
            return hit[1]
    return _walk(value)


def _walk(value: Any) -> Any:
    if isinstance(value, (str, bytes, int, float, bool)) or value is None:
        return value
    if isinstance(value, Mapping):
        out = {}
        for key in value:
            try:
                out[str(key)] = _walk(value[key])
            except UnknownValueError as exc:
                out[str(key)] = exc.unknown_type_sentinel
        return out
    if isinstance(value, Sequence):
        items = []
        for i in range(len(value)):
            try:
                items.append(_walk(value[i]))
            except UnknownValueError as exc:
                items.append(exc.unknown_type_sentinel)
        return items
    return value
