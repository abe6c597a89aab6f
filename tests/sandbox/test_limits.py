"""Resource limits stop runaway code and say which limit it hit."""

from dataclasses import replace

from .conftest import SMALL


def test_wall_clock_timeout_kills_a_busy_loop(level, run):
    result = run("while True: pass", timeout_s=0.5, limits=replace(SMALL, cpu_s=30))
    assert result.timed_out
    assert result.limit_hit == "wall"


def test_a_program_whose_threads_all_wait_forever_is_reported_deadlocked_at_once(level, run):
    result = run("import threading\nthreading.Event().wait()", timeout_s=30)
    assert result.limit_hit == "deadlock" and not result.timed_out
    assert result.wall_s < 30


def test_cpu_limit_stops_a_spin(level, run):
    result = run("while True: pass", timeout_s=10, limits=replace(SMALL, cpu_s=1))
    assert result.limit_hit == "cpu"
    assert not result.timed_out


def test_memory_limit_stops_a_blow_up(level, run):
    result = run("blocks = []\nwhile True: blocks.append(bytearray(64 << 20))")
    assert result.limit_hit == "memory"


def test_file_size_limit_stops_a_huge_write(level, run):
    result = run("with open('big.bin', 'wb') as f:\n    while True: f.write(b'x' * (1 << 20))")
    assert result.limit_hit == "file_size"


def test_open_files_limit(level, run):
    result = run("files = [open('f%d' % i, 'w') for i in range(10000)]")
    assert result.limit_hit == "open_files"


def test_process_limit_stops_a_fork_bomb(level, run):
    result = run("import os\nwhile True: os.fork()", timeout_s=5)
    assert result.limit_hit == "processes"
