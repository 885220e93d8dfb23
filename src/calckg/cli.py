"""`calckg`: a thin command line over calckg.KnowledgeGraph and the build pipeline."""

from __future__ import annotations

import argparse
import json
import sys
import textwrap
from typing import Any

from . import __version__

WIDTH = 100


def _kg() -> Any:
    from .kg import KnowledgeGraph

    return KnowledgeGraph.load()


def cmd_build(args: argparse.Namespace) -> int:
    from .pipeline import BuildError, build, summary
    from .qc import QCQueryError
    from .reason import ReasoningError
    from .sources import SourceError

    log = None if args.json else sys.stderr
    if not args.quiet and not args.json:
        print(f"CalcKG {__version__}: building the release", file=sys.stderr)
    try:
        st = build(log=log, quiet=args.quiet)
    except BuildError as exc:
        # one line per fault (violation, QC error, unsatisfiable class), then the verdict
        for line in exc.problems:
            print(line, file=sys.stderr)
        print(f"error: build failed: {exc}; dist/ left unchanged", file=sys.stderr)
        return 1
    except (SourceError, ReasoningError, QCQueryError, FileNotFoundError) as exc:
        print(f"error: {exc}; dist/ left unchanged", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(summary(st), indent=2, sort_keys=True))
    elif not args.quiet:
        c = st.counts
        print(f"  {c.get('classes', 0)} classes ({c.get('disorders', 0)} disorders, {c.get('findings', 0)} findings, "
              f"{c.get('sites', 0)} sites), {c.get('entries', 0)} entries, {c.get('triples', 0)} triples, "
              f"{c.get('violations', 0)} violations, {c.get('qc_warnings', 0)} QC warnings, "
              f"{c.get('inferred_subsumptions', 0)} inferred subsumptions → {st.out}", file=sys.stderr)
    return 0


def _wrap(text: str, indent: int, hang: int = 0) -> list[str]:
    return textwrap.wrap(text, WIDTH, initial_indent=" " * indent, subsequent_indent=" " * (indent + hang)) or [""]


def format_table(d: dict[str, Any]) -> str:
    q = d["query"]
    lines = [f"Differential for: {', '.join(f['label'] for f in q['findings'])}"
             + (f"   at: {', '.join(s['label'] for s in q['sites'])}" if q["sites"] else ""),
             f"{d['count']} candidate(s), ranked by findings explained, then score", ""]
    head = f"{'#':>3}  {'disorder':<52} {'score':>6}  {'explains':>8}"
    lines += [head, "-" * len(head)]
    for r in d["results"]:
        label = r["label"] if len(r["label"]) <= 52 else r["label"][:51] + "…"
        lines.append(f"{r['rank']:>3}  {label:<52} {r['score']:>6.2f}  {r['explanation']['findings_explained']:>8}")
        if r["synonyms"]:
            lines += _wrap("aka " + ", ".join(r["synonyms"][:4]), 5)
        for e in r["evidence"]:
            where = f" at {', '.join(e['sites'])}" if e["sites"] else ""
            figs = f" [{', '.join(e['figures'])}]" if e["figures"] else ""
            lines += _wrap(f"• {e['source']}: {e['finding']}{where}{figs}", 5, 2)
            if e["remark"]:
                lines += _wrap(f"“{e['remark']}”", 7)
        facts = r.get("facts") or {}
        fact_txt = "; ".join(f"{k.replace('_', ' ')}: {', '.join(map(str, v)) if isinstance(v, list) else v}"
                             for k, v in facts.items())
        if fact_txt:
            lines += _wrap(fact_txt, 5)
        lines += _wrap("why: " + r["explanation"]["summary"], 5, 5)
        lines.append("")
    if not d["narrowing"] and d["count"] > 1:
        lines.append("To narrow: nothing in the source separates the leading candidates.")
    if d["narrowing"]:
        lines.append("To narrow:")
        for n in d["narrowing"]:
            lines += textwrap.wrap(f"- {n['text']}", WIDTH, initial_indent="  ", subsequent_indent="    ")
    return "\n".join(lines)


