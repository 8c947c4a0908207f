# Production image of Sans Rupture: one image for web (gunicorn), Celery worker and Celery beat.
# Build: docker build -t sans-rupture .   (docker-compose.yml builds it too; docs/deployment.md explains)
FROM python:3.11-slim-bookworm

# uv is pinned to the version that wrote uv.lock.
ARG UV_VERSION=0.13.9

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    UV_PROJECT_ENVIRONMENT=/opt/venv \
    UV_PYTHON=/usr/local/bin/python3 \
    UV_PYTHON_DOWNLOADS=never \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_NO_CACHE=1 \
    PATH=/opt/venv/bin:$PATH \
    DJANGO_SETTINGS_MODULE=config.settings.production \
    WEB_CONCURRENCY=3

# Runtime Debian packages: gettext (compilemessages), pango/harfbuzz + a font (WeasyPrint PDFs).
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        gettext \
        libpango-1.0-0 \
        libpangoft2-1.0-0 \
        libharfbuzz-subset0 \
        fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

RUN pip install --no-cache-dir "uv==${UV_VERSION}"

WORKDIR /app

# Dependencies first, so that a code change does not reinstall them. The venv lives outside /app.
COPY pyproject.toml uv.lock ./
RUN uv sync --frozen --no-dev --no-install-project

COPY . .

# Production settings read SECRET_KEY, DATABASE_URL, REDIS_URL and SITE_URL at import time: dummy values, for this
# RUN only (nothing connects to them; they are not kept in the image).
RUN mkdir -p locale var media \
    && SECRET_KEY=build-time-only-not-a-secret-0123456789abcdefghijklmnopqrstuvwxyz \
       NOTES_ENCRYPTION_SALT=build-time-only \
       DATABASE_URL=postgres://build:build@127.0.0.1:5432/build \
       REDIS_URL=redis://127.0.0.1:6379/0 \
       SITE_URL=https://build.invalid \
       sh -c 'python manage.py compilemessages --ignore=.venv --ignore=.tools -v 0 \
              && python manage.py collectstatic --noinput -v 0'

# Non-root user. It owns only /app/var (beat's schedule file) and /app/media (built statements): volumes in
# docker-compose.yml.
RUN groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --home-dir /app --no-create-home --shell /usr/sbin/nologin app \
    && chown app:app /app/var /app/media
USER app

EXPOSE 8000
# Workers: WEB_CONCURRENCY (read by gunicorn itself).
# The access log's format drops query strings (config/gunicorn.py): a search by name must not write the name.
CMD ["gunicorn", "config.wsgi:application", "--config", "python:config.gunicorn", "--bind", "0.0.0.0:8000", "--worker-tmp-dir", "/dev/shm", "--timeout", "60"]
