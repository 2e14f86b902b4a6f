"""Case files in the shape `sharectl cases push` reads (clients/SharingPlatform.Cli/Cases/), pseudonymized here.

A CSV file has a header naming some of these columns (case_id, family_name, given_name, status, classification and
consent_scope required) and one row per event; rows with the same case_id are one case and must describe one person.
Names, the full birth date, sex and home county become the subject token on this machine with the linkage key; only
the token and the birth year are sent. The reading and mapping follow the .NET CLI's CaseFileReader and
CaseInputMapper, so the same file gives the same records, tokens included.

Problems are reported by line and column, never with the value: the file holds names.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime
import io
import os
import re

from . import sync
from .contract import cases_pb2
from .pseudonymization import PersonIdentifiers, SubjectPseudonymizer, _is_dotnet_whitespace

CASE_COLUMNS = ("case_id", "family_name", "given_name", "birth_date", "sex", "home_county", "status", "classification",
                "consent_scope", "origin_region", "narrative", "tags", "source_type", "reliability", "credibility")
EVENT_COLUMNS = ("event_type", "event_date", "event_country", "event_region", "event_locality", "event_facility",
                 "event_authority")
REQUIRED = ("case_id", "family_name", "given_name", "status", "classification", "consent_scope")
IDENTIFIER_COLUMNS = ("family_name", "given_name", "sex", "home_county")

MAX_LINE_CHARS = 1024 * 1024
MAX_FILE_BYTES = 200 * 1024 * 1024

_CASE_ID = re.compile(r"[a-z0-9][a-z0-9-]{0,62}")
_INT32_MAX = 2 ** 31 - 1


@dataclasses.dataclass(frozen=True)
class Problem:
    """A problem in the file: the line it starts on, the column, what is wrong; never the value."""

    line: int
    field: str
    message: str


class CaseFileError(ValueError):
    """The file cannot be pushed: nothing was sent. `problems` lists every problem found (line, field, message)."""

    def __init__(self, problems):
        self.problems = list(problems)
        first = self.problems[0]
        super().__init__(f"{len(self.problems)} problem(s), nothing was sent; first: line {first.line}, "
                         f"{first.field}: {first.message}")


def _trim(text: str) -> str:
    # .NET's string.Trim: char.IsWhiteSpace, which (unlike str.strip) keeps U+001C-U+001F.
    start, end = 0, len(text)
    while start < end and _is_dotnet_whitespace(text[start]):
        start += 1
    while end > start and _is_dotnet_whitespace(text[end - 1]):
        end -= 1
    return text[start:end]


def _upper_invariant(text: str) -> str:
    # One character at a time, as .NET's ToUpperInvariant: a character whose str.upper is two (ß) stays, and so does
    # the dotless i (U+0131), which .NET's invariant casing leaves alone (str.upper gives I).
    return "".join(u if len(u := c.upper()) == 1 and c != "\u0131" else c for c in text)


def read_csv(path: str | os.PathLike[str]):
    """The rows of a CSV case file as (line, fields, event fields) after the .NET CLI's checks: UTF-8 only, at most
    200 MiB and lines of at most 1 MiB, exactly the known columns, each once, every row as wide as the header.
    Raises CaseFileError (one problem, at line 0 for the whole file)."""
    size = os.path.getsize(path)
    if size > MAX_FILE_BYTES:
        raise CaseFileError([Problem(0, "file", f"larger than {MAX_FILE_BYTES // 1024 // 1024} MiB; split it")])
    with open(path, "rb") as file:
        data = file.read()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise CaseFileError([Problem(0, "file", f"not valid UTF-8 (at byte {error.start}); save the file as UTF-8")]) \
            from None
    for number, line in enumerate(text.split("\n"), start=1):
        # .NET counts UTF-16 code units: a character outside the BMP is two.
        if len(line) + sum(1 for c in line if ord(c) > 0xFFFF) > MAX_LINE_CHARS:
            raise CaseFileError([Problem(number, "file", "longer than 1 MiB; is this the right file?")])
    text = text.lstrip("\ufeff")
    _check_quotes(text)

    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows, header, start = [], None, 1
    # The csv module refuses fields above 128 KiB by default; sharectl limits only lines (above) and the file.
    limit = csv.field_size_limit(MAX_FILE_BYTES)
    try:
        for record in reader:
            if not record:  # a blank line, skipped as CsvHelper does
                start = reader.line_num + 1
                continue
            if header is None:
                header = [_trim(h) for h in record]
                _check_columns(header)
                start = reader.line_num + 1
                continue
            if len(record) != len(header):
                raise CaseFileError([Problem(start, "file", "malformed CSV (the row is not as wide as the header)")])
            fields = {name: _trim(value) for name, value in zip(header, record)}
            rows.append((start, {n: fields[n] for n in CASE_COLUMNS if n in fields},
                         [{n: fields[n] for n in EVENT_COLUMNS if n in fields}]))
            start = reader.line_num + 1
    except csv.Error:
        # The csv module's message can quote the record, which holds names: never show it.
        raise CaseFileError([Problem(start, "file", "malformed CSV")]) from None
    finally:
        csv.field_size_limit(limit)
    if header is None:
        raise CaseFileError([Problem(0, "file", "the file is empty; the first line must be the header")])
    return rows


def _check_quotes(text: str) -> None:
    """A quote inside an unquoted field is bad data to CsvHelper (sharectl refuses the file); Python's csv module
    would keep it as a character, so it is looked for here, by the line its record starts on."""
    line, record_start, in_quotes, field_start, skip = 1, 1, False, True, False
    for index, c in enumerate(text):
        if c == "\n":
            line += 1
        if skip:
            skip = False
        elif in_quotes:
            if c == '"':
                if text[index + 1:index + 2] == '"':
                    skip = True
                else:
                    in_quotes = False
        elif c == '"':
            if not field_start:
                raise CaseFileError([Problem(record_start, "file", "malformed CSV (a quote inside an unquoted field)")])
            in_quotes = True
            field_start = False
        else:
            field_start = c in ",\r\n"
            if c == "\n":
                record_start = line
    # A quote left open is the csv module's error (malformed CSV), at the line its record starts on.


def _check_columns(columns) -> None:
    known = set(CASE_COLUMNS) | set(EVENT_COLUMNS)
    unknown = [c for c in columns if c not in known]
    missing = [c for c in REQUIRED if c not in columns]
    if unknown or missing:
        # Unknown columns are counted, never named: in a file without a header they are its first record's names.
        described = f"; {len(unknown)} unknown (is the first line the header?)" if unknown else ""
        raise CaseFileError([Problem(1, "header", f"wrong columns{described}"
                                     f"{'; missing: ' + ', '.join(missing) if missing else ''}. Expected: "
                                     + ",".join(CASE_COLUMNS + EVENT_COLUMNS))])
    twice = next((c for c in columns if columns.count(c) > 1), None)
    if twice:
        raise CaseFileError([Problem(1, "header", f"wrong columns; {twice} is given twice. Give each column once")])


def to_records(rows, parent: str, pseudonymizer: SubjectPseudonymizer, current_year: int | None = None):
    """Rows to CaseRecords under `parent` (tenants/X), one per case_id, as the .NET CLI maps them. Returns
    (records, problems); push nothing while there are problems."""
    current_year = current_year or datetime.datetime.now(datetime.timezone.utc).year
    problems, cases, identities = [], {}, {}
    for line, fields, events in rows:
        def get(name):
            return fields.get(name, "")

        def problem(field, message):
            problems.append(Problem(line, field, message))

        case_id = get("case_id")
        if not _CASE_ID.fullmatch(case_id):
            problem("case_id", "must be 1-63 of a-z, 0-9 and -, starting with a letter or digit; say nothing about "
                               "the person in it")
            continue
        try:
            identity = pseudonymizer.token(PersonIdentifiers(get("family_name"), get("given_name"),
                                                             _exact_date(get("birth_date")), get("sex"),
                                                             get("home_county")))
        except ValueError:
            column = next((c for c in IDENTIFIER_COLUMNS if _unreadable(get(c))), "family_name")
            problem(column, "holds a character that is not text (such as U+FFFE), or one this Python does not know; "
                            "correct it in the file")
            continue
        if identities.get(case_id, identity) != identity:
            problem("case_id", "this case_id is used for a different person on an earlier line")
            continue
        identities[case_id] = identity

        record = cases.get(case_id)
        if record is None:
            record = cases_pb2.CaseRecord(name=f"{parent}/cases/{case_id}")
            if not get("family_name") or not get("given_name"):
                problem("family_name", "family_name and given_name are needed to derive the subject token")
            birth, birth_year = _birth_date(get("birth_date"), current_year, problem)
            record.subject_token = pseudonymizer.token(PersonIdentifiers(get("family_name"), get("given_name"), birth,
                                                                         get("sex"), get("home_county")))
            record.birth_year = birth_year
            record.sex = {"F": cases_pb2.SEX_FEMALE, "M": cases_pb2.SEX_MALE}.get(_upper_invariant(get("sex")),
                                                                                  cases_pb2.SEX_UNSPECIFIED)
            record.status = _enum(cases_pb2.CaseStatus, "CASE_STATUS_", get("status"), "status", problem)
            record.classification = _enum(cases_pb2.Classification, "CLASSIFICATION_", get("classification"),
                                          "classification", problem)
            record.consent_scope = _enum(cases_pb2.ConsentScope, "CONSENT_SCOPE_", get("consent_scope"),
                                         "consent_scope", problem)
            record.origin_region = get("origin_region")
            record.narrative = get("narrative")
            record.tags.extend(t for t in (_trim(t) for t in get("tags").split(";")) if t)
            if get("source_type") or get("reliability") or get("credibility"):
                record.source.SetInParent()
                if get("source_type"):
                    record.source.type = _enum(cases_pb2.SourceType, "SOURCE_TYPE_", get("source_type"),
                                               "source_type", problem)
                if get("reliability"):
                    record.source.reliability = _enum(cases_pb2.Reliability, "RELIABILITY_", get("reliability"),
                                                      "reliability", problem)
                record.source.credibility = _credibility(get("credibility"), problem)
            cases[case_id] = (line, record)
        else:
            record = record[1]

        for event in events:
            if not any(event.values()):
                continue
            added = record.events.add(
                type=_enum(cases_pb2.EventType, "EVENT_TYPE_", event.get("event_type", ""), "event_type", problem),
                authority=event.get("event_authority", ""))
            date = _partial_date(event.get("event_date", ""), problem)
            if date:
                added.date.year, added.date.month, added.date.day = date
            added.location.country = event.get("event_country", "")
            added.location.region = event.get("event_region", "")
            added.location.locality = event.get("event_locality", "")
            added.location.facility = event.get("event_facility", "")

    records = []
    for _, record in cases.values():
        years = [e.date.year for e in record.events if e.date.year > 0]
        first = min(years) if years else 0
        record.minor = record.birth_year > 0 and first > 0 and first - record.birth_year < 18
        records.append(record)
    return records, problems


def push_csv(connection, parent: str, path: str | os.PathLike[str], pseudonymizer: SubjectPseudonymizer, *,
             batch_size: int = 500, **push_options):
    """Reads, pseudonymizes and pushes a CSV case file under `parent` (the caller's tenant) in batches, each with its
    own request_id and retried with it (sync.push). Nothing is sent while the file has a problem: CaseFileError
    lists them all. Returns the PushResults in the order of the cases' first rows."""
    records, problems = to_records(read_csv(path), parent, pseudonymizer)
    if problems:
        raise CaseFileError(problems)
    return sync.push(connection, parent, records, batch_size=batch_size, **push_options)


def _exact_date(text: str):
    # DateOnly.TryParseExact(text, "yyyy-MM-dd"): four-digit year, two-digit month and day, nothing else.
    if re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text):
        try:
            return datetime.date(int(text[:4]), int(text[5:7]), int(text[8:]))
        except ValueError:
            return None
    return None


