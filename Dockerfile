# One image for web, worker and beat (docker-compose.yml).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1

# libpq-dev + gcc build psycopg2 from source; Pango and fonts are what WeasyPrint renders with.
RUN apt-get update \
 && apt-get install -y --no-install-recommends gcc libpq-dev libpq5 libpango-1.0-0 libpangoft2-1.0-0 \
      libharfbuzz0b fonts-dejavu-core fonts-dejavu-extra fonts-liberation2 shared-mime-info curl \
      postgresql-client \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY requirements.lock ./
RUN pip install --no-cache-dir -r requirements.lock

COPY . .
RUN useradd --create-home --uid 1000 portal \
 && mkdir -p /app/var /data/media \
 && chown -R portal:portal /app/var /data/media
# collectstatic needs a key to import settings; it is not used at run time.
RUN SECRET_KEY=build-only-key STATIC_ROOT=/app/staticfiles python manage.py collectstatic --noinput

USER portal
ENV STATIC_ROOT=/app/staticfiles MEDIA_ROOT=/data/media PROMETHEUS_MULTIPROC_DIR=/tmp/prometheus
EXPOSE 8000
CMD ["gunicorn", "tkdnportal.wsgi:application", "--config", "deploy/gunicorn.conf.py"]
