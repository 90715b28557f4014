"""The server's heap: what the garbage collector need not look at again.

A long-running Streamlit server holds a couple of hundred thousand Python objects that live as long as the process:
modules, classes and functions of Streamlit, pandas, Altair, pydeck and DuckDB, and the project's own. Python's
full (generation 2) collection walks all of them each time it runs, every half-minute or so under use; measured on
the project's machine at ×100 that was 90–175 ms each, held by whichever click was being answered at the time
(docs/performance.md). `freeze_once()` collects once and then moves every object alive at that moment into the
collector's permanent generation (`gc.freeze()`), so that later full collections walk only what was made since.
"""

from __future__ import annotations

import gc
import sys
import threading

_lock = threading.Lock()
_frozen = False


def freeze_once() -> bool:
    """Collect, then freeze every object now alive, the first time it is called in this process; True if it did.

    Called at the end of the app's first whole run, when the libraries and every module a page needs have been
    imported. A frozen object is still freed when nothing refers to it any more, but a reference cycle of frozen
    objects is never collected: a cycle alive now and dropped later (the first session's) stays in memory. So this is
    done once, not per run, and only in a served app (not under AppTest, whose process is the whole test run)."""
    global _frozen
    with _lock:
        if _frozen or "streamlit.testing.v1" in sys.modules:
            return False
        _frozen = True
    gc.collect()
    gc.freeze()
    return True
