"""CSV case files as `sharectl cases push` reads them: mapping, problems that never repeat a value, and a push against
the real server whose subject tokens are the ones sharectl computes for the same file and linkage key."""

import datetime
import os
import shutil
import subprocess
import uuid

import pytest

from conftest import ROOT, demo_client
from sharingplatform import casefile, sync
from sharingplatform.auth import ClientKey
from sharingplatform.connection import Connection
from sharingplatform.contract import cases_pb2
from sharingplatform.pseudonymization import LinkageKey, PersonIdentifiers, SubjectPseudonymizer

HEADER = ("case_id,family_name,given_name,birth_date,sex,home_county,status,classification,consent_scope,"
          "origin_region,event_type,event_date,event_country,event_region,event_locality,event_facility,"
          "event_authority,narrative,tags,source_type,reliability,credibility\n")


def _write(path, text):
    path.write_text(text, encoding="utf-8")
    return path


def test_rows_of_one_case_become_one_record_with_the_sdk_token(tmp_path):
    path = _write(tmp_path / "cases.csv", HEADER
                  + "c-1,김,미라,1990-04-02,F,무산,detained,restricted,partners,KP-09,arrested,2023-10,CN,CN-JL,"
                    "Tumen,,,arrested in a raid,a;b,family,B,2\n"
                  + "c-1,김,미라,1990-04-02,F,무산,detained,restricted,partners,KP-09,repatriated,2023-10-09,CN,"
                    "CN-JL,Tumen,,,,,,,\n"
                  + "\n"
                  + "c-2,Choi,Mi-ra,2009,m,,disappeared,public,none,,,,,,,,,,,,,\n")
    pseudonymizer = SubjectPseudonymizer(LinkageKey.create())
    records, problems = casefile.to_records(casefile.read_csv(path), "tenants/t", pseudonymizer, 2026)
    assert problems == []
    first, second = records
    assert first.name == "tenants/t/cases/c-1"
    assert first.subject_token == pseudonymizer.token(
        PersonIdentifiers("김", "미라", datetime.date(1990, 4, 2), "F", "무산"))
    assert first.birth_year == 1990 and first.sex == cases_pb2.SEX_FEMALE and not first.minor
    assert first.status == cases_pb2.CASE_STATUS_DETAINED
    assert first.classification == cases_pb2.CLASSIFICATION_RESTRICTED
    assert first.consent_scope == cases_pb2.CONSENT_SCOPE_PARTNERS
    assert [e.type for e in first.events] == [cases_pb2.EVENT_TYPE_ARRESTED, cases_pb2.EVENT_TYPE_REPATRIATED]
    assert (first.events[1].date.year, first.events[1].date.month, first.events[1].date.day) == (2023, 10, 9)
    assert first.events[0].location.region == "CN-JL" and list(first.tags) == ["a", "b"]
    assert first.source.type == cases_pb2.SOURCE_TYPE_FAMILY and first.source.reliability == cases_pb2.RELIABILITY_B
    assert first.source.credibility == 2
    # A birth year alone is sent as the year and shapes no token; "m" is male.
    assert second.birth_year == 2009 and second.sex == cases_pb2.SEX_MALE and len(second.events) == 0
    assert second.subject_token == pseudonymizer.token(PersonIdentifiers("Choi", "Mi-ra", None, "m", ""))


def test_problems_name_line_and_field_never_the_value(tmp_path):
    path = _write(tmp_path / "cases.csv", HEADER
                  + "c-1,Secretname,Hidden,1990-04-02,F,,detained,restricted,partners,,,,,,,,,,,,,\n"
                  + "c-1,Othername,Hidden,1990-04-02,F,,detained,restricted,partners,,,,,,,,,,,,,\n"
                  + "Bad Id,Secretname,Hidden,,F,,detained,restricted,partners,,,,,,,,,,,,,\n"
                  + "c-3,Secretname,Hidden,31-12-1990,F,,sleeping,restricted,partners,,arrested,2023-1x,,,,,,,,,,\n")
    with pytest.raises(casefile.CaseFileError) as caught:
        casefile.push_csv(None, "tenants/t", path, SubjectPseudonymizer(LinkageKey.create()))
    found = {(p.line, p.field) for p in caught.value.problems}
    assert found == {(3, "case_id"), (4, "case_id"), (5, "birth_date"), (5, "status"), (5, "event_date")}
    text = str(caught.value) + repr(caught.value.problems)
    for value in ("Secretname", "Othername", "Hidden", "Bad Id", "sleeping", "31-12-1990"):
        assert value not in text


