"""assistant.ingest.indexer against a real Chroma index and the real bundled embedding model.

A small corpus (three real documents copied into tmp_path) keeps each ingest to seconds. `_embed` is
wrapped by a spy that calls the real function and records what was embedded, so "nothing
unchanged was re-embedded" is checked on the texts themselves, not only on counters.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from chromadb.api.models.Collection import Collection

import assistant.ingest.indexer as indexer
from assistant.config import Settings
from assistant.engine import Engine
from assistant.errors import ConfigError
from assistant.ingest.indexer import ingest
from assistant.search.corpus_facts import load_facts
from assistant.search.embeddings import BUNDLED_ID, embedding_model_name
from assistant.store.chroma import Store, generation, stored_hashes
from tests.paths import REPO
from tests.processes import chroma_server as run_chroma_server

pytestmark = pytest.mark.integration

SMALL_CORPUS = (
    "wetgeving/wec-artikel-28a.md",
    "praktijk/stein-samenwerken-over-grenzen.md",
    "samenvattingen/nji-oogo.md",
)
SMALL_DOC_IDS = {name[: -len(".md")] for name in SMALL_CORPUS}
STEIN = "praktijk/stein-samenwerken-over-grenzen"
NJI = "samenvattingen/nji-oogo"
WEC = "wetgeving/wec-artikel-28a"

ORIGINAL_SENTENCE = "Samenwerken lijkt zo eenvoudig."
CHANGED_SENTENCE = "Samenwerken lijkt op het eerste gezicht heel eenvoudig."
WEC_QUESTION = (
    "Bij welk samenwerkingsverband moet het bevoegd gezag van een school voor speciaal onderwijs "
    "zich aansluiten volgens de Wet op de expertisecentra?"
)


@pytest.fixture
def small_corpus(tmp_path: Path) -> Path:
    root = tmp_path / "corpus"
    for name in SMALL_CORPUS:
        target = root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(REPO / "corpus" / name, target)
    return root


@pytest.fixture
def settings(small_corpus: Path, tmp_path: Path, make_settings: Callable[..., Settings]) -> Settings:
    return make_settings(small_corpus, tmp_path / "index")


class EmbedSpy:
    """Records every text the indexer sends to the model, per stage label; embeds for real."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, list[str]]] = []
        self._real = indexer._embed

    def __call__(self, embeddings, texts, progress, label):
        self.calls.append((label, list(texts.values())))
        return self._real(embeddings, texts, progress, label)

    def texts(self, label: str) -> list[str]:
        return [text for call_label, texts in self.calls if call_label == label for text in texts]

    @property
    def passages(self) -> list[str]:
        return self.texts(indexer.STAGE_PASSAGES)

    @property
    def sentences(self) -> list[str]:
        return self.texts(indexer.STAGE_SENTENCES)

    def reset(self) -> None:
        self.calls.clear()


@pytest.fixture
def spy(monkeypatch: pytest.MonkeyPatch) -> EmbedSpy:
    recorder = EmbedSpy()
    monkeypatch.setattr(indexer, "_embed", recorder)
    return recorder


def open_collection(settings: Settings, model_name: str | None = None) -> Collection:
    """The passage collection, through a fresh `Store` (as another process would see it)."""
    return Store(settings).passages(model_name)


def sentence_collection(settings: Settings) -> Collection:
    return Store(settings).sentences()


def _read_corpus(settings: Settings):  # noqa: ANN202
    """What ingest reads: the corpus with its facts file, if it has one."""
    return indexer.read_corpus(settings, indexer.NullProgress(), load_facts(settings.corpus_dir))


def _ids_by_doc(settings: Settings) -> dict[str, set[str]]:
    result: dict[str, set[str]] = {}
    for passage_id, info in stored_hashes(open_collection(settings)).items():
        result.setdefault(str(info["doc_id"]), set()).add(passage_id)
    return result


def _rows_of(collection, doc_id: str) -> list[str]:
    return collection.get(where={"doc_id": doc_id}, include=[])["ids"]


# --- incremental ingest ---------------------------------------------------------------------------------


