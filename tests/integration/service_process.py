"""The service and the fake Gemini as subprocesses, and control of the local devstack, for fault tests.

Fault tests kill, stop and restart things, so the service runs as ``python -m consumer`` in a process of
its own, configured only through environment variables as in production, with its output in a log
file that the failure report shows (see ``tests/integration/conftest.py``).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import urlsplit

import aiohttp
import pytest

from consumer.settings import Settings
from tests.conftest import ROOT, Stack, unused_port

# Settings the service reads from the environment; inherited values are dropped so that a developer's
# shell cannot change what a fault test runs.
_SETTING_NAMES = frozenset(name.upper() for name in Settings.model_fields) | {
    "GOOGLE_GEMINI_BASE_URL",
    "GOOGLE_API_KEY",
    "GOOGLE_GENAI_API_VERSION",
}


# Lines left out of failure reports (the full logs stay on disk): the SDK's per-request INFO line and
# aiokafka's per-attempt complaints while the broker is down.
_NOISE = re.compile(r"AFC is enabled|Unable connect to node|Unable to update metadata|NodeNotReadyError")


def source_first(env: Mapping[str, str]) -> dict[str, str]:
    """``env`` with this checkout first on ``PYTHONPATH``.

    The children run away from the repository (see ``ManagedProcess.start``), so without it
    ``python -m consumer`` would import whatever checkout the interpreter has installed in editable
    mode, not the code under test.
    """
    paths = [str(ROOT), *(p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p)]
    return {**env, "PYTHONPATH": os.pathsep.join(paths)}


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now (see ``tests.conftest.unused_port``)."""
    return unused_port()


