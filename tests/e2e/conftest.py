"""Real-browser fixtures: Voila and JupyterLab on 127.0.0.1 with a token, driven by Chromium.

Every server runs with its own Jupyter, IPython and workbench folders and is always stopped,
kernels included. Chromium is Debian's ``/usr/bin/chromium`` (``E2E_CHROMIUM`` overrides it),
driven by Playwright; no browser is ever downloaded. Screenshots go to ``test-artifacts/e2e/``;
when a test fails, its report shows the server log tail and the browser console, and a
``*-FAILED.png`` screenshot is saved.
"""

from __future__ import annotations

import contextlib
import glob
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from playwright.sync_api import Browser, Locator, Page, Playwright

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = Path(__file__).resolve().parent / "notebooks"
QUICKSTART = ROOT / "notebooks" / "quickstart.ipynb"
ARTIFACTS = ROOT / "test-artifacts" / "e2e"
CHROMIUM = Path(os.environ.get("E2E_CHROMIUM", "/usr/bin/chromium"))

TIMEOUT_MS = 60_000
"""Playwright's timeout for every action and expectation (a loaded 2-core CI machine)."""
START_SECONDS = 60.0
"""How long a server may take to answer its readiness probe."""
STOP_SECONDS = 10.0
"""How long a server (and its kernels) may take to exit before they are killed."""
PORT_ATTEMPTS = 3
LOG_TAIL_LINES = 80
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-gpu",
    "--disable-quic",
    "--disable-dev-shm-usage",
    # only the servers under test are reachable (Voila's page asks a CDN for its icon font)
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
]
_CLASH = re.compile(r"already in use|no available port|Address already in use|Errno 98")


class PortClash(Exception):
    """The server could not listen on the port it was given (someone else took it)."""


# -- diagnostics ------------------------------------------------------------------------------


@dataclass
class Diagnostics:
    """What a failing test reports: server logs, browser consoles, a screenshot per page."""

    servers: list[Server] = field(default_factory=list)
    pages: list[tuple[Page, list[str]]] = field(default_factory=list)

    def sections(self, test_name: str) -> list[tuple[str, str]]:
        """Save a ``-FAILED.png`` of every page; return the report sections to print."""
        found: list[tuple[str, str]] = []
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        for index, (page, console) in enumerate(self.pages):
            suffix = f"-{index}" if index else ""
            target = ARTIFACTS / f"{test_name}{suffix}-FAILED.png"
            try:
                page.screenshot(path=str(target), full_page=True, timeout=10_000)
                found.append(("e2e screenshot", str(target)))
            except Exception as exc:  # the page may be gone already; the logs still matter
                found.append(("e2e screenshot", f"could not be taken: {exc}"))
            found.append(("browser console", "\n".join(console[-LOG_TAIL_LINES:]) or "(empty)"))
        for server in self.servers:
            found.append((f"{server.kind} server log (tail)", server.log_tail()))
        return found


_DIAGNOSTICS = pytest.StashKey[Diagnostics]()


def _diagnostics(request: pytest.FixtureRequest) -> Diagnostics:
    stash: pytest.Stash = request.node.stash
    if _DIAGNOSTICS not in stash:
        stash[_DIAGNOSTICS] = Diagnostics()
    return stash[_DIAGNOSTICS]


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """On a failed e2e test, add the server log tail and the browser console to its report."""
    report = yield
    diagnostics = item.stash.get(_DIAGNOSTICS, None)
    if diagnostics is not None and report.failed and report.when in ("setup", "call"):
        for title, text in diagnostics.sections(item.name):
            report.sections.append((title, text))
    return report


# -- servers ----------------------------------------------------------------------------------


