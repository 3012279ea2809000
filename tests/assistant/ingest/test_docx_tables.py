"""DOCX tables are read: each row becomes a list item whose cells are named by the header row."""

from __future__ import annotations

from pathlib import Path

import docx
import pytest

from assistant.ingest.loaders import load_docx

pytestmark = pytest.mark.unit


def test_table_rows_become_items_named_by_their_header(tmp_path: Path) -> None:
    document = docx.Document()
    document.add_paragraph("Woningbouw per gemeente in 2025.")
    table = document.add_table(rows=3, cols=2)
    for row, cells in zip(table.rows, [("Gemeente", "Woningen"), ("Zuidwaarde", "1.100"), ("Oostdam", "94")], strict=True):
        for cell, text in zip(row.cells, cells, strict=True):
            cell.text = text
    document.add_paragraph("Daarna volgt de conclusie.")
    path = tmp_path / "monitor.docx"
    document.save(str(path))

    (source,) = load_docx(path, "monitor")

    lines = source.text.split("\n\n")
    assert lines == [
        "Woningbouw per gemeente in 2025.",
        "- Gemeente: Zuidwaarde; Woningen: 1.100",
        "- Gemeente: Oostdam; Woningen: 94",
        "Daarna volgt de conclusie.",
    ]
