"""The campaign file's [detectors] tables (issue 9): thresholds are data, checked before anything is written."""

import pytest

from tests.campaigns.test_campaign_file import GOOD
from tuijin.campaigns.actions import load_campaign
from tuijin.campaigns.loader import CampaignFileError, parse
from tuijin.core.detectors import get, params_for


def test_thresholds_load_into_the_campaign_and_override_the_defaults(world):
    campaign = load_campaign(
        GOOD + "\n[detectors.collective_over_self]\nmin_gap = 0.4\n[detectors.no_problems_found]\nenabled = false\n",
        actor=None,
    )
    assert campaign.detectors == {"collective_over_self": {"min_gap": 0.4}, "no_problems_found": {"enabled": False}}
    params = params_for(get("collective_over_self"), campaign)
    assert params["min_gap"] == 0.4 and params["min_members"] == get("collective_over_self").defaults["min_members"]


def test_a_file_without_detectors_keeps_the_defaults(world):
    campaign = load_campaign(GOOD, actor=None)
    assert campaign.detectors == {}
    assert params_for(get("few_research"), campaign) == get("few_research").defaults


@pytest.mark.parametrize(
    "table,message",
    [
        ("[detectors.no_such]\nx = 1\n", "[detectors.no_such]: 未知的检测项“no_such”，可用的有："),
        (
            "[detectors.few_research]\nmin_visits = 1\n",
            "[detectors.few_research]: 未知的阈值“min_visits”，可用的有：enabled、",
        ),
        (
            '[detectors.few_research]\nshare_of_expected = "一半"\n',
            "[detectors.few_research] share_of_expected: 应为不小于 0 的数值",
        ),
        ("[detectors.no_seminar]\nmin_share = 50\n", "[detectors.no_seminar] min_share: 比例应写成 0 到 1 之间的小数"),
        ('[detectors.no_seminar]\nenabled = "否"\n', "[detectors.no_seminar] enabled: 应为 true 或 false"),
    ],
)
def test_bad_thresholds_are_clear_errors(world, table, message):
    with pytest.raises(CampaignFileError) as err:
        parse(GOOD + "\n" + table)
    assert any(e.startswith(message) for e in err.value.errors), err.value.errors