def format_tsv(d: dict[str, Any]) -> str:
    rows = ["rank\tiri\tlabel\tscore\texplains\tsources\tsites"]
    for r in d["results"]:
        rows.append("\t".join([str(r["rank"]), r["iri"], r["label"], f"{r['score']:.4f}",
                               r["explanation"]["findings_explained"],
                               "; ".join(e["source"] for e in r["evidence"]),
                               "; ".join(sorted({s for e in r["evidence"] for s in e["sites"]}))]))
    return "\n".join(rows)


def cmd_ddx(args: argparse.Namespace) -> int:
    from .kg import UnknownTermError

    kg = _kg()
    try:
        res = kg.ddx(args.findings, args.site or [], limit=args.limit, strict_sites=args.strict_sites)
    except UnknownTermError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    d = res.to_dict()
    if args.format == "json":
        print(json.dumps(d, indent=2, ensure_ascii=False))
    elif args.format == "tsv":
        print(format_tsv(d))
    else:
        print(format_table(d))
        if not d["results"] and args.site:
            elsewhere = kg.ddx(args.findings, []).results
            names = ", ".join(c.label for c in elsewhere[:8]) or "none"
            print("\n".join(_wrap(f"The source puts these findings at none of the sites asked. Without --site: "
                                   f"{names}.", 0)))
    return 0