def test_first_ingest_embeds_all_second_embeds_nothing(settings: Settings, spy: EmbedSpy,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    expected, errors, _ = _read_corpus(settings)
    assert not errors
    first = ingest(settings)
    assert first.errors == []
    assert first.documents == 3
    assert first.passages == len(expected) >= 6
    assert first.embedded == first.passages  # all distinct texts, nothing to reuse yet
    assert first.removed == 0
    assert first.sentences_embedded > first.passages
    assert len(spy.passages) == first.embedded
    assert set(_ids_by_doc(settings)) == SMALL_DOC_IDS
    assert set(stored_hashes(open_collection(settings))) == {p.id for p in expected}
    collection = open_collection(settings, BUNDLED_ID)
    assert collection.metadata["embedding_model"] == BUNDLED_ID
    generation_after_first = generation(collection)
    assert generation_after_first >= 1

    spy.reset()
    vector_reads: list[int] = []
    read_vectors = indexer._Stored.vectors
    monkeypatch.setattr(indexer._Stored, "vectors", lambda self, ids: vector_reads.append(len(ids)) or read_vectors(self, ids))
    second = ingest(settings)
    assert vector_reads == [], "an unchanged corpus reads no stored vector"
    assert (second.embedded, second.reused, second.removed, second.sentences_embedded) == (0, 0, 0, 0)
    assert second.passages == first.passages and second.documents == 3
    assert spy.calls == [], "an unchanged corpus must not call the model at all"
    assert generation(open_collection(settings)) == generation_after_first  # readers need not reload


def test_changed_paragraph_reembeds_only_that_passage(settings: Settings, spy: EmbedSpy) -> None:
    ingest(settings)
    before = _ids_by_doc(settings)
    path = settings.corpus_dir / f"{STEIN}.md"
    text = path.read_text(encoding="utf-8")
    assert text.count(ORIGINAL_SENTENCE) == 1
    path.write_text(text.replace(ORIGINAL_SENTENCE, CHANGED_SENTENCE), encoding="utf-8")

    spy.reset()
    report = ingest(settings)
    after = _ids_by_doc(settings)
    assert report.errors == []
    assert 0 < report.embedded <= 2, report.summary()
    assert len(spy.passages) == report.embedded
    assert all(CHANGED_SENTENCE in text for text in spy.passages), spy.passages
    # Sentence vectors: only the new sentence is new; the other sentences of the passage are reused.
    assert spy.sentences == [CHANGED_SENTENCE]
    assert report.sentences_embedded == 1
    # Other documents untouched; in Stein only the changed passages were replaced.
    assert after[WEC] == before[WEC] and after[NJI] == before[NJI]
    replaced = before[STEIN] - after[STEIN]
    assert len(replaced) == report.removed == len(after[STEIN] - before[STEIN]) == report.embedded
    assert len(before[STEIN] & after[STEIN]) >= 1
    stored = open_collection(settings).get(ids=sorted(after[STEIN] - before[STEIN]), include=["documents"])
    assert all(CHANGED_SENTENCE in doc for doc in stored["documents"])


def test_moved_text_reuses_vectors(settings: Settings, spy: EmbedSpy) -> None:
    ingest(settings)
    before = _ids_by_doc(settings)[NJI]
    path = settings.corpus_dir / f"{NJI}.md"
    head, body = path.read_text(encoding="utf-8").split("\n---\n", 1)
    new_section = "## Vooraf\nDeze samenvatting is voor dit project geschreven en wordt jaarlijks nagekeken.\n\n"
    path.write_text(f"{head}\n---\n{new_section}{body.lstrip()}", encoding="utf-8")

    spy.reset()
    report = ingest(settings)
    after = _ids_by_doc(settings)[NJI]
    assert report.embedded == 1, report.summary()
    assert spy.passages and all("jaarlijks nagekeken" in t for t in spy.passages)
    # Every old passage moved one position: new ids, but their vectors were reused, not recomputed.
    assert report.reused == len(before) and report.removed == len(before)
    assert len(after) == len(before) + 1 and not (after & before)


def test_deleted_file_loses_its_passages(settings: Settings, spy: EmbedSpy) -> None:
    ingest(settings)
    collection, sentences = open_collection(settings), sentence_collection(settings)
    nji_passages = _rows_of(collection, NJI)
    assert nji_passages and _rows_of(sentences, NJI)
    (settings.corpus_dir / f"{NJI}.md").unlink()

    spy.reset()
    report = ingest(settings)
    assert report.removed == len(nji_passages)
    assert report.embedded == 0 and spy.calls == []
    assert report.documents == 2
    assert _rows_of(open_collection(settings), NJI) == []
    assert _rows_of(sentence_collection(settings), NJI) == []
    assert _rows_of(open_collection(settings), WEC) and _rows_of(open_collection(settings), STEIN)


def test_bad_files_are_reported_and_do_not_cost_the_index(settings: Settings) -> None:
    first = ingest(settings)
    stein_before = _ids_by_doc(settings)[STEIN]
    stein_sentences = len(_rows_of(sentence_collection(settings), STEIN))

    corpus = settings.corpus_dir
    (corpus / "uploads").mkdir()
    (corpus / "uploads" / "kapot.pdf").write_bytes(bytes(range(256)) * 20)
    (corpus / "uploads" / "leeg.md").write_bytes(b"")
    (corpus / f"{STEIN}.md").write_bytes(b"")  # was fine, now fails: keeps its passages

    report = ingest(settings)
    reasons = {error.path: error.reason for error in report.errors}
    assert set(reasons) == {"uploads/kapot.pdf", "uploads/leeg.md", f"{STEIN}.md"}
    assert "PDF" in reasons["uploads/kapot.pdf"]
    assert reasons["uploads/leeg.md"] == "het bestand is leeg"
    assert reasons[f"{STEIN}.md"] == "het bestand is leeg"
    assert "3 bestanden overgeslagen" in report.summary()
    # Everything else is still (or newly) indexed; the failing file kept its passages.
    assert report.removed == 0 and report.embedded == 0
    assert report.passages == first.passages and report.documents == 3
    assert _ids_by_doc(settings)[STEIN] == stein_before
    assert len(_rows_of(sentence_collection(settings), STEIN)) == stein_sentences


def test_bad_files_do_not_stop_good_new_files(settings: Settings) -> None:
    corpus = settings.corpus_dir
    (corpus / "uploads").mkdir()
    (corpus / "uploads" / "kapot.pdf").write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 10)
    (corpus / "uploads" / "leeg.txt").write_bytes(b"")
    report = ingest(settings)
    assert sorted(error.path for error in report.errors) == ["uploads/kapot.pdf", "uploads/leeg.txt"]
    assert all(error.reason for error in report.errors)
    assert set(_ids_by_doc(settings)) == SMALL_DOC_IDS
    assert report.embedded == report.passages > 0


