"""A push whose answer is lost after the server applied it: the retry carries the same request_id, the server answers
from its receipt, and the records are stored once."""


import grpc

from conftest import demo_client, new_records
from sharingplatform import sync
from sharingplatform.auth import ClientKey
from sharingplatform.connection import Connection
from sharingplatform.contract import cases_pb2


class _Unavailable(grpc.RpcError, grpc.Call, grpc.Future):
    """What a dropped connection gives: a failed call (UNAVAILABLE) whose result() raises it, as grpc's own do."""

    def result(self, timeout=None):
        raise self

    def exception(self, timeout=None):
        return self

    def traceback(self, timeout=None):
        return None

    def done(self):
        return True

    def running(self):
        return False

    def cancelled(self):
        return False

    def add_done_callback(self, fn):
        fn(self)

    def code(self):
        return grpc.StatusCode.UNAVAILABLE

    def details(self):
        return "connection reset (injected by the test)"

    def trailing_metadata(self):
        return ()

    def initial_metadata(self):
        return ()

    def is_active(self):
        return False

    def time_remaining(self):
        return None

    def cancel(self):
        return False

    def add_callback(self, callback):
        return False


class LoseFirstAnswer(grpc.UnaryUnaryClientInterceptor):
    """Lets the first PushCases reach the server and complete there, then throws its answer away and raises
    UNAVAILABLE; records the request_id of every attempt."""

    def __init__(self):
        self.request_ids, self.lost = [], None

    def intercept_unary_unary(self, continuation, details, request):
        if not details.method.endswith("/PushCases"):
            return continuation(details, request)
        self.request_ids.append(request.request_id)
        outcome = continuation(details, request)
        if self.lost is None:
            self.lost = outcome.result()  # the server has applied the batch and answered
            return _Unavailable()
        return outcome


def test_lost_answer_is_retried_with_the_same_request_id_and_stored_once(server, tmp_path):
    info, key_file = demo_client(server, "nkdb-demo-sync")
    parent = f"tenants/{info['tenant']}"
    faults = LoseFirstAnswer()
    with Connection(info["grpc_url"], info["issuer"], info["client_id"], ClientKey.load(key_file),
                    interceptors=[faults]) as connection:
        cursor = sync.CursorFile(tmp_path / "cursor")
        list(sync.pull(connection, parent, cursor))  # catch up: only the changes after this count
        records = new_records(parent, 3, "Retry")

        results = sync.push(connection, parent, records)

        assert len(faults.request_ids) == 2 and faults.request_ids[0] == faults.request_ids[1]
        assert faults.request_ids[0]
        # The retry was answered from the receipt of the first attempt: the same outcomes and etags.
        assert [(r.name, r.outcome, r.etag) for r in results] == \
            [(r.name, r.outcome, r.etag) for r in faults.lost.results]
        assert all(r.outcome == cases_pb2.PUSH_OUTCOME_CREATED for r in results)
        changes = [c.name for c in sync.pull(connection, parent, cursor)]
        assert sorted(changes) == sorted(r.name for r in records)
        for result in results:
            assert connection.cases.GetCase(cases_pb2.GetCaseRequest(name=result.name)).etag == result.etag
