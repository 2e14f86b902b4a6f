"""Common Korean surnames, each spelling mapped to one Hangul form: the table of the .NET SDK's KoreanSurnames.

North Korean initial R and N (리, 류, 림, 로, 량, 라) map to the South Korean forms (이, 유, 임, 노, 양, 나). The table must
stay identical to clients/SharingPlatform.Client/Pseudonymization/KoreanSurnames.cs: the shared test vectors catch a
drift in the spellings they use, not in the others, so change both files together.
"""

_TABLE = (
    ("김", ("김", "kim", "gim", "ghim")),
    ("이", ("이", "리", "lee", "yi", "rhee", "ri", "rhie", "li", "ree")),
    ("박", ("박", "park", "pak", "bak", "bahk")),
    ("최", ("최", "choi", "choe", "chwe", "choy")),
    ("정", ("정", "jung", "jeong", "chung", "cheong", "chong", "jong")),
    ("강", ("강", "kang", "gang")),
    ("조", ("조", "cho", "jo", "joe", "choh")),
    ("윤", ("윤", "yoon", "yun", "youn")),
    ("장", ("장", "jang", "chang")),
    ("임", ("임", "림", "lim", "im", "rim", "yim", "leem")),
    ("한", ("한", "han", "hahn")),
    ("오", ("오", "oh", "o")),
    ("서", ("서", "seo", "suh", "so", "sŏ")),
    ("신", ("신", "shin", "sin", "shinn")),
    ("권", ("권", "kwon", "gwon", "kwun")),
    ("황", ("황", "hwang", "whang")),
    ("안", ("안", "ahn", "an")),
    ("송", ("송", "song")),
    ("유", ("유", "류", "ryu", "yu", "yoo", "you", "ryoo", "rhyu")),
    ("전", ("전", "jeon", "jun", "chun", "chon", "jon")),
    ("홍", ("홍", "hong")),
    ("고", ("고", "ko", "go", "koh")),
    ("문", ("문", "moon", "mun")),
    ("양", ("양", "량", "yang", "ryang")),
    ("손", ("손", "son", "sohn")),
    ("배", ("배", "bae", "pae", "bai")),
    ("백", ("백", "baek", "paek", "baik", "paik", "back")),
    ("허", ("허", "heo", "hur", "huh", "ho")),
    ("노", ("노", "로", "noh", "no", "roh", "ro")),
    ("남", ("남", "nam")),
    ("심", ("심", "shim", "sim")),
    ("하", ("하", "ha")),
    ("주", ("주", "joo", "ju", "chu", "choo")),
    ("구", ("구", "koo", "ku", "gu")),
    ("차", ("차", "cha")),
    ("우", ("우", "woo", "u")),
    ("나", ("나", "라", "na", "ra", "rah")),
    ("명", ("명", "myung", "myeong", "myong")),
    ("방", ("방", "bang", "pang")),
    ("현", ("현", "hyun", "hyeon", "hyon")),
)

# A spelling listed under two surnames keeps the first, as the .NET table does (GroupBy, First).
_BY_VARIANT: dict[str, str] = {}
for _canonical, _variants in _TABLE:
    for _variant in _variants:
        _BY_VARIANT.setdefault(_variant, _canonical)


def canonical_surname(folded: str) -> str | None:
    """The canonical Hangul surname for a folded spelling, or None when the table does not know it."""
    return _BY_VARIANT.get(folded)
