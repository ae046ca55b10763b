# The production image: the app under gunicorn, static files served by whitenoise.
# Runtime requirements only: no test tools, no embedded PostgreSQL.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
# The runtime system packages of the one list (system-packages.txt).
COPY system-packages.txt .
RUN apt-get update \
    && apt-get install -y --no-install-recommends $(awk '$1 == "runtime" {print $2}' system-packages.txt) \
    && rm -rf /var/lib/apt/lists/*

COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
# Settings load without DATABASE_URL for these two, which need no database.
RUN SECRET_KEY=build-only python manage.py compilemessages -v 0 \
    && SECRET_KEY=build-only python manage.py collectstatic --no-input -v 0

RUN useradd --system --uid 1000 archive && mkdir -p /app/media && chown archive /app/media
USER archive
EXPOSE 8000
CMD ["gunicorn", "archive_site.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--timeout", "120"]
