from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from tuijin.core.backup import BackupError, restore
from tuijin.core.cli_support import fail


class Command(BaseCommand):
    help = (
        "恢复：tuijin restore 文件.tar [--force] —— 先逐个核对备份清单中的 SHA-256，文件损坏或缺失则拒绝；"
        "当前数据库已有数据时需加 --force 才覆盖；恢复后核对每张表的行数和校验和"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="tuijin backup 生成的备份文件")
        parser.add_argument("--force", action="store_true", help="覆盖已有数据的数据库")

    def handle(self, path: str, force: bool = False, **options: Any) -> None:
        try:
            manifest = restore(path, force=force)
        except BackupError as exc:
            fail(self, [str(exc)])
        rows = sum(t["rows"] for t in manifest["tables"].values())
        media = sum(1 for name in manifest["files"] if name.startswith("media/"))
        self.stdout.write(
            f"已从 {path}（{manifest['created_at']} 备份）恢复：{len(manifest['tables'])} 张表 {rows} 行，"
            f"上传文件 {media} 个；各表行数与校验和均与备份一致"
        )
