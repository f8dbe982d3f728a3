"""Reading a text file's bytes into a str: which encoding, or a refusal that says why.

Cheap, certain checks come first (byte-order mark, NUL bytes, strict UTF-8). A file that is not UTF-8 is
tried strictly as GB18030 (a superset of GBK) and as Big5; when both decode, the one that reads as ordinary
Chinese wins. charset-normalizer alone confuses GBK and Big5 on short texts (a 12-character headline comes
out as UTF-16 or Shift-JIS), so it is only asked when neither reading is plausible Chinese.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

MAX_FILE_BYTES = 256 * 1024 * 1024

_BOMS = (  # longest first: the UTF-32 LE mark starts with the UTF-16 LE one
    (codecs.BOM_UTF32_LE, "utf-32", "UTF-32 LE"),
    (codecs.BOM_UTF32_BE, "utf-32", "UTF-32 BE"),
    (codecs.BOM_UTF8, "utf-8-sig", "UTF-8 with BOM"),
    (codecs.BOM_UTF16_LE, "utf-16", "UTF-16 LE"),
    (codecs.BOM_UTF16_BE, "utf-16", "UTF-16 BE"),
)
_FILE_TYPES = (  # magic numbers of files people drop into a corpus folder by mistake
    (b"%PDF-", "a PDF file; extract its text first (e.g. pdftotext -layout)"),
    (b"PK\x03\x04", "a ZIP archive (.docx, .xlsx, .zip); save it as plain text first"),
    (b"\xd0\xcf\x11\xe0", "an old Office document (.doc, .xls); save it as plain text first"),
    (b"{\\rtf", "an RTF document; save it as plain text first"),
)
# Chinese legacy encodings tried strictly, in order of preference when the scores tie.
_CHINESE = (("gb18030", "GB18030"), ("cp950", "Big5"), ("big5hkscs", "Big5-HKSCS"))
# What the plausibility scores count: characters beyond ASCII that are not punctuation or spaces.
_SCORED = re.compile(r"[^\x00-\x7f\s\u2000-\u206f\u3000-\u303f\uff00-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65]")
_CONTROLS = re.compile(r"[\x00-\x08\x0e-\x1a\x1c-\x1f\x7f]")  # all but \t \n \v \f \r and ESC
_MAX_CONTROL_SHARE = 0.002
# A decoding is plausible Chinese when most of its characters are common ones and many are very frequent.
_MIN_COMMON_SHARE = 0.8
_MIN_FREQUENT_SHARE = 0.3
_SHORT = 20  # below this many scored characters the frequent-character share is too noisy to require

# The 500 most frequent Chinese characters, simplified: summed word frequencies of jieba's dictionary.
_FREQUENT = frozenset(
    "一是人了不在有大中国和为这上他个地年来我会以到时要出的生学说道民家子也成行下们于后就发自之对得主长可过天作分方用多你着部"
    "能市等业全里工公经本都而高政法面门动日进区事代那去心小同北定开产前其军还然起种所如现理机体表力好外与文当两实重新三么只山"
    "水关明从化平建又制南内西没此将员名手最东头者月间无安看见各城十相但已些正口通想度加第她合院物性战由位常点海意场武使次二向"
    "治因立数样身情入原问把路被并利石老教万知级量任江及应省资委务元美特期世湖回系比气汉总展电科金先声提品设或义王社很统处四首"
    "共马形己儿司太目基领队直计别女权话少流命至报米给打变果书清活几州华解议更称程今决张导术府才保交放管结师便走达族反再题色五"
    "京河接条规式县白它改风光运信受什组听布百济党指论强做取技黄神选记斯真却职号界件花类何眼兵传带空干农边据集联古广完质阳难增"
    "历史专官每住商即步认车台林必死游举线言皇土团收考求德叫近备研争非具李众连调感转笑革该持始英克士尔让拉思根格造较际亲单朝红"
    "型价校约器字段周亚深候则功属积快图火千准究往极育装许参半令吃观鱼精办像帝八复影告远群包整构料随划算象容示投势热值夫网望源"
    "息语股铁断派速怎需片爱律纪支早况病境证编"
)


class RefusedFile(Exception):
    """A file that cannot be imported as text; the message says which file and why."""

    def __init__(self, path: str, reason: str):
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str  # what the user is told: "UTF-8", "GB18030", "Big5", "UTF-16 LE", ...


def read_text(path: str | Path) -> Decoded:
    """Read and decode one text file, or raise RefusedFile naming it."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise RefusedFile(str(path), f"{size / 2**20:.0f} MB is too large for one document "
                              f"(limit {MAX_FILE_BYTES // 2**20} MB); split it into several files")
        data = path.read_bytes()
    except OSError as error:
        raise RefusedFile(str(path), f"cannot be read ({error.strerror or error})") from None
    return decode_bytes(data, str(path))


