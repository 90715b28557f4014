"""The load part of `python -m caremap bench`: many sessions speaking Streamlit's own WebSocket protocol.

Instead of one Chromium per user, each simulated session opens the app's WebSocket (/_stcore/stream, through nginx
with its own route cookie, as a browser would) and sends the BackMsg a browser sends: rerun_script with the page
and the query string. It reads ForwardMsgs until script_finished. An interaction counts as an error when the
connection fails, the run does not finish successfully, or the page draws an exception. Each session opens the
Overview, opens Coverage at a district, changes the scope to another district and opens the Map; midway a new
version is published. Run with 1 and with 2 replicas behind nginx (caremap.cli.serve), twice each: as people use
it (arriving over half a minute, pausing a few seconds between clicks: the latency they feel) and flat out
(everyone at once, no pauses: the throughput the replicas give).
"""

from __future__ import annotations

import asyncio
import shutil
import statistics
import threading
import time
from pathlib import Path

DISTRICTS = ("440303", "440304", "440305", "440306", "440307", "440308", "440309", "440310", "440311", "440343")
TIMEOUT_S = 120


def _script(i: int) -> list[tuple[str, str]]:
    """(page url path, query string) of one session's interactions."""
    a, b = DISTRICTS[i % len(DISTRICTS)], DISTRICTS[(i + 3) % len(DISTRICTS)]
    return [("", ""), ("coverage", f"district={a}"), ("coverage", f"district={b}"), ("map", f"district={b}")]


def think_seconds(i: int, step: int, mean: float) -> float:
    """A person's pause before the next click: between half and one and a half times `mean`, fixed per session and
    step (deterministic, so that runs compare)."""
    return mean * (0.5 + ((i * 7 + step * 13) % 11) / 10)


async def _session(url: str, i: int, out: list, errors: list, think_s: float = 0.0) -> None:
    import websockets
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    ws_url = url.replace("http://", "ws://") + "/_stcore/stream"
    pages: dict[str, str] = {}
    try:
        async with websockets.connect(ws_url, subprotocols=["streamlit"], max_size=None, open_timeout=TIMEOUT_S,
                                      additional_headers={"Cookie": f"caremap_route=load-{i}"}) as ws:
            for step, (path, query) in enumerate(_script(i)):
                if step and think_s:
                    await asyncio.sleep(think_seconds(i, step, think_s))
                msg = BackMsg()
                msg.rerun_script.query_string = query
                msg.rerun_script.page_name = path
                msg.rerun_script.page_script_hash = pages.get(path, "")
                t0 = time.perf_counter()
                await ws.send(msg.SerializeToString())
                failed = False
                while True:
                    data = await asyncio.wait_for(ws.recv(), TIMEOUT_S)
                    fwd = ForwardMsg()
                    fwd.ParseFromString(data)
                    kind = fwd.WhichOneof("type")
                    if kind == "navigation":
                        pages = {p.url_pathname: p.page_script_hash for p in fwd.navigation.app_pages}
                    elif kind == "delta" and fwd.delta.WhichOneof("type") == "new_element" \
                            and fwd.delta.new_element.WhichOneof("type") == "exception":
                        failed = True
                    elif kind == "script_finished":
                        failed = failed or fwd.script_finished != 0   # 0: finished successfully
                        break
                out.append(time.perf_counter() - t0)
                if failed:
                    errors.append(f"session {i}: {path or 'overview'}?{query}")
    except Exception as exc:  # noqa: BLE001 - every failure (connection, timeout, protocol) is counted
        errors.append(f"session {i}: {type(exc).__name__}: {exc}")


async def _all(url: str, sessions: int, out: list, errors: list, ramp_s: float, think_s: float = 0.0) -> None:
    tasks = []
    for i in range(sessions):
        tasks.append(asyncio.create_task(_session(url, i, out, errors, think_s)))
        await asyncio.sleep(ramp_s / max(sessions, 1))   # users arrive over a few seconds, not in one instant
    await asyncio.gather(*tasks)


