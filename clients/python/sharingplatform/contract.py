"""The generated contract (protos/sharing/v1 and the vendored google.rpc protos).

Stubs are generated at build time, never committed: `clients/python/generate-stubs DIR` writes them into DIR, and DIR
must be on sys.path (PYTHONPATH) or named by SHARINGPLATFORM_STUBS.
"""

import os
import sys

_stubs = os.environ.get("SHARINGPLATFORM_STUBS")
if _stubs and _stubs not in sys.path:
    sys.path.insert(0, _stubs)

try:
    from google.rpc import error_details_pb2, status_pb2  # noqa: F401
    from sharing.v1 import (  # noqa: F401
        audit_pb2, audit_pb2_grpc, cases_pb2, cases_pb2_grpc, sharing_pb2, sharing_pb2_grpc, tenants_pb2,
        tenants_pb2_grpc)
except ImportError as error:  # pragma: no cover - the message is the point
    raise ImportError(
        "The generated SharingPlatform stubs are missing: run clients/python/generate-stubs DIR and put DIR on "
        "PYTHONPATH (or set SHARINGPLATFORM_STUBS=DIR).") from error
