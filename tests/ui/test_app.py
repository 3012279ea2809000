"""The Streamlit app: its helper modules (unit) and the chat page run by Streamlit's AppTest against a
small real index built with the real embedding model (integration).

The app reads its settings from `ASSISTENT_*` variables like in production; the fixture points them
at a temporary corpus, index and feedback database and clears the process-wide settings cache.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from assistant.answer.answering import ExtractiveBackend
from assistant.chat.conversations import ConversationStore
from assistant.chat.feedback import FeedbackStore
from assistant.config import Settings, get_settings
from assistant.engine import Engine, engine_for
from assistant.ingest.uploads import list_uploads, safe_filename, save_upload, upload_access
from assistant.models import Answer, Citation, DocumentInfo
from tests.corpus_copy import copy_corpus
from tests.fakes import InterruptedChatModel
from tests.paths import REPO
from ui.answer_view import ends_in_lead_in, refusal_sentence, sentence_pieces, typo_note
from ui.engine import corpus_line
from ui.export import conversation_markdown
from ui.highlight import highlight_passage
from ui.session import Exchange

APP = str(REPO / "app.py")
MODELS_DIR = REPO / "models"
SMALL_CORPUS = (
    "wetgeving/wpo-artikel-18a-19.md",
    "handreikingen/samenhangend-beleid-oogo.md",
    "praktijk/dronten-goed-is-goed-genoeg.md",
)
LAW_QUESTION = "Wat moet er gebeuren voordat een ondersteuningsplan wordt vastgesteld?"
OFF_TOPIC = "Wat is de hoofdstad van Frankrijk?"
FILTER_QUESTION = "Hoe voer je het OOGO over het ondersteuningsplan?"


def app_environment(settings: Settings) -> dict[str, str]:
    """The `ASSISTENT_*` variables that make the app use these settings' folders."""
    return {
        "ASSISTENT_CORPUS_DIR": str(settings.corpus_dir),
        "ASSISTENT_INDEX_DIR": str(settings.index_dir),
        "ASSISTENT_MODELS_DIR": str(settings.models_dir),
        "ASSISTENT_FEEDBACK_DB": str(settings.feedback_db),
        "ASSISTENT_CONVERSATIONS_DB": str(settings.conversations_db),
        "ASSISTENT_CHROMA_URL": "",
    }


def unit_settings(tmp_path: Path, **overrides: object) -> Settings:
    return Settings(corpus_dir=tmp_path / "corpus", index_dir=tmp_path / "index", models_dir=MODELS_DIR,
                    feedback_db=tmp_path / "feedback.sqlite3", conversations_db=tmp_path / "conversations.sqlite3",
                    **overrides)


def indexed_doc_ids(settings: Settings) -> set[str]:
    """The documents in the index now, as any other process (the CLI) sees them."""
    return {doc.doc_id for doc in engine_for(settings).list_documents()}


def citation(number: int, quote: str, **overrides: object) -> Citation:
    values: dict = {
        "doc_id": "wetgeving/wpo", "title": "Wet op het primair onderwijs", "type": "wetgeving", "article": "18a",
        "lid": "9", "page": None, "source_url": "https://wetten.overheid.nl/BWBR0003420",
        "passage_id": "wetgeving/wpo::00001::abc", "reference": "WPO art. 18a lid 9", "outdated": False,
    }
    values.update(overrides)
    return Citation(number=number, quote=quote, **values)


# ---------------------------------------------------------------- unit: uploads


@pytest.mark.unit
@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("../../etc/Passwd.MD", "passwd.md"),
        ("..\\..\\wetgeving\\jeugdwet.md", "jeugdwet.md"),
        ("C:\\Users\\an\\Notitie OOGO (def).DOCX", "notitie-oogo-def.docx"),
        ("Ünïcödé   naam.txt", "unicode-naam.txt"),
        ("Записка.md", "записка.md"),
        ("تقرير الاجتماع.pdf", "تقرير-الاجتماع.pdf"),
        (".verborgen.md", "verborgen.md"),
        ("...md", "document.md"),
        ("README.md", "readme-document.md"),
        ("rapport", "rapport"),
        ("a" * 200 + ".pdf", "a" * 80 + ".pdf"),
        ("\U00020000" * 80 + ".md", "\U00020000" * 50 + ".md"),  # 200 bytes: letters of 4 bytes each
        ("CON.md", "con-document.md"),
        ("Lpt1.TXT", "lpt1-document.txt"),
    ],
)
def test_safe_filename(name: str, expected: str) -> None:
    assert safe_filename(name) == expected


@pytest.mark.unit
def test_upload_cannot_leave_the_uploads_folder(tmp_path: Path) -> None:
    settings = unit_settings(tmp_path)
    law = copy_corpus(settings.corpus_dir, ("wetgeving/wec-artikel-28a.md",)) / "wetgeving/wec-artikel-28a.md"
    original = law.read_bytes()
    result = save_upload(settings, "../wetgeving/wec-artikel-28a.md", b"# Eigen notitie\n\nDit is een eigen notitie.")
    assert result.accepted and result.name == "wec-artikel-28a.md"
    assert (settings.corpus_dir / "uploads" / "wec-artikel-28a.md").is_file()
    assert law.read_bytes() == original
    assert not list((settings.corpus_dir / "uploads" / ".staging").iterdir()), "staging files are cleaned up"