def free_port() -> int:
    """A port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    """A Jupyter server (Voila or JupyterLab) started by a fixture."""

    kind: str
    port: int
    token: str
    process: subprocess.Popen[bytes]
    log_path: Path
    home: Path
    """The server's WORKBENCH_HOME."""

    @property
    def base(self) -> str:
        """The server's root URL."""
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str = "/", extra: str = "") -> str:
        """``path`` on this server, with the token (and ``extra`` query text)."""
        return f"{self.base}{path}?token={self.token}{'&' + extra if extra else ''}"

    def log_tail(self, lines: int = LOG_TAIL_LINES) -> str:
        """The last lines the server wrote."""
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError as exc:
            return f"(no log: {exc})"
        return "\n".join(text.splitlines()[-lines:])

    def stop(self) -> None:
        """Stop the server and every process it started; kill what does not exit in time."""
        descendants = _descendants(self.process.pid)
        if self.process.poll() is None:
            if self.kind == "lab":
                with contextlib.suppress(OSError):
                    request = urllib.request.Request(self.url("/api/shutdown"), method="POST")
                    urllib.request.urlopen(request, timeout=5).close()
            else:
                self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=STOP_SECONDS)
            except subprocess.TimeoutExpired:
                _note(self.log_path, f"server {self.process.pid} did not exit: killed")
                self.process.kill()
                self.process.wait(timeout=STOP_SECONDS)
        deadline = time.monotonic() + STOP_SECONDS
        left = [pid for pid in descendants if _alive(pid)]
        while left and time.monotonic() < deadline:
            time.sleep(0.1)
            left = [pid for pid in left if _alive(pid)]
        for pid in left:
            _note(self.log_path, f"process {pid} outlived the server: killed")
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


