"""The standalone server's process: slow clients cannot hold its connections, and its tuning stays its own."""
import os
import socket
import subprocess
import sys
import time
import urllib.request

from tests.conftest import ROOT, free_port


def test_sockets_that_never_finish_their_headers_are_closed_and_the_server_still_answers():
    port = free_port()
    env = {**os.environ, "PYTHONPATH": f"{ROOT / 'plugins'}:{ROOT}", "MOTION_API_HEADER_TIMEOUT": "2",
           "MOTION_API_DSN": "postgresql://nobody@127.0.0.1:1/x?connect_timeout=1",
           "AIRFLOW_CONN_MOTION_EMBEDDINGS": '{"conn_type": "generic"}'}
    proc = subprocess.Popen([sys.executable, "-m", "motion_ops", "serve", "--port", str(port)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    slow: list[socket.socket] = []
    try:
        deadline = time.time() + 30
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/openapi.json", timeout=2).read()
                break
            except OSError:
                assert time.time() < deadline, "the server did not start"
                time.sleep(0.3)
        opened = time.monotonic()
        for _ in range(150):
            s = socket.create_connection(("127.0.0.1", port))
            s.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")  # and never the rest
            slow.append(s)
        t = time.monotonic()
        assert urllib.request.urlopen(f"http://127.0.0.1:{port}/openapi.json", timeout=5).status == 200
        assert time.monotonic() - t < 2
        for s in slow:
            s.sendall(b"a")  # still trickling: the deadline counts from the connection's start
        closed = 0
        for s in slow:
            s.settimeout(max(0.1, opened + 6 - time.monotonic()))
            try:
                closed += s.recv(1024) == b""
            except ConnectionResetError:
                closed += 1
            except socket.timeout:
                pass
        assert closed == len(slow) and time.monotonic() - opened < 6.5
        assert urllib.request.urlopen(f"http://127.0.0.1:{port}/openapi.json", timeout=5).status == 200
    finally:
        for s in slow:
            s.close()
        proc.terminate()
        proc.wait(10)


def test_the_standalone_apps_start_up_tunes_its_own_process():
    import gc
    import sys as system

    import anyio.to_thread
    from fastapi.testclient import TestClient

    from motion_ops.serve.app import Settings, create_app
    from motion_ops.serve.server import tuned_process

    threshold, switch = gc.get_threshold(), system.getswitchinterval()
    app = create_app(Settings(dsn="postgresql://nobody@127.0.0.1:1/x"), lifespan=tuned_process(3))
    seen = {}

    @app.get("/probe")
    async def probe() -> dict:
        seen["threads"] = anyio.to_thread.current_default_thread_limiter().total_tokens
        return {}

    try:
        with TestClient(app) as c:
            c.get("/probe")
            assert seen["threads"] == 3 and gc.get_freeze_count() > 0 and gc.get_threshold()[0] == 20_000
            assert system.getswitchinterval() == 0.0005
    finally:
        gc.unfreeze()
        gc.set_threshold(*threshold)
        system.setswitchinterval(switch)
