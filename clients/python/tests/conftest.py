import pathlib
import sys

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE.parent / "build" / "stubs"))

import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.request

import pytest

ROOT = HERE.parents[2]


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def server():
    """The real server with --demo, on free ports and a temp data directory; skipped only when dotnet is missing."""
    yield from start_server()


def start_server(*settings):
    """Starts the real server with --demo and `settings` (e.g. "--RateLimits:CallBurst=3"); yields its addresses and
    stops it. For a fixture."""
    if shutil.which("dotnet") is None:
        pytest.skip("dotnet is not installed: the tests against the real server cannot run")
    data = tempfile.mkdtemp(prefix="sp-pytest-")
    identity, grpc_port = _free_port(), _free_port()
    identity_url = f"http://127.0.0.1:{identity}"
    log = open(os.path.join(data, "..", os.path.basename(data) + ".log"), "wb")
    process = subprocess.Popen(
        ["dotnet", "run", "--project", str(ROOT / "services" / "SharingPlatform.Server"), "--no-build", "--",
         "--demo", f"--Platform:DataDirectory={data}", f"--Endpoints:IdentityUrl={identity_url}",
         f"--Endpoints:GrpcUrl=http://127.0.0.1:{grpc_port}",
         f"--Endpoints:MetricsUrl=http://127.0.0.1:{_free_port()}", *settings],
        stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"the server exited with {process.returncode}; log: {log.name}")
            try:
                with urllib.request.urlopen(identity_url + "/healthz", timeout=2) as answer:
                    if answer.status == 200 and os.path.exists(os.path.join(data, "demo", "nkdb-demo-sync.json")):
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"the server did not become healthy; log: {log.name}")
            time.sleep(0.5)
        yield {"data": data, "identity_url": identity_url, "grpc_address": f"127.0.0.1:{grpc_port}"}
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(30)
        log.close()
        shutil.rmtree(data, ignore_errors=True)  # the demo's client keys; the log beside it is kept


def demo_client(server, name):
    """The demo's client file (client_id, issuer, key_file) for e.g. 'nkdb-demo-sync'."""
    path = os.path.join(server["data"], "demo", name + ".json")
    with open(path, encoding="utf-8") as file:
        info = json.load(file)
    key_file = info["key_file"]
    if not os.path.isabs(key_file):
        key_file = os.path.join(os.path.dirname(path), key_file)
    return info, key_file


def new_records(parent, count, family):
    """`count` valid pseudonymized records under `parent`, new names, synthetic people of one family name."""
    import datetime
    import uuid

    from sharingplatform.contract import cases_pb2
    from sharingplatform.pseudonymization import LinkageKey, PersonIdentifiers, SubjectPseudonymizer

    pseudonymizer = SubjectPseudonymizer(LinkageKey.create())
    records = []
    for n in range(count):
        record = cases_pb2.CaseRecord(
            name=f"{parent}/cases/{uuid.uuid4().hex}", status=cases_pb2.CASE_STATUS_DETAINED,
            classification=cases_pb2.CLASSIFICATION_RESTRICTED, consent_scope=cases_pb2.CONSENT_SCOPE_PARTNERS,
            sex=cases_pb2.SEX_FEMALE, origin_region="KP-09")
        pseudonymizer.apply(record, PersonIdentifiers(family, f"{family[0]}{n}", datetime.date(1990, 1, n % 28 + 1), "f"))
        records.append(record)
    return records
