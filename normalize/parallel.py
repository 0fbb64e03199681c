"""Normalise a stream of documents on several processes, results in input order.

The parent reads and writes (so outputs stay atomic and ordered, and Ctrl-C is
handled in one place); workers run a `work` function on each payload: the
passes, and whatever else can be done next to them (parsing and writing a JSON
line), so that the parent has as little to do as possible. Work goes out in
chunks of payloads, and only a few chunks per worker are in flight at any
time, so memory stays flat however long the stream is.

Workers are forked where the platform allows: they inherit the loaded rules
instead of parsing the YAML again. Elsewhere the Normalizer is pickled, which
reloads its rules folder in each worker.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from itertools import chain
from typing import Generic, Protocol, TypeVar

from normalize.document import Result
from normalize.pipeline import Normalizer, describe_internal_error

CHUNK_DOCUMENTS = 64  # payloads sent to a worker at once...
CHUNK_CHARS = 1_000_000  # ...or fewer, once they are this big
CHUNKS_PER_WORKER = 3  # in flight per worker: enough to keep it busy, little memory


class Payload(Protocol):
    @property
    def size(self) -> int: ...


C = TypeVar("C")  # what the parent keeps about a payload (where it came from)
P = TypeVar("P", bound=Payload)
R = TypeVar("R")
Work = Callable[[Normalizer, P], R]


@dataclass(frozen=True, slots=True)
class Task:
    """One document to normalise."""

    text: str
    as_file: bool

    @property
    def size(self) -> int:
        return len(self.text)


@dataclass(frozen=True, slots=True)
class Failure:
    """A document a pass crashed on: the others go on."""

    problem: str


Outcome = Result | Failure


def count_cores() -> int:
    """The cores this process may run on (its CPU affinity, where the OS tells)."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return os.cpu_count() or 1


def normalize_task(normalizer: Normalizer, task: Task) -> Outcome:
    """The result, or a Failure naming the error if a pass crashed on this document.

    A bug in one pass, met on one odd document, must not cost the output of all
    the others.
    """
    try:
        return normalizer.normalize_and_explain(task.text, as_file=task.as_file)
    except Exception as error:
        return Failure(f"{describe_internal_error(error)}; skipped")


class DocumentPool(Generic[C, P, R]):
    """`map` runs `work` on (context, payload) pairs and yields (context, result) in order.

    With one job everything runs in this process. With more, worker processes
    start with the second chunk, so a run over one short document never pays
    for them. Use as a context manager: leaving it stops the workers.
    """

    def __init__(self, normalizer: Normalizer, jobs: int) -> None:
        self.normalizer = normalizer
        self.jobs = max(1, jobs)
        self._executor: ProcessPoolExecutor | None = None

    def __enter__(self) -> DocumentPool[C, P, R]:
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._executor is not None:
            # On an interrupt, queued chunks are dropped; a worker finishes the
            # chunk it holds (workers ignore Ctrl-C, the parent handles it).
            self._executor.shutdown(wait=exc_info[0] is None, cancel_futures=True)
            self._executor = None

    def map(self, work: Work[P, R], items: Iterable[tuple[C, P]]) -> Iterator[tuple[C, R]]:
        """`work` must be a module-level function: workers get it by name."""
        chunks = _chunked(items)
        first = next(chunks, None)
        second = next(chunks, None) if self.jobs > 1 else None
        if second is None:  # one job, or too little work to be worth starting workers
            for chunk in chain([first] if first else [], chunks):
                yield from _pair(chunk, run_chunk(work, _payloads(chunk), self.normalizer))
            return
        assert first is not None  # chunks come in order: there is a second, so a first
        pending: deque[tuple[list[tuple[C, P]], Future[list[R]]]] = deque()
        for chunk in chain([first, second], chunks):
            pending.append((chunk, self._submit(work, _payloads(chunk))))
            if len(pending) >= self.jobs * CHUNKS_PER_WORKER:
                yield from self._collect(*pending.popleft())
        while pending:
            yield from self._collect(*pending.popleft())

    def _submit(self, work: Work[P, R], payloads: list[P]) -> Future[list[R]]:
        if self._executor is None:
            self._executor = _start_workers(self.normalizer, self.jobs)
        return self._executor.submit(run_chunk, work, payloads)

    @staticmethod
    def _collect(chunk: list[tuple[C, P]], future: Future[list[R]]) -> Iterator[tuple[C, R]]:
        try:
            results = future.result()
        except BrokenProcessPool as error:
            # A worker was killed (out of memory, say): nothing more can run.
            raise WorkersLost(str(error) or "a worker process died") from error
        return _pair(chunk, results)