def _descendants(pid: int) -> list[int]:
    """Every process below ``pid`` (kernels run in sessions of their own), from /proc."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        parents[int(entry.name)] = int(fields[1])
    found: list[int] = []
    frontier = [pid]
    while frontier:
        current = frontier.pop()
        children = [child for child, parent in parents.items() if parent == current]
        found += children
        frontier += children
    return found


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat[stat.rindex(")") + 2] != "Z"


def _note(log_path: Path, text: str) -> None:
    with log_path.open("a", encoding="utf-8") as log:
        log.write(f"[e2e fixture] {text}\n")


def _wait_ready(process: subprocess.Popen[bytes], probe: str, log_path: Path) -> None:
    """Poll ``probe`` until it answers 200; raise PortClash or RuntimeError if the server dies."""
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            text = log_path.read_text(encoding="utf-8", errors="replace")
            if _CLASH.search(text):
                raise PortClash(text)
            tail = "\n".join(text.splitlines()[-LOG_TAIL_LINES:])
            raise RuntimeError(f"the server exited with code {process.returncode}:\n{tail}")
        try:
            with urllib.request.urlopen(probe, timeout=5) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.2)
    raise RuntimeError(f"the server did not answer {probe} within {START_SECONDS:.0f} s")


@dataclass
class Folders:
    """The isolated folders and environment of one server."""

    base: Path
    env: dict[str, str]
    home: Path


def _folders(base: Path) -> Folders:
    names = {
        "JUPYTER_CONFIG_DIR": "jupyter-config",
        "JUPYTER_DATA_DIR": "jupyter-data",
        "JUPYTER_RUNTIME_DIR": "jupyter-runtime",
        "JUPYTERLAB_SETTINGS_DIR": "lab-settings",
        "JUPYTERLAB_WORKSPACES_DIR": "lab-workspaces",
        "IPYTHONDIR": "ipython",
        "WORKBENCH_HOME": "workbench-home",
        "TMPDIR": "tmp",
    }
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("WORKBENCH_", "JUPYTER", "JPY_", "E2E_", "IPYTHON"))
    }
    for variable, folder in names.items():
        path = base / folder
        path.mkdir(parents=True, exist_ok=True)
        env[variable] = str(path)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env["PYTHONUNBUFFERED"] = "1"
    env["E2E_QUICKSTART"] = str(QUICKSTART)
    # the lab's news toast asks a question over the page unless this is set
    notification = base / "lab-settings" / "@jupyterlab" / "apputils-extension"
    notification.mkdir(parents=True, exist_ok=True)
    (notification / "notification.jupyterlab-settings").write_text(
        json.dumps({"fetchNews": "false"}), encoding="utf-8"
    )
    return Folders(base=base, env=env, home=Path(env["WORKBENCH_HOME"]))


def start_server(
    kind: str,
    command: Callable[[int, str], list[str]],
    *,
    base: Path,
    cwd: Path,
    env: dict[str, str] | None = None,
    ports: Callable[[], int] = free_port,
) -> Server:
    """Start a server on a free port with a new token; on a port clash retry with another port.

    Args:
        kind: ``"voila"`` or ``"lab"`` (how it is probed and stopped).
        command: port, token -> the command line.
        base: a folder for the server's isolated folders and its log.
        cwd: the server's working folder.
        env: extra environment variables for the server and its kernels.
        ports: where ports come from.
    """
    folders = _folders(base)
    server_env = {**folders.env, **(env or {})}
    probe_path = "/login" if kind == "voila" else "/api/status"
    last_clash = ""
    for attempt in range(PORT_ATTEMPTS):
        port = ports()
        token = secrets.token_hex(24)
        log_path = base / f"{kind}-{attempt}.log"
        with log_path.open("wb") as log:
            process = subprocess.Popen(
                command(port, token),
                cwd=cwd,
                env=server_env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        server = Server(kind, port, token, process, log_path, folders.home)
        try:
            _wait_ready(process, server.url(probe_path), log_path)
        except PortClash as exc:
            server.stop()
            last_clash = str(exc)
            continue
        except BaseException:
            server.stop()
            raise
        return server
    raise RuntimeError(f"no free port after {PORT_ATTEMPTS} attempts; last log:\n{last_clash}")


def voila_command(notebook: Path) -> Callable[[int, str], list[str]]:
    """Voila serving ``notebook`` alone, its folder as the root."""

    def command(port: int, token: str) -> list[str]:
        return [
            sys.executable,
            "-m",
            "voila",
            notebook.name,
            "--no-browser",
            "--Voila.ip=127.0.0.1",
            f"--Voila.port={port}",
            "--Voila.port_retries=0",
            f"--Voila.token={token}",
            f"--Voila.root_dir={notebook.parent}",
            "--VoilaConfiguration.show_tracebacks=True",
        ]

    return command


def lab_command(root: Path) -> Callable[[int, str], list[str]]:
    """JupyterLab rooted at ``root``."""

    def command(port: int, token: str) -> list[str]:
        return [
            sys.executable,
            "-m",
            "jupyterlab",
            "--no-browser",
            "--ServerApp.ip=127.0.0.1",
            f"--ServerApp.port={port}",
            "--ServerApp.port_retries=0",
            f"--IdentityProvider.token={token}",
            "--ServerApp.allow_root=True",
            f"--ServerApp.root_dir={root}",
            "--LabApp.news_url=None",
            "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        ]

    return command


if TYPE_CHECKING:
    StartServer = Callable[..., Server]
    """``voila(notebook, **env)`` or ``lab(notebook, **env)``: a started server."""
    Screenshot = Callable[[Page, str], Path]
    """``screenshot(page, step)``: the path of the saved screenshot."""


@pytest.fixture
def voila(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[StartServer]:
    """Start Voila on a notebook: ``voila(path, **env)``; every server is stopped afterwards."""
    started: list[Server] = []

    def start(notebook: Path, **env: str) -> Server:
        base = tmp_path_factory.mktemp("voila")
        server = start_server(
            "voila", voila_command(notebook), base=base, cwd=notebook.parent, env=env
        )
        started.append(server)
        _diagnostics(request).servers.append(server)
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture
def lab(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[StartServer]:
    """Start JupyterLab rooted at a copy of a notebook: ``lab(path, **env)``; always stopped.

    Lab writes checkpoints and may save the notebook, so it never sees the original.
    """
    started: list[Server] = []

    def start(notebook: Path, **env: str) -> Server:
        base = tmp_path_factory.mktemp("lab")
        root = base / "root"
        root.mkdir()
        shutil.copy2(notebook, root / notebook.name)
        server = start_server("lab", lab_command(root), base=base, cwd=root, env=env)
        started.append(server)
        _diagnostics(request).servers.append(server)
        return server

    yield start
    for server in started:
        server.stop()


def saved_edits(server: Server, timeout: float = 15.0) -> dict[str, Any]:
    """The saved form edits in the server's WORKBENCH_HOME, polled until some exist."""
    path = server.home / "edits.json"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.exists():
            notebooks: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))["notebooks"]
            if notebooks:
                return notebooks
        time.sleep(0.2)
    raise AssertionError(f"no saved edits in {path} after {timeout:.0f} s")


