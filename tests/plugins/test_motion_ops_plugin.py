"""The Airflow plugin: the readers' app mounted in Airflow's api-server leaves the host process alone."""
import gc
import sys

import anyio.to_thread
from fastapi import FastAPI
from fastapi.testclient import TestClient


def test_mounted_in_airflow_the_apps_lifespan_changes_no_process_wide_setting():
    """Airflow runs the lifespan of a plugin's fastapi_apps (airflow.api_fastapi.app.lifespan): the
    thread limit, the GC and the switch interval of the api-server must stay as they were."""
    from airflow.api_fastapi.app import lifespan

    from motion_ops_plugin import URL_PREFIX, MotionOpsPlugin

    before_threshold, before_switch = gc.get_threshold(), sys.getswitchinterval()
    host = FastAPI(lifespan=lifespan)
    seen: dict = {}

    @host.get("/probe")
    async def probe() -> dict:
        seen["thread_limit"] = anyio.to_thread.current_default_thread_limiter().total_tokens
        return {}

    host.mount(URL_PREFIX, MotionOpsPlugin.fastapi_apps[0]["app"])
    frozen = gc.get_freeze_count()
    try:
        with TestClient(host) as c:
            assert host.state.lifespan_called
            c.get("/probe")
            assert seen["thread_limit"] == 40  # anyio's default: the api-server's own threads
            assert gc.get_freeze_count() == frozen
            assert gc.get_threshold() == before_threshold
            assert sys.getswitchinterval() == before_switch
    finally:  # undo what an app that does change them did, for the tests after this one
        gc.unfreeze()
        gc.set_threshold(*before_threshold)
        sys.setswitchinterval(before_switch)
