"""The relevance flag (与学习教育关联不紧密), from the phrase model in publicity/relevance.toml."""

import pytest

from tuijin.publicity import relevance

ABOUT_THE_CAMPAIGN = [
    ("县教育局党委扎实推进主题教育", "围绕学思想、强党性开展专题研讨，检视问题 12 条，已整改 8 条。"),
    ("城关镇把办实事落到群众急难愁盼上", "党支部结合调查研究，为独居老人办实事，建成助餐点 3 处。"),
    ("第一党支部读原著学原文", "集中学习习近平新时代中国特色社会主义思想，党员撰写心得体会。"),
]
NOT_ABOUT_IT = [
    ("我局召开三季度招商引资推进会", "会议通报了前三季度招商引资完成情况，签约项目 6 个。"),
    ("县直机关举办职工运动会", "本次运动会设拔河、跳绳等项目，参赛职工 300 余人。"),
    ("全县安全生产大检查", "检查企业 45 家，发现隐患 30 处，已督促整改。"),
    # A unit's name is not the campaign: 党支部 in the title earns nothing.
    ("东城区社会组织4第3党支部召开三季度招商引资推进会", "会议通报了前三季度招商引资完成情况，签约项目 6 个。"),
]


@pytest.mark.parametrize("title, body", ABOUT_THE_CAMPAIGN)
def test_pieces_about_the_campaign_are_not_flagged(title, body):
    assert relevance.check(title, body) == []


@pytest.mark.parametrize("title, body", NOT_ABOUT_IT)
def test_pieces_about_other_work_are_flagged_with_a_reason(title, body):
    reasons = relevance.check(title, body)
    assert reasons
    assert any("未体现主题教育" in r or "关联不紧密" in r or "较少" in r for r in reasons)


def test_the_reason_names_the_subject_when_the_model_knows_it():
    assert "主要写招商引资等业务工作，未体现主题教育" in relevance.check(*NOT_ABOUT_IT[0])


def test_a_longer_term_is_not_also_counted_as_the_shorter_one():
    total, found = relevance.score("", "调查研究")
    assert found == ["调查研究"] and total == relevance.model().terms["调查研究"]
