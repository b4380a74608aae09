"""The summaries' tests: a chat stand-in on 127.0.0.1, a cascade through it, a run context."""
import pytest

from devkit.standin.chat import ChatServer
from motion_ops.llm.backends import Backend
from motion_ops.llm.cascade import Cascade
from motion_ops.run import RunContext

CTX = RunContext(dag_id="motion_summaries", run_id="run-1", task_id="summarize")


@pytest.fixture
def chat():
    with ChatServer(model="m") as srv:
        yield srv


def cascade(chat, **kw):
    return Cascade([Backend("motion_llm", "openai", "m", chat.base_url, "k", **kw)], sleep=lambda s: None)
