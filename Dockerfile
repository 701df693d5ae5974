# The homecare brokerage image: one image for web (gunicorn), Celery worker and Celery beat.
# Front-end assets come from npm at the versions pinned in package-lock.json; Python packages
# at the versions pinned in pyproject.toml. Static files are collected at build time.

FROM node:22-bookworm-slim AS assets
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error

FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_ENV=production \
    HOMECARE_VAR_DIR=/app/var
WORKDIR /app

# Dependencies first (from pyproject.toml), so code changes do not reinstall them.
COPY pyproject.toml ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" \
      > /tmp/requirements.txt \
 && pip install -r /tmp/requirements.txt \
 && rm /tmp/requirements.txt

COPY --from=assets /app/node_modules ./node_modules
COPY . .
RUN pip install --no-deps -e . \
 && DJANGO_SECRET_KEY=collectstatic-at-build-time-only-not-a-real-secret-0123456789 \
    DJANGO_ALLOWED_HOSTS=build.invalid \
    python manage.py collectstatic --no-input -v 0 \
 && useradd --system --create-home --uid 10001 homecare \
 && mkdir -p /app/var \
 && chown -R homecare /app/var

USER homecare
EXPOSE 8000
# WEB_CONCURRENCY (read by gunicorn) sets the number of web worker processes.
CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000", "--access-logfile", "-"]
