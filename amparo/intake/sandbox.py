"""Decoding hostile files in a separate process with a memory and a time bound.

Scrubbing decodes images and rewrites PDFs and office packages: work whose cost an
attacker chooses. In the web worker, one crafted file could hold a core and hundreds of
megabytes for seconds, and a crash or a memory error would take the whole worker down.
Here each file is scrubbed in a child process forked from a small, Django-free fork
server (multiprocessing's "forkserver": no database connection, no session, no key of
the parent is ever in it), and the child, before it reads a byte, limits itself:

- address space: what the fork server already maps plus ``memory_bytes``; past it,
  allocations fail and the child reports a MemoryError (RLIMIT_AS);
- CPU time: ``seconds`` (RLIMIT_CPU), and the parent kills it at the same wall-clock
  deadline, which also covers a child that sleeps or blocks;
- no core dump (a dump would write the plaintext to disk) and no file writes.

The parent sends the bytes and reads back a ScrubbedFile or a refusal code; anything
else (a crash, a kill, a garbled answer) is a refusal, never an exception in the view.
This module must not import Django: the fork server preloads it.

Starting a child (a fork of the server, then multiprocessing's preparation) costs about
10 ms, so each worker keeps one child started ahead, waiting for its single job: a
request takes it and a new one is started beside the rest of the request. A waiting
child is the same as a fresh one: forked from the same Django-free server, holding
nothing, and it sets its limits after its job arrives, before it reads a byte of the
file; it serves one file and exits, and ends when the worker ends (its job pipe
closes). ``warm_up()`` starts the fork server and the first child at worker boot
(gunicorn.conf.py), so that no reporter waits for them.
"""

from __future__ import annotations

import contextlib
import io
import multiprocessing
import os
import resource
import sys
import threading
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any, get_args

from PIL import Image

from amparo.intake.scrub import RejectedFile, RejectionCode, ScrubbedFile, scrub_upload

# The codes the parent may receive besides scrub's own; "too_costly": over the memory or
# time bound, or killed.
TOO_COSTLY: RejectionCode = "too_costly"
_CODES = set(get_args(RejectionCode))

# Pillow loads its format plugins on first use: load them here, in the fork server, once,
# rather than in every child.
Image.init()

_context: Any = None
_context_lock = threading.Lock()


def _forkserver() -> Any:
    global _context
    with _context_lock:
        if _context is None:
            context = multiprocessing.get_context("forkserver")
            # This module (Pillow, pikepdf), never Django. Every child runs the parent's
            # __main__ script again before it starts (Python 3.11's forkserver does not
            # preload it): under gunicorn that script imports gunicorn.app.wsgiapp, 0.2 s
            # each time unless the fork server already holds it.
            preload = [__name__]
            if "gunicorn.app.wsgiapp" in sys.modules:
                preload.append("gunicorn.app.wsgiapp")
            context.set_forkserver_preload(preload)
            _context = context
        return _context


def _mapped_bytes() -> int:
    """The address space this process maps now (Linux /proc), or 0 if unknown."""
    try:
        with open("/proc/self/statm", "rb") as statm:
            return int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def _limit_self(memory_bytes: int, seconds: int) -> None:
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))
    cpu = max(1, seconds)
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    limit = _mapped_bytes() + memory_bytes
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def _scrub(data: bytes, max_bytes: int, max_pixels: int) -> ScrubbedFile:
    # Pillow's decompression-bomb guard, set deliberately (this child's own globals):
    # its warning becomes an error, which scrub_upload() reports as "pixels".
    Image.MAX_IMAGE_PIXELS = max_pixels
    warnings.simplefilter("error", Image.DecompressionBombWarning)
    return scrub_upload(io.BytesIO(data), max_bytes=max_bytes, max_pixels=max_pixels)


def _child(
    connection: Connection,
    function: Callable[..., Any],
    data: bytes,
    arguments: tuple[Any, ...],
    memory_bytes: int,
    seconds: int,
) -> None:
    try:
        _limit_self(memory_bytes, seconds)
        result: tuple[str, Any] = ("ok", function(data, *arguments))
    except RejectedFile as refused:
        result = ("refused", refused.code)
    except MemoryError:
        result = ("refused", TOO_COSTLY)
    except BaseException:
        result = ("refused", "corrupt")
    del data
    with contextlib.suppress(BaseException):
        connection.send(result)
    connection.close()


def _waiting_child(jobs: Connection, answers: Connection) -> None:
    """A child started ahead: waits for one job, then runs it as ``_child`` would."""
    try:
        job = jobs.recv()
    except (EOFError, OSError):
        return  # the worker ended (or dropped this child) before giving it a job
    finally:
        jobs.close()
    function, data, arguments, memory_bytes, seconds = job
    del job
    _child(answers, function, data, arguments, memory_bytes, seconds)


