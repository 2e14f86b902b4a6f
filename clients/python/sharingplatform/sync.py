"""Pushing case records in batches, each with a request_id so a retry after a transport error replays safely."""

from __future__ import annotations

import time
import uuid

import grpc

from .contract import cases_pb2
from .errors import SharingError

MAX_RETRY_DELAY_SECONDS = 60.0


def is_transient(error: SharingError) -> bool:
    """Worth sending again unchanged, as the .NET SDK's PushSync.IsTransient: the server was unreachable, slow or
    stopping, or the client went past its rate limit. Other RESOURCE_EXHAUSTED reasons (a message too large) would
    fail the same way again."""
    if error.code in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED, grpc.StatusCode.ABORTED):
        return True
    return error.code == grpc.StatusCode.RESOURCE_EXHAUSTED and error.reason == "RATE_LIMITED"


def retry_delay(error: SharingError, attempt: int) -> float:
    """The server's RetryInfo delay (RATE_LIMITED, SERVER_STOPPING), kept within 0-60 s; else 0.5 s, 1 s, 2 s, 4 s."""
    if error.retry_delay is not None:
        return min(max(error.retry_delay.total_seconds(), 0.0), MAX_RETRY_DELAY_SECONDS)
    return 0.5 * 2 ** attempt


class PushFailed(SharingError):
    """A batch was refused or kept failing. `results` holds the PushResults of the batches before it, which the
    server applied; `error` is the refusal. Pushing the rest again is safe: a record the server already holds as sent
    comes back UNCHANGED."""

    def __init__(self, error: SharingError, results):
        super().__init__(error.code, error.message, reason=error.reason, domain=error.domain, metadata=error.metadata,
                         field_violations=error.field_violations, resource_type=error.resource_type,
                         resource_name=error.resource_name, retry_delay=error.retry_delay)
        self.error = error
        self.results = list(results)


def push(connection, parent: str, records, *, batch_size: int = 500, attempts: int = 5, timeout: float = 60.0,
         request_id_factory=lambda: str(uuid.uuid4())):
    """Pushes `records` (CaseRecord) under `parent` (tenants/X) in batches of 500 (as the .NET SDK); returns the
    PushResults in order.

    A batch whose call fails for a transient reason (is_transient) is sent again with the SAME request_id, so the
    server answers a batch it already applied from its receipt instead of applying it twice. Any other refusal, or a
    batch still failing after `attempts`, is raised as PushFailed, a SharingError that keeps the earlier batches'
    results."""
    records = list(records)
    results = []
    for start in range(0, len(records), batch_size):
        request = cases_pb2.PushCasesRequest(parent=parent, request_id=request_id_factory(),
                                             records=records[start:start + batch_size])
        try:
            results.extend(push_request(connection, request, attempts=attempts, timeout=timeout).results)
        except SharingError as error:
            raise PushFailed(error, results) from error
    return results


def push_request(connection, request, *, attempts: int = 5, timeout: float = 60.0):
    """One PushCases call, retried with the same request (and so the same request_id) on a transient failure."""
    for attempt in range(attempts):
        try:
            return connection.cases.PushCases(request, timeout=timeout)
        except grpc.RpcError as error:
            decoded = SharingError.from_rpc_error(error)
            if not is_transient(decoded) or attempt == attempts - 1:
                raise decoded from error
            time.sleep(retry_delay(decoded, attempt))
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
