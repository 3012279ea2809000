"""The app from a cold start: `assistant app` on a free port, driven by headless Chromium.

Measures, from the moment the process is started: the server answering its health check, the chat
input usable, and the first answer shown (one question typed as soon as the input takes it); then the
resident memory of the app's process tree. Each run starts a new app process; the table gives every
run and the median, next to the machine's load average (the figures depend on what else runs).

    .venv/bin/python scripts/app_cold_start.py [--runs 3] [--json out.json]

Needs an index (`assistant ingest`) and Debian's chromium (`make browser`), like the e2e tests.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.processes import CHROMIUM, CHROMIUM_ARGS, free_port, wait_until_healthy  # noqa: E402

QUESTION = "Binnen welke termijn moet het ontwikkelingsperspectief worden vastgesteld?"
TIMEOUT_S = 180
FIGURES = ("server_ready_s", "chat_usable_s", "first_answer_s", "rss_mb")


def one_run(context) -> dict[str, float]:
    """Start the app, open it, ask once; the app is stopped afterwards whatever happens."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = tempfile.TemporaryFile()
    started = time.monotonic()
    app = subprocess.Popen(
        [sys.executable, "-m", "cli.main", "app", "--port", str(port)],
        cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO), "STREAMLIT_SERVER_HEADLESS": "true",
                       "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false"},
        stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    try:
        server_ready = wait_until_healthy(url, app, TIMEOUT_S) - started
        tab = context.new_page()
        tab.goto(url)
        box = tab.locator("[data-testid=stChatInputTextArea]")
        box.wait_for(state="visible", timeout=TIMEOUT_S * 1000)
        chat_usable = time.monotonic() - started
        box.fill(QUESTION)
        box.press("Enter")
        tab.wait_for_function("document.querySelectorAll('[data-testid=stChatMessage]').length >= 2",
                              timeout=TIMEOUT_S * 1000)
        answer = tab.locator("[data-testid=stChatMessage]").last
        answer.locator("text=[1]").first.wait_for(timeout=TIMEOUT_S * 1000)
        first_answer = time.monotonic() - started
        tab.wait_for_selector("[data-testid=stApp][data-test-script-state=notRunning]", timeout=TIMEOUT_S * 1000)
        rss = tree_rss_mb(app.pid)
        tab.close()
    except Exception:
        log.seek(0)
        sys.stderr.write(log.read().decode(errors="replace")[-3000:])
        raise
    finally:
        _stop(app)
        log.close()
    return {"server_ready_s": round(server_ready, 2), "chat_usable_s": round(chat_usable, 2),
            "first_answer_s": round(first_answer, 2), "rss_mb": round(rss, 1)}


def _stop(app: subprocess.Popen) -> None:
    """The app and its children (`assistant app` runs Streamlit as a child), politely, then firmly."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(app.pid, sig)
            app.wait(timeout=15)
            return
        except ProcessLookupError:
            return
        except subprocess.TimeoutExpired:
            continue


def tree_rss_mb(root: int) -> float:
    """Resident memory of `root` and all its descendants (Linux `/proc`), in MB."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(parent, []).append(int(entry.name))
    total_kb, todo = 0, [root]
    while todo:
        pid = todo.pop()
        todo.extend(children.get(pid, []))
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total_kb += int(line.split()[1])
        except OSError:
            continue
    return total_kb / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--json", type=Path, help="also write the runs and medians here")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        sys.exit("Debian's chromium is missing: run `make browser`")
    runs = []
    profile = tempfile.mkdtemp(prefix="cold-start-chromium-")
    try:
        with sync_playwright() as playwright:
            context = playwright.chromium.launch_persistent_context(
                profile, executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            try:
                for n in range(args.runs):
                    load = os.getloadavg()
                    figures = one_run(context) | {"load_average": [round(value, 2) for value in load]}
                    runs.append(figures)
                    print(f"run {n + 1}: " + ", ".join(f"{key} {figures[key]}" for key in FIGURES)
                          + f"; load average {figures['load_average']}", flush=True)
            finally:
                context.close()
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    medians = {key: statistics.median(run[key] for run in runs) for key in FIGURES}
    print("median: " + ", ".join(f"{key} {value}" for key, value in medians.items()))
    if args.json:
        args.json.write_text(json.dumps({"runs": runs, "median": medians}, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
