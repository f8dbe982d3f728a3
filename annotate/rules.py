"""Suggestion rules for Chinese political texts: built-in, switchable, each named (the name is the
suggestion's source), plus the user's own regular expressions with a label.

Rules read simplified text; annotate.suggest runs them on the simplified view of a traditional
document and maps the offsets back. A rule returns (start, end) code-point ranges and never writes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Callable, Iterable, Iterator

from sqlalchemy.orm import Session

from db import labels as label_rows
from db import rules as rule_rows

Range = tuple[int, int]

CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
NUMERALS = "〇零一二三四五六七八九十百千万两双几0-9０-９"
# Punctuation that ends a phrase: quoted text containing it is reported speech, not a formulation.
SENTENCE_PUNCTUATION = "，。！？；：,.!?;:…"

# ---------------------------------------------------------------- a text being scanned

class Scan:
    """A text and what several rules need from it, computed once: its quotations, each classified."""

    def __init__(self, text: str):
        self.text = text
        self._quotations: list[tuple[int, int, str | None]] | None = None

    @property
    def quotations(self) -> list[tuple[int, int, str | None]]:
        """(start, end, kind) of every quotation's content; kind is one of KINDS or None (a sentence)."""
        if self._quotations is None:
            text = self.text
            self._quotations = [(start, end, quotation_kind(text[start:end])) for start, end in quotations(text)]
        return self._quotations


# ---------------------------------------------------------------- quotations

# Opening and closing marks; ASCII quotes are paired within a line.
_QUOTE_PAIRS = {"“": "”", "「": "」", "『": "』", "‘": "’"}
_QUOTED = re.compile("|".join(f"{re.escape(o)}([^{re.escape(c)}\n]*){re.escape(c)}" for o, c in _QUOTE_PAIRS.items())
                     + r'|"([^"\n]*)"')
MAX_PHRASE = 12        # longer quotations are sentences, not formulations
MAX_ENUMERATION = 40
MAX_ITEM = 10
_ENUMERATION_SEPARATORS = re.compile(r"[、/]|\s+")
_HAS_SEPARATOR = re.compile(r"[、/\s]")
_NUMBERED = re.compile(f"^[{NUMERALS}]+(?:[+＋][{NUMERALS}]+)*[{CJK}]")
_PACKAGE = re.compile(f"[{CJK}][0-9０-９]+(?:条|项)(?:措施|举措|政策)?$|^[0-9]+(?:[+＋][0-9Nn]+)+$")


def quotations(text: str) -> Iterator[Range]:
    """Contents of quotation marks, without the marks and without surrounding spaces."""
    for match in _QUOTED.finditer(text):
        group = match.lastindex or 0
        start, end = match.span(group)
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if start < end:
            yield start, end


_SENTENCE_PUNCTUATION = re.compile(f"[{re.escape(SENTENCE_PUNCTUATION)}]")


def _is_phrase(content: str, limit: int) -> bool:
    return 2 <= len(content) <= limit and not _SENTENCE_PUNCTUATION.search(content)


def _is_enumeration(content: str) -> bool:
    """“迎盛会、铸忠诚、强担当、创业绩”: two or more short parallel items (or halves split by a space)."""
    if not _HAS_SEPARATOR.search(content) or not _is_phrase(content, MAX_ENUMERATION):
        return False
    items = [item for item in _ENUMERATION_SEPARATORS.split(content) if item]
    if len(items) < 2 or any(len(item) > MAX_ITEM for item in items):
        return False
    if "、" in content or "/" in content:
        return all(len(item) >= 2 for item in items)
    # Space-separated halves are parallel slogans only when balanced (“奋进新征程 建功新时代”); a
    # space left by PDF extraction (“千万工 程”) is not.
    return all(len(item) >= 3 for item in items) and max(map(len, items)) - min(map(len, items)) <= 2


