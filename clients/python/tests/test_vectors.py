"""Every shared subject-token vector (clients/test-vectors/subject-token-vectors.json), the file the .NET tests read."""

import datetime
import json
import pathlib

import pytest

from sharingplatform.pseudonymization import LinkageKey, PersonIdentifiers, SubjectPseudonymizer, canonical

VECTORS_FILE = pathlib.Path(__file__).resolve().parents[2] / "test-vectors" / "subject-token-vectors.json"
DOCUMENT = json.loads(VECTORS_FILE.read_text(encoding="utf-8"))
VECTORS = DOCUMENT["vectors"]


def _person(vector):
    birth = datetime.date.fromisoformat(vector["birth"]) if vector["birth"] else None
    return PersonIdentifiers(vector["family"], vector["given"], birth, vector["sex"], vector["county"])


def test_every_vector_is_collected():
    # The parametrized test below runs one case per entry; this pins that the file was read and is not empty.
    assert len(VECTORS) >= 50
    assert sum(1 for v in VECTORS if v.get("refused")) >= 1


@pytest.mark.parametrize("index", range(len(VECTORS)))
def test_vector(index):
    vector = VECTORS[index]
    pseudonymizer = SubjectPseudonymizer(LinkageKey(bytes.fromhex(DOCUMENT["key_hex"])))
    person = _person(vector)
    if vector.get("refused"):
        with pytest.raises(ValueError):
            pseudonymizer.token(person)
        return
    assert canonical(person) == vector["canonical"]
    assert pseudonymizer.token(person) == vector["token"]


def test_a_linkage_key_file_with_a_byte_order_mark_or_padding_reads_as_dotnet_reads_it(tmp_path):
    key = LinkageKey.create()
    key.save(tmp_path / "plain.key")
    text = (tmp_path / "plain.key").read_text(encoding="utf-8")
    (tmp_path / "bom.key").write_text("\ufeff" + text + "\n", encoding="utf-8")
    (tmp_path / "padded.key").write_text(text + "=", encoding="utf-8")
    for name in ("bom.key", "padded.key"):
        assert LinkageKey.load(tmp_path / name)._bytes == key._bytes
    (tmp_path / "short.key").write_text(text[:-2], encoding="utf-8")
    with pytest.raises(ValueError):
        LinkageKey.load(tmp_path / "short.key")