@dataclass
class _Started:
    process: Any
    jobs: Connection  # the parent's end: where the one job goes
    answers: Connection  # the parent's end: where the answer comes from

    def drop(self, *, reap_later: bool = False) -> None:
        """Close the pipes and make sure the child is gone.

        ``reap_later``: the child is killed now but waited for in a thread of its own,
        so that the request does not wait while the kernel tears the process down (a
        few milliseconds per report with a photo).
        """
        self.jobs.close()
        self.answers.close()
        if self.process.is_alive():
            self.process.kill()
        if reap_later:
            threading.Thread(target=self._reap, name="sandbox-reap", daemon=True).start()
        else:
            self._reap()

    def _reap(self) -> None:
        self.process.join(5)
        if self.process.exitcode is not None:
            self.process.close()


_spare: _Started | None = None
_spare_lock = threading.Lock()
_refilling = threading.Event()


def _start_child() -> _Started:
    context = _forkserver()
    job_out, job_in = context.Pipe(duplex=False)
    answer_out, answer_in = context.Pipe(duplex=False)
    process = context.Process(target=_waiting_child, args=(job_out, answer_in), daemon=True)
    try:
        process.start()
    except (OSError, RuntimeError, ValueError) as error:
        for end in (job_out, job_in, answer_out, answer_in):
            end.close()
        raise SandboxUnavailable(type(error).__name__) from None
    job_out.close()  # the child holds its own copies: EOF for either side when one dies
    answer_in.close()
    return _Started(process, job_in, answer_out)


def _take_child() -> _Started:
    """The child started ahead if it is still there, otherwise a new one."""
    global _spare
    with _spare_lock:
        spare, _spare = _spare, None
    if spare is not None:
        if spare.process.is_alive():
            return spare
        spare.drop()
    return _start_child()


def _refill() -> None:
    global _spare
    try:
        with _spare_lock:
            if _spare is not None:
                return
        started = _start_child()
        with _spare_lock:
            if _spare is None:
                _spare, started = started, None  # type: ignore[assignment]
        if started is not None:
            started.drop()  # another thread was quicker
    except SandboxUnavailable:
        pass  # the next request starts its own child, and says so if it cannot
    finally:
        _refilling.clear()


def _refill_soon() -> None:
    """Start the next child beside the rest of the request (one refill at a time)."""
    if _refilling.is_set():
        return
    _refilling.set()
    threading.Thread(target=_refill, name="sandbox-refill", daemon=True).start()


def warm_up() -> None:
    """Start the fork server and a first child now (at worker boot), not on the first
    file a reporter sends."""
    _refilling.set()
    _refill()


class SandboxUnavailable(Exception):
    """The fork server or the child could not be started (not the file's fault)."""


def run_bounded(
    function: Callable[..., Any],
    data: bytes,
    *arguments: Any,
    memory_bytes: int,
    seconds: int,
    while_waiting: Callable[[], object] | None = None,
) -> Any:
    """``function(data, *arguments)`` in a bounded child process; its result.

    ``function`` must be a module-level function (the child imports it by name) and its
    result picklable. Raises RejectedFile: the function's own, "too_costly" when the
    child ran out of memory or time or died, "corrupt" for any other exception in it;
    SandboxUnavailable when no child could be started at all.

    ``while_waiting``: run here, in the caller's thread, once the child has its job and
    before its answer is awaited (other work of the request, on another core than the
    child's). The wall-clock bound still counts from the moment the job was sent. An
    exception from it is the caller's: the child is dropped and it propagates.
    """
    job = (function, data, arguments, memory_bytes, seconds)
    child = _take_child()
    _refill_soon()
    try:
        child.jobs.send(job)
    except OSError:
        # The child started ahead died before its job (killed from outside): not the
        # file's fault, so a fresh child gets it.
        child.drop()
        child = _start_child()
        try:
            child.jobs.send(job)
        except OSError:
            child.drop()
            raise SandboxUnavailable("BrokenPipeError") from None
        except BaseException:
            child.drop()
            raise
    except BaseException:
        child.drop()  # an unpicklable job: the caller's mistake, raised as it is
        raise
    del job
    sent = time.monotonic()
    answer: Any = None
    try:
        if while_waiting is not None:
            while_waiting()
        try:
            # The wall-clock bound: a child that sleeps or blocks uses no CPU time.
            if child.answers.poll(max(0.0, seconds - (time.monotonic() - sent))):
                answer = child.answers.recv()
        except (EOFError, OSError):
            answer = None  # the child died without answering: killed by a limit
    finally:
        child.drop(reap_later=True)
    if not isinstance(answer, tuple) or len(answer) != 2:
        raise RejectedFile(TOO_COSTLY, "the child process ran out of time or memory")
    status, value = answer
    if status == "ok":
        return value
    code: RejectionCode = value if value in _CODES else "corrupt"
    raise RejectedFile(code, "refused in the child process")


def scrub_in_sandbox(
    data: bytes,
    *,
    max_bytes: int,
    max_pixels: int,
    memory_bytes: int,
    seconds: int,
    while_waiting: Callable[[], object] | None = None,
) -> ScrubbedFile:
    """scrub_upload() on ``data`` in a bounded child process (see run_bounded)."""
    result = run_bounded(
        _scrub,
        data,
        max_bytes,
        max_pixels,
        memory_bytes=memory_bytes,
        seconds=seconds,
        while_waiting=while_waiting,
    )
    if not isinstance(result, ScrubbedFile):
        raise RejectedFile("corrupt", "unexpected answer from the child process")
    return result