class WorkersLost(RuntimeError):
    """A worker process died, so the run cannot go on."""


def _payloads(chunk: list[tuple[C, P]]) -> list[P]:
    return [payload for _, payload in chunk]


def _pair(chunk: list[tuple[C, P]], results: list[R]) -> Iterator[tuple[C, R]]:
    return zip((context for context, _ in chunk), results, strict=True)


def _chunked(items: Iterable[tuple[C, P]]) -> Iterator[list[tuple[C, P]]]:
    chunk: list[tuple[C, P]] = []
    size = 0
    for item in items:
        chunk.append(item)
        size += item[1].size
        if len(chunk) >= CHUNK_DOCUMENTS or size >= CHUNK_CHARS:
            yield chunk
            chunk, size = [], 0
    if chunk:
        yield chunk


# The worker's Normalizer: set once per worker process by `_init_worker`.
_worker_normalizer: Normalizer | None = None


def run_chunk(work: Work[P, R], payloads: list[P], normalizer: Normalizer | None = None) -> list[R]:
    """Run `work` on a chunk of payloads (in a worker, with the worker's Normalizer)."""
    chosen = normalizer or _worker_normalizer
    assert chosen is not None, "run_chunk runs in a worker started by DocumentPool"
    return [work(chosen, payload) for payload in payloads]


def _init_worker(normalizer: Normalizer, parent: int) -> None:
    global _worker_normalizer
    die_with_parent(parent)
    # Ctrl-C reaches the whole process group; the parent alone decides what to
    # do, so a worker never prints a traceback of its own. SIGTERM and SIGHUP
    # end a worker at once (the parent's handlers, inherited by fork, would
    # raise in the middle of a pass).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for name in ("SIGTERM", "SIGHUP"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), signal.SIG_DFL)
    _worker_normalizer = normalizer


def _start_workers(normalizer: Normalizer, jobs: int) -> ProcessPoolExecutor:
    methods = multiprocessing.get_all_start_methods()
    if "fork" in methods:
        normalizer.preload()  # built once here, shared by the forked workers
    # fork shares the loaded rules and dictionaries with the workers at no cost;
    # ProcessPoolExecutor starts all forked workers at once, before its own thread.
    context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
    return ProcessPoolExecutor(
        max_workers=jobs,
        mp_context=context,
        initializer=_init_worker,
        initargs=(normalizer, os.getpid()),
    )


_PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>
PARENT_POLL_SECONDS = 1.0


def die_with_parent(parent: int) -> None:
    """End this worker when process `parent` dies, however it dies.

    A parent killed outright (SIGKILL, the OOM killer) runs no cleanup, and its
    workers would go on, holding memory, with PID 1 as their parent. On Linux
    the kernel sends them SIGKILL (prctl PR_SET_PDEATHSIG); elsewhere a thread
    notices within a second that the parent is gone.
    """
    if sys.platform.startswith("linux") and _ask_kernel_for_death_signal():
        if os.getppid() != parent:  # the parent died before the request was made
            os._exit(1)
        return
    threading.Thread(target=_watch_parent, args=(parent,), name="watch-parent", daemon=True).start()


def _ask_kernel_for_death_signal() -> bool:
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return bool(libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0)
    except (OSError, AttributeError):  # no C library to load, or no prctl in it
        return False


def _watch_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(PARENT_POLL_SECONDS)
    os._exit(1)