def test_bad_files_are_refused_whole(tmp_path):
    pseudonymizer = SubjectPseudonymizer(LinkageKey.create())
    cases = [("unknown column", "case_id,family_name,given_name,status,classification,consent_scope,nickname\n"),
             ("twice", "case_id,family_name,given_name,status,classification,consent_scope,status\n"),
             ("missing", "case_id,family_name,given_name,status,classification\n"),
             ("wide", "case_id,family_name,given_name,status,classification,consent_scope\na,b,c,d,e,f,g\n")]
    for label, text in cases:
        with pytest.raises(casefile.CaseFileError):
            casefile.push_csv(None, "tenants/t", _write(tmp_path / f"{label}.csv", text), pseudonymizer)
    (tmp_path / "latin1.csv").write_bytes(HEADER.encode() + "c-1,M\xfcller,A,,,,detained,public,none".encode("latin-1"))
    with pytest.raises(casefile.CaseFileError) as caught:
        casefile.read_csv(tmp_path / "latin1.csv")
    assert "UTF-8" in str(caught.value)


def test_a_file_without_its_header_never_shows_its_first_row(tmp_path):
    # Lower-case words look like column names; here they are a person's names.
    path = _write(tmp_path / "headerless.csv", "kim,minsu,detained,restricted,partners\nlee,mira,released,restricted,partners\n")
    with pytest.raises(casefile.CaseFileError) as caught:
        casefile.read_csv(path)
    text = str(caught.value) + repr(caught.value.problems)
    assert "5 unknown" in text
    for value in ("kim", "minsu", "lee", "mira"):
        assert value not in text


def test_a_field_longer_than_the_csv_modules_default_limit_is_read_whole(tmp_path):
    narrative = "x" * 200_000  # the csv module refuses fields above 131,072 characters unless told otherwise
    path = _write(tmp_path / "long.csv", "case_id,family_name,given_name,status,classification,consent_scope,narrative\n"
                  f'c-1,Kim,A,detained,public,none,"{narrative}"\n')
    [(line, fields, _)] = casefile.read_csv(path)
    assert line == 2 and fields["narrative"] == narrative


def test_values_sharectl_refuses_are_problems_here_too(tmp_path):
    header = "case_id,family_name,given_name,birth_date,status,classification,consent_scope,credibility\n"
    pseudonymizer = SubjectPseudonymizer(LinkageKey.create())
    cases = {"status": "c-1,Kim,A,,detaıned,public,none,\n",  # dotless i: .NET's ToUpperInvariant keeps it
             "birth_date": "c-1,Kim,A,1990\0,detained,public,none,\n",
             "credibility": "c-1,Kim,A,,detained,public,none,five\n"}
    for field, row in cases.items():
        _, problems = casefile.to_records(casefile.read_csv(_write(tmp_path / f"{field}.csv", header + row)),
                                          "tenants/t", pseudonymizer)
        assert [(p.line, p.field) for p in problems] == [(2, field)]
    records, problems = casefile.to_records(
        casefile.read_csv(_write(tmp_path / "fine.csv", header + "c-1,Kim,A,1990,detained,public,none,4\n")),
        "tenants/t", pseudonymizer)
    assert problems == [] and records[0].source.credibility == 4 and records[0].birth_year == 1990


def _sharectl(*args, env):
    dll = next((ROOT / "clients" / "SharingPlatform.Cli" / "bin").glob("*/net*/sharectl.dll"), None)
    if dll is None:
        pytest.skip("sharectl is not built (dotnet build clients/SharingPlatform.Cli)")
    return subprocess.run(["dotnet", str(dll), *args], env=env, capture_output=True, text=True, check=True)


def _own_tokens(connection, parent, cursor_path):
    return {c.name.rsplit("/", 1)[1]: c.record.subject_token
            for c in sync.pull(connection, parent, sync.CursorFile(cursor_path))
            if c.WhichOneof("kind") == "record" and c.name.startswith(parent + "/")}


