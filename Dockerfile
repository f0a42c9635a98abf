# The production image: gunicorn for web, the same image runs the Celery worker and beat.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app

COPY requirements.lock .
RUN pip install --require-hashes -r requirements.lock

COPY . .
RUN DJANGO_DEBUG=true python manage.py collectstatic --noinput \
    && useradd --system --uid 1000 bzpeer
USER bzpeer

EXPOSE 8000
CMD ["gunicorn", "bzpeer.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
