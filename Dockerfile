# The chufei image: the official Airflow image plus the project's pinned requirements and code.
# Build with `docker compose build`; the tag must match apache-airflow in requirements.txt.
FROM apache/airflow:3.3.2-python3.11

# Requirements are baked in at build time (never _PIP_ADDITIONAL_REQUIREMENTS at start-up), resolved
# against constraints.txt so the containers run exactly the set the tests ran against.
COPY --chown=airflow:root requirements.txt constraints.txt /opt/chufei/
RUN pip install --no-cache-dir -r /opt/chufei/requirements.txt

# The project lives where config.REPO_ROOT expects it (plugins/chufei/core/../../..): /opt/airflow.
COPY --chown=airflow:root dags /opt/airflow/dags
COPY --chown=airflow:root plugins /opt/airflow/plugins
COPY --chown=airflow:root include /opt/airflow/include
ENV PYTHONPATH=/opt/airflow/plugins \
    CHUFEI_DATA_DIR=/opt/chufei/data \
    GX_ANALYTICS_ENABLED=False \
    OPENPYXL_LXML=False
