"""How one question and its answer look: the answer (streamed when new), only its cited sources,
refusals styled as refusals, and the feedback controls."""

from __future__ import annotations

import html
import re
import time
from collections.abc import Iterator

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from assistant.answer.citations import MARKER, source_link
from assistant.chat.feedback import FeedbackStore
from assistant.config import Settings
from assistant.messages import EXAMPLE_QUESTIONS, REFUSALS_EN, REFUSALS_NL, refusal_examples
from assistant.models import Citation, Passage
from ui import texts
from ui.document_view import open_document_at
from ui.engine import passage_by_id, shown_title, type_label
from ui.export import answer_with_sources
from ui.highlight import highlight_passage
from ui.markdown_text import escape_markdown
from ui.session import Exchange, ask_again, ask_later, search_everything

USER_AVATAR = ":material/person:"
ASSISTANT_AVATAR = texts.APP_ICON
STREAM_PAUSE_S = 0.04
# An answer longer than this is folded on a phone: about 15 lines at 390 px (40 characters a line), where
# the fold shows 7; a law answer of one quoted lid (700-900 characters) used to fill the screen before its sources.
FOLD_CHARS = 600
# The refusal is shown as its one sentence; the example questions its full text names become buttons.
REFUSAL_SUGGESTIONS = EXAMPLE_QUESTIONS[:3]
NO_SUGGESTIONS = {"missing_value"}


def answer_markdown(text: str) -> str:
    """The engine's answer is Markdown on purpose (lists); only `$` must not start LaTeX."""
    return text.replace("$", "\\$")


def source_anchor(exchange_id: str, number: int) -> str:
    """The key of source `number`'s card; `[n]` links point to it (ui/style.py opens the card on click)."""
    return f"bron-{exchange_id}-{number}"


def linked_markers(text: str, exchange_id: str) -> str:
    """`[n]` as a link to source n's card, so a reader goes from a claim to its source in one click."""
    return MARKER.sub(lambda m: f"[\\[{m.group(1)}\\]](#{source_anchor(exchange_id, int(m.group(1)))})", text)


def ends_in_lead_in(text: str) -> bool:
    """An answer whose last quote is a lead-in ("... de volgende taken:") without the list it announces."""
    return MARKER.sub("", text).rstrip().endswith(":")


def sentence_pieces(text: str) -> Iterator[str]:
    """The text in sentence-sized pieces (joined, they are exactly the text), paced for reading."""
    parts = re.split(r"((?<=[.!?:\]])[ \t]+|\n+)", text)
    for i in range(0, len(parts), 2):
        yield parts[i] + (parts[i + 1] if i + 1 < len(parts) else "")
        time.sleep(STREAM_PAUSE_S)


def _emptying_after_first(pieces: Iterator[str], waiting: DeltaGenerator | None) -> Iterator[str]:
    """The pieces, with `waiting` emptied once the first one is on the page."""
    for n, piece in enumerate(pieces):
        yield piece
        if n == 0 and waiting is not None:
            waiting.empty()


def searching_status(slot: DeltaGenerator) -> None:
    """"Ik zoek in de bronnen…" with a spinner (ui/style.py), drawn at once in the reply bubble."""
    slot.markdown(f"<div class='zoekt' role='status'><span></span>{texts.SEARCHING}</div>", unsafe_allow_html=True)


def render_exchange(exchange: Exchange, settings: Settings, *, latest: bool) -> None:
    """A question and answer from the history (the answer being given now is drawn by the page)."""
    with st.chat_message("user", avatar=USER_AVATAR):
        st.markdown(escape_markdown(exchange.question))
    with st.chat_message("assistant", avatar=ASSISTANT_AVATAR):
        if exchange.answer is None:  # asked, and interrupted before its answer was there
            st.caption(texts.UNANSWERED)
            st.button(texts.ASK_AGAIN, key=f"again-{exchange.id}", on_click=ask_again, args=(exchange, settings),
                      icon=":material/refresh:")
        else:
            render_answer(exchange, settings, new=False, latest=latest)