def test_push_csv_gives_the_tokens_sharectl_gives(server, tmp_path):
    if shutil.which("dotnet") is None:
        pytest.skip("dotnet is not installed")
    env = dict(os.environ, SHARECTL_HOME=str(tmp_path / "sharectl"))
    key_path, csv_path = tmp_path / "linkage.key", tmp_path / "cases.csv"
    _sharectl("keys", "new-linkage-key", "--out", str(key_path), env=env)
    # sharectl's own sample file, Hangul names, then case ids no other test uses.
    _sharectl("demo", "data", "--count", "20", "--seed", "7", "--out", str(tmp_path / "sample.csv"), env=env)
    _sharectl("demo", "data", "--count", "20", "--seed", "8", "--romanized", "--out", str(tmp_path / "roman.csv"),
              env=env)
    run = uuid.uuid4().hex[:8]
    text = (tmp_path / "sample.csv").read_text(encoding="utf-8").replace("sample-", f"py{run}-")
    roman = (tmp_path / "roman.csv").read_text(encoding="utf-8").replace("sample-", f"py{run}-r")
    csv_path.write_text(text.rstrip("\n") + "\n" + roman.split("\n", 1)[1], encoding="utf-8")

    # sharectl pushes the file as the rescue network; this SDK pushes it as the documentation centre.
    info, _ = demo_client(server, "rescue-demo-sync")
    _sharectl("login", "--connection", os.path.join(server["data"], "demo", "rescue-demo-sync.json"),
              "--profile", "rescue", env=env)
    _sharectl("cases", "push", str(csv_path), "--linkage-key-file", str(key_path), "--profile", "rescue", env=env)

    pseudonymizer = SubjectPseudonymizer(LinkageKey.load(key_path))
    nkdb, key_file = demo_client(server, "nkdb-demo-sync")
    with Connection(nkdb["grpc_url"], nkdb["issuer"], nkdb["client_id"], ClientKey.load(key_file)) as connection:
        results = casefile.push_csv(connection, f"tenants/{nkdb['tenant']}", csv_path, pseudonymizer, batch_size=7)
        assert len(results) == 40
        assert all(r.outcome == cases_pb2.PUSH_OUTCOME_CREATED for r in results), [r.violation for r in results]
        mine = _own_tokens(connection, f"tenants/{nkdb['tenant']}", tmp_path / "nkdb-cursor")
    rescue, key_file = demo_client(server, "rescue-demo-sync")
    with Connection(rescue["grpc_url"], rescue["issuer"], rescue["client_id"], ClientKey.load(key_file)) as connection:
        theirs = _own_tokens(connection, f"tenants/{rescue['tenant']}", tmp_path / "rescue-cursor")
    ours = {k: v for k, v in mine.items() if k.startswith(f"py{run}-")}
    assert len(ours) == 40
    assert ours == {k: theirs[k] for k in ours}


ODD_FILES = {
    "quote inside an unquoted field": 'c-{r}a,Ki"m,A,detained,public,none\n',
    "text after a closing quote": 'c-{r}b,"Kim"x,A,detained,public,none\n',
    "quote never closed": 'c-{r}c,"Kim,A,detained,public,none\n',
    "quoted comma and doubled quote": 'c-{r}d,"Kim, ""Jr""",A,detained,public,none\n',
    "blank lines and CRLF": '\r\nc-{r}e,Kim,A,detained,public,none\r\n\r\n',
    "row narrower than the header": 'c-{r}f,Kim,A,detained,public\n',
    "dotless i in a status": 'c-{r}g,Kim,A,detaıned,public,none\n',
    "NUL after a status": 'c-{r}h,Kim,A,detained\0,public,none\n',
}


def test_odd_csv_files_are_refused_or_accepted_as_sharectl_does(server, tmp_path):
    env = dict(os.environ, SHARECTL_HOME=str(tmp_path / "sharectl"))
    key_path = tmp_path / "linkage.key"
    LinkageKey.create().save(key_path)  # written by this SDK, read by sharectl
    _sharectl("login", "--connection", os.path.join(server["data"], "demo", "rescue-demo-sync.json"),
              "--profile", "rescue", env=env)
    pseudonymizer = SubjectPseudonymizer(LinkageKey.load(key_path))
    differ, pushed = [], 0
    for label, body in ODD_FILES.items():
        path = tmp_path / f"{len(differ)}-{abs(hash(label))}.csv"
        path.write_text("case_id,family_name,given_name,status,classification,consent_scope\n"
                        + body.format(r=uuid.uuid4().hex[:8]), encoding="utf-8")
        try:
            _sharectl("cases", "push", str(path), "--linkage-key-file", str(key_path), "--profile", "rescue", env=env)
            dotnet_ok = True
            pushed += 1
        except subprocess.CalledProcessError:
            dotnet_ok = False
        try:
            _, problems = casefile.to_records(casefile.read_csv(path), "tenants/rescue-demo", pseudonymizer)
            python_ok = not problems
        except casefile.CaseFileError:
            python_ok = False
        if dotnet_ok != python_ok:
            differ.append((label, dotnet_ok, python_ok))
    assert differ == []
    assert pushed == 2  # the quoted comma and the blank lines: sharectl read this SDK's key file


def test_problems_name_the_line_a_record_starts_on_past_blank_lines_and_quoted_line_breaks(tmp_path):
    # The file of the sharectl test of the same name: both report lines 7 and 9.
    path = tmp_path / "blank-lines.csv"
    path.write_bytes(("case_id,family_name,given_name,status,classification,consent_scope,narrative\n\n\n"
                      'c-1,Kim,A,detained,restricted,partners,"two\nlines"\n\n'
                      "c-2,Lee,B,held,restricted,partners,\n\r"
                      "c-3,Park,C,detained,restricted,wide,\r").encode("utf-8"))
    _, problems = casefile.to_records(casefile.read_csv(path), "tenants/t", SubjectPseudonymizer(LinkageKey.create()))
    assert [(p.line, p.field) for p in problems] == [(7, "status"), (9, "consent_scope")]
