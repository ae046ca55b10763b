# The production image: the app under gunicorn, static files served by whitenoise.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
# Pango and HarfBuzz's subsetter for WeasyPrint, a CJK font for Chinese PDFs,
# gettext for the translations.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-wqy-microhei gettext \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
RUN DATABASE_URL=postgres://build/unused SECRET_KEY=build-only \
        python manage.py compilemessages -v 0 \
    && DATABASE_URL=postgres://build/unused SECRET_KEY=build-only \
        python manage.py collectstatic --no-input -v 0

RUN useradd --system --uid 1000 archive && mkdir -p /app/media && chown archive /app/media
USER archive
EXPOSE 8000
CMD ["gunicorn", "archive_site.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--timeout", "120"]