async def wait_for(
    condition: Callable[[], Awaitable[bool]], *, timeout: float, what: str, interval: float = 0.25
) -> None:
    """Poll ``condition`` until it holds; raise TimeoutError naming ``what`` after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not await condition():
        if time.monotonic() > deadline:
            msg = f"timed out after {timeout:.0f}s waiting for {what}"
            raise TimeoutError(msg)
        await asyncio.sleep(interval)


class ManagedProcess:
    """A child process started and stopped by a test, its stdout and stderr appended to a log file."""

    def __init__(self, name: str, args: list[str], env: Mapping[str, str], log_path: Path) -> None:
        self.name = name
        self.args = args
        self.env = source_first(env)
        self.log_path = log_path
        self.starts = 0
        self._proc: subprocess.Popen[bytes] | None = None

    @property
    def pid(self) -> int:
        """PID of the current process (it must have been started)."""
        assert self._proc is not None, f"{self.name} was never started"
        return self._proc.pid

    @property
    def running(self) -> bool:
        """Whether the current process is alive."""
        return self._proc is not None and self._proc.poll() is None

    @property
    def returncode(self) -> int | None:
        """Exit status of the last process, None while it runs (or before it started)."""
        return None if self._proc is None else self._proc.poll()

    def start(self) -> None:
        """Start (or restart) the process; a banner in the log separates the generations."""
        assert not self.running, f"{self.name} is already running"
        self.starts += 1
        with self.log_path.open("ab") as log:
            log.write(f"\n===== {self.name}: start #{self.starts} at {time.strftime('%X')} =====\n".encode())
            log.flush()
            self._proc = subprocess.Popen(
                self.args,
                env=self.env,
                cwd=self.log_path.parent,  # away from the repository's .env
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # a Ctrl-C on pytest does not reach it; tests signal it by pid
            )

    def send_signal(self, sig: signal.Signals) -> None:
        """Send ``sig`` to the current process."""
        assert self._proc is not None, f"{self.name} was never started"
        self._note(f"sending {sig.name}")
        self._proc.send_signal(sig)

    async def kill(self) -> None:
        """SIGKILL the process and reap it."""
        self.send_signal(signal.SIGKILL)
        await self.wait_exit(timeout=30)

    async def wait_exit(self, timeout: float) -> int:
        """Wait until the process exits; return its status (TimeoutError if it is still alive)."""
        deadline = time.monotonic() + timeout
        while (code := self.returncode) is None:
            if time.monotonic() > deadline:
                msg = f"{self.name} (pid {self.pid}) still running after {timeout:.0f}s"
                raise TimeoutError(msg)
            await asyncio.sleep(0.05)
        self._note(f"exited with status {code}")
        return code

    def stop(self, timeout: float = 30.0) -> None:
        """Clean-up: SIGTERM, then SIGKILL if the process is still alive after ``timeout`` seconds."""
        if self._proc is None or self._proc.poll() is not None:
            return
        self._proc.send_signal(signal.SIGTERM)
        try:
            self._proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait()

    def log_text(self) -> str:
        """Everything the process wrote so far."""
        try:
            return self.log_path.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return ""

    def _note(self, text: str) -> None:
        with self.log_path.open("a", encoding="utf-8") as log:
            log.write(f"===== {self.name}: {text} at {time.strftime('%X')} =====\n")


class ServiceProcess(ManagedProcess):
    """``python -m consumer`` with its HTTP sidecar on ``127.0.0.1:port``."""

    def __init__(self, name: str, env: Mapping[str, str], log_path: Path) -> None:
        super().__init__(name, [sys.executable, "-m", "consumer"], env, log_path)
        self.base_url = f"http://{env['HTTP_HOST']}:{env['HTTP_PORT']}"

    async def health(self, timeout: float = 10.0) -> tuple[int, dict[str, Any]] | None:
        """(status, body) of ``GET /health``, or None when the sidecar does not answer."""
        try:
            async with (
                aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=timeout)) as http,
                http.get(f"{self.base_url}/health") as resp,
            ):
                body: dict[str, Any] = await resp.json()
                return resp.status, body
        except (aiohttp.ClientError, TimeoutError, ValueError):
            return None

    async def assigned_partitions(self) -> int:
        """Partitions the process holds by its /health (0 when it does not answer or Kafka is down)."""
        answer = await self.health()
        if answer is None:
            return 0
        kafka = answer[1].get("components", {}).get("kafka", {})
        return int(kafka.get("assigned_partitions") or 0)

    async def wait_ready(self, timeout: float = 120.0) -> None:
        """Wait until the sidecar answers and the consumer has partitions assigned."""

        async def ready() -> bool:
            if not self.running:
                msg = f"{self.name} exited with status {self.returncode} while starting"
                raise RuntimeError(msg)
            return await self.assigned_partitions() > 0

        await wait_for(ready, timeout=timeout, what=f"{self.name} to get partitions", interval=0.2)
        self._note("ready (partitions assigned)")

    def log_matches(self, pattern: str) -> list[str]:
        """Log lines matching a regular expression."""
        regex = re.compile(pattern)
        return [line for line in self.log_text().splitlines() if regex.search(line)]


class FakeGeminiProcess(ManagedProcess):
    """``python -m producer_tools.fake_gemini`` on a free port."""

    def __init__(self, name: str, env: Mapping[str, str], log_path: Path, *, latency: float) -> None:
        self.port = free_port()
        args = [sys.executable, "-m", "producer_tools.fake_gemini", "--port", str(self.port)]
        super().__init__(name, [*args, "--latency", str(latency)], env, log_path)
        self.url = f"http://127.0.0.1:{self.port}"

    def service_settings(self, **settings: str | float) -> dict[str, str | float]:
        """Settings for ``Processes.service`` that point the Gemini analyzer at this fake, plus
        ``settings``."""
        return {
            "llm_provider": "gemini",
            "gemini_api_key": "fault-test-key",
            "gemini_base_url": self.url,
            "llm_timeout_s": 10,
            **settings,
        }

    async def wait_ready(self, timeout: float = 30.0) -> None:
        """Wait until the control endpoint answers."""

        async def ready() -> bool:
            if not self.running:
                msg = f"{self.name} exited with status {self.returncode} while starting"
                raise RuntimeError(msg)
            with contextlib.suppress(aiohttp.ClientError, TimeoutError):
                await self.stats()
                return True
            return False

        await wait_for(ready, timeout=timeout, what=f"{self.name} to listen", interval=0.1)

    async def stats(self) -> dict[str, Any]:
        """``GET /_fake/stats``."""
        async with (
            aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as http,
            http.get(f"{self.url}/_fake/stats") as resp,
        ):
            resp.raise_for_status()
            body: dict[str, Any] = await resp.json()
            return body

    async def set_mode(self, **mode: Any) -> dict[str, Any]:
        """``POST /_fake/mode``, e.g. ``set_mode(fail_for_s=30)`` or ``set_mode(latency=0.01)``."""
        async with (
            aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as http,
            http.post(f"{self.url}/_fake/mode", json=mode) as resp,
        ):
            resp.raise_for_status()
            body: dict[str, Any] = await resp.json()
        self._note(f"mode {mode}")
        return body


class Processes:
    """The subprocesses of one test: created here, all stopped by ``stop_all`` and shown on failure."""

    stash_key: ClassVar[pytest.StashKey[Processes]] = pytest.StashKey()
    """Where the ``processes`` fixture leaves itself on the test item, for the failure report."""

    def __init__(
        self,
        stack: Stack,
        topics: Mapping[str, str],
        workdir: Path,
        defaults: Mapping[str, str | float] | None = None,
    ) -> None:
        """Processes on ``stack`` and ``topics``, logging under ``workdir``; ``defaults`` are settings
        (lower-case names, as for ``service``) every service gets unless it says otherwise."""
        self.stack = stack
        self.topics = dict(topics)
        self.workdir = workdir
        self.defaults = dict(defaults or {})
        self.started: list[ManagedProcess] = []

    def base_env(self) -> dict[str, str]:
        """This environment without any of the service's settings."""
        return {k: v for k, v in os.environ.items() if k not in _SETTING_NAMES}

    def service(
        self,
        settings: Mapping[str, str | float] | None = None,
        *,
        name: str = "service",
        topics: Mapping[str, str] | None = None,
    ) -> ServiceProcess:
        """A service on this test's topics (or ``topics``) and the session's database, not started.

        ``settings`` are environment variables by lower-case name, e.g. ``{"max_in_flight": 16}``;
        the defaults are the offline analyzer, a free sidecar port and ``SHUTDOWN_TIMEOUT_S=10``.
        """
        values: dict[str, str | float] = {
            "kafka_bootstrap_servers": self.stack.bootstrap,
            "database_url": self.stack.dsn,
            "http_host": "127.0.0.1",
            "http_port": free_port(),
            "llm_provider": "offline",
            "log_level": "INFO",
            "shutdown_timeout_s": 10,
            **self.defaults,
            **(settings or {}),
        }
        env = self.base_env()
        env.update(topics if topics is not None else self.topics)
        env.update({key.upper(): str(value) for key, value in values.items()})
        process = ServiceProcess(name, env, self.workdir / f"{name}.log")
        self.started.append(process)
        return process

    async def fake_gemini(self, name: str = "fake-gemini", *, latency: float = 0.0) -> FakeGeminiProcess:
        """A started and answering fake Gemini server."""
        fake = FakeGeminiProcess(name, self.base_env(), self.workdir / f"{name}.log", latency=latency)
        self.started.append(fake)
        fake.start()
        await fake.wait_ready()
        return fake

    def stop_all(self) -> None:
        """Stop every process still running (services first, so they see their LLM until the end)."""
        for process in sorted(self.started, key=lambda p: not isinstance(p, ServiceProcess)):
            process.stop()

    def report(self, max_lines: int = 300) -> str:
        """The last lines of every process log, without per-request noise, for a failure report."""
        parts = []
        for process in self.started:
            lines = [line for line in process.log_text().splitlines() if not _NOISE.search(line)]
            shown = lines[-max_lines:]
            cut = f" (last {len(shown)} of {len(lines)} lines)" if len(lines) > len(shown) else ""
            parts.append(f"----- {process.name}: {process.log_path}{cut} -----\n" + "\n".join(shown))
        return "\n".join(parts)