def decode_bytes(data: bytes, name: str) -> Decoded:
    """Decide the encoding of `data` (the contents of the file `name`) and decode it."""
    if not data:
        raise RefusedFile(name, "the file is empty")
    for bom, codec, label in _BOMS:
        if data.startswith(bom):
            try:
                return _checked(data.decode(codec), label, name)
            except UnicodeDecodeError as error:
                raise RefusedFile(name, f"starts with a {label} byte-order mark but is not valid {label} "
                                  f"(byte {error.start})") from None
    for magic, what in _FILE_TYPES:
        if data.startswith(magic):
            raise RefusedFile(name, what)
    if b"\x00" in data:
        utf16 = _bomless_utf16(data)
        if utf16 is not None:
            return _checked(*utf16, name)
        raise RefusedFile(name, "binary file (contains NUL bytes), not text")
    try:
        return _checked(data.decode("utf-8"), "UTF-8", name)
    except UnicodeDecodeError:
        pass
    best = _best_chinese(data)
    if best is not None:
        return _checked(*best, name)
    return _checked(*_ask_charset_normalizer(data, name), name)


def _checked(text: str, encoding: str, name: str) -> Decoded:
    """Refuse decoded text that is mostly control characters (a binary file that happened to decode)."""
    if not text.strip():
        raise RefusedFile(name, "contains no text (only white space)")
    controls = len(_CONTROLS.findall(text))
    if controls > max(2, len(text) * _MAX_CONTROL_SHARE):
        raise RefusedFile(name, f"looks binary ({controls} control characters in {len(text)}), not text")
    return Decoded(text, encoding)


def _bomless_utf16(data: bytes) -> tuple[str, str] | None:
    """UTF-16 without a byte-order mark: the byte order whose decoding reads as text, if one does.

    (ASCII characters put their NUL bytes all on one side, but CJK ones like 一 U+4E00 have NULs too, and
    both byte orders decode Chinese into letters of some script, so the decodings are compared.)
    """
    if len(data) % 2:
        return None
    best = None
    for codec, label in (("utf-16-le", "UTF-16 LE"), ("utf-16-be", "UTF-16 BE")):
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        share = _ordinary_share(text)
        if share >= 0.9 and (best is None or share > best[0]):
            best = (share, text, label)
    return (best[1], best[2]) if best else None


def _ordinary_share(text: str) -> float:
    """Share of printable ASCII, white space, common Chinese characters (after 繁→简) and CJK punctuation."""
    from corpus.script import t2s

    common = _common_characters()
    text = t2s(text)
    ordinary = sum(1 for ch in text if " " <= ch < "\x7f" or ch in "\t\n\r" or ch in common
                   or "\u3000" <= ch <= "\u303f" or "\uff00" <= ch <= "\uffef" or "\u2010" <= ch <= "\u2027")
    return ordinary / len(text) if text else 0.0


@dataclass(frozen=True)
class _Reading:
    text: str
    encoding: str
    common: float  # share of characters among the 3,755 common ones (GB2312 level 1), after 繁→简
    frequent: float  # share among the 500 most frequent ones
    scored: int  # how many characters were scored

    @property
    def plausible(self) -> bool:
        if self.scored == 0:
            return False
        if self.common < _MIN_COMMON_SHARE:
            return False
        return self.scored < _SHORT or self.frequent >= _MIN_FREQUENT_SHARE


def _best_chinese(data: bytes) -> tuple[str, str] | None:
    """The strict GB18030 or Big5 decoding that reads most like Chinese, if one is plausible."""
    readings = []
    for codec, label in _CHINESE:
        if label.startswith("Big5") and any(r.encoding.startswith("Big5") for r in readings):
            continue  # Big5-HKSCS only when plain Big5 (cp950) failed
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        readings.append(_score(text, label))
    plausible = [r for r in readings if r.plausible]
    if not plausible:
        return None
    best = max(plausible, key=lambda r: (r.common + r.frequent, -readings.index(r)))
    return best.text, best.encoding


def _score(text: str, encoding: str, sample: int = 1_000) -> _Reading:
    from corpus.script import t2s

    scored = _SCORED.findall(t2s(text[:sample]))
    if not scored:
        return _Reading(text, encoding, 0.0, 0.0, 0)
    common = sum(map(_common_characters().__contains__, scored))
    frequent = sum(map(_FREQUENT.__contains__, scored))
    return _Reading(text, encoding, common / len(scored), frequent / len(scored), len(scored))


@lru_cache(maxsize=1)
def _common_characters() -> frozenset[str]:
    """GB2312 level 1: the 3,755 characters that make up nearly all of ordinary modern Chinese text."""
    chars = set()
    for lead in range(0xB0, 0xD8):
        for trail in range(0xA1, 0xFF):
            try:
                chars.add(bytes((lead, trail)).decode("gb2312"))
            except UnicodeDecodeError:
                pass  # the last row is not full
    return frozenset(chars)


def _ask_charset_normalizer(data: bytes, name: str) -> tuple[str, str]:
    from charset_normalizer import from_bytes

    match = from_bytes(data).best()
    # Without a byte-order mark its UTF-16/32 guesses are wrong for files that reach this point.
    if match is None or match.encoding.startswith(("utf_16", "utf_32")) or match.chaos > 0.1:
        raise RefusedFile(name, "cannot tell its encoding (it is not UTF-8, GB18030 or Big5 text); "
                                "save it as UTF-8 and import it again")
    return str(match), match.encoding.replace("_", "-")
