"""An rdflib Graph whose triples live in a Python set, indexed only when a lookup needs it.

Why: the assembler adds 4 million triples at the Gamuts scale. rdflib's Memory store costs ~9 µs
and ~1.5 KiB a triple in its three indexes and per-triple context bookkeeping: a minute and most of
the build's 6 GiB. The assembler only adds; the build then reads the axioms whole (the release,
the structural classifier) and looks up a few patterns (lists, subClassOf pairs). Here `add` is a
set insertion, iteration walks the set, and each of the three indexes is built on the first
lookup that needs it. Everything else rdflib offers (value, objects, Collection, parse,
serialize, namespaces) works through `triples`, as on any Graph.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from rdflib import Graph
from rdflib.paths import Path

Triple = tuple[Any, Any, Any]
Index = dict[Any, dict[Any, set[Any]]]


class TripleGraph(Graph):
    """A Graph for add-then-read use (see the module docstring); the Memory store keeps the prefixes."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._set: set[Triple] = set()
        self._idx: dict[str, Index] = {}

    # ------------------------------------------------------------------ writing
    def add(self, triple: Triple) -> TripleGraph:  # type: ignore[override]
        s, p, o = triple
        if triple not in self._set:
            self._set.add((s, p, o))
            for key, idx in self._idx.items():
                a, b, c = _order(key, s, p, o)
                idx.setdefault(a, {}).setdefault(b, set()).add(c)
        return self

    def addN(self, quads: Iterable[tuple[Any, Any, Any, Any]]) -> TripleGraph:  # type: ignore[override]  # noqa: N802
        for s, p, o, _c in quads:
            self.add((s, p, o))
        return self

    def remove(self, triple: Triple) -> TripleGraph:  # type: ignore[override]
        for t in list(self.triples(triple)):
            self._set.discard(t)
        self._idx.clear()
        return self

    # ------------------------------------------------------------------ reading
    def __len__(self) -> int:
        return len(self._set)

    def __iter__(self) -> Iterator[Triple]:  # type: ignore[override]
        return iter(self._set)

    def __contains__(self, triple: Any) -> bool:
        if None not in triple and not isinstance(triple[1], Path):
            return tuple(triple) in self._set
        return any(True for _ in self.triples(triple))

    def triples(self, triple: Any) -> Iterator[Triple]:  # type: ignore[override]
        s, p, o = triple
        if isinstance(p, Path):
            for _s, _o in p.eval(self, s, o):
                yield _s, p, _o
            return
        if s is not None and p is not None and o is not None:
            if (s, p, o) in self._set:
                yield s, p, o
            return
        if s is None and p is None and o is None:
            yield from list(self._set)
            return
        if s is not None:
            by_p = self._index("spo").get(s, {})
            if p is not None:
                yield from ((s, p, x) for x in list(by_p.get(p, ())))
            elif o is not None:
                yield from ((s, x, o) for x in list(self._index("osp").get(o, {}).get(s, ())))
            else:
                yield from [(s, x, y) for x, ys in by_p.items() for y in ys]
        elif p is not None:
            by_o = self._index("pos").get(p, {})
            if o is not None:
                yield from ((x, p, o) for x in list(by_o.get(o, ())))
            else:
                yield from [(x, p, y) for y, xs in by_o.items() for x in xs]
        else:
            yield from [(x, y, o) for x, ys in self._index("osp").get(o, {}).items() for y in ys]

    def _index(self, key: str) -> Index:
        idx = self._idx.get(key)
        if idx is None:
            idx = self._idx[key] = {}
            for s, p, o in self._set:
                a, b, c = _order(key, s, p, o)
                idx.setdefault(a, {}).setdefault(b, set()).add(c)
        return idx


def _order(key: str, s: Any, p: Any, o: Any) -> tuple[Any, Any, Any]:
    if key == "spo":
        return s, p, o
    if key == "pos":
        return p, o, s
    return o, s, p
