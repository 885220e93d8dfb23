"""`calckg push`: load the release into any SPARQL 1.1 Graph Store (Oxigraph, Fuseki, Virtuoso, GraphDB).

Uses the Graph Store HTTP Protocol only (PUT replaces a graph, POST adds to it), so it needs nothing
from the store but the standard; optional verification counts the triples back over the store's
SPARQL query endpoint.
"""

from __future__ import annotations

import base64
import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlencode


class PushError(RuntimeError):
    """The store refused the graph or could not be reached; the message says which and why."""


@dataclass
class PushResult:
    url: str
    status: int
    triples: int
    verified: int | None = None


def target_url(endpoint: str, graph: str | None) -> str:
    """The Graph Store URL of the default graph (?default) or of a named graph (?graph=IRI)."""
    sep = "&" if "?" in endpoint else "?"
    return endpoint + sep + ("default" if not graph else "graph=" + quote(graph, safe=""))


def count_triples(path: Path) -> int:
    """Distinct triples in a Turtle file, as a store counts them."""
    import pyoxigraph as ox

    store = ox.Store()
    store.bulk_load(path=str(path), format=ox.RdfFormat.TURTLE)
    return len(store)


def _opener(url: str, user: str | None, password: str | None) -> urllib.request.OpenerDirector:
    handlers: list[urllib.request.BaseHandler] = []
    if user is not None:
        mgr = urllib.request.HTTPPasswordMgrWithDefaultRealm()
        mgr.add_password(None, url, user, password or "")
        handlers += [urllib.request.HTTPDigestAuthHandler(mgr)]  # Virtuoso's -auth endpoints use Digest
    return urllib.request.build_opener(*handlers)


def _headers(user: str | None, password: str | None, extra: dict[str, str]) -> dict[str, str]:
    h = dict(extra)
    if user is not None:  # Basic up front (Fuseki, GraphDB); Digest stores answer 401 and the handler retries
        h["Authorization"] = "Basic " + base64.b64encode(f"{user}:{password or ''}".encode()).decode()
    return h


def count_remote(query_endpoint: str, graph: str | None, *, user: str | None = None, password: str | None = None,
                 timeout: float = 60.0) -> int:
    """Triples in the pushed graph, counted by the store's SPARQL endpoint."""
    pattern = f"GRAPH <{graph}> {{ ?s ?p ?o }}" if graph else "?s ?p ?o"
    q = f"SELECT (COUNT(*) AS ?n) WHERE {{ {pattern} }}"
    req = urllib.request.Request(query_endpoint, data=urlencode({"query": q}).encode(), method="POST",
                                 headers=_headers(user, password, {
                                     "Content-Type": "application/x-www-form-urlencoded",
                                     "Accept": "application/sparql-results+json"}))
    try:
        with _opener(query_endpoint, user, password).open(req, timeout=timeout) as resp:
            data = json.loads(resp.read())
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise PushError(f"could not count the triples at {query_endpoint}: {exc}") from exc
    return int(data["results"]["bindings"][0]["n"]["value"])


def push(path: Path, endpoint: str, *, graph: str | None = None, replace: bool = True, user: str | None = None,
         password: str | None = None, timeout: float = 300.0, verify_endpoint: str | None = None) -> PushResult:
    """Send the Turtle file to the Graph Store; PushError on any refusal or mismatch."""
    if not path.exists():
        raise PushError(f"{path}: no release file; run 'calckg build' first")
    url = target_url(endpoint, graph)
    data = path.read_bytes()
    req = urllib.request.Request(url, data=data, method="PUT" if replace else "POST",
                                 headers=_headers(user, password, {"Content-Type": "text/turtle; charset=utf-8"}))
    try:
        with _opener(url, user, password).open(req, timeout=timeout) as resp:
            status = resp.status
    except urllib.error.HTTPError as exc:
        detail = exc.read()[:500].decode("utf-8", "replace").strip()
        raise PushError(f"{url} refused the graph: HTTP {exc.code} {exc.reason}: {detail}") from exc
    except (urllib.error.URLError, OSError) as exc:
        raise PushError(f"could not reach {url}: {exc}") from exc
    result = PushResult(url, status, count_triples(path))
    if verify_endpoint:
        result.verified = count_remote(verify_endpoint, graph, user=user, password=password)
        if replace and result.verified != result.triples:
            raise PushError(f"the store holds {result.verified} triples in the graph, the release {result.triples}")
    return result
