"""Starting and stopping the servers that tests start (Streamlit, Chroma): politely, then firmly, never left running."""

from __future__ import annotations

import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CHROMA = REPO / ".venv" / "bin" / "chroma"
CHROMIUM = "/usr/bin/chromium"
"""Debian's Chromium drives the browser tests and scripts; Playwright never downloads a browser."""
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


def stop_process(process: subprocess.Popen, timeout: float = 15) -> None:
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=timeout)


def wait_until_healthy(url: str, server: subprocess.Popen, timeout_s: float = 120) -> float:
    """Until Streamlit's health check answers; the `time.monotonic()` at which it did."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"streamlit exited with code {server.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return time.monotonic()
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"streamlit did not answer on {url} within {timeout_s:.0f} s")


def free_port() -> int:
    """A loopback port nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_chroma(port: int, process: subprocess.Popen, log: Path, timeout: float = 60.0) -> None:
    """Until the server answers a heartbeat; fails with the server's log if it exits or stays silent."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    deadline = time.monotonic() + timeout
    last_error: Exception | None = None
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"chroma run exited with {process.returncode}:\n{log.read_text(errors='replace')}")
        try:
            client = chromadb.HttpClient(host="127.0.0.1", port=port, settings=ChromaSettings(anonymized_telemetry=False))
            client.heartbeat()
            return
        except Exception as exc:  # connection refused while the server starts
            last_error = exc
            time.sleep(0.5)
    raise AssertionError(f"chroma server on port {port} did not answer in {timeout} s ({last_error})")


@contextmanager
def chroma_server(data_dir: Path, log: Path) -> Iterator[tuple[str, subprocess.Popen]]:
    """`chroma run` on a free loopback port, storing in `data_dir`: yields (url, process); always stopped after."""
    port = free_port()
    with open(log, "wb") as output:
        process = subprocess.Popen(
            [str(CHROMA), "run", "--path", str(data_dir), "--host", "127.0.0.1", "--port", str(port)],
            stdout=output, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        )
    try:
        wait_for_chroma(port, process, log)
        yield f"http://127.0.0.1:{port}", process
    finally:
        stop_process(process)
