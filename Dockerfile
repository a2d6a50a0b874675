# The DMS validation bot as a container image (README "Container image").
#
#   podman build --format docker -t dms-bot .     (or docker build -t dms-bot .)
#   podman run --rm -e SLACK_BOT_TOKEN -e SLACK_APP_TOKEN -e DMS_BOT_CHANNEL -v dms-bot:/data dms-bot
#
# "build" turns the project and its pinned dependencies into wheels (the only stage that reaches a
# package index); "install" puts those wheels into a venv offline; the image is the base plus that
# venv, the user and /data: no pip, no compiler, no build tool, no wheel and no index setting. Any pip setting the build
# needs (index, mirror, certificate) comes from the builder's environment through build args of the
# build stage and build volumes, never from this file, and none of it reaches the image.
ARG BASE_IMAGE=python:3.12-slim-bookworm

FROM ${BASE_IMAGE} AS build
# Declared here only, so they stay in this stage: the pip settings of the machine that builds.
ARG PIP_INDEX_URL
ARG PIP_EXTRA_INDEX_URL
ARG PIP_FIND_LINKS
ARG PIP_TRUSTED_HOST
ARG PIP_CERT
ARG PIP_CONSTRAINT
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1 PIP_ROOT_USER_ACTION=ignore
RUN python3 -m venv /opt/pip
WORKDIR /src
# The dependencies first, from pyproject.toml alone: a change to the code reuses this layer.
COPY pyproject.toml ./
RUN python3 -c 'import tomllib; print(*tomllib.load(open("pyproject.toml", "rb"))["project"]["dependencies"], sep="\n")' > requirements.txt \
 && /opt/pip/bin/pip wheel --wheel-dir /wheels/deps --requirement requirements.txt
COPY README.md ./
COPY bot ./bot
RUN /opt/pip/bin/pip wheel --no-deps --wheel-dir /wheels/app .

# The wheels into a venv, offline (--no-index: the build stage's wheels are all it gets), on the bare
# base: no compiler, no build tool. Dependencies and the bot in separate layers, so a change to the
# code reinstalls only the bot; pip itself is removed once it is done.
FROM ${BASE_IMAGE} AS install
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1 PIP_NO_INDEX=1 PIP_ROOT_USER_ACTION=ignore
# The user's passwd/group lines and /data are made here too, in /rootfs, so that the image below
# needs no RUN: a RUN there would leave behind the mount points of the builder's volumes (its
# certificate and package directories), empty but there. /data is sticky and world-writable like
# /tmp, because a tmpfs or a new volume takes its mode from the image (podman copies it up, without
# the owner) and a platform may run the image as another uid; the bot makes its own files 0600/0644.
RUN groupadd --system --gid 10001 dms-bot \
 && useradd --system --uid 10001 --gid 10001 --no-create-home --home-dir /nonexistent \
        --shell /usr/sbin/nologin dms-bot \
 && mkdir -p /rootfs/etc /rootfs/data \
 && cp /etc/passwd /etc/group /rootfs/etc/ \
 && chown 10001:10001 /rootfs/data \
 && chmod 1777 /rootfs/data
COPY --from=build /wheels/deps /wheels/deps
RUN python3 -m venv /opt/dms-bot && /opt/dms-bot/bin/pip install --quiet /wheels/deps/*.whl
COPY --from=build /wheels/app /wheels/app
RUN /opt/dms-bot/bin/pip install --quiet --no-deps /wheels/app/*.whl \
 && /opt/dms-bot/bin/pip uninstall --quiet --yes pip setuptools

# The image: the base, the venv, the user and /data; nothing else of the stages above.
FROM ${BASE_IMAGE}
ARG VERSION=0.1.0
ARG SOURCE_URL=https://example.invalid/dms-validation-bot
ARG REVISION=unknown
LABEL org.opencontainers.image.title="dms-validation-bot" \
      org.opencontainers.image.description="Slack chatops bot that watches AWS DMS replication tasks and their table-level data validation" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.source="${SOURCE_URL}" \
      org.opencontainers.image.licenses="Apache-2.0"
COPY --from=install /rootfs/ /
COPY --from=install /opt/dms-bot /opt/dms-bot
# Everything the bot writes goes under /data: the SQLite store (and its lock file) and matplotlib's
# font cache. With PostgreSQL (DMS_BOT_DB=postgresql://...) only the cache does. The rest of the
# filesystem may be read-only.
ENV PATH=/opt/dms-bot/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PORT=3000 \
    DMS_BOT_DB=/data/dms-bot.sqlite3 \
    MPLCONFIGDIR=/data/.matplotlib
VOLUME ["/data"]
WORKDIR /data
USER 10001:10001
# PORT: `serve --http` takes Slack's requests here, and both modes serve /healthz and /metrics.
EXPOSE 3000
# Restart only when "live" is false (the scheduler died): /healthz answers 503 while DMS or Slack
# is down, and restarting a bot that correctly reports that would only add a failover. The same
# code is the README's Kubernetes livenessProbe (tests/unit/test_deployment_files.py compares them).
HEALTHCHECK --interval=30s --timeout=10s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import json, os, sys, urllib.error, urllib.request\nurl = f\"http://127.0.0.1:{os.environ.get('PORT', '3000')}/healthz\"\nopener = urllib.request.build_opener(urllib.request.ProxyHandler({}))\ntry:\n    body = opener.open(url, timeout=5).read()\nexcept urllib.error.HTTPError as answer:  # 503: not ready, but maybe live\n    body = answer.read()\nsys.exit(0 if json.loads(body)[\"live\"] else 1)\n"]
ENTRYPOINT ["dms-bot"]
CMD ["serve"]
