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
    from .reason import ReasoningError
    from .sources import SourceError

    log = None if args.json else sys.stderr
    if not args.quiet and not args.json:
        print(f"CalcKG {__version__}: building the release", file=sys.stderr)
    try:
        st = build(log=log, quiet=args.quiet)
    except (SourceError, ReasoningError, BuildError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(summary(st), indent=2, sort_keys=True))
    elif not args.quiet:
        c = st.counts
        print(f"  {c.get('disorders', 0)} disorders, {c.get('findings', 0)} findings, {c.get('sites', 0)} sites, "
              f"{c.get('entries', 0)} entries, {c.get('triples', 0)} triples, "
              f"{c.get('inferred_subsumptions', 0)} inferred subsumptions → {st.out}", file=sys.stderr)
    return 0


def _wrap(text: str, indent: int) -> list[str]:
    return textwrap.wrap(text, WIDTH - indent, initial_indent=" " * indent, subsequent_indent=" " * indent) or [""]


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
            lines += _wrap(f"• {e['source']}: {e['finding']}{where}{figs}", 5)
            if e["remark"]:
                lines += _wrap(f"“{e['remark']}”", 7)
        facts = r.get("facts") or {}
        fact_txt = "; ".join(f"{k.replace('_', ' ')}: {', '.join(map(str, v)) if isinstance(v, list) else v}"
                             for k, v in facts.items())
        if fact_txt:
            lines += _wrap(fact_txt, 5)
        lines += _wrap("why: " + r["explanation"]["summary"], 5)
        lines.append("")
    if d["narrowing"]:
        lines.append("To narrow:")
        for n in d["narrowing"]:
            lines += _wrap(f"- {n['text']}", 2)
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
    for key in ("synonyms", "parents", "children", "part_of", "gamuts", "figures", "db_xrefs"):
        if d.get(key):
            out += _wrap(f"{key.replace('_', ' ')}: {', '.join(d[key])}", 2)
    for k, v in (d.get("facts") or {}).items():
        out += _wrap(f"{k.replace('_', ' ')}: {', '.join(map(str, v)) if isinstance(v, list) else v}", 2)
    for x in d["cross_references"]:
        out.append(f"  {x['match']}: {x['iri']}")
    for e in d["evidence"]:
        out += _wrap(f"• {e['source']}: {', '.join(e['disorders'])} → {e['finding']}"
                     + (f" at {', '.join(e['sites'])}" if e["sites"] else ""), 2)
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
    b.add_argument("--json", action="store_true", help="print a JSON summary of counts and timings")
    b.set_defaults(func=cmd_build)

    d = sub.add_parser("ddx", help="ranked differential for one or more findings, optionally at sites")
    d.add_argument("findings", nargs="+", metavar="FINDING", help="finding label or synonym")
    d.add_argument("--site", action="append", metavar="SITE", help="anatomical site (repeatable)")
    d.add_argument("--format", choices=("table", "json", "tsv"), default="table")
    d.add_argument("--limit", type=int, default=None, help="show at most this many candidates")
    d.add_argument("--strict-sites", action="store_true",
                   help="drop candidates whose source row gives no site, when --site is given")
    d.set_defaults(func=cmd_ddx)

    s = sub.add_parser("show", help="everything known about a term")
    s.add_argument("term")
    s.add_argument("--format", choices=("text", "json"), default="text")
    s.set_defaults(func=cmd_show)

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
    args = build_parser().parse_args(argv)
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
