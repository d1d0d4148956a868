"""Integration-test hooks: a failed test that ran subprocesses shows their logs in its report."""

from __future__ import annotations

from collections.abc import Generator

import pytest

from tests.integration.service_process import Processes


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, object, object]:
    """Attach the logs of the test's service and fake-Gemini processes to a failed setup or call."""
    report = yield
    processes = item.stash.get(Processes.stash_key, None)
    if processes is not None and isinstance(report, pytest.TestReport) and report.failed:
        report.sections.append((f"subprocess logs ({report.when})", processes.report()))
    return report
