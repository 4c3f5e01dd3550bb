"""Answers to every provider function (invoke) of pulumi_aws and pulumi_oci, offline.

``InvokeAnswerer.answer(token, args, provider)`` answers one call:

1. the provider it runs against (``context``): the explicit provider's inputs, else the stack's config;
2. a pure function computed exactly, or a lookup answered consistently with the provider's region
   (``aws_functions``, ``oci_functions``, ``aws_policy_document``);
3. every field left over filled from the SDK's own result type (``lookups`` over ``sdk_shapes``): made up
   when it does not decide residency, unknown when it does;
4. the project's pinned answers win, field by field (``pinned``);
5. the answer is converted to the SDK result class's types as the provider converts its arguments
   (``result_types``: an echoed ``most_recent="true"`` is the bool ``true``), and checked to build that class
   as the SDK will build it: an answer it would refuse fails the invoke, naming the token and the field;
6. a token no installed SDK defines is *unanswered*: the whole result is unknown.

A value computed from another invoke's unknown or made-up value (a policy document naming an account that
is unknown offline) carries that invoke's marker or tag; the record lists the fields holding one, so the
answer is reported as not computed and the resources using it are traced (``Ledger.derive``).

Each call is recorded in the ``Ledger`` (what was computed, pinned, assumed or unknown; who used it).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from residency_kit.engine.invokes import aws_functions, oci_functions
from residency_kit.engine.invokes.aws_functions import InvokeFailure
from residency_kit.engine.invokes.context import ProviderContext, default_provider_context
from residency_kit.engine.invokes.ledger import InvokeRecord, Ledger
from residency_kit.engine.invokes.lookups import ShapedAnswer
from residency_kit.engine.invokes.pinned import PinnedAnswers
from residency_kit.engine.invokes.result_types import ResultTypeError, check_fits, coerce, coerce_arguments
from residency_kit.engine.invokes.sdk_shapes import Shape, argument_fields, result_shape

__all__ = ["InvokeAnswerer", "InvokeFailure", "InvokeRecord", "Ledger", "PinnedAnswers"]

HANDLERS = {**aws_functions.HANDLERS, **oci_functions.HANDLERS}


def _fill(value: Any, shape: Shape, builder: ShapedAnswer, path: str, depth: int) -> Any:
    """``value`` (a handler's partial answer) with every nested field of ``shape`` present; arguments are kept."""
    if shape.kind == "object" and isinstance(value, dict):
        out = dict(value)
        arguments = argument_fields(builder.token) if depth == 0 else frozenset()
        for f in shape.fields:
            if f.wire_name in arguments:
                continue
            sub = f"{path}.{f.wire_name}" if path else f.wire_name
            if f.wire_name not in out:
                if depth == 0:
                    continue  # top-level gaps are filled by ShapedAnswer.build
                out[f.wire_name] = builder.value(f.shape, f.wire_name, sub, deciding=False, depth=depth)
            else:
                out[f.wire_name] = _fill(out[f.wire_name], f.shape, builder, sub, depth + 1)
        return out
    if shape.kind == "list" and isinstance(value, list) and shape.item is not None:
        return [_fill(v, shape.item, builder, f"{path}[]", depth + 1) for v in value]
    return value


class InvokeAnswerer:
    def __init__(
        self,
        config: Mapping[str, str],
        *,
        pinned: PinnedAnswers | None = None,
        ledger: Ledger | None = None,
        provider_lookup: Callable[[str], ProviderContext | None] | None = None,
    ):
        self.config = dict(config)
        self.pinned = pinned or PinnedAnswers()
        self.ledger = ledger or Ledger()
        self.provider_lookup = provider_lookup

    def context(self, token: str, provider_ref: str) -> ProviderContext:
        package = token.split(":", 1)[0]
        if provider_ref and self.provider_lookup is not None:
            ctx = self.provider_lookup(provider_ref)
            if ctx is not None:
                return ctx
        return default_provider_context(package, self.config)

    def answer(self, token: str, args: Mapping[str, Any], provider_ref: str = "") -> dict[str, Any] | None:
        """The result (wire names), or ``None`` when the invoke cannot be answered (its result is unknown).

        Raises ``InvokeFailure`` when the provider would fail the call or the answer does not fit the SDK's
        result class; the record is then ``failed``, with the reason as its note.
        """
        args = dict(args or {})
        ctx = self.context(token, provider_ref)
        ctx = ctx.with_region(args.get("region"))
        record = self.ledger.open(token, ctx.name, ctx.region or "", args)
        try:
            return self._answer(token, args, ctx, record)
        except Exception as err:
            record.kind = "failed"
            record.note = str(err) if isinstance(err, InvokeFailure) else f"{type(err).__name__}: {err}"
            raise

    def _answer(self, token: str, args: dict[str, Any], ctx: ProviderContext, record: InvokeRecord) -> dict[str, Any] | None:
        shape = result_shape(token)
        handler = HANDLERS.get(token.lower())
        pinned = self.pinned.find(token, args)
        if shape is None and handler is None and pinned is None:
            record.kind = "unanswered"
            record.note = "no installed provider SDK defines this function; its result is unknown"
            return None
        if shape is not None:
            # The provider converts the arguments to its schema's types before it computes anything.
            try:
                args = coerce_arguments(args, shape, argument_fields(token), lambda path: record.add("unknown", path))
            except ResultTypeError as err:
                raise InvokeFailure(f"argument {err}") from None
        result: dict[str, Any] = {}
        if handler is not None:
            result = handler(args, ctx, record, self.ledger)
        if shape is not None:
            builder = ShapedAnswer(token, ctx, record, self.ledger)
            result = _fill(result, shape, builder, "", 0)
            for key, value in builder.build(shape, args, skip=set(result), handled=handler is not None).items():
                result.setdefault(key, value)
        if pinned is not None:
            for key, value in pinned.result.items():
                result[key] = value
                record.add("pinned", key)
            record.assumed = [p for p in record.assumed if not _under(p, pinned.result)]
            record.unknown = [p for p in record.unknown if not _under(p, pinned.result)]
            record.note = (record.note + "; " if record.note else "") + f"pinned by {pinned.where}"
        if shape is not None:
            try:
                result = coerce(result, shape, "", lambda path: record.add("unknown", path))
                check_fits(token, result)
            except ResultTypeError as err:
                raise InvokeFailure(f"the offline answer does not fit the SDK's {shape.type_name}: {err}{_pinned_hint(pinned)}") from None
            except Exception as err:  # noqa: BLE001 - what the SDK would raise building its result class
                raise InvokeFailure(
                    f"the offline answer does not fit the SDK's {shape.type_name} ({type(err).__name__}: {err})"
                    f"{_pinned_hint(pinned)}"
                ) from None
        self.ledger.derive(record, result)
        record.finish()
        return result


def _pinned_hint(pinned: Any) -> str:
    return f" (pinned by {pinned.where})" if pinned is not None else ""


def _under(path: str, keys: Mapping[str, Any]) -> bool:
    head = path.split(".", 1)[0].split("[", 1)[0]
    return head in keys
