"""The request-path benchmark's parts (webstack_tools/bench_requests.py): the
percentile, the load generator against a real local server (every request
made once, from the threads asked for, wrong answers counted as errors), the
table and the report it writes. The benchmark itself runs in `make bench`."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from webstack_tools import bench_requests as bench


def test_nearest_rank_percentiles():
    samples = [float(i) for i in range(1, 101)]
    assert (bench.percentile(samples, 50), bench.percentile(samples, 99), bench.percentile(samples, 100)) == (
        50.0,
        99.0,
        100.0,
    )
    assert bench.percentile([3.0], 99) == 3.0
    with pytest.raises(ValueError):
        bench.percentile([], 50)


@pytest.fixture
def server():
    """Counts requests per path and the connections' peak concurrency; ``/hit`` says Hit."""
    seen: dict[str, int] = {}
    state = {"active": 0, "peak": 0}
    lock = threading.Lock()
    gate = threading.Barrier(4, timeout=5)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def do_GET(self):
            with lock:
                seen[self.path] = seen.get(self.path, 0) + 1
                state["active"] += 1
                state["peak"] = max(state["peak"], state["active"])
            if self.path == "/together":
                gate.wait()  # passes only when 4 requests are in flight at once
            body = b"ok"
            self.send_response(500 if self.path == "/broken" else 200)
            self.send_header("X-Cache", "Hit from cloudfront" if self.path == "/hit" else "Miss from cloudfront")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            with lock:
                state["active"] -= 1

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/", seen, state
    httpd.shutdown()
    httpd.server_close()


def test_load_makes_each_request_once_from_the_threads_asked_for(server):
    url, seen, state = server
    result = bench.load(url, bench.Case("pages", lambda i: f"/p/{i}"), 200, 4)
    assert sorted(seen) == sorted(f"/p/{i}" for i in range(200))
    assert set(seen.values()) == {1}
    assert (result.requests, len(result.latencies), result.errors) == (200, 200, 0)
    assert result.rps > 0 and state["peak"] <= 4
    together = bench.load(url, bench.Case("together", lambda i: "/together"), 4, 4)
    assert together.errors == 0  # the barrier saw 4 requests in flight at once


def test_wrong_status_or_x_cache_counts_as_an_error(server):
    url, _, _ = server
    broken = bench.load(url, bench.Case("broken", lambda i: "/broken"), 10, 2)
    assert broken.errors == 10 and "status 500" in (broken.first_error or "")
    miss = bench.load(url, bench.Case("hit?", lambda i: "/miss", "Hit from cloudfront"), 10, 2)
    assert miss.errors == 10 and "Miss from cloudfront" in (miss.first_error or "")
    hit = bench.load(url, bench.Case("hit", lambda i: "/hit", "Hit from cloudfront"), 10, 2)
    assert hit.errors == 0


def test_report_has_the_table_the_machine_and_its_load(tmp_path):
    rows = [
        {"case": "edge -> S3, cache hit", "requests": 10, "concurrency": 2, "errors": 0, "rps": 1234.5,
         "p50_ms": 0.81, "p99_ms": 6.3, "first_error": None},
    ]  # fmt: skip
    machine = {"cpu_count": 2, "python": "3.11.7", "date": "2026-12-04 19:00 UTC", "platform": "Linux",
               "loadavg_start": [4.5, 4.0, 3.0], "loadavg_end": [5.25, 4.0, 3.0]}  # fmt: skip
    out = tmp_path / "reports" / "bench-requests.md"
    bench.write_report(out, rows, machine, "dev in a private emulator")
    text = out.read_text()
    table = [line for line in text.splitlines() if line.startswith("|")]
    assert [c.strip() for c in table[0].split("|")[1:-1]] == [
        "case",
        "n",
        "conc.",
        "errors",
        "req/s",
        "p50 ms",
        "p99 ms",
    ]
    assert "| 1234.5 |" in table[2] and "0.81" in table[2] and "6.30" in table[2]
    assert "load average 4.50 at the start, 5.25 at the end" in text
    assert json.loads(out.with_suffix(".json").read_text())["cases"] == rows