@pytest.mark.unit
def test_an_upload_with_the_same_name_replaces_the_earlier_version(tmp_path: Path) -> None:
    settings = unit_settings(tmp_path)
    first = save_upload(settings, "Notitie.md", b"# Notitie\n\nDe eerste versie van de notitie.")
    second = save_upload(settings, "notitie.md", b"# Notitie\n\nDe tweede versie van de notitie.")
    assert first.replaced == [] and second.name == "notitie.md" and second.replaced == ["notitie.md"]
    assert "tweede" in (settings.corpus_dir / "uploads" / "notitie.md").read_text(encoding="utf-8")
    # Another extension has the same document id (uploads/notitie): it is a new version too.
    third = save_upload(settings, "Notitie!.txt", b"De derde versie van de notitie, als tekstbestand.")
    assert third.name == "notitie.txt" and third.replaced == ["notitie.md"]
    assert [p.name for p in list_uploads(settings)] == ["notitie.txt"]
    other = save_upload(settings, "Andere notitie.md", b"# Notitie\n\nEen ander document met dezelfde titel.")
    assert other.replaced == [] and len(list_uploads(settings)) == 2, "another name is another document"


@pytest.mark.unit
@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("programma.exe", b"MZ\x90\x00", "bestandstype .exe wordt niet ondersteund"),
        ("leeg.md", b"", "het bestand is leeg"),
        ("groot.md", b"woord " * 400, "het bestand is te groot"),
        ("kapot.pdf", b"%PDF-1.4 dit is geen echte pdf", "de PDF is beschadigd of onleesbaar"),
        ("kapot.docx", b"geen zip-bestand", "het Word-bestand is beschadigd of onleesbaar"),
        ("binair.txt", b"\x00\x01\x02 binaire inhoud", "binaire inhoud"),
        ("witruimte.md", b"   \n\n  ", "geen leesbare tekst"),
    ],
)
def test_rejected_uploads_say_why_and_leave_nothing_behind(tmp_path: Path, name: str, data: bytes, reason: str) -> None:
    settings = unit_settings(tmp_path, max_file_mb=0.001)
    result = save_upload(settings, name, data)
    assert not result.accepted
    assert reason in (result.reason or "")
    assert list_uploads(settings) == []


@pytest.mark.unit
def test_upload_access() -> None:
    assert upload_access("geheim", "0.0.0.0") == "password"
    assert upload_access("geheim", "127.0.0.1") == "password"
    for local in ("127.0.0.1", "localhost", "::1", "[::1]"):
        assert upload_access(None, local) == "local"
    for exposed in ("0.0.0.0", "", None, "192.168.1.20"):
        assert upload_access(None, exposed) == "closed"


# ---------------------------------------------------------------- unit: feedback, export, rendering


@pytest.mark.unit
def test_feedback_store_keeps_one_row_per_answer_and_exports(tmp_path: Path) -> None:
    store = FeedbackStore(tmp_path / "sub" / "feedback.sqlite3")
    answer = Answer(text="Het OOGO is verplicht. [1]", citations=[citation(1, "Het OOGO is verplicht.")],
                    refused=False, search_query="Is OOGO verplicht?")
    assert not store.comment("a1", "te vroeg: nog geen beoordeling")
    store.rate("a1", "Is OOGO verplicht?", answer, "down")
    store.rate("a1", "Is OOGO verplicht?", answer, "up")
    assert store.comment("a1", "Duidelijk, met wetsartikel.")
    [row] = store.rows()
    assert (row.rating, row.comment, row.backend, row.refused) == ("up", "Duidelijk, met wetsartikel.", "extractive", False)
    assert row.citations[0]["reference"] == "WPO art. 18a lid 9"

    assert store.export(tmp_path / "out.jsonl", "jsonl") == 1
    record = json.loads((tmp_path / "out.jsonl").read_text(encoding="utf-8"))
    assert record["question"] == "Is OOGO verplicht?" and record["citations"][0]["number"] == 1
    assert store.export(tmp_path / "out.csv", "csv") == 1
    assert "Duidelijk, met wetsartikel." in (tmp_path / "out.csv").read_text(encoding="utf-8")