@lru_cache(maxsize=8192)  # the genre repeats its formulations: most quotations were classified before
def quotation_kind(content: str) -> str | None:
    """What a quotation holds: a numbered formula, a policy package, an enumeration, a short phrase,
    or (None) something longer or punctuated — reported speech rather than a formulation."""
    if _is_phrase(content, MAX_PHRASE):
        if _PACKAGE.search(content):
            return "package"
        if _NUMBERED.match(content):
            return "numbered"
    if _is_enumeration(content):
        return "enumeration"
    if _is_phrase(content, MAX_PHRASE):
        return "phrase"
    return None


def _quoted(kind: str) -> Callable[[Scan], Iterator[Range]]:
    def find(scan: Scan) -> Iterator[Range]:
        for start, end, found in scan.quotations:
            if found == kind:
                yield start, end
    return find


_DIGIT_FORMULA = re.compile(r"[0-9]+(?:[+＋](?:[0-9]+|N|n))+")
_PLUS = re.compile("[+＋]")
_NUMBER_CHARS = "0123456789.+＋-－/:"  # a formula does not continue a number, a date or a phone number


def numbered_packages(scan: Scan) -> Iterator[Range]:
    """Policy packages: “稳经济33条” in quotation marks, and 1+3+4 / 1+N formulas anywhere."""
    text = scan.text
    quoted = {(start, end) for start, end, _ in scan.quotations}
    for start, end, kind in scan.quotations:
        if kind == "package":
            yield start, end
    reached = 0
    for plus in _PLUS.finditer(text):  # rare: look around each plus sign only
        start = plus.start()
        while start > reached and text[start - 1].isascii() and text[start - 1].isdigit():
            start -= 1
        match = _DIGIT_FORMULA.match(text, start)
        if match is None:
            continue
        reached = end = match.end()
        if (start and text[start - 1] in _NUMBER_CHARS) or (end < len(text) and text[end] in _NUMBER_CHARS):
            continue  # part of a longer number or expression
        if (start, end) not in quoted:
            yield start, end


# ---------------------------------------------------------------- guiding theories

_THEORY = re.compile(
    f"习近平(?:新时代中国特色社会主义|[{CJK}]{{2,4}}?)思想|毛泽东思想|邓小平理论|科学发展观"
    "|三个代表”?重要思想|马克思列宁主义")


def guiding_theories(scan: Scan) -> Iterator[Range]:
    """The named guiding theories of the Party's constitution: 习近平新时代中国特色社会主义思想,
    习近平经济思想 (and the other 习近平…思想), 毛泽东思想, 邓小平理论, 科学发展观 ..."""
    for match in _THEORY.finditer(scan.text):
        yield match.span()


# ---------------------------------------------------------------- institutions
#
# An institution is a chain: [中共] [place…] organ [sub-organ…], each organ a short name ending in a
# suffix (委, 部, 局, 办, 党组, 领导小组, …). Suffix characters that also end common words (干部,
# 大局, 常委, 通办) are guarded by the character before or after them.

# Characters that never occur inside an organ's name: particles, prepositions, conjunctions.
_STOP = "的了在是对把将为由向与及等各并就从以于被要或而也都还又再已其该此这那着过"
_NAME = f"[{CJK}](?<![{_STOP}])"
_PROVINCES = ("北京|天津|上海|重庆|河北|山西|辽宁|吉林|黑龙江|江苏|浙江|安徽|福建|江西|山东|河南|湖北|湖南|广东"
              "|海南|四川|贵州|云南|陕西|甘肃|青海|台湾|内蒙古|广西|西藏|宁夏|新疆|香港|澳门")
# A name does not run through a verb phrase (市委召开…, 介绍市委…) or join two institutions (市委和市政府).
_VERBS = ("召开|介绍|表示|指出|强调|主持|出席|印发|要求|认真|深入|贯彻|落实|推动|推进|坚持|加强|按照|根据|围绕"
          "|全力|积极|进一步|不断|切实|充分|发挥|开展|组织实施|牵头|负责|通过|审议|作出|做好|抓好|提出|联合")
