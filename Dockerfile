# The image every Airflow service of docker-compose.yaml runs: the official Airflow 3.3.2 image
# plus the project's pinned requirements. dags/, plugins/ and include/ are mounted, not copied.
FROM apache/airflow:3.3.2-python3.11

COPY requirements.txt constraints.txt /tmp/motion-ops/
RUN pip install --no-cache-dir -r /tmp/motion-ops/requirements.txt -c /tmp/motion-ops/constraints.txt

# the project's connection types (motion_feed, motion_embeddings) are registered by its package's
# entry point; the code that runs is the mounted plugins/ (first on PYTHONPATH)
COPY pyproject.toml /tmp/motion-ops/
COPY plugins/motion_ops /tmp/motion-ops/plugins/motion_ops
RUN pip install --no-cache-dir --no-deps /tmp/motion-ops

ENV PYTHONPATH=/opt/airflow/plugins
