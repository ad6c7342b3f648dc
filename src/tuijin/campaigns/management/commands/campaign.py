from pathlib import Path

from django.core.management.base import BaseCommand

from tuijin.campaigns.actions import load_campaign
from tuijin.campaigns.loader import CampaignFileError, parse
from tuijin.core.cli_support import actor_from, fail


class Command(BaseCommand):
    help = "主题教育配置：tuijin campaign load FILE.toml [--dry-run]"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        load = sub.add_parser("load", help="载入（或更新）主题教育配置文件")
        load.add_argument("file")
        load.add_argument("--dry-run", action="store_true", help="只检查，不写入")
        load.add_argument("--as", dest="as_user")

    def handle(self, action, file, dry_run=False, as_user=None, **options):
        try:
            text = Path(file).read_text(encoding="utf-8")
        except FileNotFoundError:
            fail(self, [f"文件不存在：{file}"])
        try:
            spec = parse(text)
        except CampaignFileError as exc:
            fail(self, [*exc.errors, f"共 {len(exc.errors)} 处错误，未载入。"])
        if dry_run:
            self.stdout.write(
                f"检查通过：{spec.campaign['name']}，{len(spec.reading)} 种书目，{len(spec.tasks)} 项任务"
            )
            return
        try:
            campaign = load_campaign(spec, actor=actor_from(as_user))
        except CampaignFileError as exc:
            fail(self, [*exc.errors, f"共 {len(exc.errors)} 处错误，未载入。"])
        self.stdout.write(
            f"已载入：{campaign.name}（{campaign.start} 至 {campaign.end}），"
            f"{campaign.reading.count()} 种书目，{campaign.tasks.count()} 项部署任务"
        )