# (The charset lookaheads only make failing fast: a full alternation is tried where its first character is.)
_VERB_STARTS = "".join(sorted({word[0] for word in _VERBS.split("|")} | {"和"}))
_CORE = f"(?:(?!(?=[{_VERB_STARTS}])(?:{_VERBS}|和(?:[市区县省国中]|{_PROVINCES})))(?:{_NAME}))"
_LEVEL_SUFFIX = "省|市|自治区|特别行政区|新区|区|县|自治州|州|盟|旗|镇|乡|街道"
_SUBPLACES = f"(?:{_CORE}{{2}}(?:{_LEVEL_SUFFIX}))*"
_PARTY = "中共|中国共产党"
# Whole institutions by themselves.
_HEADS = ("党中央|中共中央|国务院|中央军委|全国人大常委会|全国人大|全国政协|最高人民法院|最高人民检察院"
          "|中央纪委|国家监委")
# A level word opens an institution (市委, 区政府, 中央…领导小组) unless it ends a common word (全市, 社区).
_LEVELS = ("市(?<![全我本城都超上门夜股集坊]市)|区(?<![社园地景小片辖山城郊灾战禁老特市商新]区)"
           "|县(?<!郡县)|省(?<![外全本]省)|中央(?<!党中央)|国家")
_SUFFIXES = (
    "常务委员会|委员会|常委会|管委会|理论学习中心组|中心组|领导小组办公室|领导小组|工作小组|巡回指导组|指导组|巡视组"
    "|督导组|工作组|指挥部|办公厅|办公室|党工委|党委|党组(?!织)|纪委|监委|工委|政府|人大|政协|法院|检察院"
    "|研究院|研究室|研究所|研究中心|科学院|设计院|总队|支队|大队|派出所|联合会|工商联|总工会|团委|妇联|科协"
    "|侨联|残联|文联|社科联|学会|协会|商会|基金会|集团|公司|银行|大学(?![习生])|学院|医院|总台|电视台|广播电台"
    "|日报社|日报|晚报|通讯社|出版社|网信办|新闻办"
    "|(?<![干全内外局总东西南北中上下前后底腹头面背胸脑足乐本支大小一各细俱副])部(?![署门长位件队])"
    "|(?<![大布格开全结当残时变政战棋骗新破僵终定赌饭出入危困乱顾平胜败账牌一副])局(?![面势部限长])"
    "|(?<![常])委(?![员托屈派婉靡身])"
    "|(?<![大客餐门舞展音歌前后正侧])厅(?![长])"
    "|(?<![部签公专])署"
    "|(?<![通可创举开主承督协包兴查代合筹好要必难能实试停待接严法快来去会想怎照经补重民公共操买])办(?![理法事学好成实案公])"
    "|(?<![为以核中重])中心(?![任工组思])"
)
_SUFFIX_STARTS = "".join(sorted({re.sub(r"^\(\?<!\[[^]]*\]\)", "", alternative)[0]
                                  for alternative in _SUFFIXES.split("|")}))
_UNIT = f"{_CORE}{{0,16}}?(?=[{_SUFFIX_STARTS}])(?:{_SUFFIXES})"
_ORGANS = f"(?:第[{NUMERALS}]+届(?:{_SUFFIXES})|(?:{_UNIT})+)"
# Where an institution can start; each match is tried with _CHAIN below (cheaper than one big search).
_ANCHOR = re.compile(f"{_PARTY}|{_HEADS}|{_PROVINCES}|{_LEVELS}")
_CHAIN = re.compile(
    f"(?:{_PARTY})(?:(?:{_PROVINCES})(?:省|市|自治区)?{_SUBPLACES}|{_CORE}{{2,3}}?(?:{_LEVEL_SUFFIX}){_SUBPLACES})?"
    f"(?:(?:中央|国家)?{_ORGANS}|中央)"
    f"|(?:{_HEADS})(?:{_UNIT})*"
    f"|(?:{_PROVINCES})(?:省|市|自治区)?{_SUBPLACES}{_ORGANS}"
    f"|(?:{_LEVELS}){_ORGANS}")
