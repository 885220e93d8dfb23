"""Synthetic CalcKG knowledge in the project's own source format, at a chosen scale.

Why: the chapter is ~110 classes and ~40 causal rows; the Radiology Gamuts Ontology is ~17,000
classes and ~55,000 "may cause" rows. To measure how the pipeline's cost grows we need sources of
any size that load, build and query like the real ones. The generator writes ontology/*.yaml plus a
vocabulary.ttl (the real one, with the chapter's defined classes replaced by defined classes over
the synthetic gamuts), shaped after the chapter: a site forest of is-a and part-of depth up to 6,
2-4 synonyms per term, findings with 'either' unions, 'located_in' and 'defined_as' equivalences,
rows with 0-5 common locations (the chapter's distribution), mimics, frequencies, figures,
associated findings and a few negatives ('not seen in'). The same seed gives byte-identical files.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

VOCABULARY = Path(__file__).resolve().parents[1] / "ontology" / "vocabulary.ttl"
DEFINED_MARK = "# ---------------------------------------------------------------- defined classes"

# The chapter: 44 sites, 22 findings, 46 disorders (112 classes), 19 table rows + 24 statements.
CHAPTER_CLASSES = 112
CHAPTER_ROWS = 43


@dataclass(frozen=True)
class Scale:
    name: str
    classes: int
    rows: int


SCALES = {
    "1x": Scale("1x", CHAPTER_CLASSES, CHAPTER_ROWS),
    "10x": Scale("10x", 10 * CHAPTER_CLASSES, 10 * CHAPTER_ROWS),
    "100x": Scale("100x", 100 * CHAPTER_CLASSES, 100 * CHAPTER_ROWS),
    "gamuts": Scale("gamuts", 17_000, 55_000),
}

# the chapter's shares of classes and its distribution of sites per row (Counter over its rows)
SHARE = {"site": 0.39, "finding": 0.20, "disorder": 0.41}
SITES_PER_ROW = [0] * 7 + [1] * 4 + [2] * 3 + [3] * 1 + [4] * 1 + [5] * 3
SYLLABLES = ["ka", "lo", "mi", "ren", "tu", "sa", "vor", "de", "pli", "na", "go", "zel", "ha", "bri", "tos",
             "mun", "fe", "ris", "qua", "do", "lin", "pe", "cha", "sor", "vi", "bo", "tre", "ul", "nim", "ax"]
SITE_WORDS = ["joint", "capsule", "tendon", "bursa", "ligament", "cartilage", "meniscus", "soft tissue", "disc"]
FINDING_WORDS = ["calcification", "ossification", "density", "body", "deposit", "mineralization"]
DISORDER_WORDS = ["disease", "syndrome", "arthropathy", "deficiency", "dysplasia", "arthritis", "injury"]
MECHANISMS = ["MetastaticCalcification", "Calcinosis", "DystrophicCalcification", "HeterotopicBoneFormation"]


def _name(i: int) -> str:
    """A unique pronounceable word for index i (bijective base-30 in syllables)."""
    out = []
    i += 30
    while i:
        i, r = divmod(i, 30)
        out.append(SYLLABLES[r])
    return "".join(reversed(out))


def _camel(label: str) -> str:
    return "".join(w[:1].upper() + w[1:] for w in label.replace("-", " ").split())


class _Gen:
    def __init__(self, scale: Scale, seed: int) -> None:
        self.rnd = random.Random(seed)
        self.scale = scale
        self.serial = 0
        self.sites: list[dict[str, Any]] = []
        self.findings: list[dict[str, Any]] = []
        self.disorders: list[dict[str, Any]] = []
        self.depth: dict[str, int] = {}

    def _term(self, kind_words: list[str], what: str) -> tuple[str, str, list[str]]:
        word = _name(self.serial)
        self.serial += 1
        label = f"{word} {self.rnd.choice(kind_words)}"
        syns = [f"{label}s", f"{word} {self.rnd.choice(kind_words)} {what}", f"{word}-type {what}"]
        return _camel(label) + str(self.serial), label, syns[: self.rnd.randint(2, 3)]

    def make_sites(self, n: int) -> None:
        for i in range(n):
            tid, label, syns = self._term(SITE_WORDS, "site")
            rec: dict[str, Any] = {"id": tid, "label": label, "synonyms": syns,
                                   "definition": f"The {label}, a synthetic anatomical site."}
            if i < max(2, n // 20):
                rec["is_a"] = ["AnatomicalSite"]
                self.depth[tid] = 0
            else:
                parent = self.rnd.choice(self.sites[: max(2, int(len(self.sites) * 0.7))])
                if self.depth[parent["id"]] >= 5:
                    parent = self.rnd.choice(self.sites[: max(2, n // 20)])
                self.depth[tid] = self.depth[parent["id"]] + 1
                # most sites are parts of their parent; some are kinds of it (is-a), as in the chapter
                if self.rnd.random() < 0.75:
                    rec["is_a"] = ["AnatomicalSite"]
                    rec["part_of"] = [parent["id"]]
                else:
                    rec["is_a"] = [parent["id"]]
            self.sites.append(rec)

    def make_findings(self, n: int) -> None:
        roots = []
        for i in range(n):
            tid, label, syns = self._term(FINDING_WORDS, "finding")
            rec: dict[str, Any] = {"id": tid, "label": label, "synonyms": syns,
                                   "definition": f"A synthetic imaging finding: {label}."}
            if i < max(2, n // 15):
                rec["is_a"] = ["ImagingFinding"]
                roots.append(tid)
            else:
                parent = self.rnd.choice(self.findings)
                rec["is_a"] = [parent["id"]]
                r = self.rnd.random()
                if r < 0.30:  # the chapter: 7 of 22 findings are defined by base and site
                    rec["defined_as"] = {"base": parent["id"], "site": self.rnd.choice(self.sites)["id"]}
                elif r < 0.40 and len(roots) >= 2:
                    rec["either"] = self.rnd.sample(roots, 2)
                elif r < 0.55:
                    rec["located_in"] = [s["id"] for s in self.rnd.sample(self.sites, min(2, len(self.sites)))]
            self.findings.append(rec)

    def make_disorders(self, n: int) -> None:
        for i in range(n):
            tid, label, syns = self._term(DISORDER_WORDS, "disorder")
            rec: dict[str, Any] = {"id": tid, "label": label, "synonyms": syns,
                                   "definition": f"A synthetic disorder: {label}."}
            if i < max(2, n // 4) or self.rnd.random() < 0.5:
                rec["is_a"] = ["Disorder"]
            else:
                rec["is_a"] = [self.rnd.choice(self.disorders)["id"]]
            if self.rnd.random() < 0.3:
                rec["mechanisms"] = [self.rnd.choice(MECHANISMS)]
            self.disorders.append(rec)

    def _row_body(self, finding_sites: list[str]) -> dict[str, Any]:
        k = self.rnd.choice(SITES_PER_ROW)
        sites = self.rnd.sample(finding_sites, min(k, len(finding_sites)))
        nd = 2 if self.rnd.random() < 0.1 else 1
        body: dict[str, Any] = {"disorders": [d["id"] for d in self.rnd.sample(self.disorders, nd)]}
        if sites:
            body["sites"] = sites
        return body

    def make_gamuts(self, rows: int) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        n_stat = max(4, rows // 10)  # statements (remarks, captions) come on top of the rows
        n_rows = rows
        n_gamuts = max(3, min(len(self.findings), rows // 16))
        chosen = self.rnd.sample(self.findings, n_gamuts)
        site_ids = [s["id"] for s in self.sites]
        gamuts = []
        for gi, f in enumerate(chosen):
            gamuts.append({"id": f"SynTable{gi + 1}", "table": f"S.{gi + 1}", "line": 1,
                           "title": f"Causes of {f['label']}", "finding": f["id"], "rows": []})
        weights = [1.0 / (i + 1) ** 0.5 for i in range(n_gamuts)]
        line = 2
        caused: set[tuple[str, str]] = set()
        for gi in self.rnd.choices(range(n_gamuts), weights=weights, k=n_rows):
            g = gamuts[gi]
            body = self._row_body(site_ids)
            names = ", ".join(body["disorders"])
            remark = f"{', '.join(body.get('sites', [])) or 'No common location'}. Synthetic remark."
            row: dict[str, Any] = {"row": len(g["rows"]) + 1, "line": line,
                                   "source_text": f"{names} | {remark} |", **body, "remark": remark}
            line += 1
            r = self.rnd.random()
            if r < 0.10:
                row["mimics"] = [self.rnd.choice(self.disorders)["id"]]
            elif r < 0.20:
                lo = round(self.rnd.uniform(0, 0.5), 2)
                row["frequency"] = {"min": lo, "max": round(lo + self.rnd.uniform(0, 0.5), 2)}
            elif r < 0.23:
                af = self.rnd.choice(self.findings)["id"]
                row["associated_findings"] = [{"finding": af, "sites": body.get("sites", [])[:1]}]
                caused.update((d, af) for d in body["disorders"])
            caused.update((d, g["finding"]) for d in body["disorders"])
            g["rows"].append(row)
        statements = []
        for i in range(n_stat):
            body = self._row_body(site_ids)
            f = self.rnd.choice(self.findings)["id"]
            caused.update((d, f) for d in body["disorders"])
            statements.append({"id": f"SynStatement{i + 1}", "source": "introduction", "line": 1,
                               "quote": f"Synthetic statement {i + 1}.", "finding": f, **body})
        self._negatives(gamuts, caused)
        return [g for g in gamuts if g["rows"]], statements

    def _negatives(self, gamuts: list[dict[str, Any]], caused: set[tuple[str, str]]) -> None:
        """A few 'not seen in' rows, only where they cannot contradict any row (leaf disorder,
        plain leaf finding, no cause of it on the disorder or any of its ancestors)."""
        parents = {d["id"]: d["is_a"][0] for d in self.disorders}
        has_child = {p for p in parents.values()}
        f_parent = {f["id"]: f["is_a"][0] for f in self.findings}
        plain = {f["id"] for f in self.findings if not (f.get("defined_as") or f.get("either"))}
        used_in = {x for f in self.findings for x in (f.get("either") or [])}
        used_in |= {f["defined_as"]["base"] for f in self.findings if f.get("defined_as")}
        f_child = set(f_parent.values())

        def below(f: str) -> set[str]:
            return {g for g in f_parent if _chain(g, f_parent, f)}

        for g in gamuts[: max(1, len(gamuts) // 20)]:
            f = g["finding"]
            if f not in plain or f in used_in or f in f_child or not g["rows"]:
                continue
            sub = below(f) | {f}
            for d in self.rnd.sample(self.disorders, min(20, len(self.disorders))):
                did = d["id"]
                if did in has_child:
                    continue
                line = [did]
                while line[-1] in parents:
                    line.append(parents[line[-1]])
                if any((x, y) in caused for x in line for y in sub):
                    continue
                g["rows"][0]["not_seen_in"] = [did]
                break

    def defined_classes(self, gamuts: list[dict[str, Any]]) -> str:
        """Turtle for the defined classes: one per gamut, a third also at a root site."""
        out = [DEFINED_MARK + " (synthetic)\n"]
        roots = [s["id"] for s in self.sites if s["is_a"] == ["AnatomicalSite"] and "part_of" not in s]
        labels = {f["id"]: f["label"] for f in self.findings}
        for i, g in enumerate(gamuts):
            f = g["finding"]
            out.append(f"calc:CauseOf{f} a owl:Class ;\n    rdfs:label \"cause of {labels[f]}\"@en ;\n"
                       f"    skos:definition \"A disorder that may cause {labels[f]}.\"@en ;\n"
                       f"    owl:equivalentClass [ a owl:Class ; owl:intersectionOf ( calc:Disorder\n"
                       f"        [ a owl:Restriction ; owl:onProperty calc:mayCause ;\n"
                       f"          owl:someValuesFrom calc:{f} ] ) ] .\n")
            if i % 3 == 0:
                s = roots[i % len(roots)]
                out.append(f"calc:CauseOf{f}In{s} a owl:Class ;\n    rdfs:label \"cause of {labels[f]} in {s}\"@en ;\n"
                           f"    skos:definition \"A disorder that may cause {labels[f]} in {s} or its parts.\"@en ;\n"
                           f"    owl:equivalentClass [ a owl:Class ; owl:intersectionOf ( calc:Disorder\n"
                           f"        [ a owl:Restriction ; owl:onProperty calc:mayCause ; owl:someValuesFrom\n"
                           f"            [ a owl:Class ; owl:intersectionOf ( calc:{f}\n"
                           f"                [ a owl:Restriction ; owl:onProperty calc:locatedIn ; "
                           f"owl:someValuesFrom calc:{s} ] ) ] ] ) ] .\n")
        return "\n".join(out)


def _chain(x: str, parent: dict[str, str], target: str) -> bool:
    while x in parent:
        x = parent[x]
        if x == target:
            return True
    return False


def _dump(path: Path, header: str, data: dict[str, Any]) -> None:
    text = yaml.dump(data, sort_keys=False, allow_unicode=True, width=120, Dumper=_Dumper)
    path.write_text(f"# {header} (synthetic, bench/synth.py)\n{text}", encoding="utf-8")


class _Dumper(yaml.SafeDumper):
    pass


try:  # the C emitter is much faster at Gamuts scale; output is the same
    from yaml import CSafeDumper as _Dumper  # type: ignore[assignment,no-redef]  # noqa: F811
except ImportError:  # pragma: no cover
    pass


def generate(root: Path, scale: Scale | str, seed: int = 7) -> dict[str, int]:
    """Write root/ontology/ for the scale; return the counts written."""
    if isinstance(scale, str):
        scale = SCALES[scale]
    gen = _Gen(scale, seed)
    n = scale.classes
    gen.make_sites(max(6, int(n * SHARE["site"])))
    gen.make_findings(max(4, int(n * SHARE["finding"])))
    gen.make_disorders(max(4, n - len(gen.sites) - len(gen.findings)))
    gamuts, statements = gen.make_gamuts(scale.rows)
    onto = root / "ontology"
    onto.mkdir(parents=True, exist_ok=True)
    vocab = VOCABULARY.read_text(encoding="utf-8").split(DEFINED_MARK)[0]
    (onto / "vocabulary.ttl").write_text(vocab + gen.defined_classes(gamuts), encoding="utf-8")
    real_mech = yaml.safe_load((VOCABULARY.parent / "mechanisms.yaml").read_text(encoding="utf-8"))
    _dump(onto / "mechanisms.yaml", "Mechanisms and value sets, copied from the chapter", real_mech)
    _dump(onto / "sites.yaml", "Anatomical sites", {"sites": gen.sites})
    _dump(onto / "findings.yaml", "Imaging findings", {"findings": gen.findings})
    _dump(onto / "disorders.yaml", "Disorders", {"disorders": gen.disorders})
    _dump(onto / "figures.yaml", "Figures", {"figures": []})
    _dump(onto / "gamuts.yaml", "Gamuts", {"title": f"Synthetic knowledge at scale {scale.name}",
                                            "source_file": "synthetic.txt", "gamuts": gamuts})
    _dump(onto / "statements.yaml", "Statements", {"statements": statements})
    return {"sites": len(gen.sites), "findings": len(gen.findings), "disorders": len(gen.disorders),
            "classes": len(gen.sites) + len(gen.findings) + len(gen.disorders), "gamuts": len(gamuts),
            "rows": sum(len(g["rows"]) for g in gamuts), "statements": len(statements)}


if __name__ == "__main__":  # pragma: no cover
    import sys

    print(generate(Path(sys.argv[1]), sys.argv[2] if len(sys.argv) > 2 else "1x"))
