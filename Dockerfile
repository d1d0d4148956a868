# The call-insights service (Kafka consumer + HTTP sidecar on :8000). Used by docker-compose.yml.

# The offline analyzer's compiled core (consumer/analyzer/native.py): its hot modules built with
# the locked mypy and a C compiler, in a stage of its own, so the image gets the extensions and not
# the compiler. The same base image as below: the build is for that interpreter.
FROM python:3.11-slim AS core
RUN apt-get update && apt-get install -y --no-install-recommends gcc libc6-dev \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY requirements.lock ./
RUN awk '/^pip==/ {p = 1; print; next} p && /^[^ ]/ {exit} p' requirements.lock > /tmp/pip.txt \
    && pip install --no-cache-dir --require-hashes --no-deps -r /tmp/pip.txt \
    && pip install --no-cache-dir --require-hashes -r requirements.lock
COPY pyproject.toml ./
COPY consumer consumer
COPY schemas schemas
COPY scripts/build_core.py scripts/
RUN python scripts/build_core.py

FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

# Dependencies first, exactly the pinned and hashed versions of the runtime lock (`make lock`), so
# code changes don't reinstall them and every build installs the same bytes.
# pip itself first, pinned and hashed as `make install` does it: older pips refuse the lock's
# extras (google-auth[requests]) in --require-hashes mode.
COPY requirements.lock requirements-runtime.lock ./
RUN awk '/^pip==/ {p = 1; print; next} p && /^[^ ]/ {exit} p' requirements.lock > /tmp/pip.txt \
    && pip install --require-hashes --no-deps -r /tmp/pip.txt \
    && pip install --require-hashes -r requirements-runtime.lock \
    && rm /tmp/pip.txt

# The project itself, built with the locked setuptools. The source tree stays in /app and the service
# runs from there, so `python -m consumer` imports /app/consumer and reads the migrations in /app/sql.
COPY . .
COPY --from=core /src/consumer/analyzer/_core consumer/analyzer/_core
# A fixed numeric user, so Kubernetes can check runAsNonRoot (deploy/helm runs it as 10001).
RUN pip install --no-deps --no-build-isolation . \
    && groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --no-create-home --home-dir /app app

USER 10001:10001
EXPOSE 8000

HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health', timeout=4)"]

CMD ["python", "-m", "consumer"]
