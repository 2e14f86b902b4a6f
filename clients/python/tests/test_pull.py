"""Pull with a cursor file against the real server: a new instance reading the file resumes where the last stopped."""

import datetime
import uuid
import os
import stat

from conftest import demo_client
from sharingplatform import sync
from sharingplatform.auth import ClientKey
from sharingplatform.connection import Connection
from sharingplatform.contract import cases_pb2
from sharingplatform.pseudonymization import LinkageKey, PersonIdentifiers, SubjectPseudonymizer


PARENT = [""]


def _connect(server):
    info, key_file = demo_client(server, "nkdb-demo-sync")
    PARENT[0] = f"tenants/{info['tenant']}"
    return Connection(info["grpc_url"], info["issuer"], info["client_id"], ClientKey.load(key_file)), \
        f"tenants/{info['tenant']}"


def _push(connection, parent, count):
    pseudonymizer = SubjectPseudonymizer(LinkageKey.create())
    records = []
    for n in range(count):
        record = cases_pb2.CaseRecord(name=f"{PARENT[0]}/cases/{uuid.uuid4().hex}", status=1, classification=1, consent_scope=1, sex=1, origin_region="KP-09")
        pseudonymizer.apply(record, PersonIdentifiers("Pull", f"P{n}", datetime.date(1985, 2, n + 1), "m"))
        records.append(record)
    return [r.name for r in sync.push(connection, parent, records)]


def test_pull_resumes_from_cursor_file(server, tmp_path):
    cursor_path = tmp_path / "cursor"
    connection, parent = _connect(server)
    with connection:
        list(sync.pull(connection, parent, sync.CursorFile(cursor_path)))  # catch up with what is there
        assert stat.S_IMODE(os.stat(cursor_path).st_mode) == 0o600
        first = _push(connection, parent, 2)
        seen = [c for c in sync.pull(connection, parent, sync.CursorFile(cursor_path))]
        assert len(seen) >= 2
    # A new process: a new connection and cursor-file instance reading the file; only the new changes come.
    connection, parent = _connect(server)
    with connection:
        second = _push(connection, parent, 1)
        resumed = list(sync.pull(connection, parent, sync.CursorFile(cursor_path)))
        assert len(resumed) == 1
        assert not set(first) & {str(c) for c in resumed}
    assert second
