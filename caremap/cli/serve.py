"""`python -m caremap serve --replicas N [--port 8080]`: several app processes behind nginx on this host.

Each replica is `streamlit run dashboard.py` on its own loopback port, all reading the same published, read-only
database versions ($CAREMAP_DB); nginx (Debian package `nginx`) listens on --port and spreads browsers over them
with sticky sessions (deploy/nginx/caremap.conf.template, the same file the compose recipe uses). Imports still
go through one publishing lock per database, whichever replica or command runs them. Ctrl-C stops everything.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from caremap.common.paths import ROOT

HELP = "在本机启动多个应用副本并由 nginx 反向代理 / several app replicas behind nginx on this host"
TEMPLATE = ROOT / "deploy" / "nginx" / "caremap.conf.template"
_FIELD = re.compile(r"\$\{(CAREMAP_[A-Z_]+)\}")
MAIN_CONF = """# written by python -m caremap serve: nginx in the foreground, everything under this folder
worker_processes 1;
pid {run}/nginx.pid;
error_log {run}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log {run}/access.log;
    client_body_temp_path {run}/client_body;
    proxy_temp_path {run}/proxy;
    fastcgi_temp_path {run}/fastcgi;
    uwsgi_temp_path {run}/uwsgi;
    scgi_temp_path {run}/scgi;
    include {run}/caremap.conf;
}}
"""


def add_arguments(p) -> None:
    p.add_argument("--replicas", type=int, default=2, help="应用副本数 / app processes (default 2)")
    p.add_argument("--port", type=int, default=8080, help="nginx 监听端口 / the port nginx listens on (default 8080)")
    p.add_argument("--host", default="127.0.0.1", help="nginx 监听地址 / the address nginx listens on")
    p.add_argument("--db", help="database file (default: $CAREMAP_DB or var/caremap.duckdb)")
    p.add_argument("--run-dir", help="nginx 配置与日志目录 / where nginx's config and logs go (default var/serve)")
    p.add_argument("--nginx", default=None, help="nginx 程序路径 / the nginx binary (default: found on PATH)")


def render(template: str, fields: dict[str, str]) -> str:
    """The template with its ${CAREMAP_...} fields filled (nginx's own $variables untouched); a field without a
    value is an error, never an empty line in the config."""
    def fill(m: re.Match) -> str:
        if m.group(1) not in fields:
            raise KeyError(f"{TEMPLATE.name}: no value for ${{{m.group(1)}}}")
        return fields[m.group(1)]
    return _FIELD.sub(fill, template)


def upstream_servers(ports: list[int]) -> str:
    # passive health checks: a replica failing twice is left out for 10 s
    return "\n    ".join(f"server 127.0.0.1:{p} max_fails=2 fail_timeout=10s;" for p in ports)


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _healthy(url: str, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:  # noqa: S310 (loopback)
                if r.status == 200:
                    return True
        except OSError:
            time.sleep(0.3)
    return False


@dataclass
class Served:
    url: str
    replicas: list[str]      # each replica's own loopback URL
    run_dir: Path


def _stop(procs: list[subprocess.Popen]) -> None:
    for proc in procs:
        if proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
    for proc in procs:
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)


@contextlib.contextmanager
def serving(replicas: int, port: int, db: str | None = None, run_dir: Path | None = None, host: str = "127.0.0.1",
            nginx: str | None = None, log=print) -> Iterator[Served]:
    """Start the replicas and nginx; yield once every replica and the proxy answer; stop them all on exit."""
    from caremap.common.paths import db_path
    from caremap.store import startup

    nginx = nginx or shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    if nginx is None:
        raise RuntimeError("没有找到 nginx：请安装 Debian 软件包 nginx（apt-get install nginx）/ nginx not found: "
                           "install the Debian package nginx")
    live = Path(db_path(db)).absolute()
    started = startup.ensure_built(live)   # built once, before the replicas: they only read
    if started.refused:
        raise RuntimeError(started.message())
    run = (run_dir or live.parent / "serve").absolute()
    run.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "CAREMAP_DB": str(live)}
    procs: list[subprocess.Popen] = []
    try:
        ports = [_free_port() for _ in range(replicas)]
        for p in ports:
            procs.append(subprocess.Popen(
                [sys.executable, "-m", "streamlit", "run", "dashboard.py", "--server.port", str(p),
                 "--server.address", "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false",
                 "--server.fileWatcherType", "none", "--server.enableCORS", "false",
                 "--server.enableXsrfProtection", "true"],
                cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True))
        urls = [f"http://127.0.0.1:{p}" for p in ports]
        for url in urls:
            if not _healthy(url, 120):
                raise RuntimeError(f"副本没有响应 / a replica did not answer: {url}/_stcore/health")
            log(f"副本就绪 / replica ready: {url}")
        conf = render(TEMPLATE.read_text(encoding="utf-8"),
                      {"CAREMAP_UPSTREAM_SERVERS": upstream_servers(ports), "CAREMAP_LISTEN": f"{host}:{port}"})
        (run / "caremap.conf").write_text(conf, encoding="utf-8")
        (run / "nginx.conf").write_text(MAIN_CONF.format(run=run), encoding="utf-8")
        check = subprocess.run([nginx, "-t", "-p", str(run), "-c", str(run / "nginx.conf")], capture_output=True,
                               text=True)
        if check.returncode:
            raise RuntimeError(f"nginx 配置无效 / the nginx config is invalid: {check.stderr.strip()}")
        procs.append(subprocess.Popen([nginx, "-p", str(run), "-c", str(run / "nginx.conf"), "-g", "daemon off;"],
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True))
        url = f"http://{host}:{port}"
        if not _healthy(url, 30):
            raise RuntimeError(f"nginx 没有响应 / nginx did not answer on {url} (see {run / 'error.log'})")
        log(f"CareMap: {url}  ({replicas} 个副本 / replicas behind nginx; logs in {run})")
        yield Served(url, urls, run)
    finally:
        _stop(procs)


def run(args) -> int:
    if args.replicas < 1:
        print("错误 / error: --replicas 至少为 1", file=sys.stderr)
        return 2
    try:
        with serving(args.replicas, args.port, args.db, Path(args.run_dir) if args.run_dir else None, args.host,
                     args.nginx):
            signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
            while True:
                time.sleep(3600)
    except RuntimeError as exc:
        print(f"错误 / error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0
