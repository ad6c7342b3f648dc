import datetime as dt
import json
import sys

from django.core.management.base import BaseCommand

from tuijin.core.calendar import today
from tuijin.core.cli_support import actor_from, fail
from tuijin.evaluation.exports import scorecard_xlsx
from tuijin.evaluation.scorecard import scorecard
from tuijin.evaluation.table import units_table, units_xlsx
from tuijin.orgs.models import Org


class Command(BaseCommand):
    help = (
        "组织的指标得分卡：tuijin scorecard --org CODE [--as-of DATE] [--format json|xlsx] [--out F]；"
        "加 --units 输出该组织及全部下级单位的指标一览（--depth N 只到下 N 级）"
    )

    def add_arguments(self, parser):
        parser.add_argument("--org", required=True)
        parser.add_argument("--as-of", type=dt.date.fromisoformat, help="截至日期（YYYY-MM-DD），默认今天")
        parser.add_argument("--format", choices=["json", "xlsx"], default="json")
        parser.add_argument("--out", help="输出文件（json 默认输出到屏幕；xlsx 必须指定）")
        parser.add_argument("--as", dest="as_user", help="只允许查看该账号范围内的组织")
        parser.add_argument("--units", action="store_true", help="全部单位指标一览：该组织及其全部下级单位，每单位一行")
        parser.add_argument("--depth", type=int, help="与 --units 一起用：只列到下 N 级（默认全部）")

    def handle(self, org, as_of, format, out, as_user, units=False, depth=None, **options):
        as_of = as_of or today()
        qs = Org.objects.all()
        user = actor_from(as_user)
        if user is not None:
            qs = qs.visible_to(user)
        target = qs.filter(code=org).first()
        if target is None:
            fail(self, [f"组织编码“{org}”不存在" + ("或不在该账号的范围内" if user else "")])
        if depth is not None and (not units or depth < 0):
            fail(self, ["--depth 只能与 --units 一起使用，且不小于 0"])
        if units:
            table = units_table(target, as_of, depth=depth)
            data, write_xlsx = table.as_dict(), (lambda path: units_xlsx(table, path))
        else:
            card = scorecard(target, as_of)
            data, write_xlsx = card.as_dict(), (lambda path: scorecard_xlsx(card, path))
        if format == "json":
            text = json.dumps(data, ensure_ascii=False, indent=None if units else 2)
            if out:
                with open(out, "w", encoding="utf-8") as fh:
                    fh.write(text)
                self.stdout.write(f"已写入 {out}")
            else:
                sys.stdout.write(text + "\n")
            return
        if not out:
            fail(self, ["--format xlsx 需要 --out 文件名"])
        write_xlsx(out)
        self.stdout.write(f"已写入 {out}")
