"""Render an eval run: rich tables in the terminal and report.md for reading later.

Both render the JSON document that is also written to results.json, so what a maintainer
reads and what a later `--compare` reads can never disagree.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

WORST_COUNT = 10
TERMINAL_MOVED = 10
"""Questions listed per direction in the terminal comparison; report.md lists them all."""
_ANSWER_CHARS = 400

TAG_COLUMNS = ("hit_at_k", "mrr", "citation_precision", "fact_coverage", "refusal_accuracy")
"""Per-tag columns; `hit_at_k` stands for hit_at_<k> of the run."""


def metric_label(name: str) -> str:
    """Short description for maintainers next to the metric key."""
    labels = {
        "questions": "vragen",
        "answerable": "beantwoordbaar",
        "unanswerable": "moeten geweigerd worden",
        "errors": "vragen waarop ask() een fout gaf",
        "hit_at_1": "juiste bron op plaats 1",
        "mrr": "mean reciprocal rank",
        "citation_precision": "geciteerde passages uit een verwachte bron",
        "answers_with_correct_citation": "antwoorden met >= 1 juiste bronvermelding",
        "invalid_markers": "[n] zonder bijbehorende bron (verwacht 0)",
        "fact_coverage": "verwachte feiten in het antwoord",
        "refusal_recall": "terecht geweigerd",
        "false_refusal_rate": "onterecht geweigerd",
        "refusal_accuracy": "juiste keuze antwoorden/weigeren",
        "latency_p50_s": "mediane antwoordtijd (s)",
        "latency_p95_s": "p95 antwoordtijd (s)",
    }
    if name == "lookalike_refusal_rate":
        return "lijkt-op-weigeren-vragen die toch geweigerd werden"
    for prefix, what in (
        ("followup_", "vragen met voorgeschiedenis"),
        ("vervolgvraag_", "vervolgvragen"),
        ("onderwerpwissel_", "onderwerpwissels"),
    ):
        if name.startswith(f"{prefix}hit_at_"):
            return f"{what}: juiste bron in de top {name.removeprefix(f'{prefix}hit_at_')}"
    if name.startswith("hit_at_"):
        return f"juiste bron in de top {name.removeprefix('hit_at_')}"
    if name.startswith("recall_at_"):
        return f"deel van de verwachte bronnen in de top {name.removeprefix('recall_at_')}"
    return labels.get(name, "")


def fmt(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "ja" if value else "nee"
    if isinstance(value, float):
        return f"{value:.3f}"
    return str(value)


def fmt_delta(value: float) -> str:
    return f"{value:+d}" if isinstance(value, int) else f"{value:+.3f}"


def _tag_column(name: str, k: int) -> str:
    return f"hit_at_{k}" if name == "hit_at_k" else name


# --- terminal ---------------------------------------------------------------------------------


def settings_used(document: dict[str, Any]) -> str:
    """The run's choices in one line: the backend and any `--set` overrides (secrets masked)."""
    overrides = document["settings"]["overrides"]
    changed = ", ".join(f"{name}={value}" for name, value in overrides.items()) or "geen (standaardwaarden)"
    return f"backend {document['settings']['backend']}; --set: {changed}"


def print_summary(console: Console, document: dict[str, Any]) -> None:
    """Settings, metrics with their thresholds, probes, the per-tag breakdown and, if any, the comparison."""
    console.print(f"Instellingen: {escape(settings_used(document))}")
    console.print(_metrics_table(document))
    console.print(_probes_table(document))
    console.print(_tags_table(document))
    if "comparison" in document:
        _print_comparison(console, document["comparison"])
    for error, count in Counter(item["error"] for item in document["questions"] if item["error"]).most_common(3):
        console.print(f"[red]Fout bij {count} vragen:[/red] {escape(error)}")
    for failure in document["threshold_failures"]:
        console.print(f"[red]Onder de drempel:[/red] {escape(failure)}")


def _limit(check: dict[str, Any] | None, ascii_signs: bool) -> str:
    if not check:
        return ""
    signs = (">=", "<=") if ascii_signs else ("≥", "≤")
    return f"{signs[0] if check['kind'] == 'minimum' else signs[1]} {check['limit']:g}"


def _metrics_table(document: dict[str, Any]) -> Table:
    """The run-level metrics; the probe values are in `_probes_table`, with their question counts."""
    limits = {check["metric"]: check for check in document["thresholds"]}
    table = Table(title=f"Evaluatie ({document['run']['backend']}, k={document['run']['k']})")
    for column in ("metric", "waarde", "drempel", "", "betekenis"):
        table.add_column(column)
    for name, value in document["metrics"].items():
        if name in document["probes"]:
            continue
        check = limits.get(name)
        status = ("[green]ok[/green]" if check["passed"] else "[red]NEE[/red]") if check else ""
        table.add_row(name, fmt(value), _limit(check, ascii_signs=True), status, escape(metric_label(name)))
    return table


