"""材料雷同 on pinned pairs: copied with light edits is found; the same topic in other words is not;
within one unit is not copying across units."""

import datetime as dt

from tuijin.publicity import copies
from tuijin.publicity.copies import Text

ORIGINAL = (
    "通过这次主题教育集中学习，我深刻认识到理论学习必须往深里走、往实里走。"
    "作为一名基层党员，要把学习成果转化为服务群众的实际行动，主动走访困难群众，"
    "及时解决群众反映的急难愁盼问题，在岗位上发挥先锋模范作用。"
)
# Light edits: a changed unit word, two swapped words, different punctuation, one added clause.
LIGHT_EDIT = (
    "通过本次主题教育的集中学习，我深刻认识到理论学习一定要往深里走、往实里走！"
    "作为一名普通党员，要把学习成果转化成服务群众的实际行动，主动走访困难群众，"
    "及时解决群众反映的急难愁盼问题，在本职岗位上发挥先锋模范作用。"
)
SAME_TOPIC = (
    "参加主题教育以来，我反复研读原著，体会到学习不能停留在笔记本上。"
    "今后我将经常到村里听取意见，帮老人和留守儿童解决看病、上学等具体困难，"
    "用实际工作成效检验学习效果，争做合格党员。"
)
D1, D2 = dt.date(2026, 10, 1), dt.date(2026, 10, 5)


def test_light_edits_are_found_and_the_later_text_is_the_copy():
    found = copies.find_pairs([Text(("self_study", 1), 10, D1, ORIGINAL), Text(("self_study", 2), 20, D2, LIGHT_EDIT)])
    assert len(found) == 1
    pair = found[0]
    assert pair.a.key == ("self_study", 1) and pair.b.key == ("self_study", 2)
    assert pair.similarity >= copies.THRESHOLD


def test_same_topic_in_other_words_is_not_found():
    found = copies.find_pairs([Text(("self_study", 1), 10, D1, ORIGINAL), Text(("self_study", 3), 20, D2, SAME_TOPIC)])
    assert found == []
    assert copies.jaccard(copies.shingles(ORIGINAL), copies.shingles(SAME_TOPIC)) < 0.1


def test_within_one_unit_is_not_copying_across_units_and_short_texts_are_skipped():
    assert (
        copies.find_pairs([Text(("self_study", 1), 10, D1, ORIGINAL), Text(("self_study", 2), 10, D2, LIGHT_EDIT)])
        == []
    )
    assert (
        copies.find_pairs(
            [Text(("a", 1), 1, D1, "认真学习，受益匪浅。"), Text(("a", 2), 2, D2, "认真学习，受益匪浅。")]
        )
        == []
    )


def test_across_sources_and_one_new_text_against_the_index():
    index = copies.Index()
    index.add([Text(("measure", 7), 10, D1, ORIGINAL), Text(("self_study", 3), 20, D2, SAME_TOPIC)])
    found = index.match(Text(("submission", 9), 30, dt.date(2026, 11, 1), LIGHT_EDIT))
    assert [(f.a.key, f.b.key) for f in found] == [(("measure", 7), ("submission", 9))]


def test_passages_mark_the_matched_stretches_on_both_sides():
    left, right, matched = copies.passages(ORIGINAL, LIGHT_EDIT)
    assert "".join(t for t, _ in left) == ORIGINAL and "".join(t for t, _ in right) == LIGHT_EDIT
    assert any(m and "主动走访困难群众" in t for t, m in left)
    assert any(m and "主动走访困难群众" in t for t, m in right)
    assert matched > len(ORIGINAL) // 2


def test_a_phrase_typed_by_many_is_one_group_and_each_later_text_is_reported_once():
    texts = [Text(("self_study", i), i % 7, D1 + dt.timedelta(days=i), ORIGINAL) for i in range(300)]
    found = copies.find_pairs(texts)
    # Every text after the first points at the earliest text of another unit (the first one, or for
    # the first one's own unit the second): one pair each, never a pair per two of them.
    assert len(found) == 299
    assert {f.a.key for f in found} <= {("self_study", 0), ("self_study", 1)}
