"""The guard in front of `policykg serve`: a small HTTP proxy on the public port, oxigraph on a private loopback port.

The oxigraph server has no switch to turn off SERVICE (it would fetch any URL a query names) and its `--timeout-s`
answers HTTP 200 with the JSON cut off and "The SPARQL operation has been cancelled" appended. So every request
passes through here first:
- a query using SERVICE is refused with 403 and a message (unless `--allow-service`), found by graph/guard.py;
- updates and Graph Store writes are refused with 403 (the store is read-only anyway);
- the whole answer is read before anything is sent, within the time limit; a late or cut-off answer becomes a 504
  with a message, never a truncated 200;
- the store is served from a snapshot (hard links to its immutable files), and when a rebuild swaps in a new
  `out/store` the proxy starts oxigraph on the new one and switches to it, so `serve` never answers from a store
  that the build has deleted, nor from the old graph after a rebuild.
"""

from __future__ import annotations

import http.client
import json
import math
import os
import shutil
import tempfile
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from policykg.endpoint_cli import OxigraphServer, ServerError, free_port
from policykg.graph.guard import SERVICE_REFUSED, uses_service

CANCELLED = b"The SPARQL operation has been cancelled"
READ_ONLY = "只读端点：不接受更新或写入（SPARQL Update、Graph Store 写操作）"
MAX_REQUEST = 10 * 1024 * 1024
MAX_ANSWER = 1024 * 1024 * 1024
_VALIDATE_JSON = 64 * 1024 * 1024  # answers up to this size are parsed to make sure they are whole
#: not passed on (accept-encoding too: a compressed answer could not be checked for completeness)
_HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade", "host", "content-length",
               "proxy-authorization", "proxy-authenticate", "accept-encoding"}


def timeout_message(seconds: float) -> str:
    return f"查询超过 {seconds:g} 秒仍未完成，已停止（不返回不完整的结果）；可用 policykg serve --timeout 调大时限"


def snapshot(store: Path) -> Path:
    """A private copy of a store: its immutable .sst files hard-linked, the small files copied. Beside the output
    folder (`out.serving-PID-N`, removed by the next build if this process is gone) or in the temp folder."""
    out = store.parent
    for parent, prefix in ((out.parent, f"{out.name}.serving-{os.getpid()}-"), (Path(tempfile.gettempdir()),
                                                                              "policykg-serving-")):
        try:
            folder = Path(tempfile.mkdtemp(prefix=prefix, dir=parent))
            break
        except OSError:
            continue
    else:
        raise ServerError("找不到可写的文件夹来存放图数据库的快照")
    copy = folder / "store"
    copy.mkdir()
    for entry in store.iterdir():
        if entry.name == "LOCK":
            continue
        if entry.suffix == ".sst":
            try:
                os.link(entry, copy / entry.name)
                continue
            except OSError:
                pass  # another file system: copy
        shutil.copy2(entry, copy / entry.name)
    return copy


def store_identity(store: Path) -> tuple[int, int, int] | None:
    """What changes when a build swaps in a new store: the folder's device, inode and modification time."""
    try:
        info = store.stat()
    except OSError:
        return None
    return info.st_dev, info.st_ino, info.st_mtime_ns


class _Upstream:
    """One oxigraph process over one snapshot, with the number of requests it is answering."""

    def __init__(self, store: Path, query_timeout: int) -> None:
        self.snapshot = snapshot(store)
        try:
            self.server = OxigraphServer(self.snapshot, free_port(), query_timeout=query_timeout).start()
        except BaseException:
            shutil.rmtree(self.snapshot.parent, ignore_errors=True)
            raise
        self.active = 0

    def stop(self) -> None:
        self.server.stop()
        shutil.rmtree(self.snapshot.parent, ignore_errors=True)


