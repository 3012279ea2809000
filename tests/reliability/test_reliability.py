"""Fast versions of the reliability figures of issue 13 (`make soak` runs the long ones).

A reader process keeps answering while another process ingests and rebuilds; an ingest killed
with SIGKILL leaves the old or the new index, never a mix, and the next ingest says it rolled
back; twenty threads on a cold process all get answers."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.reliability.harness import cold_threads, kill_during_ingest, reader_during_ingests

pytestmark = pytest.mark.integration


def test_reader_process_keeps_answering_while_another_process_ingests_and_rebuilds(tmp_path: Path) -> None:
    run = reader_during_ingests(tmp_path)
    assert run.calls > 0
    assert run.errors == []
    assert run.new_doc_found, "the reader should see the added document after the switch"
    assert run.removed_doc_gone


def test_killed_ingest_leaves_old_or_new_state_and_is_reported(tmp_path: Path) -> None:
    series = kill_during_ingest(tmp_path, delays=[4.0, 9.0, 14.0])
    assert [run.state for run in series.runs if run.state == "gemengd"] == []
    assert series.reported == len(series.runs), series.runs
    assert all(run.recovered for run in series.runs), series.runs


def test_twenty_threads_on_a_cold_process(tmp_path: Path) -> None:
    result = cold_threads(tmp_path, threads=20, per_thread=2)
    assert result["errors"] == [] and result["calls"] == 40
