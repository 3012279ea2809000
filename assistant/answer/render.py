"""Terminal rendering of an answer for `assistant ask`: the text, then only the cited sources."""

from __future__ import annotations

from rich.console import Console
from rich.markdown import Markdown
from rich.panel import Panel

from assistant.models import Answer

TYPE_LABELS = {
    "wetgeving": "wetgeving",
    "wetgeving (vervallen versie)": "wetgeving (vervallen versie)",
    "handreiking": "handreiking",
    "praktijkvoorbeeld": "praktijkvoorbeeld",
    "samenvatting": "samenvatting",
    "opinie": "opinie",
    "geüpload": "geüpload document",
}


def print_answer(console: Console, answer: Answer, question: str) -> None:
    if answer.search_query.strip() != question.strip():  # a follow-up, rewritten into a standalone query
        console.print(f"[dim]Gezocht op: {answer.search_query}[/dim]")
    style = "yellow" if answer.refused else "green"
    console.print(Panel(Markdown(answer.text), border_style=style, title="Antwoord" if not answer.refused else "Geen antwoord"))
    for citation in answer.citations:
        where = f" — {citation.reference}" if citation.reference else ""
        label = f"({TYPE_LABELS.get(citation.type, citation.type)})"
        kind = "" if citation.title.rstrip().endswith(label) else f" {label}"  # summaries carry it in their title
        console.print(f"[bold][{citation.number}][/bold] {citation.title}{where}{kind}")
        console.print(f"    [italic]“{citation.quote}”[/italic]")
        if citation.source_url:
            console.print(f"    {citation.source_url}")