class GuardedEndpoint:
    """The public endpoint of `policykg serve`: the checks above, and a reopen when the store is rebuilt."""

    def __init__(self, store: Path, port: int, *, host: str = "127.0.0.1", timeout: float = 30.0,
                 allow_service: bool = False, watch_every: float = 1.0,
                 say: Callable[[str], None] | None = None) -> None:
        if not (store.is_dir() and any(store.iterdir())):
            raise ServerError(f"no graph store at {store}: run `policykg build` first, or pass --out DIR")
        self.store, self.host, self.port = store, host, port
        self.timeout, self.allow_service, self.watch_every = timeout, allow_service, watch_every
        self.say = say or (lambda _message: None)
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._upstream: _Upstream | None = None
        self._identity: tuple[int, int, int] | None = None
        self._http: ThreadingHTTPServer | None = None
        self._threads: list[threading.Thread] = []
        self.reloads = 0

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def query_url(self) -> str:
        return f"{self.url}/query"

    def start(self) -> GuardedEndpoint:
        from policykg.endpoint_cli import _port_taken

        if _port_taken(self.host, self.port):
            raise ServerError(f"port {self.port} on {self.host} is already in use; pass another --port")
        self._identity = store_identity(self.store)
        self._upstream = _Upstream(self.store, self._oxigraph_timeout())
        try:
            self._http = ThreadingHTTPServer((self.host, self.port), _handler(self))
        except OSError as exc:
            self._upstream.stop()
            raise ServerError(f"cannot listen on {self.host}:{self.port}: {exc.strerror or exc}") from exc
        self._http.daemon_threads = True
        for target in (self._http.serve_forever, self._watch):
            thread = threading.Thread(target=target, daemon=True)
            thread.start()
            self._threads.append(thread)
        return self

    def _oxigraph_timeout(self) -> int:
        """oxigraph stops a query one second after the proxy has given up on it (it takes whole seconds only)."""
        return math.ceil(self.timeout) + 1

    def stop(self) -> None:
        self._stopping.set()
        if self._http is not None:
            self._http.shutdown()
            self._http.server_close()
        with self._lock:
            upstream, self._upstream = self._upstream, None
        if upstream is not None:
            upstream.stop()

    def alive(self) -> bool:
        with self._lock:
            upstream = self._upstream
        return upstream is not None and upstream.server.process is not None and upstream.server.process.poll() is None

    def __enter__(self) -> GuardedEndpoint:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    # the store after a rebuild ------------------------------------------------------------------------------------
    def _watch(self) -> None:
        while not self._stopping.wait(self.watch_every):
            identity = store_identity(self.store)
            if identity is None or identity == self._identity:
                continue
            time.sleep(0.2)  # let the build finish the swap
            if store_identity(self.store) != identity:
                continue
            self.reload(identity)

    def reload(self, identity: tuple[int, int, int] | None = None) -> bool:
        """Serve the store now at `store`: start oxigraph on a snapshot of it, switch, retire the old one."""
        identity = identity or store_identity(self.store)
        try:
            fresh = _Upstream(self.store, self._oxigraph_timeout())
        except (ServerError, OSError) as exc:
            self.say(f"检测到新的图数据库，但无法打开，继续使用旧的：{exc}")
            self._identity = identity
            return False
        with self._lock:
            old, self._upstream = self._upstream, fresh
            self._identity = identity
            self.reloads += 1
        self.say("检测到重新构建：已切换到新的图数据库")
        if old is not None:
            threading.Thread(target=self._retire, args=(old,), daemon=True).start()
        return True

    def _retire(self, old: _Upstream) -> None:
        deadline = time.monotonic() + self.timeout + 5
        while old.active and time.monotonic() < deadline:
            time.sleep(0.1)
        old.stop()

    def acquire(self) -> _Upstream:
        with self._lock:
            if self._upstream is None:
                raise ConnectionError("the endpoint is stopping")
            self._upstream.active += 1
            return self._upstream

    def release(self, upstream: _Upstream) -> None:
        with self._lock:
            upstream.active -= 1


def _handler(endpoint: GuardedEndpoint) -> type[BaseHTTPRequestHandler]:
    class Handler(_GuardHandler):
        guarded = endpoint

    return Handler


