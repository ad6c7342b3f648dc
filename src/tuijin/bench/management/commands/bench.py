import datetime as dt
import io
import json
import os
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import connections

from tuijin.core.cli_support import fail
from tuijin.demo.generate import SCALES


class Command(BaseCommand):
    help = (
        "性能基准：tuijin bench [--scale city|small] [--out FILE.json] [--runs N] [--rows N] [--only 场景,…]。"
        "未设置 DATABASE_URL 时，使用单独的 SQLite 库 var/bench-<规模>.sqlite3（附件存于 var/bench-<规模>-media/），"
        "库中没有数据时先生成该规模的演示城市（同 tuijin demo），不动日常使用的数据库；"
        "设置了 DATABASE_URL 时直接在该库上测（如 PostgreSQL）。每种导入各一个场景（import_<类型>），"
        "在事务中进行并回滚，同时测同一张表的下限（python-calamine 读表 + 每张表一次 executemany，回滚）和两者的峰值内存，"
        "打印导入与下限的用时之比和内存之比；其余场景只读。"
        "负载场景 load（--only load [--seconds N --readers N --writers N --workers N --threads N]）启动 gunicorn，"
        "并发读写，记录每秒请求数、p95 和错误数，以及每个读地址各自的每秒请求数、中位数和 p95；--writers 0 只测读。"
        "输出 JSON：{scale, database, generated_at, scenarios: {名称: {median_ms, p95_ms, runs, cpu_median_ms}}}"
        "（导入场景另有 rows、peak_mb、floor_median_ms、floor_peak_mb、floor_ratio、memory_ratio），并打印表格。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--scale", default="city", choices=list(SCALES))
        parser.add_argument("--out", help="结果 JSON 文件（默认 bench-<规模>.json）")
        parser.add_argument("--runs", type=int, help="每个场景运行次数（默认：导入 3 次，页面和接口 20 次）")
        parser.add_argument("--rows", type=int, default=100_000, help="每个导入场景的行数（默认 100000）")
        parser.add_argument("--only", metavar="NAME[,NAME...]", help="只运行这些场景（逗号分隔的场景名称）")
        parser.add_argument("--seconds", type=int, default=60, help="负载场景（load）的持续秒数（默认 60）")
        parser.add_argument("--readers", type=int, default=50, help="负载场景的读并发数（默认 50）")
        parser.add_argument("--writers", type=int, default=20, help="负载场景的写并发数（默认 20；0 表示只读）")
        parser.add_argument("--workers", type=int, help="负载场景 gunicorn 的进程数（默认 4）")
        parser.add_argument("--threads", type=int, help="负载场景 gunicorn 每个进程的线程数（默认 4）")

    def handle(
        self, scale, out, runs, rows, only, seconds=60, readers=50, writers=20, workers=None, threads=None, **options
    ):
        from tuijin.bench.measure import baseline_ratios, with_baselines
        from tuijin.bench.scenarios import SCENARIOS, Outcome

        if rows < 1:
            fail(self, [f"--rows 应为正整数，实际为 {rows}"])
        if runs is not None and runs < 1:
            fail(self, [f"--runs 应为正整数，实际为 {runs}"])
        for name, value in (
            ("--seconds", seconds),
            ("--readers", readers),
            ("--workers", workers),
            ("--threads", threads),
        ):
            if value is not None and value < 1:
                fail(self, [f"{name} 应为正整数，实际为 {value}"])
        if writers < 0:
            fail(self, [f"--writers 应为 0 或正整数，实际为 {writers}"])
        scenarios = [s for s in SCENARIOS if getattr(s, "by_default", True)]
        if only is not None:
            wanted = [n.strip() for n in only.split(",") if n.strip()]
            known = {s.name for s in SCENARIOS}
            unknown = [n for n in wanted if n not in known]
            if unknown or not wanted:
                fail(
                    self,
                    [
                        f"未知的场景：{'、'.join(unknown)}" if unknown else "--only 没有给出场景名称",
                        f"可用的场景：{'、'.join(s.name for s in SCENARIOS)}",
                    ],
                )
            scenarios = [s for s in SCENARIOS if s.name in with_baselines(wanted, SCENARIOS)]

        own = not os.environ.get("DATABASE_URL")
        database = self._use_bench_database(scale) if own else self._describe(connections["default"])
        settings.DEBUG = False  # measure what production runs: no query log, no debug pages
        # The page and API scenarios measure computing the answer, not reading it back from the read cache;
        # the load scenario's gunicorn runs as deployed (TUIJIN_READ_CACHE_SECONDS from the environment).
        settings.TUIJIN_READ_CACHE_SECONDS = 0
        if own or not self._has_data():
            # As `tuijin demo`: migrate, then generate the city (and its figures) if the database is empty.
            # A database named by DATABASE_URL that already holds data is measured as it is.
            call_command("demo", "--scale", scale, "--no-server", stdout=io.StringIO())

        results = {}
        for scenario in scenarios:
            self.stdout.write(f"… {scenario.label}" + (f"：{rows} 行" if getattr(scenario, "kind", None) else ""))
            self.stdout.flush()
            try:
                outcome = scenario.run(
                    runs or scenario.default_runs,
                    {
                        "rows": rows,
                        "seconds": seconds,
                        "readers": readers,
                        "writers": writers,
                        "workers": workers,
                        "threads": threads,
                    },
                )
            except Exception as exc:  # one broken page must not hide the other figures
                outcome = Outcome(skipped=f"failed: {type(exc).__name__}: {exc}"[:300])
            results[scenario.name] = outcome.summary() | getattr(outcome, "extra", {})  # e.g. texts checked
            if getattr(scenario, "kind", None) and not outcome.skipped:  # an import: how many rows it timed
                results[scenario.name]["rows"] = rows

        report = {
            "scale": scale,
            "database": database,
            "generated_at": dt.datetime.now(dt.UTC).astimezone().isoformat(timespec="seconds"),
            "python": sys.version.split()[0],
            "import_rows": rows,
            "scenarios": results,
            "ratios": baseline_ratios(scenarios, results),
        }
        path = out or f"bench-{scale}.json"
        with open(path, "w", encoding="utf-8") as fh:
            json.dump(report, fh, ensure_ascii=False, indent=2)
        self._table(report, path)
        for name, r in report["ratios"].items():  # a scenario against the baselines measured in the same run
            self.stdout.write(
                f"{name}：{r['ratio']}×（CPU {r['cpu_ratio']}×），目标 ≤ {r['target']}×"
                f"{'，达到' if r['met'] else '，未达到'}"
            )

    def _use_bench_database(self, scale) -> str:
        """Point the default connection at var/bench-<scale>.sqlite3 (used when DATABASE_URL is not set).

        Settings read DATABASE_URL once at start-up; switching the connection's NAME here, before
        any query of this command, is all it takes, and keeps the bench data apart from the demo's."""
        conn = connections["default"]
        conn.close()
        conn.settings_dict["NAME"] = str(settings.VAR_DIR / f"bench-{scale}.sqlite3")
        settings.MEDIA_ROOT = settings.VAR_DIR / f"bench-{scale}-media"
        return self._describe(conn)

    @staticmethod
    def _describe(conn) -> str:
        return f"{conn.vendor}: {conn.settings_dict['NAME']}"

    @staticmethod
    def _has_data() -> bool:
        from django.db.utils import DatabaseError

        from tuijin.orgs.models import Org

        try:
            return Org.objects.exists()
        except DatabaseError:  # not migrated yet
            return False

    def _table(self, report, path):
        self.stdout.write("")
        self.stdout.write(f"规模 {report['scale']}，数据库 {report['database']}")
        self.stdout.write(f"{'场景':<28}{'中位数 ms':>12}{'p95 ms':>12}{'CPU 中位数 ms':>16}{'次数':>6}")
        for name, r in report["scenarios"].items():
            if r.get("skipped"):
                self.stdout.write(f"{name:<28}  skipped: {r['skipped']}")
            elif "requests_per_second" in r:
                self.stdout.write(
                    f"{name:<28}{r['median_ms']:>12.1f}{r['p95_ms']:>12.1f}  {r['requests_per_second']} 次/秒，"
                    f"读 {r['reads']}、写 {r['writes']}、错误 {r['errors']}（{r['readers']} 读 {r['writers']} 写，"
                    f"{r['seconds']} 秒，gunicorn {r['gunicorn_workers']} 进程 × {r['gunicorn_threads']} 线程）"
                )
                for url, u in r.get("by_url", {}).items():
                    self.stdout.write(
                        f"  {url:<40}{u['median_ms']:>10}{u['p95_ms']:>10}  {u['requests_per_second']} 次/秒"
                        f"（{u['requests']} 次）"
                    )
            elif "ratio" in r:  # growth: one county's pages before/after the other counties grew
                self.stdout.write(f"{name:<28}  {r['county']}，其他县数据 ×{r['factor']}（增加 {r['rows_added']}）：")
                self.stdout.write(
                    f"  {'页面':<24}{'前 ms':>10}{'后 ms':>10}{'之比':>8}{'CPU 前':>10}{'CPU 后':>10}{'之比':>8}"
                )
                for page, ratio in r["ratio"].items():
                    self.stdout.write(
                        f"  {page:<26}{r['before_ms'][page]!s:>10}{r['after_ms'][page]!s:>10}"
                        f"{ratio!s:>10}{r['before_cpu_ms'][page]!s:>10}{r['after_cpu_ms'][page]!s:>10}"
                        f"{r['cpu_ratio'][page]!s:>10}"
                    )
            else:
                self.stdout.write(
                    f"{name:<28}{r['median_ms']:>12.1f}{r['p95_ms']:>12.1f}{r['cpu_median_ms']:>16.1f}{r['runs']:>6}"
                )
                if "floor_median_ms" in r:  # an import: its floor, and the ratios the targets are (≤ 2)
                    self.stdout.write(
                        f"  下限 {r['floor_median_ms']:.1f} ms（CPU {r['floor_cpu_median_ms']:.1f}），"
                        f"之比 {r['floor_ratio']}；峰值内存 {r['peak_mb']} MB，"
                        f"下限 {r['floor_peak_mb']} MB，之比 {r['memory_ratio']}"
                    )
                elif "peak_mb" in r:
                    self.stdout.write(f"  峰值内存 {r['peak_mb']} MB")
        self.stdout.write(f"结果已写入 {path}")
