"""Opt-in fast release stages: the 'direct edges' and 'export' stages without copying graphs.

Why: at the Gamuts scale (3.5 million triples) pipeline.stage_graph copies the axioms, provenance
and edges into a new Graph and that again into a second one (about 25 µs a triple in rdflib's
Memory store), and export.write_turtle copies once more to relabel blank nodes before rdflib's
Turtle serializer runs: together most of the build. These stages read the component graphs in
place (straight from the store's index, see saturate.fast_triples), label blank nodes by content
as export.canonical does, and write sorted, deterministic Turtle themselves. The files are
isomorphic to the ones the pipeline writes (tests/test_release_fast.py), not byte-identical.

Use: build(stages=fast_stages()) — the benchmark measures both; pipeline.py is not changed here.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.graph import ReadOnlyGraphAggregate
from rdflib.namespace import RDF, RDFS

from .edges import derive_edges, edge_graph
from .namespaces import PREFIXES
from .saturate import fast_triples

_LOCAL = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")


def _h(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:20]  # noqa: S324 - a label, not security


def _term(n: Any, prefixes: list[tuple[str, str]]) -> str:
    if isinstance(n, URIRef):
        s = str(n)
        for ns, p in prefixes:
            if s.startswith(ns) and _LOCAL.match(s[len(ns):]):
                return f"{p}:{s[len(ns):]}"
        return f"<{s}>"
    if isinstance(n, Literal):
        return n.n3()
    return n.n3()


def labels(triples: list[tuple[Any, Any, Any]]) -> dict[BNode, str]:
    """Deterministic blank-node labels: a hash of each node's content and of where it hangs."""
    out_edges: dict[BNode, list[tuple[Any, Any]]] = defaultdict(list)
    in_edges: dict[BNode, list[tuple[Any, Any]]] = defaultdict(list)
    for s, p, o in triples:
        if isinstance(s, BNode):
            out_edges[s].append((p, o))
        if isinstance(o, BNode):
            in_edges[o].append((s, p))
    content: dict[BNode, str] = {}

    def content_of(b: BNode) -> str:
        # iterative post-order: blank-node trees here are deep (RDF lists), recursion would overflow
        stack = [b]
        while stack:
            x = stack[-1]
            if x in content:
                stack.pop()
                continue
            todo = [o for _, o in out_edges.get(x, ()) if isinstance(o, BNode) and o not in content]
            if todo:
                stack.extend(todo)
                continue
            parts = sorted(f"{p.n3()} {content[o] if isinstance(o, BNode) else o.n3()}"
                           for p, o in out_edges.get(x, ()))
            content[x] = _h("\n".join(parts))
            stack.pop()
        return content[b]

    final: dict[BNode, str] = {}

    def final_of(b: BNode) -> str:
        stack = [b]
        while stack:
            x = stack[-1]
            if x in final:
                stack.pop()
                continue
            todo = [s for s, _ in in_edges.get(x, ()) if isinstance(s, BNode) and s not in final]
            if todo:
                stack.extend(todo)
                continue
            refs = sorted(f"{final[s] if isinstance(s, BNode) else s.n3()} {p.n3()}" for s, p in in_edges.get(x, ()))
            final[x] = "b" + _h(content_of(x) + "|" + "\n".join(refs))
            stack.pop()
        return final[b]

    for b in set(out_edges) | set(in_edges):
        final_of(b)
    return final


def write_turtle_fast(graphs: Iterable[Graph], path: Path, extra: Iterable[tuple[Any, Any, Any]] = (),
                      extra_path: Path | None = None) -> tuple[int, int]:
    """Write the union of graphs as sorted Turtle to path, and with the extra triples to extra_path.

    The two files share all the work (labels, rendering) but the final write. Returns the counts.
    """
    base = {t for g in graphs for t in fast_triples(g)}
    more = [t for t in set(extra) if t not in base]
    triples = [*base, *more]
    lab = labels(triples)
    prefixes = sorted(((str(ns), p) for p, ns in PREFIXES.items()), key=lambda x: -len(x[0]))
    rendered: dict[Any, str] = {}

    def term(n: Any) -> str:
        r = rendered.get(n)
        if r is None:
            r = rendered[n] = f"_:{lab[n]}" if isinstance(n, BNode) else _term(n, prefixes)
        return r

    by_subject: dict[Any, dict[Any, list[str]]] = defaultdict(lambda: defaultdict(list))
    for s, p, o in base:
        by_subject[s][p].append(term(o))
    extra_by: dict[Any, dict[Any, list[str]]] = defaultdict(lambda: defaultdict(list))
    for s, p, o in more:
        extra_by[s][p].append(term(o))
    subjects = set(by_subject) | set(extra_by)
    keyed = sorted(((isinstance(s, BNode), lab[s] if isinstance(s, BNode) else str(s)), s) for s in subjects)
    head = "".join(f"@prefix {p}: <{ns}> .\n" for p, ns in sorted(PREFIXES.items()))

    def block(s: Any, preds: dict[Any, list[str]]) -> str:
        order = sorted(preds, key=lambda p: (p != RDF.type, str(p)))
        body = " ;\n    ".join(("a" if p == RDF.type else term(p)) + " " + ", ".join(sorted(preds[p]))
                                for p in order)
        return f"\n{term(s)} {body} .\n"

    plain = {s: block(s, by_subject[s]) for _, s in keyed if s in by_subject}
    with path.open("w", encoding="utf-8") as f:
        f.write(head)
        f.writelines(plain[s] for _, s in keyed if s in plain)
    if extra_path is not None:
        with extra_path.open("w", encoding="utf-8") as f:
            f.write(head)
            for _, s in keyed:
                if s in extra_by:
                    merged = defaultdict(list, {p: list(v) for p, v in by_subject.get(s, {}).items()})
                    for p, v in extra_by[s].items():
                        merged[p].extend(v)
                    f.write(block(s, merged))
                else:
                    f.write(plain[s])
    return len(base), len(triples)


def stage_graph_fast(st: Any) -> None:
    """As pipeline.stage_graph, but the release graphs are views over the parts, not copies."""
    a = st.assembled
    edges = derive_edges(a.axioms)
    st.counts["direct_edges"] = len(edges)
    eg = edge_graph(edges, a.evidence)
    st.fast_parts = [a.axioms, a.provenance, eg]
    st.asserted = ReadOnlyGraphAggregate(st.fast_parts)


def stage_export_fast(st: Any) -> None:
    st.fast_extra = [(s, RDFS.subClassOf, o) for s, o in sorted(st.classification.inferred_direct)]
    st.counts["triples"], st.counts["inferred_triples"] = write_turtle_fast(
        st.fast_parts, st.out / "calckg.ttl", st.fast_extra, st.out / "calckg-inferred.ttl")


def _graph(triples: Iterable[tuple[Any, Any, Any]]) -> Graph:
    g = Graph()
    for t in triples:
        g.add(t)
    return g


def fast_stages() -> list[tuple[str, Any]]:
    """pipeline.STAGES with the graph and export stages replaced (same names, so timings line up)."""
    from .pipeline import STAGES

    repl = {"direct edges": stage_graph_fast, "export artifacts": stage_export_fast}
    return [(name, repl.get(name, fn)) for name, fn in STAGES]


