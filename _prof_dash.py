import cProfile, time, pathlib
pathlib.Path("/tmp/fr/runs").mkdir(exist_ok=True)
_p = cProfile.Profile()
_t = time.perf_counter()
_p.enable()
try:
    exec(compile(open("dashboard.py", encoding="utf-8").read(), str(pathlib.Path("dashboard.py").resolve()), "exec"), {"__file__": str(pathlib.Path("dashboard.py").resolve()), "__name__": "__main__"})
finally:
    _p.disable()
    _p.dump_stats(f"/tmp/fr/runs/{time.time():.3f}_{time.perf_counter()-_t:.3f}.prof")
