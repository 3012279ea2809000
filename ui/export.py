"""The conversation as a Markdown file with its sources, for users who file or forward an answer."""

from __future__ import annotations

from datetime import datetime

from assistant.answer.citations import source_link
from assistant.models import Citation
from ui import texts
from ui.engine import type_label
from ui.session import Exchange


def dutch_datetime(moment: datetime) -> str:
    """'25 november 2025, 10:30': written out, because the server may lack a Dutch locale."""
    return f"{moment.day} {texts.MONTHS[moment.month - 1]} {moment.year}, {moment:%H:%M}"


def _source_lines(citation: Citation) -> list[str]:
    where = f" — {citation.reference}" if citation.reference else ""
    outdated = f" ({texts.OUTDATED_BADGE})" if citation.outdated else ""
    lines = [f"{citation.number}. **{citation.title}**{where} · {type_label(citation.type)}{outdated}"]
    lines.extend(f"   > {line}" for line in citation.quote.splitlines() if line.strip())
    if link := source_link(citation):  # the same article-level link as the source card
        lines.append(f"   {link}")
    return lines


def answer_with_sources(exchange: Exchange) -> str:
    """One answer and its sources as plain text, for the copy button: a quote pasted elsewhere keeps its source."""
    answer = exchange.answer
    if answer is None:
        return ""
    lines = [answer.text]
    if answer.citations:
        lines += ["", f"{texts.SOURCES}:"]
        for citation in answer.citations:
            lines.extend(_source_lines(citation))
    return "\n".join(lines)


def conversation_markdown(exchanges: list[Exchange], moment: datetime) -> str:
    lines = [f"# {texts.EXPORT_TITLE}", "", texts.EXPORT_DATE.format(date=dutch_datetime(moment))]
    for n, exchange in enumerate(exchanges, start=1):
        answer = exchange.answer
        lines += ["", f"## {texts.EXPORT_QUESTION.format(n=n, question=exchange.question)}", ""]
        if answer is None:
            lines.append(texts.EXPORT_UNANSWERED)
            continue
        if answer.search_query and answer.search_query.strip() != exchange.question.strip():
            lines += [f"_{texts.SEARCHED_FOR.format(query=answer.search_query)}_", ""]
        if answer.refused and not answer.citations:
            lines += [texts.EXPORT_NO_ANSWER, ""]
        lines.append(answer.text)
        if answer.citations:
            lines += ["", f"**{texts.SOURCES}**", ""]
            for citation in answer.citations:
                lines.extend(_source_lines(citation))
    return "\n".join(lines) + "\n"


def export_filename(moment: datetime) -> str:
    return texts.EXPORT_FILE.format(stamp=f"{moment:%Y%m%d-%H%M}")
