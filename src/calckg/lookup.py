"""Term lookup that forgives how people type: case, hyphens, plurals, British spelling, synonyms."""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable

_BRITISH = [
    (r"haem", "hem"), (r"oedem", "edem"), (r"tumour", "tumor"), (r"paed", "ped"), (r"oesoph", "esoph"),
    (r"ossif", "ossif"), (r"calcif", "calcif"), (r"\bdisk", "disc"), (r"isation", "ization"),
    (r"arthrosis", "arthrosis"),
]
_IRREGULAR = {"menisci": "meniscus", "mice": "mouse", "bodies": "body", "ganglia": "ganglion",
              "phalanges": "phalanx", "cartilages": "cartilage", "condyles": "condyle",
              "extremities": "extremity", "tissues": "tissue", "diseases": "disease"}
_KEEP_S = {"ochronosis", "calcinosis", "osteochondromatosis", "chondromatosis", "spondylosis", "sclerosis",
           "dissecans", "ossificans", "diabetes", "mellitus", "syphilis", "hemochromatosis", "oxalosis",
           "osteopenia", "arthritis", "sarcoma", "gout", "trauma", "acromegaly", "leprosy", "hypophosphatasia",
           "lues", "thibierge", "weissenbach", "burnett", "status", "cutis", "hemodialysis", "dialysis",
           "abdominis", "this", "is", "was", "has", "as", "its", "cps", "osteodystrophy", "hypervitaminosis",
           "stenosis", "necrosis", "fibrosis", "arthrosis", "osteoarthrosis", "syndromes", "us", "alkaptonuria",
           "apparatus", "humerus", "radius", "pelvis", "thesis", "prosthesis", "kneecaps"}


# compiled once, each tried only when its literal occurs: normalize runs for every name of every term
# at load (~250,000 names at the Gamuts scale), and the regex module's cache lookups dominated it
_BRITISH_RE = [(pat.removeprefix("\\b"), re.compile(pat), rep) for pat, rep in _BRITISH if pat != rep]
_POSSESSIVE = re.compile(r"'s\b")
_PUNCT = re.compile(r"[^a-z0-9]+")


def normalize(text: str) -> str:
    """A canonical key: lower case, ASCII, no punctuation, American spelling, singular words."""
    s = str(text)
    s = (s if s.isascii() else unicodedata.normalize("NFKD", s).encode("ascii", "ignore").decode("ascii")).lower()
    if "'" in s:
        s = s.replace("'s ", " ").replace("s' ", "s ")
        s = _POSSESSIVE.sub("", s)
    s = _PUNCT.sub(" ", s).strip()
    for lit, pat, rep in _BRITISH_RE:
        if lit in s:
            s = pat.sub(rep, s)
    words = []
    for w in s.split():
        if w in _IRREGULAR:
            w = _IRREGULAR[w]
        elif len(w) > 5 and w.endswith("oses"):  # Greek plurals: calcinoses, exostoses
            w = w[:-4] + "osis"
        elif len(w) > 6 and w.endswith("itides"):  # arthritides
            w = w[:-6] + "itis"
        elif len(w) > 3 and w.endswith("ies") and w not in _KEEP_S:
            w = w[:-3] + "y"
        elif len(w) > 3 and w.endswith("s") and not w.endswith(("ss", "is", "us")) and w not in _KEEP_S:
            w = w[:-1]
        words.append(w)
    return " ".join(words)


class TermIndex:
    """Names (labels, synonyms, local names, CURIEs) → IRIs, per kind of term."""

    def __init__(self) -> None:
        self._keys: dict[str, dict[str, str]] = {}  # kind -> normalized name -> iri
        self._display: dict[str, dict[str, str]] = {}  # kind -> normalized name -> label shown

    def add(self, kind: str, iri: str, label: str, names: Iterable[str]) -> None:
        keys = self._keys.setdefault(kind, {})
        disp = self._display.setdefault(kind, {})
        for i, name in enumerate([label, *names]):
            key = normalize(name)
            if not key:
                continue
            # a label wins over another term's synonym; the first registration otherwise
            if key not in keys or i == 0:
                keys[key] = iri
                disp[key] = label

    def find(self, text: str, kinds: Iterable[str]) -> str | None:
        key = normalize(text)
        raw = str(text).strip()
        for kind in kinds:
            table = self._keys.get(kind, {})
            if key in table:
                return table[key]
            if raw in table:
                return table[raw]
        return None

    def suggest(self, text: str, kinds: Iterable[str], n: int = 5) -> list[str]:
        key = normalize(str(text)[:200])  # no term name is longer; keeps difflib fast on pasted text
        pool: dict[str, str] = {}
        for kind in kinds:
            pool.update(self._display.get(kind, {}))
        words = set(key.split())
        # names holding every typed word ("renal failure" → "chronic renal failure") first, shortest first
        near = sorted((k for k in pool if words and words <= set(k.split())), key=lambda k: (len(k), k))
        near += difflib.get_close_matches(key, list(pool), n=n * 3, cutoff=0.55)
        if not near and key:
            near = [k for k in pool if key in k or k in key][: n * 3]
        out: list[str] = []
        for k in near:
            if pool[k] not in out:
                out.append(pool[k])
        return out[:n]

    def names(self, kinds: Iterable[str]) -> list[str]:
        seen: list[str] = []
        for kind in kinds:
            for label in self._display.get(kind, {}).values():
                if label not in seen:
                    seen.append(label)
        return sorted(seen)
