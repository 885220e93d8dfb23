"""Every row of the source is in the graph with its provenance: disorder, finding, sites, figures, row."""

from __future__ import annotations

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, RDF

from calckg.namespaces import CALC
from tests.conftest import SOURCE_FILE
from tests.source_rows import ROWS


def entry_iri(row: dict) -> URIRef:
    return CALC[f"Table{row['table'].replace('.', '_')}_Row{row['row']}"]


def ids(nodes) -> set[str]:
    return {str(n).rsplit("/", 1)[-1] for n in nodes}


@pytest.mark.parametrize("row", ROWS, ids=lambda r: f"T{r['table']}r{r['row']}")
def test_row_is_an_entry_with_its_provenance(asserted, row):
    e = entry_iri(row)
    gamut = CALC[f"Table{row['table'].replace('.', '_')}"]
    assert (e, RDF.type, CALC.DifferentialEntry) in asserted
    assert (gamut, CALC.entry, e) in asserted and (e, CALC.gamut, gamut) in asserted
    assert asserted.value(e, CALC.rowNumber) == Literal(row["row"])
    assert asserted.value(e, DCTERMS.source) == gamut
    assert asserted.value(e, CALC.sourceLine) == Literal(row["line"])
    assert str(asserted.value(e, CALC.citation)) == f"Table {row['table']}, row {row['row']}"
    assert ids(asserted.objects(e, CALC.disorder)) == set(row["disorders"])
    assert ids(asserted.objects(e, CALC.finding)) == {row["finding"]}
    assert ids(asserted.objects(e, CALC.site)) == set(row["sites"])
    assert ids(asserted.objects(e, CALC.illustratedBy)) == set(row["figures"])
    assert row["remark_has"] in str(asserted.value(e, CALC.remark))


@pytest.mark.parametrize("row", ROWS, ids=lambda r: f"T{r['table']}r{r['row']}")
def test_row_gives_direct_edges_with_evidence(asserted, row):
    from rdflib.namespace import OWL

    e = entry_iri(row)
    for d in row["disorders"]:
        assert (CALC[d], CALC.mayCause, CALC[row["finding"]]) in asserted
        assert (CALC[row["finding"]], CALC.mayBeCausedBy, CALC[d]) in asserted
        cited = {
            src
            for ax in asserted.subjects(OWL.annotatedSource, CALC[d])
            if asserted.value(ax, OWL.annotatedProperty) == CALC.mayCause
            and asserted.value(ax, OWL.annotatedTarget) == CALC[row["finding"]]
            for src in asserted.objects(ax, DCTERMS.source)
        }
        assert e in cited, f"{d} may cause {row['finding']} does not cite {e}"


@pytest.mark.parametrize("row", ROWS, ids=lambda r: f"T{r['table']}r{r['row']}")
def test_row_source_text_is_the_copy_line(asserted, row):
    """The entry keeps the copy's own text of the row, faults included, at the line given."""
    lines = SOURCE_FILE.read_text(encoding="utf-8").splitlines()
    text = str(asserted.value(entry_iri(row), CALC.sourceText))
    assert lines[row["line"] - 1].startswith(text)


@pytest.mark.parametrize("row", [r for r in ROWS if r.get("repaired")], ids=lambda r: f"T{r['table']}r{r['row']}")
def test_repaired_rows_say_what_changed(asserted, row):
    from rdflib.namespace import SKOS

    notes = [str(n) for n in asserted.objects(entry_iri(row), SKOS.editorialNote)]
    assert notes, "a repaired row must carry an editorial note"


def test_every_table_row_and_no_other_is_an_entry(asserted):
    entries = set(asserted.subjects(RDF.type, CALC.DifferentialEntry))
    assert entries == {entry_iri(r) for r in ROWS}


def test_gamuts_have_title_and_finding(asserted):
    expected = {"Table7_1": ("Intra-articular calcified or ossified body", "IntraArticularBody"),
                "Table7_2": ("Calcification of articular cartilage or meniscus", "Chondrocalcinosis"),
                "Table7_3": ("Periarticular soft tissue calcification or ossification", "PeriarticularCalcification")}
    assert ids(asserted.subjects(RDF.type, CALC.Gamut)) == set(expected)
    for g, (title, finding) in expected.items():
        assert str(asserted.value(CALC[g], DCTERMS.title)).startswith(title)
        assert asserted.value(CALC[g], CALC.finding) == CALC[finding]
