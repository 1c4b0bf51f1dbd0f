# Production image: the same code runs as web (gunicorn), worker and beat (see docker-compose.yml).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PORTAL_VAR_DIR=/data
WORKDIR /app

COPY pyproject.toml README.md ./
COPY portal ./portal
COPY apps ./apps
RUN pip install .

COPY manage.py gunicorn.conf.py ./
COPY templates ./templates
COPY static ./static
# collectstatic needs settings that import cleanly without production secrets.
RUN DJANGO_DEBUG=false DJANGO_SECRET_KEY=collectstatic-only python manage.py collectstatic --noinput

RUN useradd --create-home portal && mkdir -p /data && chown portal /data
USER portal
EXPOSE 8000
# gthread workers, timeouts, keep-alive and max_requests: gunicorn.conf.py
CMD ["gunicorn", "--config", "gunicorn.conf.py"]
