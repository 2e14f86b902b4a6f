"""The platform's errors, decoded: every refusal carries a google.rpc.Status in the `grpc-status-details-bin` trailer,
with an ErrorInfo (a stable reason), and for bad input a BadRequest naming the field (never the value)."""

from __future__ import annotations

import dataclasses
import datetime

import grpc

from .contract import error_details_pb2, status_pb2

_DETAILS_KEY = "grpc-status-details-bin"


@dataclasses.dataclass(frozen=True)
class FieldViolation:
    """A field of the request and the rule it broke (BadRequest.FieldViolation)."""

    field: str
    description: str
    reason: str = ""


class SharingError(Exception):
    """A call the platform refused or failed, with its decoded details.

    `code` is the grpc.StatusCode; `reason`, `domain` and `metadata` come from ErrorInfo; `field_violations` from
    BadRequest; `resource_type` / `resource_name` from ResourceInfo; `retry_delay` from RetryInfo.
    """

    def __init__(self, code: grpc.StatusCode, message: str, *, reason: str = "", domain: str = "",
                 metadata: dict[str, str] | None = None, field_violations: tuple[FieldViolation, ...] = (),
                 resource_type: str = "", resource_name: str = "", retry_delay: datetime.timedelta | None = None):
        super().__init__(f"{code.name}: {message}" + (f" ({reason})" if reason else ""))
        self.code = code
        self.message = message
        self.reason = reason
        self.domain = domain
        self.metadata = dict(metadata or {})
        self.field_violations = tuple(field_violations)
        self.resource_type = resource_type
        self.resource_name = resource_name
        self.retry_delay = retry_delay

    @classmethod
    def from_rpc_error(cls, error: grpc.RpcError) -> SharingError:
        """Decodes a grpc.RpcError raised by a stub call (a grpc.Call: code, details, trailing metadata)."""
        code = error.code() if hasattr(error, "code") else grpc.StatusCode.UNKNOWN
        message = (error.details() if hasattr(error, "details") else None) or ""
        trailers = error.trailing_metadata() if hasattr(error, "trailing_metadata") else None
        raw = next((value for key, value in (trailers or ()) if key == _DETAILS_KEY), None)
        if raw is None:
            return cls(code, message)
        status = status_pb2.Status.FromString(raw)
        fields: dict = {}
        violations: list[FieldViolation] = []
        for detail in status.details:
            if detail.Is(error_details_pb2.ErrorInfo.DESCRIPTOR):
                info = error_details_pb2.ErrorInfo()
                detail.Unpack(info)
                fields.update(reason=info.reason, domain=info.domain, metadata=dict(info.metadata))
            elif detail.Is(error_details_pb2.BadRequest.DESCRIPTOR):
                bad = error_details_pb2.BadRequest()
                detail.Unpack(bad)
                violations += [FieldViolation(v.field, v.description, getattr(v, "reason", "")) for v in bad.field_violations]
            elif detail.Is(error_details_pb2.ResourceInfo.DESCRIPTOR):
                resource = error_details_pb2.ResourceInfo()
                detail.Unpack(resource)
                fields.update(resource_type=resource.resource_type, resource_name=resource.resource_name)
            elif detail.Is(error_details_pb2.RetryInfo.DESCRIPTOR):
                retry = error_details_pb2.RetryInfo()
                detail.Unpack(retry)
                fields.update(retry_delay=retry.retry_delay.ToTimedelta())
        return cls(code, status.message or message, field_violations=tuple(violations), **fields)


def raise_decoded(error: grpc.RpcError) -> None:
    """Raises `error` as a SharingError (from inside an `except grpc.RpcError` block)."""
    raise SharingError.from_rpc_error(error) from error
