"""``python -m motion_ops``: see :mod:`motion_ops.cli`."""
from motion_ops.cli import main

if __name__ == "__main__":  # Airflow's plugin loader imports every file under plugins/
    raise SystemExit(main())
