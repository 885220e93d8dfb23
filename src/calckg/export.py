"""The released graph as plain triples with stable blank-node labels, and its sorted Turtle.

Why not rdflib graphs: at the Gamuts scale (4 million triples) every copy into rdflib's Memory store
costs about a minute and 6 GiB, and the build used to make four (merge, relabel, inferred, export).
Here the parts are read once (straight from their stores' indexes), blank nodes are relabelled once,
and every artifact is written from the one set of triples.

Blank-node labels: every blank node here is an OWL class expression, list or axiom annotation, a
tree hanging off a named term. Labelling each node by a hash of its content and of where it hangs
gives the same labels on every run and merges only true duplicates (the same axiom stated twice).
This is linear time, where rdflib.compare's general canonicalisation took minutes on this graph.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF
from rdflib.plugins.stores.memory import Memory
from rdflib.term import Node

from .namespaces import PREFIXES

Triple = tuple[Any, Any, Any]
_LOCAL = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")
_ESC = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b",
                      "\f": "\\f"})
_CTRL = re.compile(r"[\x00-\x07\x0b\x0e-\x1f\x7f]")


def _h(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:20]  # noqa: S324 - a label, not security


def triples_of(g: Graph) -> Iterator[Triple]:
    """Every triple of g; straight from rdflib's Memory indexes when g owns its store.

    Iterating a Memory-backed Graph costs ~15 µs a triple in context bookkeeping; the index holds
    exactly g's triples when g is a plain Graph with a store of its own (the count check confirms).
    """
    spo = getattr(g.store, "_Memory__spo", None)
    if type(g) is Graph and type(g.store) is Memory and isinstance(spo, dict):
        return _index_triples(spo, len(g))
    return iter(g)


def _index_triples(spo: dict[Any, dict[Any, Any]], expected: int) -> Iterator[Triple]:
    n = 0
    for s, ps in spo.items():
        for p, os in ps.items():
            for o in os:
                yield s, p, o
            n += len(os)
    if n != expected:  # the store holds more than this graph (or less): never silently
        raise RuntimeError(f"Memory index held {n} triples, the graph {expected}")


def nt_literal(lit: Literal) -> str:
    """A literal in N-Triples (and Turtle) syntax; an explicit datatype is kept as rdflib keeps it."""
    text = str(lit).translate(_ESC)
    if _CTRL.search(text):
        text = _CTRL.sub(lambda m: f"\\u{ord(m.group()):04X}", text)
    if lit.language:
        return f'"{text}"@{lit.language}'
    if lit.datatype is not None:
        return f'"{text}"^^<{lit.datatype}>'
    return f'"{text}"'


def nt(n: Any) -> str:
    if isinstance(n, URIRef):
        return f"<{n}>"
    if isinstance(n, BNode):
        return f"_:{n}"
    return nt_literal(n)


def labels(triples: Iterable[Triple]) -> dict[Any, BNode]:
    """Deterministic blank-node labels: a hash of each node's content and of where it hangs.

    One depth-first pass orders the blank nodes children first (no recursion: RDF lists are deep);
    contents are hashed in that order, the final labels (content + referrers) in the reverse one.
    """
    bnode, sha1 = BNode, hashlib.sha1
    out_edges: defaultdict[Any, list[tuple[Any, Any]]] = defaultdict(list)
    in_edges: defaultdict[Any, list[tuple[Any, Any]]] = defaultdict(list)
    for s, p, o in triples:
        if type(s) is bnode:
            out_edges[s].append((p, o))
        if type(o) is bnode:
            in_edges[o].append((s, p))
    order: list[Any] = []
    state: dict[Any, bool] = {}  # False while on the stack, True when done
    for b in (*out_edges, *in_edges):
        if b in state:
            continue
        state[b] = False
        stack = [(b, iter(out_edges.get(b, ())))]
        while stack:
            x, it = stack[-1]
            for _p, o in it:
                if type(o) is bnode:
                    done = state.get(o)
                    if done is None:
                        state[o] = False
                        stack.append((o, iter(out_edges.get(o, ()))))
                        break
                    if not done:
                        raise ValueError("blank-node cycle: cannot label deterministically")
            else:
                state[x] = True
                order.append(x)
                stack.pop()
    text: dict[Any, str] = {}

    def render(n: Any) -> str:
        r = text.get(n)
        if r is None:
            r = text[n] = nt(n)
        return r

    content: dict[Any, str] = {}
    empty = _h("")
    for x in order:
        edges = out_edges.get(x)
        if not edges:
            content[x] = empty
            continue
        parts = [(text.get(p) or render(p)) + " " + (content[o] if type(o) is bnode else (text.get(o) or render(o)))
                 for p, o in edges]
        if len(parts) > 1:
            parts.sort()
        content[x] = sha1("\n".join(parts).encode("utf-8")).hexdigest()[:20]  # noqa: S324 - a label
    final: dict[Any, str] = {}
    for x in reversed(order):
        refs = in_edges.get(x, ())
        parts = [(final[s] if type(s) is bnode else (text.get(s) or render(s))) + " " + (text.get(p) or render(p))
                 for s, p in refs]
        if len(parts) > 1:
            parts.sort()
        final[x] = "b" + sha1((content[x] + "|" + "\n".join(parts)).encode("utf-8")).hexdigest()[:20]  # noqa: S324
    return {b: bnode(v) for b, v in final.items()}


def relabel(triples: Iterable[Triple]) -> set[Triple]:
    """The triples with canonical blank nodes; an axiom stated twice becomes one."""
    triples = triples if isinstance(triples, (set, list)) else list(triples)
    lab = labels(triples)
    if not lab:
        return set(triples)
    get = lab.get
    return {(get(s, s), p, get(o, o)) for s, p, o in triples}


def relabel_index(triples: list[Triple]) -> dict[Any, dict[Any, list[Any]]]:
    """relabel() straight into the subject index the writers read (no set of millions of tuples):
    subject → predicate → objects, each object once."""
    lab = labels(triples)
    get = lab.get
    idx: dict[Any, dict[Any, list[Any]]] = {}
    for s, p, o in triples:
        s = get(s, s)
        preds = idx.get(s)
        if preds is None:
            idx[s] = {p: [get(o, o)]}
            continue
        objs = preds.get(p)
        if objs is None:
            preds[p] = [get(o, o)]
        else:
            objs.append(get(o, o))
    for preds in idx.values():
        for p, objs in preds.items():
            if len(objs) > 1:
                preds[p] = list(dict.fromkeys(objs))
    return idx


def canonical(g: Graph) -> Graph:
    """A copy of g whose blank nodes carry deterministic labels."""
    out = Graph()
    for p, ns in PREFIXES.items():
        out.bind(p, ns)
    for p, ns in g.namespaces():
        if p not in PREFIXES and p:
            out.bind(p, ns)
    for t in relabel(triples_of(g)):
        out.add(t)
    return out


class Release:
    """The released asserted graph as canonical triples, held as the subject index the writers read
    (subject → predicate → objects). `extra` holds the inferred subsumptions that only the inferred
    artifacts add."""

    def __init__(self, triples: Iterable[Triple] = (), index: dict[Any, dict[Any, list[Any]]] | None = None) -> None:
        if index is None:
            index = {}
            for s, p, o in set(triples):
                index.setdefault(s, {}).setdefault(p, []).append(o)
        self._by_subject = index
        self._len = sum(len(objs) for preds in index.values() for objs in preds.values())
        self.extra: set[Triple] = set()

    def __len__(self) -> int:
        return self._len

    def __contains__(self, t: Triple) -> bool:
        return t[2] in self._by_subject.get(t[0], {}).get(t[1], ())

    @property
    def triples(self) -> Iterator[Triple]:
        """Every asserted triple (a fresh iterator on each access)."""
        return ((s, p, o) for s, preds in self._by_subject.items() for p, objs in preds.items() for o in objs)

    def by_subject(self) -> dict[Any, dict[Any, list[Any]]]:
        return self._by_subject

    def value(self, s: Any, p: Any) -> Any:
        """One object of (s, p) (the least, so that it is stable), as rdflib's Graph.value."""
        vals = self.by_subject().get(s, {}).get(p)
        return min(vals) if vals else None

    def subjects_sorted(self, with_extra: bool = False) -> list[Any]:
        """IRIs, then blank nodes, each by their text (a plain-str key: rdflib's comparisons are slow)."""
        subjects = set(self.by_subject())
        if with_extra:
            subjects.update(s for s, _, _ in self.extra)
        bnode = BNode
        return sorted(subjects, key=lambda s: ("1" if type(s) is bnode else "0") + s)

    def graph(self, with_extra: bool = False) -> Graph:
        """An rdflib Graph of the release, for callers that want rdflib's API (tests, small graphs)."""
        g = Graph()
        for p, ns in PREFIXES.items():
            g.bind(p, ns)
        for t in self.triples:
            g.add(t)
        if with_extra:
            for t in self.extra:
                g.add(t)
        return g

    def ntriples_chunks(self, size: int = 200_000) -> Iterator[bytes]:
        """The asserted triples as N-Triples in chunks, in no particular order (to load a store)."""
        # IRIs and literals recur: render each once; blank nodes (most terms, each seen two or three times)
        # are cheaper to format again than to keep, at millions of them
        cache: dict[Any, str] = {}
        bnode = BNode

        def term(n: Any) -> str:
            if type(n) is bnode:
                return "_:" + n
            r = cache.get(n)
            if r is None:
                r = cache[n] = nt(n)
            return r

        buf: list[str] = []
        for s, preds in self.by_subject().items():
            ts = term(s)
            for p, objs in preds.items():
                tp = term(p)
                buf += [f"{ts} {tp} {term(o)} .\n" for o in objs]
            if len(buf) >= size:
                yield "".join(buf).encode("utf-8")
                buf = []
        if buf:
            yield "".join(buf).encode("utf-8")


