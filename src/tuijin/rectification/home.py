"""举一反三 on the home page (core.navigation.HOME_PANELS): the open 对照检视 suggestions to the user's
own org (a unit's or office's grant), oldest first, each linking to the page where it is answered."""

from .models import SelfCheck


def home_panel(user, as_of) -> list[dict]:
    own = list(user.grants.filter(role__in=["unit", "office"], org__isnull=False).values_list("org_id", flat=True))
    if not own:
        return []
    checks = (
        SelfCheck.objects.visible_to(user)
        .filter(org_id__in=own, answer=SelfCheck.Answer.OPEN)
        .select_related("org", "source__org")
        .order_by("suggested_on", "pk")[:10]
    )
    items = [
        {
            "text": f"请对照{c.source.org.name}问题“{c.source.description[:40]}”（{c.trigger}，{c.suggested_on.month}月{c.suggested_on.day}日提示）"
            f"检视{c.org.name}是否存在同类问题",
            "url": f"/problems/{c.org.code}/self-checks/?answer=待对照",
            "warn": "",
        }
        for c in checks
    ]
    return [{"title": "举一反三：待对照检视", "items": items}]