# Other places (南开区委, 滨海新区管委会) are recognised where a clause starts.
_PLACE_ORGANS = f"({_CORE}{{2,3}}?(?:{_LEVEL_SUFFIX}){_SUBPLACES}{_ORGANS})"
_PLACE_AT_BOUNDARY = re.compile(f"[^{CJK}](?=[{CJK}]{{2,3}}[省市区县州盟旗镇乡街]){_PLACE_ORGANS}")
_PLACE_AT_START = re.compile(_PLACE_ORGANS)


def institutions(scan: Scan) -> Iterator[Range]:
    """Institution names, longest match: 中共天津市委, 市委组织部, 市发展改革委党组, 中央主题教育领导小组."""
    text = scan.text
    found = [match.span(1) for match in _PLACE_AT_BOUNDARY.finditer(text)]
    first = _PLACE_AT_START.match(text)
    if first:
        found.append(first.span(1))
    reached = 0
    for anchor in _ANCHOR.finditer(text):
        if anchor.start() < reached:
            continue
        match = _CHAIN.match(text, anchor.start())
        if match:
            found.append(match.span())
            reached = match.end()
    found.sort(key=lambda r: (r[0], -r[1]))
    reached = 0
    for start, end in found:
        if start >= reached:
            yield start, end
            reached = end


# ---------------------------------------------------------------- document titles

_TITLE = re.compile(r"《([^《》\n]{1,80})》")


def document_titles(scan: Scan) -> Iterator[Range]:
    for match in _TITLE.finditer(scan.text):
        yield match.span(1)


# ---------------------------------------------------------------- the rule set

@dataclass(frozen=True)
class BuiltinRule:
    name: str
    label: str  # default label (name); a database can give the rule another
    description: str
    find: Callable[[Scan], Iterable[Range]]


BUILTIN: tuple[BuiltinRule, ...] = (
    BuiltinRule("quoted_numbered", "SLOGAN", "quoted formulations that start with a numeral: “两个确立”, “十项行动”, “三个一百”",
                _quoted("numbered")),
    BuiltinRule("quoted_enumeration", "SLOGAN", "quoted enumerations: “围住、筛全、捞干、扑灭”, “奋进新征程 建功新时代”",
                _quoted("enumeration")),
    BuiltinRule("numbered_package", "SLOGAN", "numbered policy packages: “稳经济33条”, 1+3+4", numbered_packages),
    BuiltinRule("quoted_phrase", "SLOGAN", f"other short quoted phrases (2-{MAX_PHRASE} characters): “放管服”, “动态清零”",
                _quoted("phrase")),
    BuiltinRule("guiding_theory", "SLOGAN", "named guiding theories: 习近平新时代中国特色社会主义思想, 习近平经济思想",
                guiding_theories),
    BuiltinRule("institution", "INSTITUTION", "institution names, longest match: 中共天津市委, 市委组织部, 市发展改革委党组",
                institutions),
    BuiltinRule("document_title", "DOCUMENT", "document titles in 《…》 (needs a DOCUMENT label, or give it another)",
                document_titles),
)
BY_NAME = {rule.name: rule for rule in BUILTIN}


class RuleError(ValueError):
    """A rule that cannot be added or used (bad pattern, unknown label or rule)."""


def compile_pattern(pattern: str) -> re.Pattern:
    """A user rule's regex; its first group, if it has one, is the suggested span."""
    try:
        compiled = re.compile(pattern)
    except re.error as error:
        raise RuleError(f"pattern “{pattern}” is not a valid regular expression: {error}") from None
    if compiled.match(""):
        raise RuleError(f"pattern “{pattern}” matches the empty string")  # as typed: \d, not \\d
    return compiled


def _pattern_finder(compiled: re.Pattern) -> Callable[[Scan], Iterator[Range]]:
    group = 1 if compiled.groups else 0

    def find(scan: Scan) -> Iterator[Range]:
        for match in compiled.finditer(scan.text):
            start, end = match.span(group)
            if start < end:
                yield start, end
    return find


@dataclass(frozen=True)
class RuleInfo:
    """A rule as the rules panel and `rules list` show it."""

    name: str
    builtin: bool
    description: str
    label_id: int | None
    label: str | None  # None: the label does not exist in this database
    enabled: bool

    @property
    def active(self) -> bool:
        return self.enabled and self.label_id is not None