def _probes_table(document: dict[str, Any]) -> Table:
    limits = {check["metric"]: check for check in document["thresholds"]}
    table = Table(title="Peilingen (uit de tags)")
    for column in ("peiling", "waarde", "n", "drempel", "betekenis"):
        table.add_column(column)
    for name, probe in document["probes"].items():
        limit = _limit(limits.get(name), ascii_signs=True)
        table.add_row(name, fmt(probe["value"]), str(probe["questions"]), limit, escape(metric_label(name)))
    return table


def _tags_table(document: dict[str, Any]) -> Table:
    """Every tag that occurs, most frequent first: tags are free-form, so none is singled out."""
    k = document["run"]["k"]
    table = Table(title="Per tag")
    table.add_column("tag")
    table.add_column("n", justify="right")
    for name in TAG_COLUMNS:
        table.add_column(_tag_column(name, k), justify="right")
    for tag, metrics in document["by_tag"].items():
        table.add_row(escape(tag), str(metrics["questions"]), *(fmt(metrics[_tag_column(name, k)]) for name in TAG_COLUMNS))
    return table


def _print_comparison(console: Console, comparison: dict[str, Any]) -> None:
    table = Table(title=escape(f"Vergelijking met {comparison['earlier']}"))
    for column in ("metric", "eerder", "nu", "verschil"):
        table.add_column(column, justify="right" if column != "metric" else "left")
    for name, delta in comparison["metric_deltas"].items():
        colour = {True: "green", False: "red", None: "white"}[delta["improved"]]
        table.add_row(name, fmt(delta["before"]), fmt(delta["after"]), f"[{colour}]{fmt_delta(delta['delta'])}[/{colour}]")
    console.print(table)
    for label, key, colour in (("Beter", "better", "green"), ("Slechter", "worse", "red")):
        moved = [f"{m['id']} ({m['before']:.2f}→{m['after']:.2f})" for m in comparison[key]]
        more = f" en {len(moved) - TERMINAL_MOVED} meer (report.md)" if len(moved) > TERMINAL_MOVED else ""
        console.print(f"[{colour}]{label} ({len(moved)}):[/{colour}] {', '.join(moved[:TERMINAL_MOVED]) or 'geen'}{more}")


# --- report.md --------------------------------------------------------------------------------


def render_markdown(document: dict[str, Any]) -> str:
    """The whole report.md: run info, summary, probes, per tag, comparison, worst questions.

    A run on the frozen test split gets no worst-questions section: test is read only through
    aggregates (evals/README.md), and a report that quotes its questions invites reading them.
    """
    sections = [_md_header(document), _md_summary(document), _md_probes(document), _md_tags(document)]
    if "comparison" in document:
        sections.append(_md_comparison(document["comparison"]))
    if document["run"].get("aggregate_only"):
        sections.append("## Afzonderlijke vragen\n\nNiet getoond: dit is de bevroren testset (zie evals/README.md).")
    else:
        sections.append(_md_worst(document))
    return "\n\n".join(sections) + "\n"