def _params(pairs: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for pair in pairs:
        if "=" not in pair:
            raise ValueError(f"--param '{pair}' is not NAME=VALUE (e.g. --param finding=chondrocalcinosis)")
        k, v = pair.split("=", 1)
        out[k.strip()] = v
    return out


def format_rows(variables: list[str], rows: list[dict[str, Any]], fmt: str) -> str:
    """Query rows as an aligned text table (for people) or TSV; CALCKG IRIs shortened to calc: in the table."""
    def cell(v: Any, short: bool) -> str:
        s = "" if v is None else str(v)
        if short and s.startswith("https://w3id.org/calckg/"):
            s = "calc:" + s[len("https://w3id.org/calckg/"):]
        return s.replace("\t", " ").replace("\n", " ")
    if fmt == "tsv":
        return "\n".join(["\t".join(variables)] + ["\t".join(cell(r[v], False) for v in variables) for r in rows])
    table = [[cell(r[v], True) for v in variables] for r in rows]
    widths = [min(40, max([len(v)] + [len(t[i]) for t in table])) for i, v in enumerate(variables)]
    while sum(widths) + 2 * (len(widths) - 1) > WIDTH and max(widths) > 8:  # fit 100 columns: trim the widest
        widths[widths.index(max(widths))] -= 1
    def line(vals: list[str]) -> str:
        cells = ((x if len(x) <= w else x[: w - 1] + "…").ljust(w) for x, w in zip(vals, widths, strict=True))
        return "  ".join(cells).rstrip()
    return "\n".join([line(variables), line(["-" * w for w in widths]), *map(line, table),
                      f"({len(rows)} row{'s' if len(rows) != 1 else ''})"])


def cmd_query(args: argparse.Namespace) -> int:
    from . import queries
    from .kg import UnknownTermError

    if args.list or not args.name:
        for name, q in queries.available().items():
            params = ", ".join(f"{p.name} ({p.type}{'' if p.required else ', optional'})" for p in q.params)
            print(f"{name}: {q.summary}")
            if params:
                print(f"    parameters: {params}")
            if q.example:
                print(f"    example: {q.example}")
        return 0
    try:
        params = _params(args.param or [])
        q = queries.find(args.name)
        needs_kg = not args.endpoint or any(p.type in queries.TERM_TYPES and p.name in params for p in q.params)
        kg = _kg() if needs_kg else None
        bindings = queries.bind(kg, q, params)
        res = (queries.run_endpoint(args.endpoint, q.text, bindings) if args.endpoint
               else queries.run_embedded(kg.store, q.text, bindings))
    except UnknownTermError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except (queries.QueryError, ValueError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.format == "json":
        print(json.dumps(res.to_dict(), indent=2, ensure_ascii=False))
    elif args.format == "tsv":
        print(format_rows(res.variables, res.rows, "tsv"))
    else:  # for people: no columns repeating the bound parameters, labels instead of IRIs where both exist
        shown = [v for v in res.variables if v not in bindings and f"{v}Label" not in res.variables]
        print(format_rows(shown or res.variables, res.rows, "table"))
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from .exporting import ExportError, export

    try:
        export(args.format, sys.stdout.buffer, inferred=args.inferred)
    except ExportError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        return 0
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    from .kg import UnknownTermError

    kg = _kg()
    try:
        d = kg.show(args.term)
    except UnknownTermError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.format == "json":
        print(json.dumps(d, indent=2, ensure_ascii=False))
        return 0
    out = [f"{d['label']}  <{d['iri']}>  ({d['kind']})"]
    out += _wrap(d["definition"], 2)
    for key in ("synonyms", "parents", "children", "part_of", "has_parts", "gamuts", "mimicked_by", "db_xrefs"):
        if d.get(key):
            out += _wrap(f"{key.replace('_', ' ')}: {', '.join(d[key])}", 2)
    for k, v in (d.get("facts") or {}).items():
        out += _wrap(f"{k.replace('_', ' ')}: {', '.join(map(str, v)) if isinstance(v, list) else v}", 2)
    for x in d["cross_references"]:
        out.append(f"  {x['match']}: {x['iri']}")
    if d["evidence"]:
        out.append("entries:")
    for e in d["evidence"]:
        out += _wrap(f"• {e['source']}: {', '.join(e['disorders'])} → {e['finding']}"
                     + (f" at {', '.join(e['sites'])}" if e["sites"] else ""), 2)
        if e["remark"] and e["kind"] == "table row":
            out += _wrap(f"“{e['remark']}”", 6)
    if d.get("figure_details"):
        out.append("figures:")
    for f in d.get("figure_details", []):
        out += _wrap(f"{f['label']}: {f['caption']}", 2)
    for n in d["editorial_notes"]:
        out += _wrap(f"note: {n}", 2)
    print("\n".join(out))
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from pathlib import Path

    from .backend import BackendError
    from .server import Config, serve

    cfg = Config(host=args.host, port=args.port, dist=Path(args.dist) if args.dist else None, timeout=args.timeout,
                 max_result_bytes=args.max_result_bytes, max_request_bytes=args.max_request_bytes,
                 access_log=args.access_log)
    try:
        return serve(cfg)
    except (BackendError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


def cmd_push(args: argparse.Namespace) -> int:
    import os
    from pathlib import Path

    from .pipeline import project_root
    from .push import PushError, push

    dist = Path(args.dist) if args.dist else project_root() / "dist"
    path = Path(args.file) if args.file else dist / ("calckg.ttl" if args.asserted else "calckg-inferred.ttl")
    if not args.file and not path.exists():
        from .pipeline import build

        build(dist=dist, quiet=True)
    try:
        res = push(path, args.endpoint, graph=args.graph, replace=not args.append, user=args.user,
                   password=os.environ.get("CALCKG_PUSH_PASSWORD"), timeout=args.timeout,
                   verify_endpoint=args.verify)
    except PushError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    where = f"graph <{args.graph}>" if args.graph else "the default graph"
    check = f"; the store counts {res.verified}" if res.verified is not None else ""
    print(f"pushed {res.triples} triples from {path.name} into {where} at {res.url} (HTTP {res.status}){check}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="calckg", description="CalcKG: differential diagnosis of joint and "
                                "soft-tissue calcification from a provenance-tracked knowledge graph.")
    p.add_argument("--version", action="version", version=f"calckg {__version__}")
    sub = p.add_subparsers(dest="command", required=True)

    b = sub.add_parser("build", help="build, reason and export the release into dist/")
    b.add_argument("--quiet", action="store_true", help="print nothing but errors")
    b.add_argument("--json", action="store_true", help="print only a JSON summary: counts (classes, entries, "
                   "triples, violations, inferred subsumptions …), seconds per stage, warnings")
    b.set_defaults(func=cmd_build)

    d = sub.add_parser("ddx", help="ranked differential for one or more findings, optionally at sites")
    d.add_argument("findings", nargs="+", metavar="FINDING", help="finding label or synonym")
    d.add_argument("--site", action="append", metavar="SITE", help="anatomical site (repeatable)")
    d.add_argument("--format", choices=("table", "json", "tsv"), default="table")
    d.add_argument("--limit", type=int, default=None, help="show at most this many candidates")
    d.add_argument("--strict-sites", action="store_true",
                   help="drop candidates whose source row gives no site, when --site is given")
    d.set_defaults(func=cmd_ddx)

    q = sub.add_parser("query", help="run a named SPARQL query (queries/NAME.rq) or any .rq file",
                       description="Run a named query on the embedded store or a SPARQL 1.1 endpoint. "
                       "Without NAME, list the named queries with their parameters.")
    q.add_argument("name", nargs="?", metavar="NAME|FILE.rq")
    q.add_argument("--param", action="append", metavar="NAME=VALUE",
                   help="a parameter value, bound (never pasted) into the query; repeatable")
    q.add_argument("--endpoint", metavar="URL", help="a SPARQL 1.1 query endpoint instead of the embedded store")
    q.add_argument("--format", choices=("table", "json", "tsv"), default="table")
    q.add_argument("--list", action="store_true", help="list the named queries")
    q.set_defaults(func=cmd_query)

    e = sub.add_parser("export", help="write the released graph to standard output")
    e.add_argument("--format", choices=("ttl", "jsonld", "owl", "nt"), default="ttl")
    e.add_argument("--inferred", action="store_true", help="the inferred graph, with HermiT's classification")
    e.set_defaults(func=cmd_export)

    s = sub.add_parser("show", help="everything known about a term")
    s.add_argument("term")
    s.add_argument("--format", choices=("text", "json"), default="text")
    s.set_defaults(func=cmd_show)

    sub.add_parser("bench", help="the benchmark (bench/run.py; calckg bench --help)", add_help=False)
    v = sub.add_parser("serve", help="serve the release over HTTP: SPARQL endpoint, term pages, differential page")
    v.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1: this machine only)")
    v.add_argument("--port", type=int, default=8000, help="port (0: any free port; the URL is printed)")
    v.add_argument("--dist", help="release directory (default: dist/ of the checkout, built if missing)")
    v.add_argument("--timeout", type=float, default=5.0, help="SPARQL query time limit in seconds (default 5)")
    v.add_argument("--max-result-bytes", type=int, default=10_000_000, help="largest SPARQL result sent")
    v.add_argument("--max-request-bytes", type=int, default=100_000, help="largest request body or query")
    v.add_argument("--access-log", action="store_true", help="log every request to stderr")
    v.set_defaults(func=cmd_serve)

    u = sub.add_parser("push", help="load the release into a SPARQL 1.1 Graph Store (Oxigraph, Fuseki, Virtuoso …)")
    u.add_argument("--endpoint", required=True, metavar="URL",
                   help="Graph Store URL, e.g. http://localhost:7878/store (Oxigraph), "
                        "http://localhost:3030/ds/data (Fuseki)")
    u.add_argument("--graph", metavar="IRI", help="named graph to fill (default: the default graph)")
    u.add_argument("--append", action="store_true", help="add to the graph (POST) instead of replacing it (PUT)")
    u.add_argument("--asserted", action="store_true", help="push calckg.ttl (no classification) instead")
    u.add_argument("--file", help="push this Turtle file instead of the release")
    u.add_argument("--dist", help="release directory (default: dist/ of the checkout)")
    u.add_argument("--user", help="user name (password from $CALCKG_PUSH_PASSWORD)")
    u.add_argument("--verify", metavar="QUERY_URL", help="count the triples back over this SPARQL query endpoint")
    u.add_argument("--timeout", type=float, default=300.0, help="seconds to wait for the store")
    u.set_defaults(func=cmd_push)
    return p


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["bench"]:  # bench/run.py parses its own options; it sits beside the package, in the checkout
        import runpy

        from .pipeline import CODE_ROOT

        return int(runpy.run_path(str(CODE_ROOT / "bench" / "run.py"))["main"](argv[1:]))
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except BrokenPipeError:  # `calckg ... | head`: the reader left; not an error
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    sys.exit(main())