# --- model and rebuild ------------------------------------------------------------------------------


def test_other_model_is_refused_on_an_index_built_with_the_bundled_one(
    settings: Settings, make_settings: Callable[..., Settings]
) -> None:
    ingest(settings)
    count = open_collection(settings).count()
    other = make_settings(settings.corpus_dir, settings.index_dir, embedding_model="some-other-model")
    assert embedding_model_name(other) == "some-other-model"
    with pytest.raises(ConfigError) as info:
        open_collection(other, embedding_model_name(other))
    message = str(info.value)
    assert BUNDLED_ID in message and "some-other-model" in message
    assert info.value.source == "ASSISTENT_EMBEDDING_MODEL"
    # ingest refuses too, before embedding anything, and leaves the index as it was.
    with pytest.raises(ConfigError):
        ingest(other)
    assert open_collection(settings, BUNDLED_ID).count() == count


def test_rebuild_recreates_the_collection(settings: Settings, spy: EmbedSpy) -> None:
    first = ingest(settings)
    old = open_collection(settings)
    old_id, old_generation = old.id, generation(old)
    spy.reset()
    report = ingest(settings, rebuild=True)
    collection = open_collection(settings, BUNDLED_ID)
    assert collection.id != old_id
    assert report.embedded == report.passages == first.passages
    assert report.sentences_embedded == first.sentences_embedded
    assert len(spy.passages) == first.passages
    assert generation(collection) == old_generation + 1  # a new generation, so readers reload
    assert set(_ids_by_doc(settings)) == SMALL_DOC_IDS


# --- Chroma server --------------------------------------------------------------------------------------


@pytest.fixture
def chroma_server(tmp_path: Path) -> Iterator[str]:
    with run_chroma_server(tmp_path / "server-data", tmp_path / "chroma-server.log") as (url, _):
        yield url


