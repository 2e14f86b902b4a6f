"""A push past the client's rate limit, against a server started with a tight limit: the SDK waits the RetryInfo
delay the server gives with RATE_LIMITED and sends the batch again with its request_id; every batch is stored once."""

import time

import grpc
import pytest

from conftest import demo_client, new_records, start_server
from sharingplatform import sync
from sharingplatform.auth import ClientKey
from sharingplatform.connection import Connection
from sharingplatform.contract import cases_pb2
from sharingplatform.errors import SharingError

CALLS_PER_SECOND = 2


@pytest.fixture(scope="module")
def tight_server():
    yield from start_server(f"--RateLimits:CallsPerClientPerSecond={CALLS_PER_SECOND}",
                            f"--RateLimits:CallBurst={CALLS_PER_SECOND}")


class RecordCodes(grpc.UnaryUnaryClientInterceptor):
    """Notes the status of every PushCases attempt, and the request_id it carried."""

    def __init__(self):
        self.attempts = []

    def intercept_unary_unary(self, continuation, details, request):
        outcome = continuation(details, request)
        if details.method.endswith("/PushCases"):
            try:
                outcome.result()
                self.attempts.append((request.request_id, grpc.StatusCode.OK, ""))
            except grpc.RpcError as error:
                self.attempts.append((request.request_id, error.code(), SharingError.from_rpc_error(error).reason))
        return outcome


def test_push_waits_out_the_rate_limit_and_stores_every_batch_once(tight_server, tmp_path):
    info, key_file = demo_client(tight_server, "nkdb-demo-sync")
    parent = f"tenants/{info['tenant']}"
    codes = RecordCodes()
    records = new_records(parent, 5 * CALLS_PER_SECOND, "Limit")

    with Connection(info["grpc_url"], info["issuer"], info["client_id"], ClientKey.load(key_file),
                    interceptors=[codes]) as connection:
        count = cases_pb2.CountCasesRequest(parent=parent, group_by=cases_pb2.COUNT_DIMENSION_STATUS)
        before = connection.cases.CountCases(count).total.count
        time.sleep(1.0)  # the call above spent the budget: start the pushes with a full burst
        results = sync.push(connection, parent, records, batch_size=1)  # one call per record: past the burst
        time.sleep(1.0)
        after = connection.cases.CountCases(count).total.count

    limited = [a for a in codes.attempts if a[1] == grpc.StatusCode.RESOURCE_EXHAUSTED]
    assert limited and all(reason == "RATE_LIMITED" for _, _, reason in limited)
    # Each limited batch went again with the same request_id, and then succeeded.
    succeeded = [request_id for request_id, code, _ in codes.attempts if code == grpc.StatusCode.OK]
    assert len(succeeded) == len(set(succeeded)) == len(records)
    assert {request_id for request_id, _, _ in limited} <= set(succeeded)
    assert [r.outcome for r in results] == [cases_pb2.PUSH_OUTCOME_CREATED] * len(records)
    assert [r.name for r in results] == [r.name for r in records]
    assert after - before == len(records)
