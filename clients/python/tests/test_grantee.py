"""A grantee's pull against the real server: the documentation centre's tenant-admin grants the UN office some fields
of its records, and the UN office's pull (of its own tenant, as PullChanges requires) brings the grantor's shared
records, named under the grantor, with only the granted fields."""

import datetime
import uuid

import grpc
import pytest
from google.protobuf import field_mask_pb2, timestamp_pb2

from conftest import demo_client
from sharingplatform import sync
from sharingplatform.auth import ClientKey
from sharingplatform.connection import Connection
from sharingplatform.contract import cases_pb2, sharing_pb2
from sharingplatform.errors import SharingError
from sharingplatform.pseudonymization import LinkageKey, PersonIdentifiers, SubjectPseudonymizer

GRANTED = ["status", "sex", "birth_year", "origin_region"]


def _connect(server, name):
    info, key_file = demo_client(server, name)
    return Connection(info["grpc_url"], info["issuer"], info["client_id"], ClientKey.load(key_file)), \
        f"tenants/{info['tenant']}"


def test_grantee_pulls_only_granted_fields_of_grantor_records(server, tmp_path):
    admin, grantor = _connect(server, "nkdb-demo-admin")
    with admin:
        until = timestamp_pb2.Timestamp()
        until.FromDatetime(datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
                           + datetime.timedelta(days=365))
        agreement = admin.sharing.CreateAgreement(sharing_pb2.CreateAgreementRequest(
            parent=grantor, request_id=uuid.uuid4().hex, agreement=sharing_pb2.SharingAgreement(
                grantee="tenants/un-demo", purpose=sharing_pb2.PURPOSE_UN_SUBMISSION,
                fields=field_mask_pb2.FieldMask(paths=GRANTED), valid_until=until)))
        assert agreement.live

    sync_client, _ = _connect(server, "nkdb-demo-sync")
    pseudonymizer = SubjectPseudonymizer(LinkageKey.create())
    records = []
    for n in range(2):
        record = cases_pb2.CaseRecord(
            name=f"{grantor}/cases/{uuid.uuid4().hex}", status=cases_pb2.CASE_STATUS_DETAINED,
            classification=cases_pb2.CLASSIFICATION_PUBLIC,
            consent_scope=cases_pb2.CONSENT_SCOPE_INTERGOVERNMENTAL, sex=cases_pb2.SEX_FEMALE,
            origin_region="KP-09", narrative="not for the grantee", tags=["grantee-test"])
        pseudonymizer.apply(record, PersonIdentifiers("Grant", f"G{n}", datetime.date(1980, 3, n + 1), "f"))
        records.append(record)
    with sync_client:
        results = sync.push(sync_client, grantor, records)
    assert all(r.outcome == cases_pb2.PUSH_OUTCOME_CREATED for r in results)

    grantee, own = _connect(server, "un-demo-sync")
    cursor = sync.CursorFile(tmp_path / "un-cursor")
    with grantee:
        # PullChanges reads the caller's own tenant only; a grantor's parent is NOT_FOUND, like any other tenant.
        with pytest.raises(SharingError) as caught:
            list(sync.pull(grantee, grantor, cursor))
        assert caught.value.code == grpc.StatusCode.NOT_FOUND
        changes = list(sync.pull(grantee, own, cursor))
        seen = {c.name: c.record for c in changes if c.WhichOneof("kind") == "record"}
        assert {r.name for r in records} <= set(seen)
        for record in records:
            got = seen[record.name]
            assert got.status == cases_pb2.CASE_STATUS_DETAINED and got.sex == cases_pb2.SEX_FEMALE
            assert got.birth_year == 1980 and got.origin_region == "KP-09"
            assert got.narrative == "" and list(got.tags) == [] and got.subject_token == ""
            assert got.classification == cases_pb2.CLASSIFICATION_UNSPECIFIED
        # The cursor file resumes: nothing new for the grantee until the grantor pushes again.
        assert [c.name for c in sync.pull(grantee, own, cursor)
                if c.name in seen and c.name.startswith(grantor)] == []
        # ListCases does take the grantor's parent: its pages hold the same shared view.
        listed, token = {}, ""
        while True:
            page = grantee.cases.ListCases(cases_pb2.ListCasesRequest(parent=grantor, page_size=1000,
                                                                      page_token=token))
            listed.update((c.name, c) for c in page.cases)
            token = page.next_page_token
            if not token:
                break
        for record in records:
            assert listed[record.name].narrative == "" and listed[record.name].birth_year == 1980