class _GuardHandler(BaseHTTPRequestHandler):
    guarded: GuardedEndpoint
    protocol_version = "HTTP/1.1"
    server_version = "policykg-serve"

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the terminal shows what serve says, not every request."""

    def do_GET(self) -> None:
        self._handle()

    def do_HEAD(self) -> None:
        self._handle()

    def do_POST(self) -> None:
        self._handle()

    def do_PUT(self) -> None:
        self._refuse(403, READ_ONLY)

    def do_DELETE(self) -> None:
        self._refuse(403, READ_ONLY)

    def do_PATCH(self) -> None:
        self._refuse(403, READ_ONLY)

    def _refuse(self, status: int, message: str) -> None:
        body = (message + "\n").encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _page(self) -> bool:
        """GET / shows our own page: the project's prefixes and named queries as examples (policykg.endpoint_page)."""
        if self.command not in ("GET", "HEAD") or urlsplit(self.path).path not in ("/", "/index.html") \
                or "query" in parse_qs(urlsplit(self.path).query):
            return False
        from policykg.endpoint_page import page_html

        body = page_html().encode("utf-8")
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
        return True

    def _handle(self) -> None:
        if self._page():
            return
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_REQUEST:
            self._refuse(413, "请求过大")
            return
        body = self.rfile.read(length) if length else b""
        url = urlsplit(self.path)
        params = parse_qs(url.query, keep_blank_values=True)
        kind = self.headers.get_content_type()
        form = parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True) \
            if kind == "application/x-www-form-urlencoded" else {}
        writes = url.path.rstrip("/").endswith("/update") or "update" in params or "update" in form \
            or kind == "application/sparql-update" or (self.command == "POST" and url.path.startswith("/store"))
        if writes:
            self._refuse(403, READ_ONLY)
            return
        queries = [*params.get("query", []), *form.get("query", [])]
        if kind == "application/sparql-query":
            queries.append(body.decode("utf-8", "replace"))
        if not self.guarded.allow_service and any(uses_service(q) for q in queries):
            self._refuse(403, SERVICE_REFUSED)
            return
        self._forward(body)

    def _forward(self, body: bytes) -> None:
        guarded = self.guarded
        deadline = time.monotonic() + guarded.timeout
        try:
            upstream = guarded.acquire()
        except ConnectionError:
            self._refuse(503, "端点正在停止")
            return
        server = upstream.server
        connection = http.client.HTTPConnection(server.host, server.port, timeout=guarded.timeout)
        try:
            headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP_BY_HOP}
            connection.request(self.command, self.path, body=body or None, headers=headers)
            response = connection.getresponse()
            answer = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)
            size = 0
            while True:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError
                if connection.sock is not None:
                    connection.sock.settimeout(left)
                chunk = response.read1(65536) if self.command != "HEAD" else b""
                if not chunk:
                    break
                size += len(chunk)
                if size > MAX_ANSWER:
                    self._refuse(507, f"结果超过 {MAX_ANSWER // 1024 // 1024} MB，请加 LIMIT 或缩小查询范围")
                    return
                answer.write(chunk)
            if not _complete(answer, size, response.getheader("Content-Type", "")):
                raise TimeoutError
            self.send_response(response.status, response.reason)
            for name, value in response.getheaders():
                if name.lower() not in _HOP_BY_HOP:
                    self.send_header(name, value)
            self.send_header("Content-Length", str(size))
            self.end_headers()
            answer.seek(0)
            shutil.copyfileobj(answer, self.wfile)
        except TimeoutError:
            self._refuse(504, timeout_message(guarded.timeout))
        except (OSError, http.client.HTTPException) as exc:
            self._refuse(502, f"后端 oxigraph 没有正常回答：{exc}")
        finally:
            connection.close()
            guarded.release(upstream)


def _complete(answer: tempfile.SpooledTemporaryFile[bytes], size: int, content_type: str) -> bool:
    """Whether oxigraph sent a whole answer: not cut off by its own timeout (it appends CANCELLED to a 200), and
    for JSON results of a size worth checking, JSON that parses."""
    answer.seek(max(0, size - 200))
    if CANCELLED in answer.read():
        return False
    if "json" in content_type and size <= _VALIDATE_JSON:
        answer.seek(0)
        try:
            json.loads(answer.read())
        except ValueError:
            return False
    return True
