"""``python -m motion_ops.params``: the README's params tables, from the declarations."""
from motion_ops.params import DAG_PARAMS, markdown

if __name__ == "__main__":  # Airflow's plugin loader imports every file under plugins/
    for dag_id, specs in DAG_PARAMS.items():
        print(f"<!-- params {dag_id} (generated: python -m motion_ops.params) -->\n{markdown(specs)}<!-- end params -->\n")
