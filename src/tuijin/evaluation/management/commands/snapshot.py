import datetime as dt

from django.core.management.base import BaseCommand

from tuijin.core.calendar import today
from tuijin.evaluation.jobs import take_snapshot


class Command(BaseCommand):
    help = (
        "按日期重算全部指标计数并保存当日快照（趋势图用）。日常由后台任务进程 tuijin worker 每天自动执行；"
        "本命令用于手工补做某一天：tuijin snapshot [--as-of YYYY-MM-DD]"
    )

    def add_arguments(self, parser):
        parser.add_argument("--as-of", type=dt.date.fromisoformat, help="日期，默认今天（YYYY-MM-DD）")

    def handle(self, as_of=None, **options):
        as_of = as_of or today()
        n = take_snapshot(as_of)
        self.stdout.write(f"已按 {as_of} 重算 {n} 个组织的指标并保存快照")
