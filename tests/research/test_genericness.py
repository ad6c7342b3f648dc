"""疑似泛化 (SPEC §2.4): clear cases of routine duty or missing need are flagged with a reason; real answers
to a people's need are not. The rule set is data: extending it changes the verdict without new code."""

import pytest

from tuijin.research import genericness
from tuijin.research.genericness import Routine, check

GOOD_NEED = dict(need="城关镇独居和高龄老人120人吃饭难，子女不在身边", need_category="养老", beneficiaries=120)

ROUTINE_NAMES = [
    ("召开主题教育推进会议", "召开会议"),
    ("日常巡查", "日常巡查"),
    ("完成年度工作任务", "完成年度任务"),
    ("组织党员干部集中学习", "开展学习"),
    ("撰写主题教育总结报告", "撰写报告"),
    ("开展主题党日活动", "组织生活"),
    ("例行消防安全检查", "例行检查"),
    ("做好年度考核工作", "年度考核"),
    ("加强机关党建工作", "加强党建"),
]

REAL_PROJECTS = [
    ("为城关镇新建3处老年助餐点，解决独居老人吃饭难", "城关镇独居和高龄老人120人吃饭难", "养老", 120),
    (
        "改造东关小学周边道路交通信号，缓解上下学拥堵",
        "东关小学1200名学生上下学高峰道路拥堵，存在安全隐患",
        "交通",
        1200,
    ),
    ("解决幸福村32户饮水不安全问题", "幸福村32户村民饮用水水质不达标，雨季浑浊", "饮水", 105),
    ("为辖区200名失业人员组织技能培训并推荐就业", "登记失业人员和返乡农民工就业难", "就业", 200),
    ("开通城乡公交专线，方便南山片区5个村村民出行", "南山片区村民到县城看病办事需步行3公里转车", "交通", 3000),
    ("建设河口镇社区卫生服务站", "河口镇居民看病要到10公里外的镇卫生院", "医疗", 4200),
    ("为马坊镇留守儿童提供课后托管", "马坊镇双职工和留守家庭学生放学后无人看护", "教育", 80),
    ("整治青石镇老旧小区排水管网", "小区住户反映雨天污水倒灌", "住房", 640),
]


@pytest.mark.parametrize("name, phrase", ROUTINE_NAMES)
def test_a_project_named_after_routine_duty_is_flagged_with_the_phrase(name, phrase):
    reasons = check(name, **GOOD_NEED)
    assert reasons and phrase in reasons[0]


@pytest.mark.parametrize("name, need, category, beneficiaries", REAL_PROJECTS)
def test_a_real_answer_to_a_peoples_need_is_not_flagged(name, need, category, beneficiaries):
    assert check(name, need, category, beneficiaries) == []


def test_a_name_that_is_only_a_routine_phrase_says_so():
    assert check("日常巡查", **GOOD_NEED) == ["项目名称就是一项常规工作（日常巡查），没有写明为谁、解决什么问题"]


def test_a_routine_phrase_inside_a_longer_name_gives_the_rules_reason():
    [reason] = check("开展主题党日活动，走进社区", **GOOD_NEED)
    assert reason == "名称像日常工作“组织生活”：党内组织生活是党建常规工作，不是为群众办的实事"


def test_training_for_people_outside_the_office_is_not_routine_but_staff_training_is():
    assert check("组织返乡农民工电商技能培训", **GOOD_NEED) == []
    assert "组织培训" in check("组织机关干部业务培训", **GOOD_NEED)[0]


def test_no_need_and_no_beneficiaries_are_each_a_reason():
    assert check("便民服务提升") == ["未写明群众需求（急难愁盼）", "未填写受益人数"]


def test_a_category_without_a_need_is_named_in_the_reason():
    assert check("为社区居民办实事", "", "养老", 50) == ["只选了所属领域“养老”，未写明群众的具体需求（急难愁盼）"]


def test_zero_beneficiaries_is_flagged():
    assert check("为幸福村修建便民桥", "幸福村村民雨季过河难", "交通", 0) == ["受益人数为 0"]


def test_a_need_too_short_or_naming_no_people_is_flagged():
    assert check("修缮村委会办公楼", "办公条件差", "其他", 30) == [
        "群众需求写得太简单（少于 6 个字），看不出要解决群众的什么问题"
    ]
    assert check("更新单位办公电脑", "提高机关办公效率和信息化水平", "其他", 30) == [
        "群众需求没有写明是哪些群众的需求（如居民、老人、学生、农户，或“32户”这样的数量）"
    ]


def test_full_width_digits_and_spaces_do_not_hide_a_phrase_or_a_count():
    assert check("日常 巡查", **GOOD_NEED)
    assert check("解决幸福村３２户饮水难", "幸福村３２户饮水不安全", "饮水", 105) == []


def test_every_reason_appears_once():
    reasons = check("召开会议 召开会议", "", "", None)
    assert len(reasons) == len(set(reasons))


def test_the_phrase_list_is_data_an_office_can_extend(monkeypatch):
    assert check("粉刷机关办公楼外墙", **GOOD_NEED) == []
    monkeypatch.setattr(
        genericness,
        "ROUTINE",
        genericness.ROUTINE + [Routine("机关营房修缮", r"机关.{0,6}(办公楼|营房)", "修缮机关用房是单位自身的事")],
    )
    assert check("粉刷机关办公楼外墙", **GOOD_NEED) == ["名称像日常工作“机关营房修缮”：修缮机关用房是单位自身的事"]


def test_the_checks_are_data_too(monkeypatch):
    def no_deadline_words(subject):
        return ["名称含“长期”，没有完成节点"] if "长期" in subject.name else []

    monkeypatch.setattr(genericness, "CHECKS", genericness.CHECKS + [no_deadline_words])
    assert check("长期为独居老人送餐", **GOOD_NEED) == ["名称含“长期”，没有完成节点"]
