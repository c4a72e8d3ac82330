"""A small HTTP/1.1 load generator on one asyncio event loop, for the latency benchmarks.

The server and the load generator share the machine's two cores, so the generator must be cheap:
a thread per client with ``http.client`` cost several milliseconds of CPU per request (the GIL
handed between 50 threads), taken from the server being measured. Here every client is a
coroutine with its own connection (kept alive when the server allows it, opened again when the
server closes it), and a request costs a fraction of a millisecond.

Two ways to drive the server:

* ``closed``: each client sends its next request as soon as the previous answer is in;
* ``paced``: each client sends ``rate`` requests per second on a fixed schedule; latency is counted
  from the scheduled send time, so a backlog shows up instead of being hidden (no coordinated
  omission).
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class Result:
    latencies: list[float] = field(default_factory=list)  # seconds
    statuses: dict[int, int] = field(default_factory=dict)  # HTTP status -> count; 0: no answer
    wall: float = 0.0

    def add(self, latency: float, status: int) -> None:
        self.latencies.append(latency)
        self.statuses[status] = self.statuses.get(status, 0) + 1


class Connection:
    """One keep-alive HTTP/1.1 connection to 127.0.0.1:port."""

    def __init__(self, port: int):
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None

    async def get(self, path: str, headers: dict[str, str]) -> int:
        """The response's status after reading its whole body; 0 when no answer came (a connection
        the server closed while idle is opened again once)."""
        request = (f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{self.port}\r\n"
                   + "".join(f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n").encode("latin-1")
        for attempt in (1, 2):
            fresh = self.writer is None
            try:
                if fresh:
                    self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
                self.writer.write(request)
                return await self._response()
            except (OSError, asyncio.IncompleteReadError, ValueError, IndexError):
                self.close()
                if fresh or attempt == 2:
                    return 0
        return 0

    async def _response(self) -> int:
        reader = self.reader
        status_line = await reader.readline()
        if not status_line:
            raise ConnectionResetError("closed before the status line")
        status = int(status_line.split()[1])
        length, chunked, close = None, False, status_line.startswith(b"HTTP/1.0")
        while True:
            line = await reader.readline()
            if line in (b"\r\n", b"\n", b""):
                break
            name, _, value = line.decode("latin-1").partition(":")
            name, value = name.strip().lower(), value.strip().lower()
            if name == "content-length":
                length = int(value)
            elif name == "transfer-encoding" and "chunked" in value:
                chunked = True
            elif name == "connection":
                close = value == "close"
        if chunked:
            while True:
                size = int((await reader.readline()).split(b";")[0], 16)
                await reader.readexactly(size + 2)
                if size == 0:
                    break
        elif length is not None:
            await reader.readexactly(length)
        else:
            await reader.read()
            close = True
        if close:
            self.close()
        return status


PathFor = Callable[[int, int], str]  # (client, request number) -> path
HeadersFor = Callable[[int], dict[str, str]]  # client -> headers


async def _run(port: int, path_for: PathFor, headers_for: HeadersFor, clients: int, total: int,
               rate: float | None, timeout_s: float) -> Result:
    result = Result()
    per = max(1, total // clients)
    start = time.perf_counter() + 0.2
    deadline = start + timeout_s
    offsets = random.Random(7).sample(range(1000), clients)

    async def client(c: int) -> None:
        conn = Connection(port)
        headers = headers_for(c)
        try:
            for k in range(per):
                now = time.perf_counter()
                if now > deadline:
                    break
                if rate is None:  # closed loop
                    due = now
                else:
                    due = start + (offsets[c] / 1000 + k) / rate
                    if due > now:
                        await asyncio.sleep(due - now)
                status = await conn.get(path_for(c, k), headers)
                result.add(time.perf_counter() - due, status)
        finally:
            conn.close()

    t0 = time.perf_counter()
    await asyncio.gather(*(client(c) for c in range(clients)))
    result.wall = time.perf_counter() - t0
    return result


def run(port: int, path_for: PathFor, headers_for: HeadersFor, *, clients: int, total: int,
        rate: float | None = None, timeout_s: float = 600) -> Result:
    """``total`` requests from ``clients`` clients; ``rate`` requests/s per client (paced) or
    ``None`` (closed loop)."""
    return asyncio.run(_run(port, path_for, headers_for, clients, total, rate, timeout_s))
