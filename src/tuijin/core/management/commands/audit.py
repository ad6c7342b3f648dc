from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from tuijin.core import events


class Command(BaseCommand):
    help = (
        "操作记录（审计）：tuijin audit verify —— 校验每条记录的签名和链接、链头以及全部检查点文件；"
        "tuijin audit checkpoint —— 立即写一个签名检查点（tuijin worker 每天自动写）"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["verify", "checkpoint"])

    def handle(self, action: str, **options: Any) -> None:
        now = timezone.now()  # the CLI reads the clock
        if action == "checkpoint":
            path = events.write_checkpoint(now)
            self.stdout.write(f"已写检查点 {path}")
            return
        result = events.verify(now)
        for warning in result.warnings:
            self.stderr.write(f"注意：{warning}")
        if not result.ok:
            for problem in result.problems:
                self.stderr.write(problem)
            raise CommandError(f"操作记录被篡改：发现 {len(result.problems)} 处问题")
        anchors = f"{result.checkpoints} 个检查点均相符" if result.checkpoints else "尚无检查点"
        self.stdout.write(f"操作记录完整：{result.events} 条记录的签名和链接均正确，{anchors}")
