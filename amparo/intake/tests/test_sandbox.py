"""The bounded child process that scrubs files: its limits hold, its answers arrive."""

from __future__ import annotations

import io
import time
from typing import Any
from unittest import mock

import pytest
from PIL import Image

from amparo.intake import sandbox
from amparo.intake.sandbox import run_bounded, scrub_in_sandbox
from amparo.intake.scrub import RejectedFile

MIB = 1024 * 1024


# Module-level: the child imports them by name.
def spin(data: bytes) -> bytes:
    while True:
        data = bytes(reversed(data))


def sleep(data: bytes) -> bytes:
    time.sleep(60)
    return data


def hog(data: bytes) -> int:
    hoard = [bytearray(16 * MIB) for _ in range(64)]  # 1 GiB
    return len(hoard)


def crash(data: bytes) -> bytes:
    import os

    os._exit(3)


def echo(data: bytes, suffix: bytes) -> bytes:
    return data + suffix


def refuse(data: bytes) -> bytes:
    raise RejectedFile("type")


def fail(data: bytes) -> bytes:
    raise KeyError(data)


def wait_for_marker(data: bytes) -> bytes:
    import os

    path = data.decode()
    deadline = time.monotonic() + 8
    while not os.path.exists(path) and time.monotonic() < deadline:
        time.sleep(0.01)
    return b"seen" if os.path.exists(path) else b"never"


def refusal_code(function: object, *arguments: object, seconds: int = 5) -> str:
    with pytest.raises(RejectedFile) as caught:
        run_bounded(function, b"x" * 100, *arguments, memory_bytes=256 * MIB, seconds=seconds)  # type: ignore[arg-type]
    return caught.value.code


def test_it_returns_what_the_function_returns() -> None:
    assert run_bounded(echo, b"abc", b"!", memory_bytes=256 * MIB, seconds=10) == b"abc!"


def test_it_stops_a_child_that_uses_too_much_cpu() -> None:
    started = time.monotonic()
    assert refusal_code(spin, seconds=1) == "too_costly"
    assert time.monotonic() - started < 5


def test_it_stops_a_child_that_takes_too_long_without_cpu() -> None:
    started = time.monotonic()
    assert refusal_code(sleep, seconds=1) == "too_costly"
    assert time.monotonic() - started < 5


def test_it_stops_a_child_that_wants_too_much_memory() -> None:
    assert refusal_code(hog) == "too_costly"


def test_a_crash_is_a_refusal_not_an_error() -> None:
    assert refusal_code(crash) == "too_costly"


def test_refusals_and_errors_in_the_child_come_back_as_codes() -> None:
    assert refusal_code(refuse) == "type"
    assert refusal_code(fail) == "corrupt"


def test_it_scrubs_an_image_in_the_child() -> None:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 10, 10)).save(out, "PNG", pnginfo=None)
    cleaned = scrub_in_sandbox(
        out.getvalue(), max_bytes=MIB, max_pixels=10_000, memory_bytes=256 * MIB, seconds=10
    )
    assert cleaned.kind == "png" and cleaned.metadata_removed


def test_an_image_that_needs_more_memory_than_allowed_is_too_costly() -> None:
    # 5000 x 5000 RGB decodes to 75 MB: more than the 32 MiB allowed here.
    out = io.BytesIO()
    Image.new("RGB", (5000, 5000)).save(out, "PNG")
    with pytest.raises(RejectedFile) as caught:
        scrub_in_sandbox(
            out.getvalue(),
            max_bytes=20 * MIB,
            max_pixels=40_000_000,
            memory_bytes=32 * MIB,
            seconds=10,
        )
    assert caught.value.code == "too_costly"


def test_a_child_started_ahead_serves_the_next_file_and_is_replaced() -> None:
    sandbox.warm_up()
    waiting = sandbox._spare
    assert waiting is not None and waiting.process.is_alive()
    assert run_bounded(echo, b"abc", b"?", memory_bytes=256 * MIB, seconds=10) == b"abc?"
    assert waiting.answers.closed  # it served this file, and is gone
    deadline = time.monotonic() + 10
    while sandbox._spare is None and time.monotonic() < deadline:
        time.sleep(0.01)
    assert sandbox._spare is not None and sandbox._spare is not waiting


def test_a_child_started_ahead_has_its_limits_once_its_job_arrives() -> None:
    sandbox.warm_up()
    assert refusal_code(hog) == "too_costly"
    sandbox.warm_up()
    assert refusal_code(spin, seconds=1) == "too_costly"


def test_a_child_started_ahead_that_died_is_replaced_without_refusing_the_file() -> None:
    sandbox.warm_up()
    waiting = sandbox._spare
    assert waiting is not None
    waiting.process.kill()
    waiting.process.join(5)
    assert run_bounded(echo, b"abc", b"!", memory_bytes=256 * MIB, seconds=10) == b"abc!"


def test_a_child_that_dies_between_the_check_and_its_job_is_replaced() -> None:
    dead = sandbox._start_child()
    dead.process.kill()
    dead.process.join(5)
    with mock.patch.object(sandbox, "_take_child", return_value=dead):
        assert run_bounded(echo, b"abc", b"!", memory_bytes=256 * MIB, seconds=10) == b"abc!"


def test_no_child_at_all_is_unavailable_not_a_refusal() -> None:
    with (
        mock.patch.object(sandbox, "_take_child", side_effect=sandbox.SandboxUnavailable("x")),
        pytest.raises(sandbox.SandboxUnavailable),
    ):
        run_bounded(echo, b"abc", b"!", memory_bytes=256 * MIB, seconds=10)


def test_a_waiting_child_ends_when_the_worker_drops_it() -> None:
    child = sandbox._start_child()
    child.jobs.close()
    child.process.join(10)
    assert child.process.exitcode == 0
    child.answers.close()


def test_work_given_to_do_while_waiting_runs_beside_the_child(tmp_path: Any) -> None:
    # The child answers only once the marker exists, and only the caller's work creates
    # it: done one after the other, the child would have run out of time first.
    marker = tmp_path / "marker"
    answer = run_bounded(
        wait_for_marker,
        str(marker).encode(),
        memory_bytes=256 * MIB,
        seconds=10,
        while_waiting=marker.touch,
    )
    assert answer == b"seen"


def test_the_wall_clock_bound_counts_from_the_job_not_from_the_work_beside_it() -> None:
    started = time.monotonic()
    with pytest.raises(RejectedFile) as caught:
        run_bounded(
            sleep, b"x", memory_bytes=256 * MIB, seconds=1, while_waiting=lambda: time.sleep(1.5)
        )
    assert caught.value.code == "too_costly"
    assert time.monotonic() - started < 2.5  # not 1.5 s of work and then a whole second


def test_an_error_in_the_work_beside_is_the_callers_and_the_child_is_dropped() -> None:
    def broken() -> None:
        raise OSError("the caller's own")

    taken: list[Any] = []
    real_take = sandbox._take_child

    def take() -> Any:
        taken.append(real_take())
        return taken[-1]

    taking = mock.patch.object(sandbox, "_take_child", side_effect=take)
    with taking, pytest.raises(OSError, match="the caller's own"):
        run_bounded(echo, b"abc", b"!", memory_bytes=256 * MIB, seconds=10, while_waiting=broken)
    (child,) = taken
    assert child.answers.closed and child.jobs.closed  # dropped (killed, reaped aside)
