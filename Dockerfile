# The scoring service as a container: non-root user, read-only model directory, health check.
#   docker build -t tension .
#   docker run --rm -p 8000:8000 --read-only --tmpfs /tmp tension
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    TENSION_BIND=0.0.0.0:8000 TENSION_MODELS_DIR=/app/models

WORKDIR /app
COPY requirements.txt .
RUN pip install -r requirements.txt && useradd --system --uid 10001 --home /app tension

COPY app.py gunicorn.conf.py ./
COPY scoring ./scoring
COPY service ./service
COPY models ./models
# Code and models belong to root and are read-only for the service user.
RUN chmod -R a-w /app/models /app/scoring /app/service

USER tension
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s --start-period=10s --retries=3 \
  CMD python -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/readyz', timeout=2).status == 200 else 1)"
CMD ["gunicorn", "-c", "gunicorn.conf.py", "app:create_app()"]
