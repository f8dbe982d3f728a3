"""Built-in rules on the genre's patterns, user regex rules, switching rules and their labels."""

from __future__ import annotations

import pytest

from annotate import rules
from annotate.rules import RuleError, Scan
from db import labels


def found(rule: str, text: str) -> list[str]:
    return [text[start:end] for start, end in rules.BY_NAME[rule].find(Scan(text))]


def test_quoted_formulations_by_kind():
    text = ("要把“两个确立”落到实处，推进“四下基层”，深化“街乡吹哨、部门报到”，落实“助企纾困15条”，"
            "坚持“枫桥经验”，他说：“这样的机会，真是太难得了！”以“学”字当头。")
    assert found("quoted_numbered", text) == ["两个确立", "四下基层"]
    assert found("quoted_enumeration", text) == ["街乡吹哨、部门报到"]
    assert found("numbered_package", text) == ["助企纾困15条"]
    assert found("quoted_phrase", text) == ["枫桥经验"]  # not the sentence, not the single character


def test_corner_brackets_ascii_quotes_and_spaces_inside():
    text = '推进「枫桥经验」和"双碳"工作，深化"学真理论"，“ 千万工 程 ”经验，“牢记嘱托 善作善成”'
    assert found("quoted_phrase", text) == ["枫桥经验", "学真理论"]
    assert found("quoted_numbered", text) == ["双碳", "千万工 程"]
    assert found("quoted_enumeration", text) == ["牢记嘱托 善作善成"]


def test_digit_formulas_anywhere_but_not_inside_numbers():
    text = "构建“1+3+4”体系，落实1+N政策，电话022-2345+1，版本3.5+2不算"
    assert found("numbered_package", text) == ["1+3+4", "1+N"]


def test_guiding_theories():
    text = "以习近平新时代中国特色社会主义思想为指导，深入学习习近平法治思想和毛泽东思想，习近平同志指出"
    assert found("guiding_theory", text) == ["习近平新时代中国特色社会主义思想", "习近平法治思想", "毛泽东思想"]


@pytest.mark.parametrize("text,expected", [
    ("中共天津市南开区委理论学习中心组召开会议", ["中共天津市南开区委理论学习中心组"]),
    ("市委组织部副部长王立明表示", ["市委组织部"]),
    ("按照市委要求，市工业和信息化局党组认真落实", ["市委", "市工业和信息化局党组"]),
    ("市委、市政府部署要求", ["市委", "市政府"]),
    ("市委和市政府高度重视", ["市委", "市政府"]),
    ("由市委常委会主持，市委常委、秘书长出席", ["市委常委会", "市委"]),
    ("全市党员干部要顾全大局，开创新局面", []),
    ("社区党群服务中心、一网通办、全部门", []),
    ("认真落实中央主题教育领导小组部署", ["中央主题教育领导小组"]),
    ("中国共产党北京市第十三届委员会第二次全体会议", ["中国共产党北京市第十三届委员会"]),
    ("国务院办公厅印发通知，党中央高度重视", ["国务院办公厅", "党中央"]),
    ("石家庄市委书记", ["石家庄市委"]),
])
def test_institutions_longest_match(text, expected):
    assert found("institution", text) == expected


def test_document_titles():
    assert found("document_title", "审议通过《关于深化改革的决定》和《通知》") == ["关于深化改革的决定", "通知"]


def _label(session, name):
    return labels.by_name(session, name).id


def test_rules_are_switched_relabelled_and_inactive_without_their_label(database):
    with database.transaction() as session:
        infos = {info.name: info for info in rules.rule_infos(session)}
        assert infos["institution"].active and infos["institution"].label == "INSTITUTION"
        assert not infos["document_title"].active and infos["document_title"].label is None
        rules.set_enabled(session, "quoted_phrase", False)
        rules.set_label(session, "document_title", "TASK")
    with database.session() as session:
        active = {rule.name: rule.label_id for rule in rules.active_rules(session)}
        assert "quoted_phrase" not in active
        assert active["document_title"] == _label(session, "TASK")
    with database.transaction() as session:
        with pytest.raises(RuleError, match="no rule 'nope'"):
            rules.set_enabled(session, "nope", True)
        with pytest.raises(RuleError, match="no label 'NOPE'"):
            rules.set_label(session, "institution", "NOPE")


def test_user_rules_use_their_first_group_and_refuse_bad_patterns(database):
    with database.transaction() as session:
        rules.add_pattern_rule(session, "packages", r"“?([\u4e00-\u9fff]{2,6}\d+条)", "SLOGAN")
        rules.add_pattern_rule(session, "councils", r"[\u4e00-\u9fff]{2}委员会", "INSTITUTION")
        with pytest.raises(RuleError, match="not a valid regular expression"):
            rules.add_pattern_rule(session, "broken", "(unclosed", "SLOGAN")
        with pytest.raises(RuleError, match="matches the empty string"):
            rules.add_pattern_rule(session, "empty", "x*", "SLOGAN")
        with pytest.raises(RuleError, match=r"^pattern “\(\\d\*\)” matches"):  # shown as typed: \d, not \\d
            rules.add_pattern_rule(session, "digits", r"(\d*)", "SLOGAN")
        with pytest.raises(RuleError, match="built-in"):
            rules.add_pattern_rule(session, "institution", "x", "SLOGAN")
    with database.session() as session:
        active = [rule for rule in rules.active_rules(session) if rule.name in ("packages", "councils")]
        text = "落实“稳就业14条”，住建委员会"
        assert [(text[s:e], name) for s, e, _, name in rules.run(active, text)] == [
            ("稳就业14条", "packages"), ("住建委员会", "councils")]
    with database.transaction() as session:
        rules.remove_pattern_rule(session, "packages")
        with pytest.raises(RuleError, match="built-in rules can only be switched off"):
            rules.remove_pattern_rule(session, "institution")
        assert [info.name for info in rules.rule_infos(session) if not info.builtin] == ["councils"]
