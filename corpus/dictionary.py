"""The words the segmenter must keep whole: built-in formulations of the genre plus the project's lexicon.

jieba's dictionary (2013) has none of 两个确立, 两个维护, 十项行动, 新质生产力, ... so they come out split
(两个/维护). Every word here is added with the same explicit frequency, high enough that it stays whole in
context, low enough that adding a few thousand barely shifts how the rest of a text is cut (measured on the
seeds: 1,000 extra words at 5,000 change no token; at 100,000, four).

The version is a hash of everything that decides the tokens, so cached segmentations made with another
word list are recomputed, and two databases with the same lexicon share results.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import metadata
from typing import Iterable

from sqlalchemy.orm import Session

WORD_FREQUENCY = 5_000
FORMAT = 1  # bump when the way words are chosen or added changes

# Slogans, formulations and bodies that recur in party and government texts (none is in jieba's dictionary).
GENRE_WORDS = (
    # formulations and slogans
    "两个确立", "两个维护", "四个意识", "四个自信", "两个大局", "国之大者", "两个毫不动摇", "四个全面",
    "五位一体", "三个着力", "十项行动", "六个必须坚持", "新发展理念", "新发展格局", "新发展阶段",
    "高质量发展", "中国式现代化", "新质生产力", "全过程人民民主", "京津冀协同发展", "走深走实",
    "善作善成", "守正创新", "自我革命", "全面从严治党", "全面深化改革", "以人民为中心", "稳中求进",
    "共同富裕", "乡村振兴", "一带一路", "碳达峰", "碳中和", "双碳", "放管服", "六稳", "六保",
    "营商环境", "枫桥经验", "接诉即办", "一网通办", "河长制", "两学一做", "三会一课", "八项规定",
    "中央八项规定", "四风", "一岗双责", "主题教育", "不忘初心", "牢记使命", "初心使命", "新征程",
    "新时代新征程", "政治判断力", "政治领悟力", "政治执行力", "党建引领", "基层治理", "疫情防控",
    "两企三新", "稳经济33条", "中国特色社会主义", "习近平新时代中国特色社会主义思想",
    "社会主义现代化大都市", "党的二十大", "党的二十届三中全会",
    # bodies
    "市委组织部", "市委宣传部", "市委办公厅", "市政府办公厅", "市纪委监委", "市发展改革委",
    "市工业和信息化局", "市生态环境局", "市委社会工作部", "市委常委会", "市人大常委会",
    "市政府新闻办", "理论学习中心组", "新闻发言人", "新闻发布会",
)

# What both jieba and its Rust port treat as one block of a word; a word with any other character (a hyphen,
# a space, 𠀀) could never come out as one token, and the two would not agree on it.
_SEGMENTABLE = re.compile(r"[\u4e00-\u9fd5a-zA-Z0-9+#&._%]{2,}")


@dataclass(frozen=True)
class Dictionary:
    words: tuple[str, ...]  # sorted, unique, all segmentable
    version: str


def make_dictionary(terms: Iterable[str]) -> Dictionary:
    """Built-in words plus `terms` (and their simplified forms: traditional text is cut after t2s)."""
    return _make(tuple(sorted(set(terms))))


@lru_cache(maxsize=16)
def _make(terms: tuple[str, ...]) -> Dictionary:
    from corpus.script import t2s

    words = set(GENRE_WORDS)
    for term in terms:
        term = term.strip()
        for form in (term, t2s(term)):
            if _SEGMENTABLE.fullmatch(form):
                words.add(form)
    ordered = tuple(sorted(words))
    digest = hashlib.sha256()
    digest.update(f"{FORMAT}|{WORD_FREQUENCY}|jieba {_jieba_version()}|".encode())
    digest.update("\n".join(ordered).encode("utf-8"))
    return Dictionary(ordered, digest.hexdigest()[:16])


@lru_cache(maxsize=1)
def builtin_dictionary() -> Dictionary:
    return make_dictionary(())


def project_dictionary(session: Session) -> Dictionary:
    """The dictionary of the database behind `session`: its lexicon's accepted terms and their variants.

    Every lexicon write leaves a new random version token behind, so a token seen before stands for the
    same terms (document_tokens asks for every document, an export for thousands)."""
    from db import lexicon

    token = lexicon.version(session)
    found = _by_lexicon_version.get(token) if token else None
    if found is None:
        terms = [form for entry in lexicon.entries(session, include_rejected=False) for form in entry.forms]
        found = make_dictionary(terms) if terms else builtin_dictionary()
        if token:
            if len(_by_lexicon_version) >= 16:
                _by_lexicon_version.clear()
            _by_lexicon_version[token] = found
    return found


_by_lexicon_version: dict[str, Dictionary] = {}


def dictionary_version(session: Session) -> str:
    return project_dictionary(session).version


@lru_cache(maxsize=1)
def _jieba_version() -> str:
    try:
        return metadata.version("jieba")
    except metadata.PackageNotFoundError:
        return "unknown"
