"""Corpus facts as data: a new law and a new practice example work without any code change.

A temporary corpus gets a copy of a few real documents and of `feiten.yaml`, plus a law the project
has never seen (the Wmo 2015: a document in `wetgeving/` and its names in the facts file) and a
practice example from a town it has never seen (`place: Almere`). After an ingest through the
engine, a question naming "Wmo" is recognised as being about that law and finds its article, and a
follow-up "En in Almere?" switches town like "En in Stein?" does.
"""

from __future__ import annotations

import shutil

import pytest
import yaml

from assistant.engine import Engine
from assistant.search.conversation import rewrite_follow_up
from assistant.search.corpus_facts import FACTS_FILE, load_facts
from tests.paths import REPO

REAL_DOCUMENTS = (
    "wetgeving/jeugdwet.md",
    "wetgeving/wpo-artikel-18a-19.md",
    "praktijk/dronten-goed-is-goed-genoeg.md",
)
WMO_DOC = "wetgeving/wmo-2015"
WMO_LIDS = (
    "1. De gemeenteraad stelt periodiek een plan vast met betrekking tot het door het gemeentebestuur te voeren "
    "beleid inzake maatschappelijke ondersteuning.",
    "2. Het plan beschrijft de visie van de gemeente op de ondersteuning van ingezetenen met een beperking, "
    "zodat zij zo lang mogelijk in de eigen leefomgeving kunnen blijven.",
    "3. Bij de voorbereiding van het plan betrekt het college de cliëntenraad en de ingezetenen die "
    "maatschappelijke ondersteuning ontvangen.",
)
WMO_LAW = """---
title: "Wet maatschappelijke ondersteuning 2015, artikel 2.1.2 (beleidsplan)"
short: "WMO 2015"
date: "2026-01-01"
type: "wetgeving"
publisher: "Staat der Nederlanden"
source_url: "https://wetten.overheid.nl/BWBR0035362"
licence: "publiek domein (Auteurswet artikel 11)"
---
Artikel 2.1.2. Beleidsplan

""" + "\n\n".join(WMO_LIDS) + "\n"
ALMERE_DOC = "praktijk/almere-wijkteams-en-scholen"
ALMERE_PARAGRAPHS = (
    "Wijkteams en scholen in Almere",
    "In Almere heeft elke school een vaste contactpersoon in het wijkteam. De intern begeleider belt die "
    "contactpersoon zodra een leerling meer nodig heeft dan de school zelf kan bieden.",
    "Het samenwerkingsverband en de gemeente Almere bespreken twee keer per jaar in het OOGO hoe de wijkteams "
    "en de scholen samenwerken en wat er beter kan.",
)
ALMERE_EXAMPLE = """---
title: "Wijkteams en scholen in Almere"
publisher: "onbekend"
date: "2025"
type: "praktijkvoorbeeld"
place: "Almere"
licence: "eigen tekst van dit project (testdocument)"
---

""" + "\n\n".join(ALMERE_PARAGRAPHS) + "\n"
WMO_NAMES = ["Wet maatschappelijke ondersteuning 2015", "Wmo"]
WMO_QUESTION = "Welk plan moet de gemeenteraad volgens de Wmo periodiek vaststellen?"
DRONTEN_QUESTION = "Hoe werken gemeente, onderwijs en jeugdhulp samen in Dronten?"


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    """An engine over the small corpus with the new law and the new town, ingested once for the module."""
    from conftest import build_settings

    root = tmp_path_factory.mktemp("facts")
    corpus = root / "corpus"
    for name in REAL_DOCUMENTS:
        (corpus / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(REPO / "corpus" / name, corpus / name)
    (corpus / f"{WMO_DOC}.md").write_text(WMO_LAW, encoding="utf-8")
    (corpus / f"{ALMERE_DOC}.md").parent.mkdir(parents=True, exist_ok=True)
    (corpus / f"{ALMERE_DOC}.md").write_text(ALMERE_EXAMPLE, encoding="utf-8")
    facts = yaml.safe_load((REPO / "corpus" / FACTS_FILE).read_text(encoding="utf-8"))
    facts["laws"].append({"short": "WMO 2015", "names": WMO_NAMES})
    (corpus / FACTS_FILE).write_text(yaml.safe_dump(facts, allow_unicode=True, sort_keys=False), encoding="utf-8")

    engine = Engine(build_settings(corpus, root / "index"))
    report = engine.ingest()
    assert report.errors == [] and report.documents == len(REAL_DOCUMENTS) + 2, report.summary()
    return engine


@pytest.mark.integration
def test_the_new_facts_are_read_at_ingest_and_kept_with_the_index(engine: Engine) -> None:
    facts = engine.retriever.snapshot().facts
    assert facts.short_for_name("Wet maatschappelijke ondersteuning 2015") == "WMO 2015"
    assert {"Almere", "Dronten"} <= set(facts.places)
    # A fresh engine (another process) reads the same facts from the index, not from the corpus folder.
    assert Engine(engine.settings, embeddings=engine.embeddings).retriever.snapshot().facts == facts


@pytest.mark.integration
def test_a_question_naming_the_new_law_finds_its_article(engine: Engine) -> None:
    result = engine.search(WMO_QUESTION)
    assert result.analysis.laws == ["WMO 2015"]
    assert result.analysis.law_intent
    top = [(item.passage.doc_id, item.passage.article, item.passage.short) for item in result.passages[:3]]
    assert (WMO_DOC, "2.1.2", "WMO 2015") in top, top
    assert result.passages[0].passage.doc_id == WMO_DOC, top  # the named law is lifted above the Jeugdwet's plan
    assert engine.search("Wat zegt de Wet maatschappelijke ondersteuning 2015 over het beleidsplan?").analysis.laws == [
        "WMO 2015"
    ]


@pytest.mark.integration
def test_the_answer_cites_the_new_law(engine: Engine) -> None:
    answer = engine.ask(WMO_QUESTION)
    assert not answer.refused, answer.text
    cited = [(c.doc_id, c.article, c.reference) for c in answer.citations]
    assert any(doc_id == WMO_DOC and article == "2.1.2" for doc_id, article, _ in cited), cited
    assert any(reference.startswith("WMO 2015 art. 2.1.2") for _, _, reference in cited), cited


@pytest.mark.integration
def test_a_follow_up_switches_to_the_new_town(engine: Engine) -> None:
    history = [{"role": "user", "content": DRONTEN_QUESTION}, {"role": "assistant", "content": "Een antwoord [1]."}]
    answer = engine.ask("En in Almere?", history=history)
    words = answer.search_query.lower().split()
    assert "almere" in answer.search_query.lower() and "dronten" not in answer.search_query.lower(), answer.search_query
    assert "samen" in words, answer.search_query  # the rest of the earlier question is kept
    assert ALMERE_DOC in {item.passage.doc_id for item in answer.retrieved}, answer.search_query


@pytest.mark.unit
def test_the_rule_based_rewrite_uses_the_places_of_the_corpus_facts() -> None:
    """The same switch without an index: the places come from the facts, not from code."""
    history = [{"role": "user", "content": DRONTEN_QUESTION}]
    with_almere = load_facts(REPO / "corpus").with_places({"Dronten", "Stein", "Almere"})
    query = rewrite_follow_up("En in Almere?", history, with_almere)
    assert "Almere" in query and "Dronten" not in query
    without = rewrite_follow_up("En in Almere?", history, load_facts(REPO / "corpus").with_places({"Dronten", "Stein"}))
    assert "Dronten" in without  # a town the facts do not know is not recognised as a switch