@pytest.mark.unit
def test_highlight_marks_quoted_sentences_only() -> None:
    text = (
        "Artikel 18a\n9. Het ondersteuningsplan wordt niet vastgesteld voordat er overleg was. Dit staat los.\n"
        "<b>x</b> en meer tekst hier."
    )
    html, marked = highlight_passage(text, "Het ondersteuningsplan wordt niet vastgesteld voordat er overleg was.", "Artikel 18a")
    assert marked == 1
    assert "<mark>9. Het ondersteuningsplan wordt niet vastgesteld voordat er overleg was.</mark> Dit staat los." in html
    assert "<p class='bron-kop'>Artikel 18a</p>" in html
    assert "&lt;b&gt;x&lt;/b&gt;" in html, "passage text is escaped, never rendered as HTML"
    assert highlight_passage(text, "Een zin die er niet in staat.")[1] == 0
    both, marked = highlight_passage(text, "Het ondersteuningsplan wordt niet vastgesteld voordat er overleg was. Dit staat los.")
    assert marked == 2 and both.count("<mark>") == 1, "neighbouring quoted sentences form one highlight"


@pytest.mark.unit
def test_conversation_markdown_lists_question_answer_and_sources() -> None:
    answered = Exchange("Wat moet er gebeuren?", Answer(
        text="Er moet overleg zijn. [1]", citations=[citation(1, "Er moet overleg zijn.", outdated=True)],
        refused=False, search_query="Wat moet er gebeuren voor het vo?"))
    refused = Exchange("Hoofdstad?", Answer(text="Dat staat niet in de bronnen.", citations=[], refused=True,
                                             search_query="Hoofdstad?", refusal_reason="not_found"))
    text = conversation_markdown([answered, refused], datetime(2025, 11, 25, 10, 30))
    assert "Gedownload op 25 november 2025, 10:30." in text
    assert "## Vraag 1: Wat moet er gebeuren?" in text and "_Gezocht op: Wat moet er gebeuren voor het vo?_" in text
    assert "1. **Wet op het primair onderwijs** — WPO art. 18a lid 9 · wetgeving (verouderde wettekst)" in text
    assert "   > Er moet overleg zijn." in text and "https://wetten.overheid.nl/jci1.3:c:BWBR0003420&artikel=18a&lid=9" in text
    assert "## Vraag 2: Hoofdstad?\n\n_Geen antwoord uit de bronnen._" in text


