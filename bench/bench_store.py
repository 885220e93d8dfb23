"""Which embedded store should CalcKG use? The same queries, timed on rdflib's in-memory store and on
pyoxigraph, in the same run, on the same release graph.

    PYTHONPATH=src python bench/bench_store.py                 # dist/calckg-inferred.ttl, 7 repeats
    PYTHONPATH=src python bench/bench_store.py --repeats 15 --json bench/results/store.json

Measured: loading the Turtle file, every named query in queries/ (with its header's example values,
bound as parameters: pyoxigraph substitutions, rdflib initBindings), and the index queries that
KnowledgeGraph runs at start-up. Reported: the median per store and the ratio rdflib / pyoxigraph
(> 1: pyoxigraph is faster); and that both stores return the same number of rows. No absolute time
is asserted anywhere; only the ratio within one run means anything.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from calckg import queries as nq  # noqa: E402
from calckg.kg import PREFIXES, KnowledgeGraph  # noqa: E402

#: the values the named queries' example calls use
EXAMPLE = {"finding": "chondrocalcinosis", "site": "knee", "disorder": "CPPD", "mechanism": "metastatic calcification",
           "substance": "iron", "inheritance": "autosomal recessive inheritance", "text": "osteo"}
INDEX = {
    "index: subclass edges": "SELECT ?s ?o WHERE { ?s rdfs:subClassOf ?o . FILTER(isIRI(?s) && isIRI(?o)) }",
    "index: labelled classes": """SELECT ?c ?label ?def WHERE { ?c a owl:Class ; rdfs:label ?label .
        OPTIONAL { ?c skos:definition ?def } FILTER(isIRI(?c) && STRSTARTS(STR(?c), "https://w3id.org/calckg/")) }""",
    "index: evidence": """SELECT ?e ?p ?o WHERE { { ?e a calc:DifferentialEntry } UNION { ?e a calc:SourceStatement }
        ?e ?p ?o } ORDER BY ?e ?p ?o""",
}


def median_seconds(fn: Callable[[], Any], repeats: int) -> tuple[float, Any]:
    fn()  # warm-up (query planning caches, lazy imports)
    times, out = [], None
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), out


def measure(path: Path, repeats: int = 7) -> dict[str, Any]:
    """Medians per store and their ratio, for loading and for each query."""
    import pyoxigraph as ox
    from rdflib import Graph, Literal, URIRef, Variable

    def load_ox() -> ox.Store:
        s = ox.Store()
        s.bulk_load(path=str(path), format=ox.RdfFormat.TURTLE)
        return s

    def load_rdflib() -> Graph:
        return Graph().parse(path, format="turtle")

    rows: list[dict[str, Any]] = []
    t_rdf, g = median_seconds(load_rdflib, max(3, repeats // 2))
    t_ox, store = median_seconds(load_ox, max(3, repeats // 2))
    rows.append({"what": "load Turtle", "rdflib_s": t_rdf, "pyoxigraph_s": t_ox, "rows_equal": len(g) == len(store)})
    kg = KnowledgeGraph(store, path)
    work: list[tuple[str, str, dict[str, nq.Value]]] = [(k, PREFIXES + v, {}) for k, v in INDEX.items()]
    for name, q in nq.available(ROOT / "queries").items():
        work.append((f"query: {name}", q.text, nq.bind(kg, q, {p.name: EXAMPLE[p.name] for p in q.params})))
    for what, text, bindings in work:
        subs = {ox.Variable(k): ox.NamedNode(v.value) if isinstance(v, nq.Iri) else ox.Literal(v.value)
                for k, v in bindings.items()}
        init = {Variable(k): URIRef(v.value) if isinstance(v, nq.Iri) else Literal(v.value)
                for k, v in bindings.items()}
        t_ox, n_ox = median_seconds(lambda t=text, s=subs: len(list(store.query(t, substitutions=s))), repeats)
        try:
            t_rdf, n_rdf = median_seconds(lambda t=text, b=init: len(list(g.query(t, initBindings=b))), repeats)
        except Exception as exc:  # noqa: BLE001 - a store that cannot answer is a result, recorded as such
            rows.append({"what": what, "rdflib_s": None, "pyoxigraph_s": t_ox, "rows_equal": False, "rows": n_ox,
                         "rdflib_error": f"{type(exc).__name__}: {exc}"})
            continue
        rows.append({"what": what, "rdflib_s": t_rdf, "pyoxigraph_s": t_ox, "rows_equal": n_ox == n_rdf,
                     "rows": n_ox})
    for r in rows:
        r["ratio"] = r["rdflib_s"] / r["pyoxigraph_s"] if r["rdflib_s"] is not None and r["pyoxigraph_s"] else None
    queries_only = [r for r in rows if r["what"] != "load Turtle" and r["ratio"] is not None]
    summary = {
        "rdflib_total_s": sum(r["rdflib_s"] for r in queries_only),
        "pyoxigraph_total_s": sum(r["pyoxigraph_s"] for r in queries_only),
        "geometric_mean_ratio": statistics.geometric_mean([r["ratio"] for r in queries_only]),
        "median_ratio": statistics.median([r["ratio"] for r in queries_only]),
    }
    summary["faster"] = "pyoxigraph" if summary["geometric_mean_ratio"] > 1 else "rdflib"
    summary["rdflib_failed"] = [r["what"] for r in rows if r.get("rdflib_error")]
    return {"graph": str(path), "triples": len(store), "repeats": repeats, "rows": rows, "summary": summary}


def markdown(res: dict[str, Any]) -> str:
    out = [f"Store benchmark: {res['triples']} triples, median of {res['repeats']} runs, same process.", "",
           "| what | rdflib (ms) | pyoxigraph (ms) | rdflib / pyoxigraph | same rows |",
           "| --- | ---: | ---: | ---: | :---: |"]
    for r in res["rows"]:
        if r["ratio"] is None:
            out.append(f"| {r['what']} | fails ({r['rdflib_error'][:60]}) | {r['pyoxigraph_s'] * 1e3:.3f} | – | – |")
            continue
        out.append(f"| {r['what']} | {r['rdflib_s'] * 1e3:.2f} | {r['pyoxigraph_s'] * 1e3:.3f} | "
                   f"{r['ratio']:.1f}× | {'yes' if r['rows_equal'] else 'NO'} |")
    s = res["summary"]
    out += ["", f"Queries in total: rdflib {s['rdflib_total_s'] * 1e3:.1f} ms, pyoxigraph "
            f"{s['pyoxigraph_total_s'] * 1e3:.1f} ms; geometric-mean ratio {s['geometric_mean_ratio']:.1f}×, "
            f"median ratio {s['median_ratio']:.1f}× (over the queries both answer) → default store: {s['faster']}."]
    if s["rdflib_failed"]:
        out.append(f"rdflib could not answer: {', '.join(s['rdflib_failed'])}.")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--graph", type=Path, default=ROOT / "dist" / "calckg-inferred.ttl")
    ap.add_argument("--repeats", type=int, default=7)
    ap.add_argument("--json", type=Path, help="also write the results as JSON here")
    args = ap.parse_args(argv)
    if not args.graph.exists():
        print(f"error: {args.graph} missing; run 'python build.py' first", file=sys.stderr)
        return 2
    res = measure(args.graph, args.repeats)
    print(markdown(res))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(res, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
