# syntax=docker/dockerfile:1
# Production image: `docker build -t collab-pages .`; see docs/production.md and docker-compose.yml.
# (Not built in this project's CI, which has no Docker: kept correct by reading.)

# 1. The front end: static/dist/ from static/src/ with esbuild.
FROM node:20-bookworm-slim AS assets
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY static/ static/
RUN npm run build

# 2. The server.
FROM python:3.11-slim AS app
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    HOST=0.0.0.0 \
    PORT=8000
WORKDIR /app
RUN groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --home-dir /app --no-create-home app
COPY requirements.txt ./
RUN pip install -r requirements.txt
COPY manage.py pyproject.toml ./
COPY collab_site/ collab_site/
COPY documents/ documents/
COPY realtime/ realtime/
COPY templates/ templates/
COPY static/ static/
COPY --from=assets /src/static/dist/ static/dist/
# Hashed, compressed copies for whitenoise; settings need a key to load, not the real one.
RUN DEBUG=0 SECRET_KEY=collectstatic-only python manage.py collectstatic --noinput \
    && python -m compileall -q collab_site documents realtime
USER app
EXPOSE 8000
# Liveness only: is the process up? Readiness (/readyz: database, Redis, writer) is for the
# load balancer, so a database outage does not get every container restarted.
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('PORT', '8000'), timeout=2)"]
# SIGTERM: close WebSockets with 1012, store what is pending, compact, exit 0 (allow ~15 s).
STOPSIGNAL SIGTERM
CMD ["python", "-m", "collab_site.serve"]
