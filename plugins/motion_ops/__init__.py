"""motion-ops: an enriched, searchable copy of the Tweede Kamer's motions (logic; Airflow only in hooks/operators)."""
