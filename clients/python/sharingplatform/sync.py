"""Pushing case records in batches, each with a request_id so a retry after a transport error replays safely."""

from __future__ import annotations

import time
import uuid

import grpc

from .contract import cases_pb2
from .errors import SharingError

RETRIED = (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED)


def push(connection, parent: str, records, *, batch_size: int = 100, attempts: int = 4, timeout: float = 30.0,
         request_id_factory=lambda: str(uuid.uuid4())):
    """Pushes `records` (CaseRecord) under `parent` (tenants/X) in batches; returns the PushResults in order.

    A batch whose call fails with UNAVAILABLE or DEADLINE_EXCEEDED is sent again with the SAME request_id, so the
    server answers a batch it already applied from its receipt instead of applying it twice. Any other refusal is
    raised as SharingError."""
    records = list(records)
    results = []
    for start in range(0, len(records), batch_size):
        request = cases_pb2.PushCasesRequest(parent=parent, request_id=request_id_factory(),
                                             records=records[start:start + batch_size])
        results.extend(push_request(connection, request, attempts=attempts, timeout=timeout).results)
    return results


def push_request(connection, request, *, attempts: int = 4, timeout: float = 30.0):
    """One PushCases call, retried with the same request (and so the same request_id) on a transport error."""
    for attempt in range(attempts):
        try:
            return connection.cases.PushCases(request, timeout=timeout)
        except grpc.RpcError as error:
            decoded = SharingError.from_rpc_error(error)
            if decoded.code not in RETRIED or attempt == attempts - 1:
                raise decoded from error
            delay = decoded.retry_delay.total_seconds() if decoded.retry_delay else min(8.0, 0.5 * 2 ** attempt)
            time.sleep(delay)
    raise AssertionError("unreachable")


class CursorFile:
    """The pull cursor kept in a file that survives a kill: each save replaces the file atomically (temporary file in
    the same directory, fsync, os.replace), owner-only (0600)."""

    def __init__(self, path):
        self.path = path

    def load(self) -> str:
        try:
            with open(self.path, encoding="utf-8") as file:
                return file.read().strip()
        except FileNotFoundError:
            return ""

    def save(self, cursor: str) -> None:
        from . import secret_file
        secret_file.replace(self.path, cursor)


def pull(connection, parent: str, cursor_file: CursorFile, *, max_changes: int = 0, batch_size: int = 0,
         timeout: float = 60.0):
    """Yields the changes after the saved cursor.

    `parent` is the caller's own tenant: PullChanges answers NOT_FOUND for any other. The records grantors share with
    it arrive in the same stream, named under their grantor (`tenants/{grantor}/cases/...`) and holding only the
    fields the agreement shares; a tombstone with NO_LONGER_SHARED says to delete a copy. The cursor is saved after each response has been yielded whole, so
    a process killed mid-way starts again at the first response it had not finished."""
    request = cases_pb2.PullChangesRequest(parent=parent, cursor=cursor_file.load(), max_changes=max_changes,
                                           batch_size=batch_size)
    try:
        for response in connection.cases.PullChanges(request, timeout=timeout):
            yield from response.changes
            if response.next_cursor:
                cursor_file.save(response.next_cursor)
    except grpc.RpcError as error:
        raise SharingError.from_rpc_error(error) from error
