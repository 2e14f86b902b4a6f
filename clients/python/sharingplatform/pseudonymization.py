"""Subject tokens exactly as the .NET SDK computes them (clients/SharingPlatform.Client/Pseudonymization/).

subject_token = base64url(HMAC-SHA256(linkage key, "v1|family|given|birth date|sex|county")) after normalization.
Partners already hold tokens from the .NET SDK, so .NET is the reference, and where Python's string functions differ
from the .NET ones this module does what .NET does (the shared vectors, clients/test-vectors/, pin every case):

- Lower case is .NET's ToLowerInvariant: one character at a time (str.lower turns a final capital sigma into U+03C2,
  .NET always into U+03C3), and U+0130 (capital I with dot) is left as it is (str.lower gives i + U+0307).
- White space is .NET's char.IsWhiteSpace: U+0009-U+000D, U+0085, and the Unicode space, line and paragraph
  separators. str.split also splits at U+001C-U+001F, which .NET keeps.
- Letters are .NET's char.IsLetter on UTF-16 code units: a letter outside the Basic Multilingual Plane is two
  surrogates to .NET, neither a letter, so it is dropped (str.isalpha would keep it).
- .NET refuses to normalize text holding U+FFFE or half of a surrogate pair; so does this module (ValueError).
- Python's Unicode tables can be older than .NET's (Python 3.11: Unicode 14). A character this Python does not know
  might be a letter to .NET, so text holding one is refused (ValueError) rather than given a token that would not
  link. Noncharacters other than U+FFFE are known to be no letters and pass, as in .NET.
"""

from __future__ import annotations

import base64
import dataclasses
import datetime
import hashlib
import hmac
import os
import secrets
import unicodedata

from . import secret_file
from ._surnames import canonical_surname

VERSION = "v1"

_LINKAGE_KEY_PREFIX = "sharingplatform-linkage-key-v1:"

# Revised Romanization of a Hangul syllable's parts (initial, vowel, final), as in RevisedRomanization.cs.
_INITIALS = ("g", "kk", "n", "d", "tt", "r", "m", "b", "pp", "s", "ss", "", "j", "jj", "ch", "k", "t", "p", "h")
_VOWELS = ("a", "ae", "ya", "yae", "eo", "e", "yeo", "ye", "o", "wa", "wae", "oe", "yo", "u", "wo", "we", "wi", "yu",
           "eu", "ui", "i")
_FINALS = ("", "k", "k", "k", "n", "n", "n", "t", "l", "k", "m", "l", "l", "l", "p", "l", "m", "p", "p", "t", "t",
           "ng", "t", "t", "k", "t", "p", "t")
_FIRST_SYLLABLE, _LAST_SYLLABLE = 0xAC00, 0xD7A3

_SEXES = {"f": "f", "female": "f", "여": "f", "여자": "f", "女": "f",
          "m": "m", "male": "m", "남": "m", "남자": "m", "男": "m"}

_DOTNET_WHITESPACE_CONTROLS = frozenset("\t\n\v\f\r\x85")


@dataclasses.dataclass(frozen=True)
class PersonIdentifiers:
    """What identifies a person. It never leaves the partner's machine: only the token and the birth year do."""

    family_name: str
    given_name: str
    birth_date: datetime.date | None = None
    sex: str = ""
    home_county: str = ""

    def __repr__(self) -> str:
        # Names must not reach logs or tracebacks through a repr.
        return "PersonIdentifiers(...)"


class LinkageKey:
    """The consortium linkage key: 32 random bytes shared by the partners, never by the server. Keep it like a
    private key: whoever holds it can test guessed names against tokens."""

    __slots__ = ("_bytes",)

    def __init__(self, key: bytes):
        if len(key) != 32:
            raise ValueError("A linkage key is 32 bytes.")
        self._bytes = bytes(key)

    @classmethod
    def create(cls) -> LinkageKey:
        return cls(secrets.token_bytes(32))

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> LinkageKey:
        """Reads a key file written by this SDK or the .NET one (`sharingplatform-linkage-key-v1:` + base64url)."""
        # utf-8-sig: a byte order mark (an editor's) is dropped, as .NET's File.ReadAllText drops it.
        with open(path, encoding="utf-8-sig") as file:
            text = file.read().strip()
        if not text.startswith(_LINKAGE_KEY_PREFIX):
            raise ValueError(f"{os.fspath(path)} is not a SharingPlatform linkage key file.")
        encoded = text[len(_LINKAGE_KEY_PREFIX):]
        # .NET's Base64Url also takes the padding this format never writes (43 characters and one "=").
        if encoded.endswith("=") and len(encoded) % 4 == 0:
            encoded = encoded[:-1]
        try:
            key = _b64url_decode(encoded)
        except ValueError:
            key = b""
        if len(key) != 32:
            raise ValueError(f"{os.fspath(path)} is not a SharingPlatform linkage key file.")
        return cls(key)

    def save(self, path: str | os.PathLike[str]) -> None:
        """Writes the key readable by the owner only; refuses to overwrite an existing file (FileExistsError)."""
        secret_file.write_new(path, _LINKAGE_KEY_PREFIX + _b64url_encode(self._bytes))

    def __repr__(self) -> str:
        return "LinkageKey(...)"