def render_answer(exchange: Exchange, settings: Settings, *, new: bool, latest: bool,
                  waiting: DeltaGenerator | None = None) -> None:
    """The answer with its sources and controls; `waiting` (the "Ik zoek…" status of a new answer) is
    emptied once the answer's first words are drawn, so the reply bubble is never empty meanwhile."""
    answer = exchange.answer
    assert answer is not None, "only answered turns are drawn as answers"
    _search_notes(exchange)
    text = linked_markers(answer_markdown(answer.text), exchange.id)
    if answer.refused:
        _refusal(exchange, latest)
    else:
        with st.container(key=f"antwoord-{exchange.id}"):
            if new:
                st.write_stream(_emptying_after_first(sentence_pieces(text), waiting))
            else:
                st.markdown(text)
            if len(answer.text) > FOLD_CHARS:
                _unfold_button()
    if waiting is not None:
        waiting.empty()
    if not answer.refused and ends_in_lead_in(answer.text):  # never leave a reader at a colon
        st.caption(texts.LEAD_IN_ONLY)
    for note in answer.guard_notes:  # Dutch notes from the LLM citation guard, e.g. why it fell back
        st.caption(note)
    if answer.citations:
        _sources(exchange, settings)
    if latest and exchange.better_type:
        _filter_hint(exchange)
    if not answer.refused:
        _copy_button(exchange)
    if latest and exchange.suggestions and not answer.refused:
        _follow_ups(exchange)
    _feedback(exchange, settings)


def _unfold_button() -> None:
    """On a phone a long answer is folded after its first lines (ui/style.py), so its sources follow
    within the first screen; this button (the page script) shows the rest. Hidden on wider screens."""
    st.html(f'<button class="lees-verder" type="button" aria-expanded="false" data-meer="{texts.UNFOLD}" '
            f'data-minder="{texts.FOLD}">{texts.UNFOLD}</button>')


def typo_note(typo_fixes: dict[str, str]) -> str | None:
    """"Bedoelde u *gemeente* (u typte *gemeete*)?": the search used another word than the one typed."""
    if not typo_fixes:
        return None
    fixes = [texts.TYPO_FIX.format(searched=escape_markdown(searched), typed=escape_markdown(typed))
             for typed, searched in typo_fixes.items()]
    return texts.TYPO_FIXED.format(fixes=", ".join(fixes))


def _search_notes(exchange: Exchange) -> None:
    assert exchange.answer is not None
    query = exchange.answer.search_query
    notes = []
    if query and query.strip().lower() != exchange.question.strip().lower():
        notes.append(texts.SEARCHED_FOR.format(query=escape_markdown(query)))
    if note := typo_note(exchange.answer.typo_fixes):
        notes.append(note)
    if exchange.filter_types:
        notes.append(texts.FILTERED_ON.format(types=", ".join(type_label(t) for t in exchange.filter_types)))
    if notes:
        st.caption(" · ".join(notes))


def _copy_button(exchange: Exchange) -> None:
    """Streamlit has no clipboard widget: a plain button, copied by the page script in ui/style.py."""
    text = html.escape(answer_with_sources(exchange), quote=True)
    st.html(f'<button class="kopieer" type="button" data-tekst="{text}" data-klaar="{texts.COPIED}">'
            f"{texts.COPY}</button>")


def _follow_ups(exchange: Exchange) -> None:
    """Questions the engine would answer next, from the cited passages' neighbourhood: one click asks one."""
    st.caption(texts.FOLLOW_UPS_LEAD)
    for n, question in enumerate(exchange.suggestions):
        st.button(question, key=f"follow-{exchange.id}-{n}", on_click=ask_later, args=(question,),
                  icon=":material/subdirectory_arrow_right:")


def _filter_hint(exchange: Exchange) -> None:
    """The filter hid a clearly better source: say which type, and offer the search without filter."""
    st.info(texts.FILTER_HINT.format(type=type_label(exchange.better_type or "")), icon=":material/filter_alt_off:")
    st.button(texts.FILTER_SEARCH_ALL, key=f"search-all-{exchange.id}", on_click=search_everything,
              args=(exchange.question,), icon=":material/travel_explore:")


def refusal_sentence(text: str, reason: str | None) -> str:
    """The refusal's own sentence: the engine's text goes on with its scope and example questions,
    which the block offers as buttons instead of repeating them in prose."""
    for sentences in (REFUSALS_NL, REFUSALS_EN):
        sentence = sentences.get(reason or "")
        if sentence and text.startswith(sentence):
            return sentence
    return text


def _refusal(exchange: Exchange, latest: bool) -> None:
    answer = exchange.answer
    if answer.refusal_reason == "missing_value":  # the sources are quoted, just without the value asked for
        st.info(answer_markdown(answer.text), icon=":material/info:")
        return
    sentence = refusal_sentence(answer.text, answer.refusal_reason)
    # The engine goes on with what the sources cover (from the index), or with the rules that bear on a
    # judgement it will not give; example questions are offered as buttons below instead of in prose.
    rest = answer.text[len(sentence):].strip().removesuffix(refusal_examples(answer.language == "en")).strip()
    if answer.citations:  # the law quoted for a refused judgement reads as an answer, [n] linked to its source
        st.warning(answer_markdown(sentence), icon=":material/gavel:")
        st.markdown(linked_markers(answer_markdown(rest), exchange.id))
        return
    st.warning(answer_markdown(f"{sentence} {rest}".strip()), icon=":material/search_off:")
    if latest and answer.refusal_reason not in NO_SUGGESTIONS:
        st.caption(texts.REFUSAL_EXAMPLES_LEAD)
        for n, question in enumerate(REFUSAL_SUGGESTIONS):
            st.button(question, key=f"suggest-{exchange.id}-{n}", on_click=ask_later, args=(question,),
                      icon=":material/arrow_forward:")


