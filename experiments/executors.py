"""Where runs execute, behind the `concurrent.futures.Executor` interface.

- `--workers 1`: in this process, one chunk at a time (`InProcessExecutor`): no pickling,
  tracebacks as they are, the same code path as the others.
- default: a local process pool with one worker per core. Where this process can fork
  safely (Linux, no other thread running: `can_fork`), workers are forked from it, warm
  and in about 10 ms; elsewhere they start from a forkserver that has already imported
  the simulator, so each worker imports once.
- `--scheduler ADDRESS`: a Dask cluster (`distributed.Client(ADDRESS).get_executor()`);
  ADDRESS is `tcp://host:port` or a scheduler file written by `dask scheduler
  --scheduler-file`. Every worker needs orgsim installed (the same version).

The coordinator only ever calls `submit` and waits on the futures, so all three behave
the same; results never depend on where a run executed.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import signal
import sys
import threading
import warnings
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

    def consider(self, remaining_runs: int, seconds_per_run: float | None) -> None:
        """Tell a pool opened on demand (`open_workers(..., on_demand=True)`) how much work is
        left (`seconds_per_run` None: not timed yet): it starts its processes once they pay
        for their start. Others ignore it."""
        if isinstance(self.executor, PoolOnDemand):
            self.executor.consider(remaining_runs, seconds_per_run)
            self.description = self.executor.description


class PoolOnDemand(Executor):
    """Runs calls in this process until a process pool pays for its start, then on the pool.

    Starting local workers from a forkserver costs `experiments.compare.POOL_START_S` (it
    imports the simulator), more than a small sweep's runs take; on a machine busy with
    other work a pool is slower than one process. So calls run here, and
    `consider(remaining runs, seconds per run)` starts the pool when
    `experiments.compare.pool_pays` says it saves more than its start with the cores that
    are idle. Where this process can fork (`can_fork`), the workers are forked from it at
    once (`FORK_START_S`); otherwise the pool starts in a thread while this process goes
    on running calls itself, and calls go to it once its workers answer.
    """

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self._here = InProcessExecutor()
        self._pool: ProcessPoolExecutor | None = None
        self._ready = threading.Event()
        self._starter: threading.Thread | None = None
        self._alive: tuple[Any, Any] | None = None
        self._start_error: BaseException | None = None
        self._considered = False
        self._forked = False

    @property
    def description(self) -> str:
        """Where calls run now, in plain words."""
        if self._ready.is_set():
            return f"{self.workers} local worker processes{' (forked)' if self._forked else ''}"
        if self._start_error is not None:
            return f"in this process ({self.workers} worker processes failed to start)"
        if self._starter is not None:
            return f"in this process while {self.workers} local worker processes start"
        if self._considered:
            return f"in this process ({self.workers} worker processes would not pay their start)"
        return f"up to {self.workers} local worker processes, started once they pay"

    def consider(self, remaining_runs: int, seconds_per_run: float | None) -> None:
        """Start the pool if it pays for the runs left. `seconds_per_run` None: no run is
        timed yet; only a forked pool, which costs about one short run, may start now."""
        from experiments.compare import FORK_START_S, SHORTEST_RUN_S, pool_pays

        if self._starter is not None or self._pool is not None:
            return
        if seconds_per_run is None:
            if can_fork() and pool_pays(
                remaining_runs, SHORTEST_RUN_S, self.workers, start_s=FORK_START_S
            ):
                self._fork()
            return
        self._considered = True
        if pool_pays(remaining_runs, seconds_per_run, self.workers):
            if can_fork():
                self._fork()
            else:
                self.start()

    def _fork(self) -> None:
        self._pool, self._alive = _forked_pool(self.workers)
        self._forked = True
        self._ready.set()

    def start(self, wait: bool = False) -> None:
        """Start the pool now from the forkserver (in the background); `wait`: until its
        workers answer."""
        if self._starter is None and self._pool is None:
            self._starter = threading.Thread(target=self._start, daemon=True)
            self._starter.start()
        if wait and self._starter is not None:
            self._starter.join()

    def _start(self) -> None:
        try:
            pool, self._alive = _forkserver_pool(self.workers)
            self._pool = pool
            # Calls go to the pool once every worker has started and answered.
            for future in [pool.submit(os.getpid) for _ in range(self.workers)]:
                future.result()
            self._ready.set()
        except BaseException as exc:  # the pool cannot start: keep running here
            self._start_error = exc

    def started_pool(self) -> ProcessPoolExecutor | None:
        """The pool once its workers have answered, else None."""
        return self._pool if self._ready.is_set() else None

    def submit(self, fn, /, *args, **kwargs) -> Future:  # type: ignore[override]
        """On the pool once it is ready, else now in this process."""
        if self._ready.is_set() and self._pool is not None:
            return self._pool.submit(fn, *args, **kwargs)
        return self._here.submit(fn, *args, **kwargs)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        """Shut the pool down (if it started) and refuse later calls."""
        self._here.shutdown()
        if self._starter is not None:
            self._starter.join()
        if self._pool is not None:
            self._pool.shutdown(wait=wait, cancel_futures=cancel_futures)
        if self._alive is not None:
            for end in reversed(self._alive):
                end.close()


class KeptPool:
    """A local process pool for a long-lived process (the dashboard's server): started once,
    in the background, from the forkserver (such a process runs threads, so it cannot
    fork), and kept warm for every later computation, so that none waits for a start.

    `warm()` starts it (at once, returning); `executor()` is the pool once its workers
    have answered, else None (run in this process meanwhile). `kept_pool(workers)` gives
    the process's one pool of that size.
    """

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self._on_demand = PoolOnDemand(workers)
        self._lock = threading.Lock()

    def warm(self) -> None:
        """Start the pool in the background, if not started yet."""
        if self.workers > 1:
            with self._lock:
                self._on_demand.start()

    def wait(self) -> bool:
        """Start the pool if need be and wait until it answers (or failed to start); True
        when it is ready."""
        if self.workers > 1:
            with self._lock:
                self._on_demand.start(wait=True)
        return self.executor() is not None

    def executor(self) -> Executor | None:
        """The warm pool, or None while it starts (or if it could not)."""
        return self._on_demand.started_pool()

    def shutdown(self) -> None:
        """Stop the workers (at exit)."""
        self._on_demand.shutdown(wait=False, cancel_futures=True)


_KEPT: dict[int, KeptPool] = {}
_KEPT_LOCK = threading.Lock()


def kept_pool(workers: int) -> KeptPool:
    """This process's kept pool of `workers` processes (created on first use, not started:
    call `warm()`), shut down when the process exits."""
    with _KEPT_LOCK:
        if workers not in _KEPT:
            import atexit

            _KEPT[workers] = KeptPool(workers)
            atexit.register(_KEPT[workers].shutdown)
        return _KEPT[workers]


def cpu_count() -> int:
    """Cores this process may use."""
    if hasattr(os, "process_cpu_count"):
        return os.process_cpu_count() or 1  # Python 3.13+
    try:
        return len(os.sched_getaffinity(0)) or 1
    except AttributeError:
        return os.cpu_count() or 1


@contextmanager
def open_workers(
    workers: int | None = None, scheduler: str | None = None, *, on_demand: bool = False
) -> Iterator[Workers]:
    """The executor for `--workers N` / `--scheduler ADDRESS`, shut down on exit.

    `on_demand`: a local pool starts only once it pays for its start (`PoolOnDemand`; the
    caller reports the work left with `Workers.consider`); until then calls run here.
    """
    if scheduler is not None:
        with _dask(scheduler) as opened:
            yield opened
        return
    count = workers if workers is not None else cpu_count()
    if count > 1 and on_demand:
        on_demand_pool = PoolOnDemand(count)
        try:
            yield Workers(on_demand_pool, count, on_demand_pool.description, "process-pool")
        finally:
            on_demand_pool.shutdown(wait=True, cancel_futures=True)
        return
    if count <= 1:
        executor: Executor = InProcessExecutor()
        try:
            yield Workers(executor, 1, "in this process", "in-process")
        finally:
            executor.shutdown()
        return
    if can_fork():
        pool, (alive_reader, alive_writer) = _forked_pool(count)
        description = f"{count} local worker processes (forked)"
    else:
        pool, (alive_reader, alive_writer) = _forkserver_pool(count)
        description = f"{count} local worker processes"
    try:
        yield Workers(pool, count, description, "process-pool")
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        alive_writer.close()
        alive_reader.close()


def can_fork() -> bool:
    """Whether workers can be forked from this process now: on Linux (fork is the safe
    default there), from the main thread, with no other thread running (a fork copies only
    the calling thread, and a lock another thread holds would stay locked in the child)."""
    return (
        sys.platform.startswith("linux")
        and "fork" in multiprocessing.get_all_start_methods()
        and threading.current_thread() is threading.main_thread()
        and threading.active_count() == 1
    )


def _forked_pool(count: int) -> tuple[ProcessPoolExecutor, tuple[Any, Any]]:
    """A pool of `count` workers forked from this (warm, single-threaded) process, started
    and answering, with the ends of its coordinator-alive pipe.

    With the fork start method the pool forks every worker at its first `submit`, before
    it starts its own threads. SIGINT and SIGTERM are blocked meanwhile: a worker must not
    run the coordinator's handlers before its initialiser ignores them, and a signal that
    arrives during the forks reaches this process once they are done."""
    context = multiprocessing.get_context("fork")
    alive_reader, alive_writer = context.Pipe(duplex=False)
    pool = ProcessPoolExecutor(
        max_workers=count,
        mp_context=context,
        initializer=_initialise_worker,
        initargs=(alive_reader, alive_writer),
    )
    # Objects allocated so far move to a generation the collector leaves alone: the
    # workers' collections then do not write to (and so copy) every page they share.
    gc.freeze()
    stop_signals = {signal.SIGINT, signal.SIGTERM}
    blocked = signal.pthread_sigmask(signal.SIG_BLOCK, stop_signals)
    try:
        with warnings.catch_warnings():
            # Python warns of any other OS thread; here those are the idle helper threads
            # of OpenBLAS and jemalloc, which prepare for fork themselves (pthread_atfork),
            # as for any fork-started pool (mesa.batch_run's, on Linux).
            warnings.simplefilter("ignore", DeprecationWarning)
            answers = [pool.submit(os.getpid) for _ in range(count)]
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
    gc.unfreeze()  # this process collects as before
    for answer in answers:
        answer.result()
    return pool, (alive_reader, alive_writer)


def _forkserver_pool(count: int) -> tuple[ProcessPoolExecutor, tuple[Any, Any]]:
    """A pool of `count` workers started from the forkserver (as they are first needed),
    with the ends of its coordinator-alive pipe: workers hold the reading end of a pipe
    whose only writer is this process, so when the coordinator dies (even by SIGKILL) they
    read end-of-file and exit, leaving no orphans."""
    context = _context()
    alive_reader, alive_writer = context.Pipe(duplex=False)
    pool = ProcessPoolExecutor(
        max_workers=count,
        mp_context=context,
        initializer=_initialise_worker,
        initargs=(alive_reader,),
    )
    return pool, (alive_reader, alive_writer)


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
    from multiprocessing import forkserver

    if threading.current_thread() is not threading.main_thread():
        forkserver.ensure_running()
        return
    previous = signal.signal(signal.SIGTERM, signal.SIG_IGN)
    try:
        forkserver.ensure_running()
    finally:
        signal.signal(signal.SIGTERM, previous)


def _initialise_worker(coordinator_alive: Any, coordinator_end: Any = None) -> None:
    from experiments.worker import warm_up

    # Ctrl-C (or a batch system's SIGTERM) reaches the whole process group: the
    # coordinator handles it, and lets the chunks in flight finish so that their runs are
    # saved. A worker ends with its pool, or when the coordinator dies (the pipe below).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    # A forked worker inherits the blocked signals (see _forked_pool) and the writing end
    # of the pipe: closed here, or the pipe would never reach end-of-file.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT, signal.SIGTERM})
    if coordinator_end is not None:
        coordinator_end.close()
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