class SubjectPseudonymizer:
    """Turns a person's identifiers into the subject token every partner holding the same key computes."""

    def __init__(self, key: LinkageKey):
        self._key = key

    def token(self, person: PersonIdentifiers) -> str:
        digest = hmac.new(self._key._bytes, canonical(person).encode("utf-8"), hashlib.sha256).digest()
        return _b64url_encode(digest)

    def apply(self, record, person: PersonIdentifiers) -> None:
        """Sets a CaseRecord's subject token and birth year: the only birth data that leaves this machine."""
        record.subject_token = self.token(person)
        record.birth_year = person.birth_date.year if person.birth_date else 0


def canonical(person: PersonIdentifiers) -> str:
    """The normalized string that is hashed; for tests and audits of the normalization, never sent."""
    for text in (person.family_name, person.given_name, person.sex, person.home_county):
        _check_normalizable(text)
    birth = f"{person.birth_date.year:04d}-{person.birth_date.month:02d}-{person.birth_date.day:02d}" \
        if person.birth_date else ""
    return "|".join((VERSION, family_name(person.family_name), given_name(person.given_name), birth,
                     _SEXES.get(_fold(person.sex), ""), _letters(_fold(person.home_county))))


def family_name(name: str) -> str:
    """The canonical Hangul surname when the table knows it; otherwise the folded letters."""
    folded = _fold(name)
    letters = _letters(folded)
    return canonical_surname(letters) or canonical_surname(folded.replace(" ", "")) or letters


def given_name(name: str) -> str:
    """The given name in Revised Romanization, lower case, letters only: 미라, Mi-ra and MIRA all give `mira`."""
    return _letters(romanize(_fold(name)))


def romanize(text: str) -> str:
    """Every Hangul syllable in Revised Romanization, syllable by syllable; other characters unchanged."""
    out = []
    for c in text:
        code = ord(c)
        if _FIRST_SYLLABLE <= code <= _LAST_SYLLABLE:
            index = code - _FIRST_SYLLABLE
            out.append(_INITIALS[index // (21 * 28)] + _VOWELS[index % (21 * 28) // 28] + _FINALS[index % 28])
        else:
            out.append(c)
    return "".join(out)


def _fold(text: str) -> str:
    """NFKC, .NET's invariant lower case, white space collapsed to single spaces (as .NET's Split/Join do)."""
    lowered = "".join(_lower_invariant(c) for c in unicodedata.normalize("NFKC", text))
    words, word = [], []
    for c in lowered:
        if _is_dotnet_whitespace(c):
            if word:
                words.append("".join(word))
                word = []
        else:
            word.append(c)
    if word:
        words.append("".join(word))
    return " ".join(words)


def _letters(text: str) -> str:
    """Letters only, as .NET's char.IsLetter sees them (BMP only), then NFC."""
    return unicodedata.normalize("NFC", "".join(c for c in text if ord(c) <= 0xFFFF and c.isalpha()))


def _lower_invariant(c: str) -> str:
    # One character at a time, so no final-sigma context; U+0130 is the one character whose str.lower is two.
    return c if c == "\u0130" else c.lower()


def _is_dotnet_whitespace(c: str) -> bool:
    return c == " " or c in _DOTNET_WHITESPACE_CONTROLS or unicodedata.category(c) in ("Zs", "Zl", "Zp")


def _check_normalizable(text: str) -> None:
    for c in text:
        code = ord(c)
        if code == 0xFFFE or 0xD800 <= code <= 0xDFFF:
            raise ValueError("The text holds a character that is not text (U+FFFE or half of a surrogate pair).")
        if unicodedata.category(c) == "Cn" and not _is_noncharacter(code):
            raise ValueError(
                f"The text holds a character unknown to this Python's Unicode {unicodedata.unidata_version} tables; "
                "its token could differ from the .NET SDK's.")


def _is_noncharacter(code: int) -> bool:
    return 0xFDD0 <= code <= 0xFDEF or (code & 0xFFFE) == 0xFFFE


def _b64url_encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64url_decode(text: str) -> bytes:
    if not text or any(c not in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_" for c in text):
        raise ValueError("not base64url")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