def _publish_copy(live: Path) -> None:
    """A new version published while the sessions run (the same data under a new version id)."""
    import duckdb

    from caremap.store import versions

    source = versions.Layout(live).target()
    tmp = live.with_name(f".load-{time.time_ns()}.duckdb")
    shutil.copyfile(source, tmp)
    con = duckdb.connect(str(tmp))
    try:
        version = f"{time.time_ns() % 16**12:012x}"
        versions.set_meta(con, {"data_version": version})
        con.execute("checkpoint")
    finally:
        con.close()
    versions.publish_built(tmp, version, live)


def _summary(times: list[float], errors: list[str], wall: float) -> dict:
    times = sorted(times)
    p95 = times[min(len(times) - 1, int(round(0.95 * (len(times) - 1))))] if times else None
    return {"interactions": len(times), "errors": len(errors), "error_examples": errors[:5], "wall_seconds": wall,
            "interactions_per_s": len(times) / wall if wall else None,
            "p50_seconds": statistics.median(times) if times else None, "p95_seconds": p95}


def run_load(db: Path, folder: Path, replicas: int, sessions: int, ramp_s: float = 30.0,
             think_s: float = 5.0) -> dict:
    """Two runs of `sessions` sessions against `replicas` replicas, a new version published during each:
    as people use it (arriving over `ramp_s`, pausing about `think_s` between clicks: p50, p95, errors), and
    flat out (everyone at once, no pauses: the throughput the replicas can give)."""
    from caremap.cli import serve
    from caremap.store import db as dbmod
    from caremap.store import versions

    folder.mkdir(parents=True, exist_ok=True)
    live = folder / "caremap.duckdb"
    copy = folder / ".copy.duckdb"
    shutil.copyfile(versions.Layout(db).target() if db.is_symlink() else db, copy)
    versions.publish_built(copy, dbmod.file_meta(copy)["data_version"], live)
    result = {"replicas": replicas, "sessions": sessions, "think_seconds": think_s, "ramp_seconds": ramp_s}
    with serve.serving(replicas, serve._free_port(), str(live), folder / "serve", log=lambda _: None) as served:
        for i in range(replicas * 2):   # warm-up: each replica's first runs pay for imports and caches
            asyncio.run(_session(served.url, 1000 + i, [], []))
        for name, ramp, think in (("use", ramp_s, think_s), ("saturated", 2.0, 0.0)):
            out: list[float] = []
            errors: list[str] = []
            publisher = threading.Timer(ramp / 2, _publish_copy, args=(live,))
            publisher.start()
            t0 = time.perf_counter()
            asyncio.run(_all(served.url, sessions, out, errors, ramp, think))
            wall = time.perf_counter() - t0
            publisher.join()
            result[name] = _summary(out, errors, wall)
    # the headline figures: latency as people use it, throughput flat out
    result.update({"errors": result["use"]["errors"] + result["saturated"]["errors"],
                   "p50_seconds": result["use"]["p50_seconds"], "p95_seconds": result["use"]["p95_seconds"],
                   "interactions_per_s": result["saturated"]["interactions_per_s"]})
    return result


def measure(db: Path, folder: Path, sessions: int = 50, ramp_s: float = 30.0, think_s: float = 5.0) -> dict:
    """The load with one and with two replicas, and the throughput of two as a multiple of one."""
    one = run_load(db, folder / "r1", 1, sessions, ramp_s, think_s)
    two = run_load(db, folder / "r2", 2, sessions, ramp_s, think_s)
    shutil.rmtree(folder, ignore_errors=True)
    speedup = (two["interactions_per_s"] / one["interactions_per_s"]) if one["interactions_per_s"] else None
    return {"replicas_1": one, "replicas_2": two, "throughput_2_over_1": speedup}