@pytest.mark.unit
def test_sentence_pieces_rebuild_the_text(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("ui.answer_view.STREAM_PAUSE_S", 0)
    text = "Volgens artikel 18a:\n\nHet plan. [1] Het overleg? [2]\n- punt een [1]\n- punt twee"
    pieces = list(sentence_pieces(text))
    assert "".join(pieces) == text and len(pieces) > 3


@pytest.mark.unit
def test_lead_in_answers_are_recognised() -> None:
    assert ends_in_lead_in("Het samenwerkingsverband heeft de volgende taken: [1]")
    assert ends_in_lead_in("Volgens artikel 18a:\n")
    assert not ends_in_lead_in("Volgens artikel 18a:\n\n- a. het plan [1]")


@pytest.mark.unit
def test_a_refusal_is_shown_as_its_own_sentence() -> None:
    from assistant.messages import refusal_text

    assert refusal_sentence(refusal_text("not_found", False), "not_found") == "Dat staat niet in de bronnen die ik heb."
    assert refusal_sentence(refusal_text("not_found", True), "not_found") == "The sources I have do not answer that."
    assert refusal_sentence("Iets anders.", "not_found") == "Iets anders."


@pytest.mark.unit
def test_typo_note_names_what_was_searched_and_what_was_typed() -> None:
    assert typo_note({}) is None
    assert typo_note({"gemeete": "gemeente"}) == "Bedoelde u *gemeente* (u typte *gemeete*)?"
    assert typo_note({"gemeete": "gemeente", "dornten": "dronten"}) == (
        "Bedoelde u *gemeente* (u typte *gemeete*), *dronten* (u typte *dornten*)?")


@pytest.mark.unit
def test_an_unanswered_question_is_exported_as_unanswered() -> None:
    text = conversation_markdown([Exchange("Wat is OOGO?", None)], datetime(2025, 11, 25, 10, 30))
    assert "## Vraag 1: Wat is OOGO?\n\n_Niet beantwoord (het antwoord werd onderbroken)._" in text


@pytest.mark.unit
def test_corpus_line_counts_types_in_dutch() -> None:
    def doc(doc_type: str) -> DocumentInfo:
        return DocumentInfo(doc_id=doc_type, title="t", type=doc_type, date=None, publisher=None, source_url=None, passages=1)

    line = corpus_line([doc("wetgeving"), doc("wetgeving"), doc("handreiking"), doc("opinie")])
    assert line == "Ik beantwoord vragen uit **4 documenten**: 2 wetteksten, 1 handreiking en 1 opinie."


# ---------------------------------------------------------------- integration: the chat page in AppTest


@pytest.fixture(scope="module")
def app_settings(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    """A small real index, and the environment that points the app at it (restored afterwards)."""
    from assistant.ingest.indexer import ingest

    root = tmp_path_factory.mktemp("app")
    settings = unit_settings(root)
    copy_corpus(settings.corpus_dir, SMALL_CORPUS)
    report = ingest(settings)
    assert not report.errors and report.passages > 0, report.summary()
    with pytest.MonkeyPatch.context() as patch:
        for name, value in app_environment(settings).items():
            patch.setenv(name, value)
        patch.delenv("ASSISTENT_ADMIN_PASSWORD", raising=False)
        get_settings.cache_clear()
        yield settings
    get_settings.cache_clear()


def run_app() -> AppTest:
    return AppTest.from_file(APP, default_timeout=180).run()


def ask(at: AppTest, question: str) -> AppTest:
    at.chat_input[0].set_value(question)
    return at.run()


LINKED_MARKER = re.compile(r"\[\\\[(\d+)\\\]\]\(#bron-[0-9a-f]+-\d+\)")


def assistant_text(at: AppTest) -> str:
    """The text of the last answer (streamed answers and refusals alike), `[n]` links back to `[n]`."""
    message = at.chat_message[-1]
    parts = [m.value for m in message.markdown if not m.value.startswith("<div")]
    parts += [w.value for w in message.warning] + [i.value for i in message.info]
    return LINKED_MARKER.sub(r"[\1]", "\n".join(parts))


def source_labels(at: AppTest) -> list[str]:
    return [e.label for e in at.chat_message[-1].expander]


@pytest.mark.integration
def test_start_screen_says_what_the_assistant_knows(app_settings: Settings) -> None:
    at = run_app()
    assert not at.exception
    assert any("Ik beantwoord vragen uit **3 documenten**" in m.value for m in at.markdown)
    assert len([b for b in at.button if b.key and b.key.startswith("example-")]) >= 4
    assert any("letterlijke citaten" in c.value for c in at.sidebar.caption), "the active backend is shown"


@pytest.mark.integration
def test_answer_cites_only_its_sources_with_matching_numbers(app_settings: Settings) -> None:
    at = ask(run_app(), LAW_QUESTION)
    assert not at.exception and not at.error
    text = assistant_text(at)
    assert "[1]" in text and "artikel 18a" in text.lower()
    labels = source_labels(at)
    cited = sorted({int(n) for n in re.findall(r"\[(\d+)\]", text)})
    assert [int(label[1:label.index("]")]) for label in labels] == cited, "exactly the cited sources, in order"
    assert "WPO art. 18a" in labels[0] and "wetgeving" in labels[0]
    first = at.chat_message[-1].expander[0]
    passage = next(m.value for m in first.markdown if m.value.startswith("<div"))
    assert "<mark>" in passage, "the quoted sentences are highlighted in the passage"
    assert first.proto.expanded and not any(e.proto.expanded for e in at.chat_message[-1].expander[1:])
    assert "1 augustus 2026" in labels[0], "the card shows the document's date, as a reader says it"
    raw = "\n".join(m.value for m in at.chat_message[-1].markdown)
    assert re.search(r"\[\\\[1\\\]\]\(#bron-[0-9a-f]+-1\)", raw), "[1] links to source 1"
    [copy] = [h.proto.body for h in at.chat_message[-1].get("html") if "kopieer" in h.proto.body]
    assert "Antwoord kopiëren" in copy and "Bronnen:" in copy and "WPO art. 18a" in copy, "copy: answer and sources"
    link = next(m.value for m in first.markdown if "wetten.overheid.nl" in m.value)
    assert "https://wetten.overheid.nl/jci1.3:c:BWBR0003420&artikel=18a" in link, "the law link goes to the article"


@pytest.mark.integration
def test_refusal_looks_like_a_refusal(app_settings: Settings) -> None:
    at = ask(run_app(), OFF_TOPIC)
    message = at.chat_message[-1]
    [warning] = [w.value for w in message.warning]
    sentence, scope = warning.split(". ", 1)
    assert sentence == "Die vraag valt buiten wat mijn bronnen behandelen", "one sentence saying so"
    assert scope.startswith("Ik antwoord uit mijn bronnen: ") and "praktijkvoorbeeld" in scope, \
        "then what the index holds (issue 21)"
    assert "Bijvoorbeeld" not in warning, "the example questions are buttons, not repeated in prose"
    assert len([b for b in message.button if b.key and b.key.startswith("suggest-")]) <= 3
    assert not message.expander and not any(m.value == "**Bronnen**" for m in message.markdown)
    assert [b for b in message.button if b.key and b.key.startswith("suggest-")], "example questions are offered"


@pytest.mark.integration
def test_example_question_button_asks_it(app_settings: Settings) -> None:
    at = run_app()
    button = at.button(key="example-0")
    question = button.label
    at = button.click().run()
    assert at.chat_message[0].markdown[0].value.replace("\\", "") == question
    assert assistant_text(at)
    assert not any(b.key and b.key.startswith("example-") for b in at.button), "the start screen is gone"


@pytest.mark.integration
def test_type_filter_changes_the_sources(app_settings: Settings) -> None:
    # A question both the law and the handreiking answer: unfiltered the handreiking's answer leads; with
    # only law texts searched, the law answers it.
    at = ask(run_app(), FILTER_QUESTION)
    assert any("· wetgeving" not in label for label in source_labels(at))
    at.sidebar.multiselect(key="type_filter").set_value(["wetgeving"]).run()
    at = ask(at, FILTER_QUESTION)
    labels = source_labels(at)
    assert labels and all("· wetgeving" in label for label in labels)
    assert any("Alleen gezocht in: wetgeving" in c.value for c in at.chat_message[-1].caption)


@pytest.mark.integration
def test_a_filter_that_hides_the_better_source_says_so(app_settings: Settings) -> None:
    at = run_app()
    at.sidebar.multiselect(key="type_filter").set_value(["wetgeving"]).run()
    at = ask(at, "Hoe werken gemeente, onderwijs en jeugdhulp samen in Dronten?")
    message = at.chat_message[-1]
    assert any("beter bij de vraag past (type: praktijkvoorbeeld)" in i.value for i in message.info)
    [button] = [b for b in message.button if b.key and b.key.startswith("search-all-")]
    at = button.click().run()
    assert at.sidebar.multiselect(key="type_filter").value == []
    assert not any("Alleen gezocht in" in c.value for c in at.chat_message[-1].caption)
    assert any("praktijkvoorbeeld" in label for label in source_labels(at))


@pytest.mark.integration
def test_new_conversation_clears_the_history(app_settings: Settings) -> None:
    at = ask(run_app(), LAW_QUESTION)
    assert len(at.chat_message) == 2
    at = at.sidebar.button(key="new-conversation").click().run()
    assert len(at.chat_message) == 0
    assert any(b.key == "example-0" for b in at.button), "back on the start screen"


@pytest.mark.integration
def test_a_reload_or_shared_link_reopens_the_conversation(app_settings: Settings) -> None:
    at = ask(run_app(), LAW_QUESTION)
    conversation = at.query_params["gesprek"]
    answer = assistant_text(at)
    reopened = AppTest.from_file(APP, default_timeout=180)
    reopened.query_params["gesprek"] = conversation
    reopened = reopened.run()
    assert not reopened.exception and len(reopened.chat_message) == 2
    assert reopened.chat_message[0].markdown[0].value.replace("\\", "") == LAW_QUESTION
    assert assistant_text(reopened) == answer and source_labels(reopened), "the answer comes back with its sources"
    assert not any(b.key and b.key.startswith("example-") for b in reopened.button)


@pytest.mark.integration
def test_new_conversation_keeps_the_old_one_in_the_sidebar(app_settings: Settings) -> None:
    at = ask(run_app(), LAW_QUESTION)
    first = at.query_params["gesprek"]
    at = at.sidebar.button(key="new-conversation").click().run()
    assert at.query_params["gesprek"] != first and len(at.chat_message) == 0
    assert any(c.value.endswith("· 1 vraag") for c in at.sidebar.caption), "the list shows date and length"
    at = at.sidebar.button(key=f"open-{first}").click().run()
    assert at.query_params["gesprek"] == first and len(at.chat_message) == 2
    assert at.sidebar.button(key=f"open-{first}").disabled, "the conversation on screen is marked, not offered"
    at = at.sidebar.button(key=f"delete-{first}").click().run()
    assert at.query_params["gesprek"] != first and len(at.chat_message) == 0
    assert not any(b.key == f"open-{first}" for b in at.sidebar.button), "a deleted conversation is gone"


@pytest.mark.integration
def test_feedback_is_stored(app_settings: Settings) -> None:
    at = ask(run_app(), LAW_QUESTION)
    at.feedback[0].set_value(1).run()
    at.chat_message[-1].text_area[0].input("Helder antwoord met het wetsartikel.")
    [send] = [b for b in at.chat_message[-1].button if b.label == "Versturen"]
    at = send.click().run()
    assert any("toelichting is opgeslagen" in c.value for c in at.chat_message[-1].caption)
    with sqlite3.connect(app_settings.feedback_db) as connection:
        rows = connection.execute("SELECT question, rating, comment, citations, backend FROM feedback").fetchall()
    question, rating, comment, citations, backend = rows[-1]
    assert (question, rating, comment, backend) == (LAW_QUESTION, "up", "Helder antwoord met het wetsartikel.", "extractive")
    assert json.loads(citations)[0]["reference"].startswith("WPO art. 18a")


@pytest.fixture
def app_with_env(app_settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., AppTest]]:
    """`app_with_env(NAME=value, ...)`: the app run once with these `ASSISTENT_*` variables changed."""

    def run(**variables: str) -> AppTest:
        for name, value in variables.items():
            monkeypatch.setenv(f"ASSISTENT_{name}", value)
        get_settings.cache_clear()
        return run_app()

    yield run
    get_settings.cache_clear()


@pytest.mark.integration
def test_upload_page_asks_for_the_admin_password(app_with_env: Callable[..., AppTest]) -> None:
    at = app_with_env(ADMIN_PASSWORD="geheim").switch_page("ui/upload_page.py").run()
    assert [t.label for t in at.text_input] == ["Beheerderswachtwoord"] and not at.file_uploader
    at.text_input[0].input("fout")
    at = at.button[0].click().run()
    assert at.error and "klopt niet" in at.error[0].value and not at.file_uploader
    at.text_input[0].input("geheim")
    at = at.button[0].click().run()
    assert at.file_uploader, "the right password opens the upload form"


@pytest.mark.integration
def test_wrong_passwords_lock_the_upload_page_and_new_sessions_gain_nothing(
        app_with_env: Callable[..., AppTest], monkeypatch: pytest.MonkeyPatch) -> None:
    from ui import attempts

    now = [0.0]
    # Five per session as in the app; the process-wide limit lowered to 6 so three sessions show it.
    monkeypatch.setattr(attempts, "PASSWORD_ATTEMPTS", attempts.AttemptLimiter(max_failures_all=6, clock=lambda: now[0]))

    def try_password(at: AppTest, password: str) -> AppTest:
        at.text_input[0].input(password)
        return at.button[0].click().run()

    first = app_with_env(ADMIN_PASSWORD="geheim").switch_page("ui/upload_page.py").run()
    for _ in range(4):
        first = try_password(first, "fout")
        assert "klopt niet" in first.error[0].value
    first = try_password(first, "fout")
    assert first.error[0].value == "Te veel onjuiste wachtwoorden. Probeer het over 10 minuten opnieuw."
    first = first.run()  # the page again: no password field at all, so not even the right one is tried
    assert not first.text_input and not first.file_uploader and "10 minuten" in first.error[0].value

    second = app_with_env(ADMIN_PASSWORD="geheim").switch_page("ui/upload_page.py").run()
    assert second.text_input, "one session's typos do not lock another"
    second = try_password(second, "fout")  # the sixth wrong password in this process
    assert "Probeer het over 10 minuten opnieuw" in second.error[0].value
    third = app_with_env(ADMIN_PASSWORD="geheim").switch_page("ui/upload_page.py").run()
    assert not third.text_input and "10 minuten" in third.error[0].value, "a new session is refused as well"

    now[0] += 540
    assert "1 minuut" in first.run().error[0].value
    now[0] += 60
    first = try_password(first.run(), "geheim")
    assert first.file_uploader, "after the cooling-off period the right password opens the form"


@pytest.mark.integration
def test_without_an_index_the_app_says_what_to_do(app_with_env: Callable[..., AppTest], tmp_path: Path) -> None:
    at = app_with_env(INDEX_DIR=str(tmp_path / "index"), CORPUS_DIR=str(tmp_path / "corpus"))
    assert not at.exception and "nog geen documenten ingelezen" in at.info[0].value
    at = ask(at, "Wat is OOGO?")
    assert not at.exception
    # A missing index is no answer (no refusal): the engine raises and the app shows a system message.
    message = at.chat_message[-1]
    assert not message.warning and not message.expander
    assert "nog geen index" in message.error[0].value and "assistant ingest" in message.error[0].value
    assert not at.session_state["exchanges"], "an error is no turn: nothing 'unanswered' stays behind"


@pytest.mark.integration
def test_engine_errors_are_shown_in_dutch(app_with_env: Callable[..., AppTest], tmp_path: Path) -> None:
    at = app_with_env(EMBEDDING_MODEL=str(tmp_path / "geen-model"))
    assert not at.exception, "no traceback"
    assert at.error[0].value.startswith("Dat lukte niet: embeddingmodel")
    at = ask(at, "Wat is OOGO?")
    assert not at.exception and at.error[0].value.startswith("Dat lukte niet: embeddingmodel"), "asking says why again"


@pytest.mark.integration
def test_upload_page_adds_rejects_and_removes_documents(app_settings: Settings) -> None:
    """Last in the module: it changes the index, and leaves it as it found it."""
    from streamlit import config

    previous = config.get_option("server.address")
    config.set_option("server.address", "127.0.0.1")
    try:
        at = run_app().switch_page("ui/upload_page.py").run()
        assert any("alleen op deze computer" in c.value for c in at.caption)
        allowed = list(at.file_uploader[0].proto.type)
        assert ".pdf" in allowed and ".md" in allowed and ".exe" not in allowed and ".py" not in allowed, (
            "the picker offers only supported types (the server check stays: test_rejected_uploads_...)")
        at.file_uploader[0].set_value([
            ("Notitie Zonnedal.md",
             b"---\ntype: wetgeving\n---\n# Notitie Zonnedal\n\nHet inloopspreekuur in Zonnedal is een vast moment waarop "
             b"ouders zonder afspraak terechtkunnen met vragen over passend onderwijs en jeugdhulp. De gemeente Zonnedal "
             b"en het samenwerkingsverband organiseren het inloopspreekuur samen.",
             "text/markdown"),
        ])
        at = at.run()
        at = at.button[0].click().run()
        assert not at.exception
        assert "notitie-zonnedal.md" in at.success[0].value
        assert not at.error
        assert any("notitie-zonnedal.md · 1 passage" in m.value for m in at.markdown)
        [uploaded] = [d for d in engine_for(app_settings).list_documents() if d.doc_id == "uploads/notitie-zonnedal"]
        assert uploaded.type == "geüpload", "an upload does not become law by claiming so"
        answer = assistant_text(ask(run_app(), "Wat is het inloopspreekuur in Zonnedal?"))
        assert answer.startswith("Volgens een geüpload document:") and "zonder afspraak" in answer, answer

        at = at.button(key="remove-notitie-zonnedal.md").click().run()
        assert "is verwijderd" in at.success[0].value
        assert not list_uploads(app_settings)
        assert "uploads/notitie-zonnedal" not in indexed_doc_ids(app_settings)
    finally:
        config.set_option("server.address", previous)


@pytest.mark.integration
def test_llm_answer_shows_the_guarded_text(app_with_env: Callable[..., AppTest], monkeypatch: pytest.MonkeyPatch) -> None:
    """With an LLM backend, what stays on screen is the guarded answer (the raw model text only streams by):
    the unsupported sentence is gone, the guard says so, and the sources are listed."""
    from itertools import cycle

    from langchain_core.language_models import GenericFakeChatModel
    from langchain_core.messages import AIMessage

    from assistant.llm.backend import LLMBackend

    model_text = (
        "Het ondersteuningsplan wordt niet vastgesteld voordat over een concept van het plan op overeenstemming "
        "gericht overleg heeft plaatsgevonden met het college van burgemeester en wethouders. [1] "
        "De maan is gemaakt van groene kaas. [1]"
    )
    fake = GenericFakeChatModel(messages=cycle([AIMessage(content=model_text)]))
    # The engine builds its backends on first use; the "openai" one becomes the fake chat model, behind the real guard.
    # ASSISTENT_BACKEND=openai gives other settings, so the app's cached engine for them is a new one.
    monkeypatch.setattr(Engine, "_build_backend", lambda self, name: LLMBackend(fake, self.embeddings, self.settings, name))
    at = ask(app_with_env(BACKEND="openai"), LAW_QUESTION)
    assert not at.exception and not at.error
    text = assistant_text(at)
    assert "overeenstemming gericht overleg" in text and "[1]" in text
    assert "kaas" not in text, "the guard drops a sentence its source does not support"
    assert any("weggelaten" in c.value or "zin" in c.value for c in at.chat_message[-1].caption), "the guard's note is shown"
    assert source_labels(at), "the cited sources are listed"


@pytest.mark.integration
def test_a_repaired_typo_is_named_under_the_answer(app_settings: Settings) -> None:
    at = ask(run_app(), "Wat moet er gebeuren voordat een ondersteuningplan wordt vastgesteld?")
    assert not at.exception
    captions = [c.value for c in at.chat_message[-1].caption]
    assert any("Bedoelde u *ondersteuningsplan* (u typte *ondersteuningplan*)?" in c for c in captions), captions
    assert "[1]" in assistant_text(at), "and answered as if typed right"


@pytest.mark.integration
def test_follow_up_suggestions_are_asked_with_one_click_and_come_back_on_reopen(app_settings: Settings) -> None:
    at = ask(run_app(), LAW_QUESTION)
    buttons = [b for b in at.chat_message[-1].button if b.key and b.key.startswith("follow-")]
    assert 1 <= len(buttons) <= 3 and LAW_QUESTION not in [b.label for b in buttons]
    assert any(c.value == "Verder vragen:" for c in at.chat_message[-1].caption)
    reopened = AppTest.from_file(APP, default_timeout=180)
    reopened.query_params["gesprek"] = at.query_params["gesprek"]
    reopened = reopened.run()
    assert [b.label for b in reopened.chat_message[-1].button if b.key and b.key.startswith("follow-")] == [
        b.label for b in buttons], "stored with the turn"
    question = buttons[0].label
    at = buttons[0].click().run()
    assert len(at.chat_message) == 4 and at.chat_message[2].markdown[0].value.replace("\\", "") == question
    assert not at.chat_message[-1].warning, "a suggestion is never refused"
    assert not [b for b in at.chat_message[1].button if b.key and b.key.startswith("follow-")], "only under the latest"


@pytest.mark.integration
def test_a_sidebar_document_opens_to_its_text(app_settings: Settings) -> None:
    at = run_app()
    at = at.sidebar.button(key="doc-wetgeving/wpo-artikel-18a-19").click().run()
    assert not at.exception
    [dialog] = at.get("dialog")
    assert dialog.proto.dialog.title.startswith("Wet op het primair onderwijs") and dialog.proto.dialog.is_open
    text = "\n".join(m.value for m in dialog.markdown)
    assert "Artikel 18a. Samenwerkingsverbanden" in text and "bron-kop" in text, "headings kept"
    assert text.count("Artikel 18a. Samenwerkingsverbanden") == 1, "a heading once, not once per lid"
    assert text.index("1. Het bevoegd gezag") < text.index("9. Het ondersteuningsplan"), "passages in order"
    assert "wetten.overheid.nl" in text, "with its source link"
    assert "wetgeving · 1 augustus 2026" in dialog.caption[0].value
    assert not at.run().get("dialog"), "opened once: the next rerun does not open it again"


def llm_app(app_with_env: Callable[..., AppTest], monkeypatch: pytest.MonkeyPatch, text: str,
            interrupt_after: str = "") -> tuple[AppTest, InterruptedChatModel]:
    """The app with the "openai" backend played by a fake chat model behind the real guard (see
    test_llm_answer_shows_the_guarded_text); with `interrupt_after`, the stream is interrupted there."""
    from itertools import cycle

    from langchain_core.messages import AIMessage

    from assistant.llm.backend import LLMBackend
    from ui.engine import get_engine

    get_engine.clear()  # the app's engine for these settings may hold another test's fake backend
    fake = InterruptedChatModel(messages=cycle([AIMessage(content=text)]), interrupt_after=interrupt_after)
    build = Engine._build_backend  # the extractive backend stays itself (follow-up suggestions are checked with it)
    monkeypatch.setattr(Engine, "_build_backend", lambda self, name: build(self, name) if name == ExtractiveBackend.name
                        else LLMBackend(fake, self.embeddings, self.settings, name))
    return app_with_env(BACKEND="openai"), fake


SUPPORTED = ("Het ondersteuningsplan wordt niet vastgesteld voordat over een concept van het plan op overeenstemming "
             "gericht overleg heeft plaatsgevonden met het college van burgemeester en wethouders. [1][2]")
"""Supported by WPO 18a lid 9, one of the first two passages for LAW_QUESTION (the guard drops the other marker)."""


@pytest.mark.integration
def test_stop_keeps_the_finished_sentences_guarded_and_stores_the_turn(
        app_with_env: Callable[..., AppTest], monkeypatch: pytest.MonkeyPatch) -> None:
    from assistant.llm.guard import NOTE_FALLBACK
    from assistant.messages import STOPPED_NOTE

    text = f"{SUPPORTED} De maan is gemaakt van groene kaas. [1] Het samenwerkingsverband stelt daarna nog"
    at = ask(llm_app(app_with_env, monkeypatch, text, interrupt_after="daarna")[0], LAW_QUESTION)
    [stop] = [b for b in at.chat_message[-1].button if b.key and b.key.startswith("stop-")]
    assert stop.label == "Stoppen", "a live answer has a stop button while it is written"
    at = stop.click().run()  # the click interrupted the run above; its own run finishes the answer
    assert not at.exception and len(at.chat_message) == 2
    answer = assistant_text(at)
    assert "overeenstemming gericht overleg" in answer and "[1]" in answer, "what was written is kept"
    assert "kaas" not in answer, "the citation guard still applies to what is kept"
    assert "daarna nog" not in answer, "a sentence cut off mid-way is not kept"
    captions = [c.value for c in at.chat_message[-1].caption]
    assert STOPPED_NOTE in captions and NOTE_FALLBACK not in captions, "the model's own sentence, not the fallback"
    assert not [b for b in at.chat_message[-1].button if b.key and b.key.startswith("stop-")]
    [turn] = ConversationStore(get_settings().conversations_db).turns(at.query_params["gesprek"])
    assert turn.answer is not None and turn.answer.text == at.session_state["exchanges"][0].answer.text
    assert STOPPED_NOTE in turn.answer.guard_notes, "stored as shown, note included"


@pytest.mark.integration
def test_a_question_interrupted_before_its_answer_survives_a_reload(
        app_with_env: Callable[..., AppTest], monkeypatch: pytest.MonkeyPatch) -> None:
    at, model = llm_app(app_with_env, monkeypatch, SUPPORTED, interrupt_after="Het")
    at = ask(at, LAW_QUESTION)
    conversation = at.query_params["gesprek"]
    reopened = AppTest.from_file(APP, default_timeout=180)  # a reload: a new session, the run above cut off
    reopened.query_params["gesprek"] = conversation
    reopened.session_state["identity"] = at.session_state["identity"]  # the same browser (AppTest sends no cookie)
    reopened = reopened.run()
    assert len(reopened.chat_message) == 2 and LAW_QUESTION in reopened.chat_message[0].markdown[0].value.replace("\\", "")
    assert "niet beantwoord" in reopened.chat_message[1].caption[0].value
    model.interrupt_after = ""  # this time the model finishes
    reopened = reopened.button(key=f"again-{reopened.session_state['exchanges'][0].id}").click().run()
    assert len(reopened.chat_message) == 2, "asked again in its place of the conversation, not twice"
    assert "[1]" in assistant_text(reopened)
    [turn] = ConversationStore(get_settings().conversations_db).turns(conversation)
    assert turn.question == LAW_QUESTION and turn.answer is not None