def _md_table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(cell.replace("|", "\\|").replace("\n", " ") for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def _md_header(document: dict[str, Any]) -> str:
    run = document["run"]
    used = ", ".join(f"{name or '(geen)'} {count}×" for name, count in run["answer_backends"].items())
    return (
        "# Evaluatie Samenwerkingsassistent\n\n"
        f"- gestart: {run['started_at']}, duur {run['duration_s']:.1f} s\n"
        f"- vragen: `{run['questions_file']}` ({document['metrics']['questions']} vragen)\n"
        f"- backend: {run['backend']} (in de antwoorden: {used}), k = {run['k']}\n"
        f"- instellingen: {settings_used(document)}\n"
        f"- drempels: `{run['thresholds_file']}`; "
        + ("alle gehaald" if not document["threshold_failures"] else f"{len(document['threshold_failures'])} niet gehaald")
    )


def _md_summary(document: dict[str, Any]) -> str:
    limits = {check["metric"]: check for check in document["thresholds"]}
    rows = []
    for name, value in document["metrics"].items():
        if name in document["probes"]:
            continue
        check = limits.get(name)
        status = ("ok" if check["passed"] else "**niet gehaald**") if check else ""
        rows.append([f"`{name}`", fmt(value), _limit(check, ascii_signs=False), status, metric_label(name)])
    return "## Samenvatting\n\n" + _md_table(["metric", "waarde", "drempel", "status", "betekenis"], rows)


def _md_probes(document: dict[str, Any]) -> str:
    limits = {check["metric"]: check for check in document["thresholds"]}
    rows = [
        [f"`{name}`", fmt(probe["value"]), str(probe["questions"]), _limit(limits.get(name), ascii_signs=False),
         metric_label(name)]
        for name, probe in document["probes"].items()
    ]
    return "## Peilingen\n\n" + _md_table(["peiling", "waarde", "n", "drempel", "betekenis"], rows)


def _md_tags(document: dict[str, Any]) -> str:
    k = document["run"]["k"]
    header = ["tag", "n", *(_tag_column(name, k) for name in TAG_COLUMNS)]
    rows = [
        [tag, str(metrics["questions"]), *(fmt(metrics[_tag_column(name, k)]) for name in TAG_COLUMNS)]
        for tag, metrics in document["by_tag"].items()
    ]
    return "## Per tag\n\n" + _md_table(header, rows)


def _md_comparison(comparison: dict[str, Any]) -> str:
    verdicts = {True: "beter", False: "slechter", None: ""}
    rows = [
        [f"`{name}`", fmt(d["before"]), fmt(d["after"]), fmt_delta(d["delta"]), verdicts[d["improved"]]]
        for name, d in comparison["metric_deltas"].items()
    ]
    parts = [f"## Vergelijking met `{comparison['earlier']}`", _md_table(["metric", "eerder", "nu", "verschil", ""], rows)]
    for label, key in (("Beter", "better"), ("Slechter", "worse")):
        moved = [f"- `{m['id']}`: {m['before']:.2f} → {m['after']:.2f}" for m in comparison[key]]
        parts.append(f"### {label} ({len(moved)})\n\n" + ("\n".join(moved) or "geen"))
    if comparison["only_in_current"] or comparison["only_in_earlier"]:
        parts.append(
            f"Alleen nu: {', '.join(comparison['only_in_current']) or 'geen'}; "
            f"alleen eerder: {', '.join(comparison['only_in_earlier']) or 'geen'}"
        )
    return "\n\n".join(parts)


def worst_questions(document: dict[str, Any], count: int = WORST_COUNT) -> list[dict[str, Any]]:
    """Lowest overall score first; ties keep gold-file order so reports stay stable."""
    return sorted(document["questions"], key=lambda item: item["scores"]["overall"])[:count]


def _md_worst(document: dict[str, Any]) -> str:
    k = document["run"]["k"]
    blocks = [f"## Slechtste {WORST_COUNT} vragen"]
    for item in worst_questions(document):
        blocks.append(_md_question(item, k))
    return "\n\n".join(blocks)


def _md_question(item: dict[str, Any], k: int) -> str:
    answer, scores = item["answer"], item["scores"]
    lines = [f"### `{item['id']}` (score {scores['overall']:.2f}; {', '.join(item['tags'])})", "", f"> {item['question']}", ""]
    for turn in item.get("history", []):
        lines.append(f"- eerder ({turn['role']}): {_shorten(turn['content'])}")
    expected = ", ".join(f"`{source}`" for source in item["expected_sources"]) or "geen (moet geweigerd worden)"
    lines += [
        f"- verwacht: {expected}",
        f"- ontbrekende feiten: {_facts(scores['missing_facts'])}",
        f"- zoekvraag: {answer['search_query']}",
        f"- opgehaald (top {k}): {_refs(answer.get('retrieved', [])[:k])}",
        f"- geciteerd: {_refs(answer['citations'])}",
        f"- geweigerd: {fmt(answer['refused'])}; recall@k {fmt(scores['recall_at_k'])}, "
        f"feiten {fmt(scores['fact_coverage'])}, citatieprecisie {fmt(scores['citation_precision'])}",
    ]
    if scores["invalid_markers"]:
        lines.append(f"- ongeldige markers: {scores['invalid_markers']}")
    if item["error"]:
        lines.append(f"- fout: `{item['error']}`")
    lines += ["", "Antwoord:", "", "> " + _shorten(answer["text"]).replace("\n", " ")]
    return "\n".join(lines)


def _refs(items: list[dict[str, Any]]) -> str:
    refs = [f"`{item['doc_id']}#{item['article']}`" if item.get("article") else f"`{item['doc_id']}`" for item in items]
    return ", ".join(refs) or "geen"


def _facts(facts: list[list[str]]) -> str:
    return "; ".join(" / ".join(fact) for fact in facts) or "geen"


def _shorten(text: str) -> str:
    return text if len(text) <= _ANSWER_CHARS else text[:_ANSWER_CHARS].rstrip() + " …"
