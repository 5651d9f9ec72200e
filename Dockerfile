# syntax=docker/dockerfile:1
# Multi-stage: build wheels once, ship a slim non-root runtime with static files collected.
# The base image is pinned by digest (a tag can be re-pushed under us); Dependabot
# (.github/dependabot.yml) proposes the new digest when python:3.11-slim is rebuilt.
ARG PYTHON_IMAGE=python:3.11-slim@sha256:9c900dea9e8fb7e16277c179b555cc72d29a352dbc33cff48ad5a0412fd5bfc7

FROM ${PYTHON_IMAGE} AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /build
COPY requirements/ requirements/
RUN pip wheel --wheel-dir /wheels -r requirements/production.txt

FROM ${PYTHON_IMAGE} AS runtime
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    DJANGO_SETTINGS_MODULE=kavak.settings.production PORT=8000 \
    PROMETHEUS_MULTIPROC_DIR=/tmp/prometheus
RUN groupadd --system app && useradd --system --gid app --home-dir /app --no-create-home app
WORKDIR /app
COPY --from=build /wheels /wheels
COPY requirements/ requirements/
RUN pip install --no-index --find-links /wheels -r requirements/production.txt && rm -rf /wheels
COPY --chown=app:app . .
# RDS certificate authorities: the app connects with sslmode=verify-full against this bundle
# (DATABASE_URL in terraform/modules/ecs); read-only for everyone, owned by root.
ADD --chmod=0444 https://truststore.pki.rds.amazonaws.com/global/global-bundle.pem /app/certs/rds-global-bundle.pem
# collectstatic needs settings but no real secrets or services: use throwaway values at build time.
RUN DJANGO_SECRET_KEY=build-only DJANGO_ALLOWED_HOSTS=build DATABASE_URL=sqlite:////tmp/build.db \
    REDIS_URL=redis://localhost:6379/0 CELERY_BROKER_URL=redis://localhost:6379/1 \
    LEAD_EMAIL_NOTIFICATIONS=false python manage.py collectstatic --noinput && mkdir -p /app/var && chown -R app:app /app/var
# The task runs with a read-only root filesystem; /tmp is its writable scratch volume.
VOLUME ["/tmp"]
USER app
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s --start-period=20s --retries=3 \
  CMD python -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2).status == 200 else 1)"
CMD ["gunicorn", "kavak.wsgi:application", "-c", "kavak/gunicorn.conf.py"]
