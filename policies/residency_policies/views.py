"""What a check sees: one resource (``ResourceView``) or the whole stack (``StackView``), as immutable plain data.

Every policy of the pack reads the same views: the framework builds them once per resource per request
(``sdk_compat.request_memo``) and shares them across policies, so the values are frozen: ``FrozenDict`` and
``FrozenList`` behave as ``dict`` and ``list`` for reading (``isinstance``, ``==``, ``json.dumps``) and raise
``TypeError`` on any change, so no check can change what another sees. ``dict(view.props)`` is a private,
mutable (shallow) copy for a check that needs one.

Unknown values stay visible as the engine's sentinel strings (``values.is_unknown``); secrets arrive
unwrapped, as pulumi_policy hands them to policies.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NoReturn

ROOT_STACK_TYPE = "pulumi:pulumi:Stack"


def _refuse(self: Any, *args: Any, **kwargs: Any) -> NoReturn:
    raise TypeError(f"{type(self).__name__} is read-only: policies share it; copy it (dict(...) / list(...)) to change it")


class FrozenDict(dict):
    """A ``dict`` that refuses every change after construction."""

    __slots__ = ()
    __setitem__ = __delitem__ = __ior__ = _refuse
    clear = pop = popitem = setdefault = update = _refuse

    def __reduce__(self) -> tuple[Any, ...]:  # copy / deepcopy / pickle rebuild it through the constructor
        return (FrozenDict, (dict(self),))

    def __hash__(self) -> int:  # type: ignore[override]
        return hash(tuple(sorted(self.items(), key=lambda kv: kv[0])))


class FrozenList(list):
    """A ``list`` that refuses every change after construction."""

    __slots__ = ()
    __setitem__ = __delitem__ = __iadd__ = __imul__ = _refuse
    append = extend = insert = pop = remove = clear = sort = reverse = _refuse

    def __reduce__(self) -> tuple[Any, ...]:
        return (FrozenList, (list(self),))

    def __hash__(self) -> int:  # type: ignore[override]
        return hash(tuple(self))


_SCALARS = frozenset({str, int, float, bool, type(None)})


def freeze(value: Any) -> Any:
    """A frozen deep copy of plain decoded data (dicts, lists, scalars; anything else is kept as is)."""
    kind = type(value)
    if kind in _SCALARS or kind is FrozenDict or kind is FrozenList:
        return value
    if kind is dict or isinstance(value, Mapping):
        return FrozenDict({str(k): freeze(v) for k, v in value.items()})
    if kind is list or kind is tuple or (isinstance(value, Sequence) and not isinstance(value, (str, bytes))):
        return FrozenList(freeze(v) for v in value)
    return value


_EMPTY = FrozenDict()


@dataclass(frozen=True)
class ProviderView:
    type: str
    urn: str
    name: str
    props: Mapping[str, Any]


@dataclass(frozen=True)
class ResourceView:
    """One resource as plain, frozen data. ``props`` keeps unknowns as sentinel strings (``values.is_unknown``).

    ``type`` and ``props`` are always the current type token and its property shape, also for a resource
    declared with a deprecated alias (``declared_type``). In the resource phase (``Analyze``) ``props`` are the
    resource's inputs and ``dependencies`` /
    ``property_dependencies`` are empty (the engine sends none); in the stack phase (``AnalyzeStack``) they
    are the engine's.
    """

    type: str
    urn: str
    name: str
    props: Mapping[str, Any]
    protect: bool = False
    provider: ProviderView | None = None
    parent: str | None = None
    dependencies: tuple[str, ...] = ()
    property_dependencies: Mapping[str, tuple[str, ...]] = field(default_factory=lambda: _EMPTY)
    declared_type: str | None = None
    """The deprecated token the program used, when ``type`` is its current token (``type_aliases``)."""


class StackView(Sequence[ResourceView]):
    """Every resource of the stack, in the engine's order, with the indexes checks keep asking for.

    Built once per ``AnalyzeStack`` request and shared by every stack policy: index it here rather than in
    each check.
    """

    def __init__(self, resources: Iterable[ResourceView]):
        self._resources: tuple[ResourceView, ...] = tuple(resources)
        self.by_urn: Mapping[str, ResourceView] = FrozenDict({r.urn: r for r in self._resources})
        by_type: dict[str, list[ResourceView]] = {}
        for r in self._resources:
            by_type.setdefault(r.type, []).append(r)
        self._by_type = {t: tuple(rs) for t, rs in by_type.items()}
        self.root_urn: str | None = next((r.urn for r in self._resources if r.type == ROOT_STACK_TYPE), None)
        self._derived: dict[str, Any] = {}

    def derived(self, key: str, build: Callable[[], Any]) -> Any:
        """``build()`` once per view: what several stack policies derive from the same stack (the network
        graph) is built by the first that asks. What ``build`` returns must be read-only to its callers."""
        if key not in self._derived:
            self._derived[key] = build()
        return self._derived[key]

    def __getitem__(self, index):
        return self._resources[index]

    def __len__(self) -> int:
        return len(self._resources)

    def __iter__(self) -> Iterator[ResourceView]:
        return iter(self._resources)

    def of_type(self, *types: str) -> tuple[ResourceView, ...]:
        """The resources of any of ``types``, in stack order."""
        if len(types) == 1:
            return self._by_type.get(types[0], ())
        wanted = set(types)
        return tuple(r for r in self._resources if r.type in wanted)

    @property
    def types(self) -> frozenset[str]:
        return frozenset(self._by_type)


def root_stack_urn(resources: Iterable[ResourceView]) -> str | None:
    """The root ``pulumi:pulumi:Stack`` resource's URN (None when the stack has none)."""
    if isinstance(resources, StackView):
        return resources.root_urn
    for r in resources:
        if r.type == ROOT_STACK_TYPE:
            return r.urn
    return None
