# Espace's image: the production lock only (installed with --require-hashes), a non-root user,
# `espace migrate` then `espace serve`. Behind a TLS proxy: see compose.yaml and the README's
# Deploying section. tests/test_deploy_files.py checks what can be checked without building.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    PATH=/opt/espace/venv/bin:$PATH

RUN useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin espace

WORKDIR /app
COPY requirements-production.lock ./
RUN python -m venv /opt/espace/venv \
    && /opt/espace/venv/bin/pip install --require-hashes -r requirements-production.lock
COPY pyproject.toml ./
COPY web ./web
COPY components ./components
COPY static ./static
COPY locales ./locales
# Installed in place: templates, styles and catalogs are read from /app.
RUN /opt/espace/venv/bin/pip install --no-deps --no-build-isolation --no-index -e . \
    && python -m compileall -q web

USER espace
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"]
# 0.0.0.0 inside the container only: compose.yaml publishes the port on the host's loopback.
CMD ["sh", "-c", "espace migrate && exec espace serve --host 0.0.0.0 --port 8000"]
