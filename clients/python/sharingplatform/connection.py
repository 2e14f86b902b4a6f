"""One authenticated connection: a gRPC channel whose every call carries a current access token."""

from __future__ import annotations

import collections
import json
import os

import grpc

from .auth import ClientKey, TokenSource, _require_tls_off_loopback
from .contract import audit_pb2_grpc, cases_pb2_grpc, sharing_pb2_grpc, tenants_pb2_grpc

_MAX_MESSAGE_BYTES = 16 * 1024 * 1024


class _CallDetails(collections.namedtuple("_CallDetails",
                                          ("method", "timeout", "metadata", "credentials", "wait_for_ready",
                                           "compression")),
                   grpc.ClientCallDetails):
    pass


class BearerToken(grpc.UnaryUnaryClientInterceptor, grpc.UnaryStreamClientInterceptor,
                  grpc.StreamUnaryClientInterceptor, grpc.StreamStreamClientInterceptor):
    """Adds `authorization: Bearer <token>` from a TokenSource to every call (renewed by the source as needed)."""

    def __init__(self, tokens: TokenSource):
        self._tokens = tokens

    def _details(self, details):
        metadata = [(k, v) for k, v in (details.metadata or ()) if k != "authorization"]
        metadata.append(("authorization", "Bearer " + self._tokens.token()))
        return _CallDetails(details.method, details.timeout, metadata, details.credentials,
                            getattr(details, "wait_for_ready", None), getattr(details, "compression", None))

    def intercept_unary_unary(self, continuation, details, request):
        return continuation(self._details(details), request)

    def intercept_unary_stream(self, continuation, details, request):
        return continuation(self._details(details), request)

    def intercept_stream_unary(self, continuation, details, request_iterator):
        return continuation(self._details(details), request_iterator)

    def intercept_stream_stream(self, continuation, details, request_iterator):
        return continuation(self._details(details), request_iterator)


class Connection:
    """Stubs of the four services over one channel: `cases`, `tenants`, `sharing`, `audit`.

    grpc_address is the gRPC (HTTP/2) address, e.g. http://127.0.0.1:5081; issuer the identity server's issuer,
    e.g. http://127.0.0.1:5080/. Use it as a context manager, or call close().
    """

    def __init__(self, grpc_address: str, issuer: str, client_id: str, key: ClientKey, *,
                 tokens: TokenSource | None = None, interceptors=()):
        parts = _require_tls_off_loopback(grpc_address)
        _require_tls_off_loopback(issuer)
        self.tokens = tokens or TokenSource(issuer, client_id, key)
        target = parts.netloc
        options = [("grpc.max_receive_message_length", _MAX_MESSAGE_BYTES),
                   ("grpc.max_send_message_length", _MAX_MESSAGE_BYTES)]
        if parts.scheme == "https":
            raw = grpc.secure_channel(target, grpc.ssl_channel_credentials(), options=options)
        else:
            raw = grpc.insecure_channel(target, options=options)
        self._raw = raw
        self.channel = grpc.intercept_channel(raw, BearerToken(self.tokens), *interceptors)
        self.cases = cases_pb2_grpc.CaseServiceStub(self.channel)
        self.tenants = tenants_pb2_grpc.TenantAdminServiceStub(self.channel)
        self.sharing = sharing_pb2_grpc.SharingServiceStub(self.channel)
        self.audit = audit_pb2_grpc.AuditServiceStub(self.channel)
        # The caller's tenant (`tenants/{tenant}`) when known: set by from_file, else from the client id.
        self.parent = "/".join(client_id.split("/")[:2]) if client_id.startswith("tenants/") else ""

    @classmethod
    def from_file(cls, path: str | os.PathLike[str], **options) -> Connection:
        """A connection from a connection file the server writes (data/demo/*.json, data/bootstrap/*.json), the one
        `sharectl login --connection` reads: client_id, tenant, issuer, grpc_url and key_file (relative to the
        file's folder unless absolute). `parent` is then the client's tenant, `tenants/{tenant}`."""
        with open(path, encoding="utf-8") as file:
            info = json.load(file)
        key_file = info["key_file"]
        if not os.path.isabs(key_file):
            key_file = os.path.join(os.path.dirname(os.path.abspath(path)), key_file)
        connection = cls(info["grpc_url"], info["issuer"], info["client_id"], ClientKey.load(key_file), **options)
        connection.parent = f"tenants/{info['tenant']}"
        return connection

    def close(self) -> None:
        self._raw.close()

    def __enter__(self) -> Connection:
        return self

    def __exit__(self, *_) -> None:
        self.close()
