"""The params of ``motion_alerts``, in the order of its trigger form."""
from __future__ import annotations

from motion_ops.params.shared import DRY_RUN
from motion_ops.params.spec import ParamSpec

DIGESTS, WINDOW = "Digests", "Run window"

ALERTS: tuple[ParamSpec, ...] = (
    ParamSpec("site_url", "str", None, nullable=True, section=DIGESTS, title="Readers' site",
              description="The readers' app's public address: the digests' links to motions, to the "
                          "subscription's page and to unsubscribe start with it (empty: MOTION_API_SITE_URL "
                          "of the workers' environment)."),
    ParamSpec("max_items", "int", 20, minimum=1, maximum=200, section=DIGESTS, title="Motions per digest",
              description="A digest lists at most this many new motions (and says there are more)."),
    DRY_RUN.at(WINDOW, "Count only: nothing registered, nothing sent; send_digests says how many are due."),
)
