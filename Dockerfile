# The scoring service as a container: non-root user, read-only model directory, health check.
#   docker build -t tension .
#   docker run --rm -p 8000:8000 --read-only --tmpfs /tmp -v tension-data:/data tension
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    TENSION_BIND=0.0.0.0:8000 TENSION_MODELS_DIR=/app/models \
    DATABASE_URL=sqlite:////data/tension.sqlite3 SCORING_ACTORS_CACHE=/tmp/scoring-actors

WORKDIR /app
COPY requirements.txt .
RUN pip install -r requirements.txt && useradd --system --uid 10001 --home /app tension \
    && mkdir /data && chown tension /data

COPY app.py gunicorn.conf.py ./
COPY scoring ./scoring
COPY service ./service
COPY store ./store
COPY models ./models
# Code and models belong to root and are read-only for the service user.
RUN chmod -R a-w /app/models /app/scoring /app/service /app/store
# The article store (SQLite by default; set DATABASE_URL for PostgreSQL) is the only place
# the service writes: mount a volume there, or TENSION_STORE=off for a stateless container.
VOLUME /data

USER tension
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s --start-period=10s --retries=3 \
  CMD python -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/readyz', timeout=2).status == 200 else 1)"
CMD ["gunicorn", "-c", "gunicorn.conf.py", "app:create_app()"]
