"""The fork server pays the SDK's first-use costs once: checked in a child, so this process stays untouched."""

import subprocess
import sys
import textwrap


def run(code: str) -> str:
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_the_warm_up_runs_every_step_with_the_installed_sdk():
    assert run("""
        from coach.sandbox.sdkwarmup import warm_sdk
        print(warm_sdk())
    """) == "True"


def test_after_the_warm_up_every_client_shares_one_ssl_context():
    assert run("""
        import anthropic
        from coach.sandbox.sdkwarmup import warm_sdk
        warm_sdk()
        a = anthropic.Anthropic(api_key="k", base_url="http://127.0.0.1:9")
        b = anthropic.AsyncAnthropic(api_key="k", base_url="http://127.0.0.1:9")
        contexts = {id(c._client._transport._pool._ssl_context) for c in (a, b)}
        print(len(contexts))
    """) == "1"


def test_a_failed_warm_up_is_reported_not_raised():
    assert run("""
        import httpx2
        from coach.sandbox import sdkwarmup
        httpx2.MockTransport = None  # as if a release removed it
        print(sdkwarmup.warm_sdk())
    """) == "False"
