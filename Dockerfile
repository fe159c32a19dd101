# The scoring service as a container: the package's wheel with its service and store extras,
# non-root user, read-only code and model, health check.
#   docker build -t tension .
#   docker run --rm -p 8000:8000 --read-only --tmpfs /tmp -v tension-data:/data tension
FROM python:3.11-slim AS wheel
WORKDIR /src
COPY pyproject.toml README.md ./
COPY scoring ./scoring
COPY tension_cli ./tension_cli
COPY service ./service
COPY store ./store
COPY training ./training
COPY models ./models
RUN pip install --no-cache-dir "hatchling>=1.25,<2" && pip wheel --no-deps --no-build-isolation -w /dist .

FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    TENSION_BIND=0.0.0.0:8000 \
    DATABASE_URL=sqlite:////data/tension.sqlite3 SCORING_ACTORS_CACHE=/tmp/scoring-actors
WORKDIR /app
COPY requirements.txt /tmp/requirements.txt
COPY --from=wheel /dist /dist
# The pins of requirements.txt, the wheel with the extras the service needs; the model ships in it.
RUN pip install -r /tmp/requirements.txt "$(ls /dist/tension_scoring-*.whl)[service,store]" \
    && rm -rf /dist && useradd --system --uid 10001 --home /app tension && mkdir /data && chown tension /data
COPY gunicorn.conf.py ./
# The article store (SQLite by default; set DATABASE_URL for PostgreSQL) is the only place
# the service writes: mount a volume there, or TENSION_STORE=off for a stateless container.
# Code and model belong to root (site-packages) and are read-only for the service user.
VOLUME /data

USER tension
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s --start-period=10s --retries=3 \
  CMD python -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/readyz', timeout=2).status == 200 else 1)"
CMD ["gunicorn", "-c", "gunicorn.conf.py", "service.app:create_app()"]
