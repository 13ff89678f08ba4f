"""Where runs execute, behind the `concurrent.futures.Executor` interface.

- `--workers 1`: in this process, one chunk at a time (`InProcessExecutor`): no pickling,
  tracebacks as they are, the same code path as the others.
- default: a local process pool with one worker per core. Workers start from a
  forkserver that has already imported the simulator, so each worker imports once.
- `--scheduler ADDRESS`: a Dask cluster (`distributed.Client(ADDRESS).get_executor()`);
  ADDRESS is `tcp://host:port` or a scheduler file written by `dask scheduler
  --scheduler-file`. Every worker needs orgsim installed (the same version).

The coordinator only ever calls `submit` and waits on the futures, so all three behave
the same; results never depend on where a run executed.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

CONNECT_TIMEOUT_S = 20
# Packages whose versions change results: workers must run the same as the coordinator.
COMPARED_PACKAGES = ("orgsim", "mesa", "numpy")


class ExecutorError(Exception):
    """The executor cannot be used (a scheduler out of reach, workers without orgsim)."""


class InProcessExecutor(Executor):
    """Runs each submitted call at once, in the calling process; returns a done Future."""

    def __init__(self) -> None:
        self._shutdown = False

    def submit(self, fn, /, *args, **kwargs) -> Future:  # type: ignore[override]
        """Call `fn(*args, **kwargs)` now; the Future holds its result or its exception."""
        if self._shutdown:
            raise RuntimeError("cannot schedule new futures after shutdown")
        future: Future = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as exc:
            if isinstance(exc, KeyboardInterrupt | SystemExit):
                raise
            future.set_exception(exc)
        return future

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        """Nothing runs in the background: only refuse later submissions."""
        self._shutdown = True


@dataclass
class Workers:
    """An open executor with how many runs it can do at once and a description for people."""

    executor: Executor
    parallelism: int
    description: str
    kind: str


def cpu_count() -> int:
    """Cores this process may use."""
    if hasattr(os, "process_cpu_count"):
        return os.process_cpu_count() or 1  # Python 3.13+
    try:
        return len(os.sched_getaffinity(0)) or 1
    except AttributeError:
        return os.cpu_count() or 1


@contextmanager
def open_workers(workers: int | None = None, scheduler: str | None = None) -> Iterator[Workers]:
    """The executor for `--workers N` / `--scheduler ADDRESS`, shut down on exit."""
    if scheduler is not None:
        with _dask(scheduler) as opened:
            yield opened
        return
    count = workers if workers is not None else cpu_count()
    if count <= 1:
        executor: Executor = InProcessExecutor()
        try:
            yield Workers(executor, 1, "in this process", "in-process")
        finally:
            executor.shutdown()
        return
    context = _context()
    # Workers hold the reading end of a pipe whose only writer is this process: when the
    # coordinator dies (even by SIGKILL) they read end-of-file and exit, leaving no orphans.
    alive_reader, alive_writer = context.Pipe(duplex=False)
    pool = ProcessPoolExecutor(
        max_workers=count,
        mp_context=context,
        initializer=_initialise_worker,
        initargs=(alive_reader,),
    )
    try:
        yield Workers(pool, count, f"{count} local worker processes", "process-pool")
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        alive_writer.close()
        alive_reader.close()


def _context() -> Any:
    # A forkserver imports the simulator once and forks workers from it: fast starts,
    # no fork of this (possibly threaded) process. Where there is none (Windows), spawn.
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["experiments.worker", "simulator.run"])
        _start_forkserver()
        return context
    return multiprocessing.get_context("spawn")


def _start_forkserver() -> None:
    """Start the forkserver ignoring SIGTERM (it keeps that through exec, and its workers
    after it): a batch system's SIGTERM to the whole process group must not end it, since
    the pool counts its workers dead when it dies and the chunks in flight would be lost.
    It still ends with this process (it exits when its pipe from us closes)."""
    import signal
    import threading
    from multiprocessing import forkserver

    if threading.current_thread() is not threading.main_thread():
        forkserver.ensure_running()
        return
    previous = signal.signal(signal.SIGTERM, signal.SIG_IGN)
    try:
        forkserver.ensure_running()
    finally:
        signal.signal(signal.SIGTERM, previous)


def _initialise_worker(coordinator_alive: Any) -> None:
    import signal
    import threading
    import warnings

    from experiments.worker import warm_up

    # Ctrl-C (or a batch system's SIGTERM) reaches the whole process group: the
    # coordinator handles it, and lets the chunks in flight finish so that their runs are
    # saved. A worker ends with its pool, or when the coordinator dies (the pipe below).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    warnings.simplefilter("ignore")
    threading.Thread(target=_exit_with_coordinator, args=(coordinator_alive,), daemon=True).start()
    warm_up()


def _exit_with_coordinator(coordinator_alive: Any) -> None:
    """Block until the coordinator's end of the pipe closes, then end this worker."""
    with suppress(EOFError, OSError):
        coordinator_alive.recv()
    os._exit(1)


@contextmanager
def _dask(scheduler: str) -> Iterator[Workers]:
    try:
        from distributed import Client
    except ImportError as exc:  # pragma: no cover - a dependency of orgsim
        raise ExecutorError(f"--scheduler needs dask.distributed ({exc})") from None
    is_file = _is_file(scheduler)
    try:
        if is_file:
            client = Client(
                scheduler_file=scheduler, timeout=CONNECT_TIMEOUT_S, set_as_default=False
            )
        else:
            client = Client(scheduler, timeout=CONNECT_TIMEOUT_S, set_as_default=False)
    except (OSError, TimeoutError, ValueError) as exc:
        raise ExecutorError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from None
    try:
        _check_workers(client)
        threads = sum(client.nthreads().values())
        executor = client.get_executor(pure=False)
        address = client.scheduler.address if client.scheduler else scheduler
        described = (
            f"Dask cluster at {address} ({threads} worker thread{'s' if threads != 1 else ''})"
            if threads
            else f"Dask cluster at {address} (no workers yet: runs wait for them)"
        )
        try:
            yield Workers(executor, max(threads, 1), described, "dask")
        finally:
            executor.shutdown(wait=False)
    finally:
        client.close()


def _is_file(text: str) -> bool:
    try:
        return Path(text).is_file()
    except (OSError, ValueError):
        return False


def _check_workers(client: Any) -> None:
    """Import the simulator on every worker now and compare versions with this machine.

    A worker without orgsim fails here with a clear message rather than on each chunk; a
    worker with other versions would give other results, so it is refused.
    """
    from simulator.run import versions

    try:
        found = client.run(_worker_versions)
    except Exception as exc:
        raise ExecutorError(
            f"the Dask workers cannot import orgsim (install it on every worker): {exc}"
        ) from None
    here = {k: v for k, v in versions().items() if k in COMPARED_PACKAGES}
    for worker, theirs in found.items():
        if theirs != here:
            shown = ", ".join(f"{k} {v}" for k, v in theirs.items())
            mine = ", ".join(f"{k} {v}" for k, v in here.items())
            raise ExecutorError(
                f"worker {worker} runs {shown}; this machine runs {mine}: "
                "install the same versions everywhere"
            )


def _worker_versions() -> dict[str, str]:
    from experiments.worker import warm_up
    from simulator.run import versions

    warm_up()
    return {k: v for k, v in versions().items() if k in COMPARED_PACKAGES}
