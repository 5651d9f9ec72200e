# syntax=docker/dockerfile:1
# Multi-stage: build wheels once, ship a slim non-root runtime with static files collected.
FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /build
COPY requirements/ requirements/
RUN pip wheel --wheel-dir /wheels -r requirements/production.txt

FROM python:3.11-slim AS runtime
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    DJANGO_SETTINGS_MODULE=kavak.settings.production PORT=8000 \
    PROMETHEUS_MULTIPROC_DIR=/tmp/prometheus
RUN groupadd --system app && useradd --system --gid app --home-dir /app --no-create-home app
WORKDIR /app
COPY --from=build /wheels /wheels
COPY requirements/ requirements/
RUN pip install --no-index --find-links /wheels -r requirements/production.txt && rm -rf /wheels
COPY --chown=app:app . .
# collectstatic needs settings but no real secrets or services: use throwaway values at build time.
RUN DJANGO_SECRET_KEY=build-only DJANGO_ALLOWED_HOSTS=build DATABASE_URL=sqlite:////tmp/build.db \
    REDIS_URL=redis://localhost:6379/0 CELERY_BROKER_URL=redis://localhost:6379/1 \
    python manage.py collectstatic --noinput && mkdir -p /app/var && chown -R app:app /app/var
# The task runs with a read-only root filesystem; /tmp is its writable scratch volume.
VOLUME ["/tmp"]
USER app
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s --start-period=20s --retries=3 \
  CMD python -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2).status == 200 else 1)"
CMD ["gunicorn", "kavak.wsgi:application", "-c", "kavak/gunicorn.conf.py"]
