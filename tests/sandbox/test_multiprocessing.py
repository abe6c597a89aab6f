"""multiprocessing in the sandbox: it works where the sandbox has a private /dev/shm, and says why where it has not.

Inside namespaces /dev/shm is the sandbox's own tmpfs, so named semaphores (and with them queues, locks and
process pools) work, forked with the default "fork" start method. At the process level /dev/shm would be
the host's, shared with the learner's other programs, so Landlock grants none of it and the semaphore's
refusal names the reason.
"""

import pytest

from coach.sandbox.audit import SEMAPHORES_REFUSED

from .conftest import WARM_LEVELS

POOL = """
    from concurrent.futures import ProcessPoolExecutor

    def square(x):
        return x * x

    def main():
        with ProcessPoolExecutor(max_workers=2) as pool:
            return list(pool.map(square, range(5)))
"""

namespaces_only = pytest.mark.skipif("namespaces" not in WARM_LEVELS, reason="no user namespaces here")


@namespaces_only
@pytest.mark.parametrize("level", ["namespaces"])
def test_a_process_pool_runs_inside_namespaces(level, run):
    result = run(POOL, entry="main")
    assert (result.outcome, result.return_value) == ("returned", [0, 1, 4, 9, 16]), result.stderr


@namespaces_only
@pytest.mark.parametrize("level", ["namespaces"])
def test_a_queue_between_processes_and_a_timed_join_run_on_scenario_time(level, run):
    result = run("""
        import multiprocessing, time

        def child(queue):
            time.sleep(5)
            queue.put("from the child")

        def main():
            queue = multiprocessing.Queue()
            worker = multiprocessing.Process(target=child, args=(queue,))
            started = time.monotonic()
            worker.start()
            worker.join(timeout=2)
            early = worker.is_alive()
            got = queue.get()
            worker.join()
            return [early, got, worker.exitcode, round(time.monotonic() - started, 1)]
    """, entry="main")
    assert result.return_value == [True, "from the child", 0, 5.0], result.stderr
    assert result.wall_s < 5


@pytest.mark.parametrize("level", ["process"])
def test_a_process_pool_at_the_process_level_is_refused_with_the_reason(level, run):
    result = run(POOL, entry="main")
    assert result.outcome == "raised"
    assert result.return_error == f"PermissionError: [Errno 13] {SEMAPHORES_REFUSED}"
