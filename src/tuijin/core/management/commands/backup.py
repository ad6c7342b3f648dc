from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from tuijin.core.backup import BackupError, backup
from tuijin.core.cli_support import fail


class Command(BaseCommand):
    help = (
        "备份：tuijin backup --out 文件.tar —— 数据库的一致快照（SQLite 在线备份；PostgreSQL pg_dump -Fc）"
        "加上上传文件（TUIJIN_MEDIA_ROOT），附 SHA-256 清单，打成一个 tar 文件"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--out", required=True, help="备份文件路径（.tar）")

    def handle(self, out: str, **options: Any) -> None:
        try:
            manifest = backup(out)
        except BackupError as exc:
            fail(self, [str(exc)])
        media = sum(1 for name in manifest["files"] if name.startswith("media/"))
        rows = sum(t["rows"] for t in manifest["tables"].values())
        self.stdout.write(
            f"已备份到 {out}：{manifest['vendor']} 数据库 {len(manifest['tables'])} 张表 {rows} 行，上传文件 {media} 个"
        )