def source_label(citation: Citation, passage: Passage | None = None, title: str | None = None) -> str:
    """Title (`title`: as `ui.engine.distinct_titles` tells documents apart), place in the document, type
    and date: two passages of one document must be told apart, so a prose passage without article or
    page is named by its section heading."""
    reference = citation.reference or (passage.heading if passage and passage.heading else "")
    where = f" — {escape_markdown(reference)}" if reference else ""
    known = texts.known_date(passage.date) if passage else None
    date = f" · {escape_markdown(known)}" if known else ""  # an unknown date is left out, not shown as "onbekend"
    outdated = f" · :orange[{texts.OUTDATED_BADGE}]" if citation.outdated else ""
    return f"[{citation.number}] {escape_markdown(title or citation.title)}{where} · {type_label(citation.type)}{date}{outdated}"


def _source_icon(citation: Citation) -> str:
    if citation.outdated:
        return ":material/history:"
    return ":material/gavel:" if citation.type.startswith("wetgeving") else ":material/description:"


def link_label(citation: Citation) -> str:
    if citation.article and citation.type.startswith("wetgeving"):
        return texts.SOURCE_LAW_LINK.format(reference=citation.reference or f"art. {citation.article}")
    return texts.SOURCE_LINK


def _sources(exchange: Exchange, settings: Settings) -> None:
    """Source cards, the first one open: most answers rest on it, and the quote is the proof."""
    st.markdown(f"**{texts.SOURCES}**")
    for citation in exchange.answer.citations:
        passage = passage_by_id(settings, citation.passage_id)
        card = st.container(key=source_anchor(exchange.id, citation.number))
        label = source_label(citation, passage, shown_title(settings, citation.doc_id, citation.title))
        with card, st.expander(label, icon=_source_icon(citation),
                               expanded=citation.number == 1):
            if citation.outdated:
                st.warning(texts.OUTDATED_NOTE, icon=":material/history:")
            passage_html, marked = highlight_passage(passage.text, citation.quote, passage.heading) if passage else ("", 0)
            if not marked:  # an LLM may quote loosely: show its quote above the passage
                st.markdown(f"{texts.QUOTED}\n\n> {escape_markdown(citation.quote)}")
            if passage is None:
                st.caption(texts.SOURCE_MISSING)
            else:
                st.markdown(passage_html, unsafe_allow_html=True)
            if link := source_link(citation):
                st.markdown(f":material/open_in_new: [{link_label(citation)}]({link})")
            if passage is not None:
                st.button(texts.SOURCE_IN_DOCUMENT, key=f"lees-{exchange.id}-{citation.number}", type="tertiary",
                          icon=":material/article:", on_click=open_document_at,
                          args=(citation.doc_id, citation.passage_id, citation.quote))


def _store_rating(exchange: Exchange, settings: Settings, key: str) -> None:
    value = st.session_state.get(key)
    rating = None if value is None else ("up" if value == 1 else "down")
    FeedbackStore(settings.feedback_db).rate(exchange.id, exchange.question, exchange.answer, rating)


def _store_comment(exchange: Exchange, settings: Settings, key: str) -> None:
    if FeedbackStore(settings.feedback_db).comment(exchange.id, st.session_state.get(key, "")):
        st.session_state[f"{key}-saved"] = True


def _feedback(exchange: Exchange, settings: Settings) -> None:
    key = f"feedback-{exchange.id}"
    st.feedback("thumbs", key=key, on_change=_store_rating, args=(exchange, settings, key))
    if st.session_state.get(key) is None:
        return
    comment_key = f"comment-{exchange.id}"
    if st.session_state.get(f"{comment_key}-saved"):
        st.caption(texts.FEEDBACK_SAVED)
        return
    st.caption(texts.FEEDBACK_THANKS)
    with st.form(f"form-{comment_key}", border=False):
        st.text_area(texts.FEEDBACK_COMMENT, key=comment_key, help=texts.FEEDBACK_COMMENT_HELP, height=80)
        st.form_submit_button(texts.FEEDBACK_SEND, on_click=_store_comment, args=(exchange, settings, comment_key))
