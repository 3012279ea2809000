"""The `assistant` command: ingest, ask, corpus, eval, bench, feedback export and the export of unowned conversations.

A thin layer over the library's `Engine` (the same surface the app uses) and over `evals/` for the
measuring commands: the library itself never imports `evals`."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Annotated

import typer
from rich import box
from rich.console import Console
from rich.table import Table

from assistant.config import get_settings
from assistant.errors import AssistantError

app = typer.Typer(add_completion=False, no_args_is_help=True, help="Samenwerkingsassistent")
console = Console()
APP_SCRIPT = Path(__file__).resolve().parent.parent / "app.py"
SKIPPED_EXIT_CODE = 3
"""`assistant ingest` read everything it could, but skipped at least one file (scripts can tell)."""


@app.command()
def ingest(
    path: Annotated[Path | None, typer.Argument(help="Map met brondocumenten (standaard: corpus/)")] = None,
    rebuild: Annotated[bool, typer.Option("--rebuild", help="Index helemaal opnieuw opbouwen")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Samenvatting als JSON")] = False,
) -> None:
    """Lees de brondocumenten in; alleen nieuwe of gewijzigde passages worden opnieuw ingebed.

    Eindigt met code 3 als er bestanden zijn overgeslagen (de rest is wel ingelezen), met code 2 bij een fout."""
    from assistant.engine import Engine
    from assistant.ingest.progress import NullProgress, RichProgress

    settings = get_settings()
    if path is not None:
        settings = settings.model_copy(update={"corpus_dir": path})
    with _user_errors(), (nullcontext(NullProgress()) if as_json else RichProgress(console)) as progress:
        report = Engine(settings).ingest(progress=progress, rebuild=rebuild)
    if as_json:
        typer.echo(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    else:
        console.print(report.summary())
        for error in report.errors:
            console.print(f"[red]Overgeslagen:[/red] {error.path}: {error.reason}")
    if report.errors:
        raise typer.Exit(code=SKIPPED_EXIT_CODE)


@app.command()
def ask(
    question: Annotated[str, typer.Argument(help="De vraag, in het Nederlands of Engels")],
    as_json: Annotated[bool, typer.Option("--json", help="Antwoord als JSON")] = False,
    doc_type: Annotated[list[str] | None, typer.Option("--type", help="Alleen dit documenttype")] = None,
    history: Annotated[Path | None, typer.Option(help="JSON-bestand met eerdere beurten")] = None,
    backend: Annotated[str | None, typer.Option(help="extractive, openai, ollama of local")] = None,
) -> None:
    """Stel een vraag en krijg een antwoord met bronnen."""
    from assistant.answer.render import print_answer
    from assistant.engine import engine_for

    turns = json.loads(history.read_text(encoding="utf-8")) if history else None
    filters = {"types": doc_type} if doc_type else None
    with _user_errors():
        answer = engine_for().ask(question, history=turns, filters=filters, backend=backend)
    if as_json:
        typer.echo(json.dumps(answer.to_dict(), ensure_ascii=False, indent=2))
    else:
        print_answer(console, answer, question)


@app.command()
def corpus() -> None:
    """Toon de documenten in de index, met type, datum en aantal passages."""
    from assistant.engine import engine_for

    with _user_errors():
        documents = engine_for().list_documents()
    table = Table(title="Documenten in de index")
    for column in ("id", "type", "datum", "passages", "ontbrekende velden"):
        table.add_column(column)
    for doc in documents:
        missing = ", ".join(doc.missing_fields) or "-"
        table.add_row(doc.doc_id, doc.type, doc.date or "onbekend", str(doc.passages), missing)
    console.print(table)
    for doc in documents:
        if doc.instructions:
            console.print(f"[yellow]Let op:[/yellow] {doc.doc_id} bevat {len(doc.instructions)} zin(nen) gericht aan de "
                          "assistent; die zijn bij het inlezen weggelaten en worden nooit geciteerd:")
            for sentence in doc.instructions:
                console.print(f"  - {sentence[:160]}", markup=False, highlight=False)


@app.command("eval")
def eval_command(
    questions: Annotated[Path | None, typer.Option("--questions", help="Goudset (JSONL); standaard evals/dev.jsonl")] = None,
    split: Annotated[str | None, typer.Option("--split", help="dev, test of holdout: evals/<naam>.jsonl")] = None,
    assignments: Annotated[
        list[str] | None, typer.Option("--set", help="Instelling voor deze run, NAAM=WAARDE (herhaalbaar)")
    ] = None,
    backend: Annotated[str | None, typer.Option("--backend", help="Antwoordbackend (standaard uit de instellingen)")] = None,
    k: Annotated[int, typer.Option("--k", help="Aantal opgehaalde passages voor hit@k en recall@k")] = 5,
    out: Annotated[Path, typer.Option("--out", help="Map voor results.json en report.md")] = Path("evals/out"),
    compare: Annotated[Path | None, typer.Option("--compare", help="Eerdere results.json om mee te vergelijken")] = None,
) -> None:
    """Meet retrieval, bronvermelding, antwoorden en weigeringen op een goudset; faalt onder de drempels."""
    from evals.harness import DEFAULT_QUESTIONS, SPLITS, run_eval
    from evals.overrides import parse_assignments

    if split is not None and (split not in SPLITS or questions is not None):
        console.print(f"[red]--split is {' of '.join(SPLITS)}, en gaat niet samen met --questions.[/red]")
        raise typer.Exit(code=2)
    path = SPLITS[split] if split else questions or DEFAULT_QUESTIONS
    with _user_errors():
        overrides = parse_assignments(assignments or [])
        result = run_eval(path, backend=backend, k=k, out_dir=out, compare=compare, overrides=overrides)
    if result["threshold_failures"]:
        raise typer.Exit(code=1)


@app.command()
def bench(
    questions: Annotated[Path, typer.Option("--questions", help="Vragen (JSONL, formaat van de goudset)")] = Path(
        "evals/questions.jsonl"
    ),
    out: Annotated[Path, typer.Option("--out", help="JSON-uitvoer")] = Path("evals/out/bench.json"),
    passages: Annotated[list[int] | None, typer.Option(
        "--passages", help="Grootte van een synthetische index (herhaalbaar; standaard 10.000, 30.000 en 100.000)"
    )] = None,
) -> None:
    """Meet snelheid, geheugen, opbouw- en laadtijd: op het echte corpus en op grote synthetische indexen.

    Elke index wordt in een eigen proces gemeten; een synthetische index wordt bewaard in index/bench/,
    zodat een tweede run hem niet opnieuw opbouwt."""
    from evals.bench import SIZES, run_bench

    with _user_errors():
        rows = run_bench(get_settings(), questions, out, tuple(passages or SIZES))
    table = Table(title="Snelheid en geheugen per indexgrootte", box=box.SIMPLE, caption=(
        "laden: de eerste keer (uit Chroma) / daarna (opgeslagen snapshot); zoeken en ask: p50 / p95"))
    for column in ("index", "passages", "eenheden", "opbouw s", "laden s", "zoeken ms", "ask ms", "RSS MB"):
        table.add_column(column, no_wrap=True)
    for row in rows:
        table.add_row(
            "echt" if row.build_s is None else "synth.", f"{row.passages:,}".replace(",", "."),
            f"{row.units:,}".replace(",", "."),
            _seconds(row.build_s), f"{_seconds(row.snapshot_from_store_s)} / {_seconds(row.snapshot_load_s)}",
            f"{row.retrieval_p50_ms:.0f} / {row.retrieval_p95_ms:.0f}", f"{row.ask_p50_ms:.0f} / {row.ask_p95_ms:.0f}",
            f"{row.rss_mb:.0f}",
        )
    (console if console.is_terminal else Console(width=110)).print(table)  # a log or pipe: room for every column
    console.print(f"Resultaten: {out}")


def _seconds(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f}"


feedback_app = typer.Typer(no_args_is_help=True, help="Beoordelingen van antwoorden uit de app")
app.add_typer(feedback_app, name="feedback")


@feedback_app.command("export")
def feedback_export(
    out: Annotated[Path, typer.Option("--out", help="Doelbestand")],
    fmt: Annotated[str, typer.Option("--format", help="csv of jsonl")] = "csv",
) -> None:
    """Schrijf alle beoordelingen (vraag, antwoord, bronnen, duim, toelichting) naar CSV of JSON Lines."""
    from assistant.chat.feedback import EXPORT_FORMATS, FeedbackStore

    if fmt not in EXPORT_FORMATS:
        console.print(f"[red]Onbekend formaat '{fmt}'; kies uit: {', '.join(EXPORT_FORMATS)}.[/red]")
        raise typer.Exit(code=2)
    count = FeedbackStore(get_settings().feedback_db).export(out, fmt)
    console.print(f"{count} beoordelingen geschreven naar {out}.")


conversations_app = typer.Typer(no_args_is_help=True, help="Gesprekken uit de app (beheer)")
app.add_typer(conversations_app, name="conversations")


@conversations_app.command("export-unowned")
def conversations_export_unowned(
    out: Annotated[Path, typer.Option("--out", help="Doelbestand (JSON)")],
) -> None:
    """Schrijf de gesprekken zonder eigenaar (van voor gesprekken per browser of gebruiker) naar JSON.

    De app toont ze aan niemand meer; ze blijven tot ze na `ASSISTENT_CONVERSATION_DAYS` worden opgeruimd."""
    from assistant.chat.conversations import ConversationStore

    unowned = ConversationStore(get_settings().conversations_db).unowned()
    records = [
        {"conversation_id": conversation, "turns": [
            {"question": turn.question, "asked_at": turn.asked_at.isoformat() if turn.asked_at else None,
             "answer": None if turn.answer is None else turn.answer.to_dict(with_retrieved=False)}
            for turn in turns]}
        for conversation, turns in unowned.items()
    ]
    out.write_text(json.dumps(records, ensure_ascii=False, indent=2), encoding="utf-8")
    noun = "gesprek" if len(records) == 1 else "gesprekken"
    console.print(f"{len(records)} {noun} zonder eigenaar geschreven naar {out}.")


@contextmanager
def _user_errors() -> Iterator[None]:
    """Our errors as one red Dutch line and exit code 2, never a traceback."""
    try:
        yield
    except AssistantError as error:
        console.print(f"[red]{error}[/red]")
        raise typer.Exit(code=2) from error


@app.command("app")
def run_app(
    port: Annotated[int, typer.Option(help="Poort van de app")] = 8501,
) -> None:
    """Start de app, alleen bereikbaar op deze computer (127.0.0.1), vanuit elke map.

    Streamlit leest `.streamlit/config.toml` alleen uit de map waarin het start; het adres en de
    uploadlimiet gaan daarom hier mee als opties, zodat de app nooit op alle netwerkkaarten luistert
    en Streamlit geen grotere bestanden aanneemt dan de ingest toelaat."""
    import math
    import os

    from streamlit.web import cli as streamlit_cli

    # Streamlit runs in this process rather than in a second Python: 55 MB less resident memory and a
    # little earlier answer (README, Snelheid).
    os.chdir(APP_SCRIPT.parent)  # the app's folder: Streamlit's config and the relative paths of the settings
    streamlit_cli.main([
        "run", str(APP_SCRIPT), "--server.address", "127.0.0.1", "--server.port", str(port),
        "--server.maxUploadSize", str(max(1, math.ceil(get_settings().max_file_mb))),
    ], prog_name="streamlit")


if __name__ == "__main__":
    app()