def _birth_date(text, current_year, problem):
    if not text:
        return None, 0
    date = _exact_date(text)
    if date:
        return date, date.year
    year = _digits(text)
    if year is not None and 1900 <= year <= current_year:
        return None, year
    problem("birth_date", "must be yyyy-MM-dd or yyyy (only the year is sent; the full date only shapes the token)")
    return None, 0


def _partial_date(text, problem):
    parts = text.split("-")
    if not text or len(parts) > 3 or not all(_digits(p) is not None for p in parts):
        problem("event_date", "must be yyyy, yyyy-MM or yyyy-MM-dd")
        return None
    numbers = [int(p) for p in parts] + [0, 0]
    return numbers[0], numbers[1], numbers[2]


def _digits(text: str):
    # ASCII digits only, as a non-negative int32, else None: the .NET CLI's Digits (stricter than int.TryParse).
    return int(text) if re.fullmatch(r"[0-9]+", text) and int(text) <= _INT32_MAX else None


def _credibility(text, problem) -> int:
    # Empty is "not graded" (0); anything else must be a whole number, never silently read as 0.
    if not text:
        return 0
    value = _digits(text)
    if value is None:
        problem("credibility", "must be a whole number from 1 to 6, or empty for not graded")
        return 0
    return value


def _enum(enum, prefix, text, field, problem):
    """`detained` to CASE_STATUS_DETAINED, as the CLI does; unknown or the zero value is a problem (and 0)."""
    name = prefix + _upper_invariant(_trim(text))
    number = enum.DESCRIPTOR.values_by_name[name].number if name in enum.DESCRIPTOR.values_by_name else 0
    if number == 0:
        choices = ", ".join(v.name[len(prefix):].lower() for v in enum.DESCRIPTOR.values if v.number != 0)
        problem(field, "must be one of: " + choices)
    return number


def _unreadable(text: str) -> bool:
    from .pseudonymization import _check_normalizable
    try:
        _check_normalizable(text)
        return False
    except ValueError:
        return True
