"""SharingError decodes grpc-status-details-bin as it arrives over a real gRPC channel (an in-process server that
refuses the way the platform does: a google.rpc.Status with ErrorInfo, BadRequest and RetryInfo)."""

from concurrent import futures

import grpc
import pytest
from google.protobuf import any_pb2, duration_pb2

from sharingplatform.contract import error_details_pb2, status_pb2
from sharingplatform.errors import SharingError, raise_decoded


def _refusal():
    status = status_pb2.Status(code=grpc.StatusCode.INVALID_ARGUMENT.value[0], message="The record is invalid.")
    for detail in (
            error_details_pb2.ErrorInfo(reason="INVALID_FIELD", domain="sharing.v1", metadata={"field": "x"}),
            error_details_pb2.BadRequest(field_violations=[
                error_details_pb2.BadRequest.FieldViolation(field="records[0].subject_token", description="bad")]),
            error_details_pb2.RetryInfo(retry_delay=duration_pb2.Duration(seconds=3))):
        packed = any_pb2.Any()
        packed.Pack(detail)
        status.details.append(packed)
    return status


def _handler(request, context):
    context.abort_with_status(_AbortStatus(_refusal()))


class _AbortStatus(grpc.Status):
    def __init__(self, status):
        self.code = grpc.StatusCode.INVALID_ARGUMENT
        self.details = status.message
        self.trailing_metadata = (("grpc-status-details-bin", status.SerializeToString()),)


@pytest.fixture()
def channel():
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=1))
    server.add_generic_rpc_handlers((grpc.method_handlers_generic_handler(
        "test.Refuser", {"Call": grpc.unary_unary_rpc_method_handler(_handler)}),))
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
        yield channel
    server.stop(None)


def test_refusal_is_decoded(channel):
    call = channel.unary_unary("/test.Refuser/Call", request_serializer=bytes, response_deserializer=bytes)
    with pytest.raises(SharingError) as caught:
        try:
            call(b"")
        except grpc.RpcError as error:
            raise_decoded(error)
    error = caught.value
    assert error.code == grpc.StatusCode.INVALID_ARGUMENT
    assert error.reason == "INVALID_FIELD" and error.domain == "sharing.v1" and error.metadata == {"field": "x"}
    assert [v.field for v in error.field_violations] == ["records[0].subject_token"]
    assert error.retry_delay.total_seconds() == 3
