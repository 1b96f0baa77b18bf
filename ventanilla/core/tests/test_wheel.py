"""A wheel built from the repository, installed in a clean virtual environment, serves pages
whose scripts and styles load: no editable install, no Node.js, only what pip installs.

It builds and installs the project, so it is slow (pip's cache keeps it under a minute or
two); ``make test`` runs it once, in the SQLite run (marker ``wheel``).
"""

from __future__ import annotations

import base64
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import zipfile
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin

import httpx
import pytest
from django_otp.oath import totp

pytestmark = pytest.mark.wheel

ROOT = Path(__file__).resolve().parents[3]
#: the project's own settings, which must not leak from the test run into the installation
OURS = ("DJANGO_", "DATABASE_URL", "POSTGRES_", "SQLITE_", "VENTANILLA_", "SECRET_KEY", "PYTHON")


class Assets(HTMLParser):
    """Collect a page's ``<script src>`` and ``<link rel=stylesheet href>``."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "script" and values.get("src"):
            self.urls.append(values["src"] or "")
        if (
            tag == "link"
            and "stylesheet" in (values.get("rel") or "").split()
            and values.get("href")
        ):
            self.urls.append(values["href"] or "")


def assets_of(html: str) -> list[str]:
    parser = Assets()
    parser.feed(html)
    return parser.urls


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run(*args: str | Path, env: dict[str, str], cwd: Path) -> str:
    done = subprocess.run(
        [str(a) for a in args], env=env, cwd=cwd, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, f"{args}: {done.stdout}\n{done.stderr}"
    return done.stdout


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Return the ``ventanilla`` script of a clean virtual environment with the wheel."""
    if not (ROOT / "pyproject.toml").exists():
        pytest.skip("not run from a source checkout")
    tmp = tmp_path_factory.mktemp("wheel")
    source = tmp / "source"  # a copy, so the build leaves nothing in the checkout
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, source / name)
    shutil.copytree(
        ROOT / "ventanilla",
        source / "ventanilla",
        ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "*.sqlite3*"),
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(OURS + ("VIRTUAL_ENV",))}
    pip = (sys.executable, "-m", "pip")
    run(*pip, "wheel", "-q", "--no-deps", "-w", tmp / "dist", source, env=env, cwd=tmp)
    [wheel] = (tmp / "dist").glob("ventanilla-*.whl")
    packed = set(zipfile.ZipFile(wheel).namelist())
    files = (p for p in (source / "ventanilla").rglob("*") if p.is_file())
    assert [p for p in files if str(p.relative_to(source)) not in packed] == []
    # A clean environment (no pip of its own: this run's pip installs into it, from the
    # package index and pip's cache, as `pip install ventanilla-*.whl` would).
    run(sys.executable, "-m", "venv", "--without-pip", tmp / "env", env=env, cwd=tmp)
    python = tmp / "env" / "bin" / "python"
    run(*pip, "--python", python, "install", "-q", wheel, env=env, cwd=tmp)
    where = run(python, "-c", "import ventanilla; print(ventanilla.__file__)", env=env, cwd=tmp)
    assert str(tmp / "env") in where  # the installed copy, not a checkout
    return tmp / "env" / "bin" / "ventanilla"


@pytest.fixture(scope="module")
def site(installed: Path, tmp_path_factory: pytest.TempPathFactory):
    """Set up a council from the terminal in a scratch directory and serve it."""
    work = tmp_path_factory.mktemp("site")
    env = {k: v for k, v in os.environ.items() if not k.startswith(OURS)}
    env["DATABASE_URL"] = f"sqlite:///{work / 'ventanilla.sqlite3'}"

    def ventanilla(*args: str) -> str:
        return run(installed, *args, env=env, cwd=work)

    ventanilla("migrate", "--no-input")
    ventanilla(
        "add_council", "--name=Vilanova", "--slug=vilanova", "--domain=vilanova.example.cat",
        "--languages=ca,es", "--time-zone=Europe/Madrid",
    )  # fmt: skip
    staff = ventanilla("add_staff", "admin.vilanova", "--role=administrator", "--no-qr")
    ventanilla(
        "add_channel", "telegram", "--name=Bot", "--bot-token=1:dummy", "--secret-token=dummy"
    )
    ventanilla("collectstatic", "--noinput")
    port = free_port()
    server = subprocess.Popen(
        [installed, "serve", "--port", str(port), "--workers", "1", "--no-collectstatic"],
        env=env,
        cwd=work,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert server.poll() is None, "ventanilla serve stopped"
            assert time.monotonic() < deadline, "ventanilla serve did not start"
            time.sleep(0.3)
        yield base, staff
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=20)


def signed_in(base: str, staff_output: str) -> httpx.Client:
    """Sign in as the staff member add_staff created, with its password and TOTP code."""
    password = re.search(r"\): (\S+)\n", staff_output)
    secret = re.search(r"Secret \(base32\): (\S+)", staff_output)
    assert password and secret, staff_output
    key = base64.b32decode(secret[1] + "=" * (-len(secret[1]) % 8))
    client = httpx.Client(base_url=base, timeout=10, follow_redirects=True)
    page = client.get("/inbox/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    assert token
    answer = client.post(
        "/inbox/login/",
        data={
            "csrfmiddlewaretoken": token[1],
            "username": "admin.vilanova",
            "password": password[1],
            "otp_token": f"{totp(key):06d}",
        },
    )
    assert answer.status_code == 200 and str(answer.url).endswith("/inbox/"), answer.text[:2000]
    return client


def test_every_page_of_the_installed_wheel_loads_its_scripts_and_styles(site):
    base, staff = site
    client = signed_in(base, staff)
    pages = {
        "/": httpx.get(f"{base}/", timeout=10),
        "/map/": httpx.get(f"{base}/map/", timeout=10),
        "/inbox/login/": httpx.get(f"{base}/inbox/login/", timeout=10),
        "/inbox/": client.get("/inbox/"),
    }
    urls: set[str] = set()
    for path, page in pages.items():
        assert page.status_code == 200, path
        found = assets_of(page.text)
        assert found, f"{path} has no scripts or styles"
        urls.update(urljoin(f"{base}{path}", url) for url in found)
    assert any(url.endswith("/django_htmx/htmx-2.min.js") for url in urls)
    assert any(url.endswith("/leaflet/leaflet.js") for url in urls)
    assert any(url.endswith("/leaflet/leaflet.css") for url in urls)
    # Leaflet's stylesheet points at its images.
    urls.add(f"{base}/static/leaflet/images/layers.png")
    urls.add(f"{base}/static/leaflet/images/marker-icon.png")
    for url in sorted(urls):
        answer = httpx.get(url, timeout=10)
        assert answer.status_code == 200, url
        assert answer.content, url
        kind = answer.headers["content-type"]
        expected = {".js": "javascript", ".css": "text/css", ".png": "image/png"}
        suffix = Path(url.split("?")[0]).suffix
        assert expected.get(suffix, "") in kind, (url, kind)
