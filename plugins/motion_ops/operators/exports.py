"""The operator of the open exports: ``export_data`` in ``motion_enrichment``, after ``publish_similarity``."""
from __future__ import annotations

from typing import Any

from airflow.sdk.exceptions import AirflowFailException, AirflowSkipException

from motion_ops.operators.base import MotionOpsOperator


class ExportDataOperator(MotionOpsOperator):
    """Write the published version's CSV files and their CSVW metadata to the run's ``exports_dir``
    (:func:`motion_ops.exports.export`); an export of the version that is there already is kept."""

    ui_color = "#e8f0e0"

    def execute(self, context: Any) -> dict[str, Any]:
        from motion_ops.exports import NothingToExport, export, summary_line
        from motion_ops.store.export_files import export_dir, usable_dir

        p = self.run_params(context)
        self.skip_if_dry_run(p)
        try:
            folder = usable_dir(export_dir(p.exports_dir))
        except ValueError as exc:  # a person must fix the param or the folder: no automatic retry
            raise AirflowFailException(f"invalid run params: {exc}") from exc
        with self.store() as store:
            try:
                out = export(store, folder)
            except NothingToExport as exc:
                raise AirflowSkipException(str(exc)) from exc
            self.finish(context, store, summary_line(out), items=sum((out["rows"] or {}).values()))
        return {"version": out["version"], "written": out["written"], "files": out["files"]}