_PREFIXES = sorted(((str(ns), p) for p, ns in PREFIXES.items()), key=lambda x: -len(x[0]))


def turtle_term(n: Any) -> str:
    if isinstance(n, URIRef):
        s = str(n)
        for ns, p in _PREFIXES:
            if s.startswith(ns) and _LOCAL.match(s[len(ns):]):
                return f"{p}:{s[len(ns):]}"
        return f"<{s}>"
    return nt(n)


def write_turtle(release: Release | Graph, path: Path, inferred_path: Path | None = None) -> None:
    """Sorted, deterministic Turtle of the release; with inferred_path, also the release plus its
    inferred subsumptions, in the same pass (the two files share every block but those it changes)."""
    if isinstance(release, Graph):
        release = Release(relabel(triples_of(release)))
    idx = release.by_subject()
    extra: dict[Any, dict[Any, list[Any]]] = defaultdict(lambda: defaultdict(list))
    for s, p, o in release.extra:
        if o not in idx.get(s, {}).get(p, ()):
            extra[s][p].append(o)
    rendered: dict[Any, str] = {}
    bnode = BNode

    def term(n: Any) -> str:
        if type(n) is bnode:  # not cached: millions of them, each used two or three times
            return "_:" + n
        r = rendered.get(n)
        if r is None:
            r = rendered[n] = turtle_term(n)
        return r

    typ = str(RDF.type)

    def block(s: Any, preds: dict[Any, list[Any]]) -> str:
        # rdf:type first ("a"), then by IRI; plain-str keys and comparisons (rdflib's are slow)
        order = sorted(preds, key=lambda p: "0" if str.__eq__(p, typ) else "1" + p)
        body = " ;\n    ".join(("a" if str.__eq__(p, typ) else term(p)) + " "
                                + ", ".join(sorted([term(o) for o in preds[p]])) for p in order)
        return f"\n{term(s)} {body} .\n"

    head = "".join(f"@prefix {p}: <{ns}> .\n" for p, ns in sorted(PREFIXES.items()))
    subjects = release.subjects_sorted(with_extra=inferred_path is not None)
    with ExitStack() as files:
        plain = files.enter_context(path.open("w", encoding="utf-8"))
        inf = files.enter_context(inferred_path.open("w", encoding="utf-8")) if inferred_path else None
        plain.write(head)
        if inf is not None:
            inf.write(head)
        for s in subjects:
            preds = idx.get(s)
            text = block(s, preds) if preds else ""
            plain.write(text)
            if inf is None:
                continue
            if s in extra:
                merged: dict[Any, list[Any]] = {p: list(v) for p, v in (preds or {}).items()}
                for p, v in extra[s].items():
                    merged.setdefault(p, []).extend(v)
                inf.write(block(s, merged))
            else:
                inf.write(text)


def named_classes(release: Release) -> int:
    cls, typ = OWL.Class, RDF.type
    return sum(1 for s, preds in release.by_subject().items() if isinstance(s, URIRef) and cls in preds.get(typ, ()))


def iri_sorted(nodes: list[Node]) -> list[Node]:
    return sorted(nodes, key=lambda n: (not isinstance(n, URIRef), str(n)))

