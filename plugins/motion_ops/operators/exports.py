"""The operator of the open exports: ``export_data`` in ``motion_enrichment``, after ``publish_similarity``."""
from __future__ import annotations

from typing import Any

from motion_ops.operators.base import MotionOpsOperator


class ExportDataOperator(MotionOpsOperator):
    """Write the published version's CSV files and their CSVW metadata to the run's ``exports_dir``
    (:func:`motion_ops.exports.export_step`); an export of the version that is there already is kept."""

    ui_color = "#e8f0e0"

    def execute(self, context: Any) -> dict[str, Any]:
        from motion_ops.exports import export_step

        p = self.run_params(context)
        self.skip_if_dry_run(p)
        with self.store() as store:
            return self.conclude(context, store, export_step(store, p.exports_dir))
