"""Pull with a cursor file against the real server: a new instance reading the file resumes where the last stopped."""

import os
import pathlib
import signal
import stat
import subprocess
import sys

from conftest import demo_client, new_records
from sharingplatform import sync
from sharingplatform.auth import ClientKey
from sharingplatform.connection import Connection


def _connect(server):
    info, key_file = demo_client(server, "nkdb-demo-sync")
    return Connection(info["grpc_url"], info["issuer"], info["client_id"], ClientKey.load(key_file)), \
        f"tenants/{info['tenant']}"


def _push(connection, parent, count):
    return [r.name for r in sync.push(connection, parent, new_records(parent, count, "Pull"))]


def test_pull_resumes_from_cursor_file(server, tmp_path):
    cursor_path = tmp_path / "cursor"
    connection, parent = _connect(server)
    with connection:
        list(sync.pull(connection, parent, sync.CursorFile(cursor_path)))  # catch up with what is there
        assert stat.S_IMODE(os.stat(cursor_path).st_mode) == 0o600
        first = _push(connection, parent, 2)
        seen = [c.name for c in sync.pull(connection, parent, sync.CursorFile(cursor_path))]
        assert sorted(seen) == sorted(first)
    # A new process: a new connection and cursor-file instance reading the file; only the new changes come.
    connection, parent = _connect(server)
    with connection:
        second = _push(connection, parent, 1)
        resumed = [c.name for c in sync.pull(connection, parent, sync.CursorFile(cursor_path))]
        assert resumed == second


_KILLED_PULL = """
import os, signal, sys
sys.path[:0] = sys.argv[1:3]
from sharingplatform import sync
from sharingplatform.connection import Connection
connection = Connection.from_file(sys.argv[3])
for n, change in enumerate(sync.pull(connection, connection.parent, sync.CursorFile(sys.argv[4]), batch_size=1)):
    print(change.name, flush=True)
    if n == 1:
        os.kill(os.getpid(), signal.SIGKILL)  # killed while handling the second change: its cursor is not saved
"""


def test_a_pull_killed_mid_stream_resumes_at_the_first_change_it_had_not_finished(server, tmp_path):
    cursor_path = tmp_path / "cursor"
    connection, parent = _connect(server)
    with connection:
        list(sync.pull(connection, parent, sync.CursorFile(cursor_path)))
        pushed = _push(connection, parent, 4)
    here = pathlib.Path(__file__).resolve().parent
    script = tmp_path / "killed_pull.py"
    script.write_text(_KILLED_PULL, encoding="utf-8")
    killed = subprocess.run(
        [sys.executable, str(script), str(here.parent), str(here.parent / "build" / "stubs"),
         os.path.join(server["data"], "demo", "nkdb-demo-sync.json"), str(cursor_path)],
        capture_output=True, text=True, timeout=120)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    handled = killed.stdout.split()
    assert len(handled) == 2

    connection, parent = _connect(server)
    with connection:
        resumed = [c.name for c in sync.pull(connection, parent, sync.CursorFile(cursor_path))]
    # Nothing lost, nothing skipped: the change being handled at the kill comes again, then the rest, once each.
    assert resumed[0] == handled[1]
    assert sorted(handled[:1] + resumed) == sorted(pushed)
