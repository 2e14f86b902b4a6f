"""Push against the real server: a batch is stored and read back, a replayed request_id does not duplicate, a bad
record is refused with a BadRequest field violation."""


import grpc
import pytest

from conftest import demo_client, new_records
from sharingplatform import sync
from sharingplatform.auth import ClientKey
from sharingplatform.connection import Connection
from sharingplatform.contract import cases_pb2
from sharingplatform.errors import SharingError


@pytest.fixture()
def nkdb(server):
    info, key_file = demo_client(server, "nkdb-demo-sync")
    with Connection(info["grpc_url"], info["issuer"], info["client_id"], ClientKey.load(key_file)) as connection:
        yield connection, f"tenants/{info['tenant']}"


def test_push_batch_and_replay(nkdb):
    connection, parent = nkdb
    records = new_records(parent, 3, "Test")
    results = sync.push(connection, parent, records, batch_size=2)
    assert [r.violation.field for r in results] == [""] * 3
    assert all(r.outcome == cases_pb2.PUSH_OUTCOME_CREATED for r in results)
    request = cases_pb2.PushCasesRequest(parent=parent, request_id="replay-test-1", records=records[:1])
    first = sync.push_request(connection, request)
    again = sync.push_request(connection, request)
    assert str(first) == str(again)


def test_bad_record_is_rejected_with_its_field(nkdb):
    connection, parent = nkdb
    results = sync.push(connection, parent, [cases_pb2.CaseRecord(subject_token="not-a-token")])
    assert results[0].outcome == cases_pb2.PUSH_OUTCOME_REJECTED
    assert results[0].violation.field


def test_bad_request_gives_sharing_error_with_field_violation(nkdb):
    connection, parent = nkdb
    request = cases_pb2.PushCasesRequest(parent=parent, request_id="x" * 1000, records=new_records(parent, 1, "Test"))
    with pytest.raises(SharingError) as caught:
        sync.push_request(connection, request)
    assert caught.value.code == grpc.StatusCode.INVALID_ARGUMENT
    assert caught.value.reason
    assert [v.field for v in caught.value.field_violations] == ["request_id"]
