# The production image: gunicorn for web; the same image runs the Celery worker and beat.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app

COPY requirements.lock .
RUN pip install --require-hashes -r requirements.lock

# The site runs as an unprivileged user. /var/lib/bzpeer holds beat's schedule (a volume in
# docker-compose.yml); a fresh named volume takes this folder's owner.
RUN useradd --system --uid 1000 --home-dir /app --shell /usr/sbin/nologin bzpeer \
    && install -d -o bzpeer -g bzpeer /var/lib/bzpeer

# .dockerignore keeps .env, .venv, .git, databases and local static builds out.
COPY . .
# The same script CI runs before its production smoke test (bin/smoke-production): hashed files
# and the manifest the production storage needs. Built as root, read-only to the site.
RUN bin/build-static

USER bzpeer
EXPOSE 8000
# The web command of the Procfile (make run-stack) and docker-compose.yml; the address comes from
# GUNICORN_CMD_ARGS. No control socket: nothing here uses gunicornc.
ENV GUNICORN_CMD_ARGS="--bind 0.0.0.0:8000"
CMD ["gunicorn", "bzpeer.wsgi:application", "--workers", "3", "--access-logfile", "-", "--no-control-socket"]