def _host_port(address: str) -> tuple[str, int | None]:
    """(host, port) of ``host:port`` or of a URL, with ``localhost`` as ``127.0.0.1``."""
    parts = urlsplit(address if "//" in address else f"//{address}")
    host = parts.hostname or ""
    return ("127.0.0.1" if host == "localhost" else host), parts.port


@dataclass(frozen=True)
class Devstack:
    """This checkout's ``scripts/devstack``, known to run the very Kafka and PostgreSQL the tests use."""

    script: Path

    async def run(self, command: str, timeout: float = 180.0) -> None:
        """Run ``scripts/devstack COMMAND`` (kafka-stop, kafka-start, pg-stop, pg-start) off the loop."""
        result = await asyncio.to_thread(
            subprocess.run,
            [str(self.script), command],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if result.returncode != 0:
            msg = f"scripts/devstack {command} failed ({result.returncode}):\n{result.stderr[-3000:]}"
            raise RuntimeError(msg)

    @classmethod
    def controlling(cls, stack: Stack) -> Devstack:
        """The devstack when both of ``stack``'s services are its own; otherwise skip the test.

        A test that stops Kafka or PostgreSQL must only ever stop a stack this checkout started, never
        one the environment points at (a shared broker, another checkout's stack, CI's services).
        """
        script = ROOT / "scripts" / "devstack"
        if not os.access(script, os.X_OK):
            pytest.skip(f"{script} is not available")
        result = subprocess.run(
            [str(script), "status"], capture_output=True, text=True, timeout=60, check=False
        )
        kafka = re.search(r"^kafka:\s+running.*KAFKA_BOOTSTRAP_SERVERS=(\S+)", result.stdout, re.MULTILINE)
        postgres = re.search(r"^postgres:\s+running.*DATABASE_URL=(\S+)", result.stdout, re.MULTILINE)
        if kafka is None or postgres is None:
            pytest.skip(f"this checkout's devstack is not running both services:\n{result.stdout}")
        used_kafka = {_host_port(b) for b in stack.bootstrap.split(",")}
        if used_kafka != {_host_port(kafka.group(1))}:
            pytest.skip(
                f"Kafka in use ({stack.bootstrap}) is not this checkout's devstack ({kafka.group(1)})"
            )
        if _host_port(stack.admin_dsn) != _host_port(postgres.group(1)):
            pytest.skip("PostgreSQL in use (DATABASE_URL) is not this checkout's devstack")
        return cls(script)