# -- the browser ------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    """Playwright's driver (no browser of its own is used)."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("playwright is missing: pip install -e '.[browser]'")
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    """Headless Debian Chromium, closed at the end of the session."""
    if not CHROMIUM.exists():
        pytest.fail(
            f"no Chromium at {CHROMIUM}: install Debian's with `apt-get install -y chromium` "
            "(or set E2E_CHROMIUM to another Chromium binary)"
        )
    from playwright.sync_api import expect

    expect.set_options(timeout=TIMEOUT_MS)
    chromium = playwright.chromium.launch(
        executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
    )
    yield chromium
    chromium.close()


@pytest.fixture
def page(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    """A fresh page whose console and errors are kept for the failure report."""
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    context.set_default_timeout(TIMEOUT_MS)
    opened = context.new_page()
    console: list[str] = []
    opened.on("console", lambda message: console.append(f"[{message.type}] {message.text}"))
    opened.on("pageerror", lambda error: console.append(f"[pageerror] {error}"))
    _diagnostics(request).pages.append((opened, console))
    yield opened
    context.close()


@pytest.fixture
def screenshot(request: pytest.FixtureRequest) -> Screenshot:
    """Save a full-page screenshot as ``test-artifacts/e2e/<test>-<step>.png``.

    The test's screenshots from an earlier run are removed first.
    """
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for old in ARTIFACTS.glob(f"{glob.escape(request.node.name)}-*.png"):
        old.unlink()

    def take(target: Page, step: str) -> Path:
        path = ARTIFACTS / f"{request.node.name}-{step}.png"
        target.screenshot(path=str(path), full_page=True)
        return path

    return take


# -- locating workbench's widgets -------------------------------------------------------------


def field_row(scope: Page | Locator, name: str) -> Locator:
    """The row of a form field: its label (``<b>name</b>``), control, badge and error line."""
    from playwright.sync_api import Page

    root = scope if isinstance(scope, Page) else scope.page  # `has` is relative to each row
    label = root.locator("b", has_text=re.compile(rf"^{re.escape(name)}$"))
    return scope.locator(".widget-hbox").filter(has=label)


def button(scope: Page | Locator, name: str) -> Locator:
    """The button named ``name`` (an icon before the name, as on Launch, is allowed)."""
    return scope.get_by_role("button", name=re.compile(rf"^\W*{re.escape(name)}$"))


def secrets_on_page(target: Page, frames: list[str], values: list[str]) -> list[str]:
    """Which of ``values`` appear in the page's HTML, text, form values or websocket frames."""
    shown = [
        target.content(),
        target.inner_text("body"),
        *target.eval_on_selector_all(
            "input, textarea, select",
            "els => els.flatMap(e => [e.value, e.placeholder || '', e.title || ''])",
        ),
        *frames,
    ]
    return [value for value in values if any(value in text for text in shown)]


@pytest.fixture
def websocket_frames(page: Page) -> list[str]:
    """Every websocket frame the page sends or receives (kernel messages), as text."""
    frames: list[str] = []

    def keep(payload: str | bytes) -> None:
        frames.append(payload if isinstance(payload, str) else payload.decode("utf-8", "replace"))

    def watch(socket: Any) -> None:
        socket.on("framereceived", keep)
        socket.on("framesent", keep)

    page.on("websocket", watch)
    return frames
