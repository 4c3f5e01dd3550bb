"""Decode each analyzed resource once per request, not once per policy.

pulumi_policy 1.21 decodes a resource's properties anew for every policy it runs
(``json_format.MessageToDict``, then ``deserialize_properties``, then ``unknown_checking_proxy``; see
``_PolicyAnalyzerServicer.Analyze``, ``AnalyzeStack`` and ``_get_provider_resource``). With 14 policies
that decoding was the largest part of the pack's time (docs/benchmarks.md). Within one request the
messages do not change, so each step is memoized by the identity of its input for the duration of that
request; the caches are emptied when the next request starts (``_configure_runtime_settings`` is the
first thing ``Analyze``, ``AnalyzeStack`` and ``Remediate`` call). Policies share the decoded values
read-only: the framework copies them (``values.unwrap``) before any check sees them.

``install`` patches only the names it finds; on another pulumi_policy it changes nothing and the pack
works as before, only slower.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

_CACHES: list[dict[Any, tuple[Any, Any]]] = []


def _memo_by_identity(fn: Callable[..., Any]) -> Callable[..., Any]:
    cache: dict[Any, tuple[Any, Any]] = {}
    _CACHES.append(cache)

    def memoized(arg: Any, *rest: Any) -> Any:
        key = (id(arg), rest)
        hit = cache.get(key)
        if hit is not None and hit[0] is arg:
            return hit[1]
        result = fn(arg, *rest)
        cache[key] = (arg, result)  # holding ``arg`` keeps its id from being reused while cached
        return result

    return memoized


class _JsonFormat:
    """``google.protobuf.json_format`` as pulumi_policy sees it, with ``MessageToDict`` memoized."""

    def __init__(self, inner: Any):
        self._inner = inner
        self.MessageToDict = _memo_by_identity(inner.MessageToDict)  # noqa: N815 (protobuf's name)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


def clear() -> None:
    for cache in _CACHES:
        cache.clear()


def install() -> bool:
    """Patch pulumi_policy's decoding; True when it was (or already is) patched."""
    try:
        from pulumi_policy import policy as sdk
    except ImportError:  # pragma: no cover - the pack cannot run without it anyway
        return False
    if getattr(sdk, "_residency_decode_once", False):
        return True
    servicer = getattr(sdk, "_PolicyAnalyzerServicer", None)
    names = ("json_format", "deserialize_properties", "unknown_checking_proxy")
    if servicer is None or not hasattr(servicer, "_configure_runtime_settings") or not all(hasattr(sdk, n) for n in names):
        return False
    original_configure = servicer._configure_runtime_settings

    def configure_runtime_settings(self: Any) -> Any:
        clear()  # a new request: nothing decoded for the last one may be reused
        return original_configure(self)

    servicer._configure_runtime_settings = configure_runtime_settings
    sdk.json_format = _JsonFormat(sdk.json_format)
    sdk.deserialize_properties = _memo_by_identity(sdk.deserialize_properties)
    sdk.unknown_checking_proxy = _memo_by_identity(sdk.unknown_checking_proxy)
    sdk._residency_decode_once = True
    return True