@dataclass(frozen=True)
class ActiveRule:
    name: str
    label_id: int
    find: Callable[[Scan], Iterable[Range]]


def rule_infos(session: Session) -> list[RuleInfo]:
    labels = {label.id: label.name for label in label_rows.all_labels(session)}
    ids = {name: label_id for label_id, name in labels.items()}
    rows = {row.name: row for row in rule_rows.all_rules(session)}
    infos = []
    for rule in BUILTIN:
        row = rows.pop(rule.name, None)
        label_id = row.label_id if row and row.label_id is not None else ids.get(rule.label)
        infos.append(RuleInfo(rule.name, True, rule.description, label_id,
                              labels.get(label_id) if label_id else None, row.enabled if row else True))
    for row in rows.values():
        if row.pattern is not None:
            infos.append(RuleInfo(row.name, False, row.pattern, row.label_id, labels.get(row.label_id),
                                  row.enabled))
    return infos


def active_rules(session: Session) -> list[ActiveRule]:
    """The enabled rules whose label exists, ready to run."""
    rows = {row.name: row for row in rule_rows.all_rules(session)}
    active = []
    for info in rule_infos(session):
        if not info.active:
            continue
        if info.builtin:
            find = BY_NAME[info.name].find
        else:
            try:
                find = _pattern_finder(compile_pattern(rows[info.name].pattern))
            except RuleError:
                continue  # stored by an older version or by hand; `rules list` shows it
        active.append(ActiveRule(info.name, info.label_id, find))
    return active


def run(rules: Iterable[ActiveRule], text: str) -> list[tuple[int, int, int, str]]:
    """(start, end, label_id, rule name) of every match of every rule, in rule order."""
    scan = Scan(text)
    return [(start, end, rule.label_id, rule.name) for rule in rules for start, end in rule.find(scan)]


# ---------------------------------------------------------------- changing rules

def _label_id(session: Session, label: str) -> int:
    found = label_rows.by_name(session, label)
    if found is None:
        raise RuleError(f"no label {label!r}; add it with: main.py labels add {label}")
    return found.id


def keep_label(session: Session, old_name: str, label_id: int) -> None:
    """A label renamed from `old_name`: the built-in rules that found it by that name keep it by id."""
    rows = {row.name: row for row in rule_rows.all_rules(session)}
    for rule in BUILTIN:
        row = rows.get(rule.name)
        if rule.label == old_name and (row is None or row.label_id is None):
            rule_rows.put(session, name=rule.name, pattern=None, label_id=label_id,
                          enabled=row.enabled if row else True)


def set_enabled(session: Session, name: str, enabled: bool) -> None:
    row = rule_rows.get(session, name)
    if row is None and name not in BY_NAME:
        raise RuleError(f"no rule {name!r}")
    rule_rows.put(session, name=name, pattern=row.pattern if row else None,
                  label_id=row.label_id if row else None, enabled=enabled)


def set_label(session: Session, name: str, label: str) -> None:
    row = rule_rows.get(session, name)
    if row is None and name not in BY_NAME:
        raise RuleError(f"no rule {name!r}")
    rule_rows.put(session, name=name, pattern=row.pattern if row else None, label_id=_label_id(session, label),
                  enabled=row.enabled if row else True)


def add_pattern_rule(session: Session, name: str, pattern: str, label: str) -> None:
    if name in BY_NAME:
        raise RuleError(f"{name!r} is the name of a built-in rule")
    if not name.strip():
        raise RuleError("a rule needs a name")
    compile_pattern(pattern)
    rule_rows.put(session, name=name, pattern=pattern, label_id=_label_id(session, label), enabled=True)


def remove_pattern_rule(session: Session, name: str) -> None:
    row = rule_rows.get(session, name)
    if row is None or row.pattern is None:
        raise RuleError(f"no user rule {name!r} (built-in rules can only be switched off)")
    rule_rows.remove(session, name)