def test_chroma_server_round_trip(
    small_corpus: Path, tmp_path: Path, chroma_server: str, make_settings: Callable[..., Settings]
) -> None:
    settings = make_settings(small_corpus, tmp_path / "index-server", chroma_url=chroma_server)
    report = ingest(settings)
    assert report.errors == [] and report.documents == 3
    assert report.embedded == report.passages > 0
    # Nothing was written to a local Chroma folder: the vectors live on the server.
    assert not settings.chroma_dir.exists()
    again = ingest(settings)
    assert (again.embedded, again.removed, again.sentences_embedded) == (0, 0, 0)

    results = Engine(settings).search(WEC_QUESTION).passages
    assert results, "the server index returned nothing"
    top_docs = [item.passage.doc_id for item in results[:3]]
    assert WEC in top_docs, top_docs
    wec = next(item.passage for item in results if item.passage.doc_id == WEC)
    assert wec.article == "28a" and wec.short == "WEC"


def test_sentence_rows_are_rewritten_when_their_split_changes(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    """Sentence row ids are `passage#n`. When the way a passage is split into sentences changes (a new
    release keeps list items it used to drop), ids stay while texts shift: such rows must be rewritten."""
    from assistant.ingest.chunking import answer_units

    monkeypatch.setattr(indexer, "answer_units", lambda passage: answer_units(passage)[1:])
    ingest(settings)
    monkeypatch.setattr(indexer, "answer_units", answer_units)
    ingest(settings)

    rows = sentence_collection(settings).get(where={"doc_id": STEIN}, include=["documents"])
    stored = dict(zip(rows["ids"], rows["documents"], strict=True))
    passages = [p for p in _read_corpus(settings)[0] if p.doc_id == STEIN]
    assert stored == {f"{p.id}#{n}": unit for p in passages for n, unit in enumerate(answer_units(p))}


def test_an_index_from_before_generations_is_taken_over_without_reembedding(settings: Settings, spy: EmbedSpy) -> None:
    """An index built by an older release has plain `<name>` and `<name>-zinnen` collections and no
    pointer: readers keep using it, and the first ingest with a change moves it to a generation."""
    first = ingest(settings)
    store = Store(settings)
    active = store.pointer().active
    store.client.get_collection(f"{active}-zinnen").modify(name=f"{settings.collection}-zinnen")
    store.client.get_collection(active).modify(name=settings.collection)
    store.delete([store.pointer_name])
    assert Store(settings).passages(BUNDLED_ID).count() == first.passages

    path = settings.corpus_dir / f"{STEIN}.md"
    path.write_text(path.read_text(encoding="utf-8").replace(ORIGINAL_SENTENCE, CHANGED_SENTENCE), encoding="utf-8")
    spy.reset()
    report = ingest(settings)
    assert 0 < report.embedded <= 2 and report.rolled_back == []
    assert report.changed_docs == [STEIN] and sorted(report.unchanged_docs) == sorted(SMALL_DOC_IDS - {STEIN})
    assert Store(settings).pointer().previous == settings.collection  # kept for searches still running
    (settings.corpus_dir / f"{NJI}.md").unlink()
    ingest(settings)
    assert settings.collection not in Store(settings).generations()  # its grace period is over
    assert set(_ids_by_doc(settings)) == SMALL_DOC_IDS - {NJI}


def test_a_refitted_screen_screens_again_without_embedding(settings: Settings, spy: EmbedSpy,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """Passages carry the version of the screen that cut them; a new version re-screens every passage
    with the stored unit vectors (no unit or passage embedded; only the clauses the screen judges, which
    are never stored) and the rows record the new version."""
    import assistant.ingest.screening as screening

    ingest(settings)
    spy.reset()
    monkeypatch.setattr(indexer, "screen_version", lambda: "refitted")
    monkeypatch.setattr(screening, "screen_version", lambda: "refitted")
    report = ingest(settings)
    assert spy.calls and {label for label, _ in spy.calls} == {indexer.STAGE_CLAUSES}
    assert report.sentences_embedded == 0 and report.embedded == 0
    metadatas = open_collection(settings).get(include=["metadatas"])["metadatas"]
    assert metadatas and all(metadata["screen"] == "refitted" for metadata in metadatas)
