"""Normalise a stream of documents on several processes, results in input order.

The parent reads and writes (so outputs stay atomic and ordered, and Ctrl-C is
handled in one place); workers only run the passes. Work goes out in chunks of
documents, and only a few chunks per worker are in flight at any time, so
memory stays flat however long the stream is.

Workers are forked where the platform allows: they inherit the loaded rules
instead of parsing the YAML again. Elsewhere the Normalizer is pickled, which
reloads its rules folder in each worker.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Generic, TypeVar

from normalize.document import Result
from normalize.pipeline import Normalizer

T = TypeVar("T")

CHUNK_DOCUMENTS = 64  # documents sent to a worker at once...
CHUNK_CHARS = 1_000_000  # ...or fewer, once their text is this long
CHUNKS_PER_WORKER = 3  # in flight per worker: enough to keep it busy, little memory


@dataclass(frozen=True, slots=True)
class Task:
    """One document to normalise."""

    text: str
    as_file: bool


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


def normalize_guarded(normalizer: Normalizer, task: Task) -> Outcome:
    """The result, or a Failure naming the error if a pass crashed on this document.

    A bug in one pass, met on one odd document, must not cost the output of all
    the others.
    """
    try:
        return normalizer.normalize_and_explain(task.text, as_file=task.as_file)
    except Exception as error:
        return Failure(f"internal error ({type(error).__name__}: {error}); skipped")


class DocumentPool(Generic[T]):
    """`map` normalises (context, Task) pairs and yields (context, Outcome) in order.

    With one job everything runs in this process. With more, worker processes
    start with the second chunk, so a run over one short document never pays
    for them. Use as a context manager: leaving it stops the workers.
    """

    def __init__(self, normalizer: Normalizer, jobs: int) -> None:
        self.normalizer = normalizer
        self.jobs = max(1, jobs)
        self._executor: ProcessPoolExecutor | None = None

    def __enter__(self) -> DocumentPool[T]:
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._executor is not None:
            # On an interrupt, queued chunks are dropped; a worker finishes the
            # chunk it holds (workers ignore Ctrl-C, the parent handles it).
            self._executor.shutdown(wait=exc_info[0] is None, cancel_futures=True)
            self._executor = None

    def map(self, items: Iterable[tuple[T, Task]]) -> Iterator[tuple[T, Outcome]]:
        chunks = _chunked(items)
        if self.jobs == 1:
            for chunk in chunks:
                yield from _pair(
                    chunk, normalize_chunk([task for _, task in chunk], self.normalizer)
                )
            return
        pending: deque[tuple[list[tuple[T, Task]], Future[list[Outcome]]]] = deque()
        for chunk in chunks:
            pending.append((chunk, self._submit([task for _, task in chunk])))
            if len(pending) >= self.jobs * CHUNKS_PER_WORKER:
                yield from self._collect(pending.popleft())
        while pending:
            yield from self._collect(pending.popleft())

    def _submit(self, tasks: list[Task]) -> Future[list[Outcome]]:
        if self._executor is None:
            self._executor = _start_workers(self.normalizer, self.jobs)
        return self._executor.submit(normalize_chunk, tasks)

    @staticmethod
    def _collect(
        entry: tuple[list[tuple[T, Task]], Future[list[Outcome]]],
    ) -> Iterator[tuple[T, Outcome]]:
        chunk, future = entry
        try:
            outcomes = future.result()
        except BrokenProcessPool as error:
            # A worker was killed (out of memory, say): nothing more can run.
            raise WorkersLost(str(error) or "a worker process died") from error
        return _pair(chunk, outcomes)


class WorkersLost(RuntimeError):
    """A worker process died, so the run cannot go on."""


def _pair(chunk: list[tuple[T, Task]], outcomes: list[Outcome]) -> Iterator[tuple[T, Outcome]]:
    return zip((context for context, _ in chunk), outcomes, strict=True)


def _chunked(items: Iterable[tuple[T, Task]]) -> Iterator[list[tuple[T, Task]]]:
    chunk: list[tuple[T, Task]] = []
    size = 0
    for item in items:
        chunk.append(item)
        size += len(item[1].text)
        if len(chunk) >= CHUNK_DOCUMENTS or size >= CHUNK_CHARS:
            yield chunk
            chunk, size = [], 0
    if chunk:
        yield chunk


# The worker's Normalizer: set once per worker process by `_init_worker`.
_worker_normalizer: Normalizer | None = None


def normalize_chunk(tasks: list[Task], normalizer: Normalizer | None = None) -> list[Outcome]:
    """Normalise a chunk of documents (in a worker, with the worker's Normalizer)."""
    chosen = normalizer or _worker_normalizer
    assert chosen is not None, "normalize_chunk runs in a worker started by DocumentPool"
    return [normalize_guarded(chosen, task) for task in tasks]


def _init_worker(normalizer: Normalizer) -> None:
    global _worker_normalizer
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
    # fork shares the loaded rules and dictionaries with the workers at no cost;
    # ProcessPoolExecutor starts all forked workers at once, before its own thread.
    context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
    start: Callable[[Normalizer], None] = _init_worker
    return ProcessPoolExecutor(
        max_workers=jobs, mp_context=context, initializer=start, initargs=(normalizer,)
    )
