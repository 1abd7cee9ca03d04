#!/usr/bin/env bash
# Make a Docker engine and a `python:3.11-slim` base image available on this machine.
#
# Idempotent; run as root. Follows /work/shared/docker-here.md:
#   1. if `docker info` fails: install docker.io (+ debootstrap) from Debian when missing and start
#      dockerd with no bridge / no iptables (every build and container must use --network host);
#   2. if python:3.11-slim is absent: try a short `docker pull`; if that fails (no registry here),
#      build a stand-in from Debian bookworm packages with debootstrap and `docker import` it.
#      The rootfs tarball is cached under /var/cache/source-zoom/ so later runs are fast.
# The stand-in is test scaffolding only: it is never made when the real image is present.
#
# Exit status: 0 when an engine and the base image are ready, non-zero with a message otherwise.
set -uo pipefail

# One set-up at a time on this machine (this script and scripts/postgres_server.sh both run apt-get): scripts/test.sh
# may have started this one in the background while a test asks for it. The lock is held by
# `flock` itself (-o: not by this script, so never by the daemon it leaves running); the second
# caller waits, then finds everything ready.
if [ -z "${SOURCE_ZOOM_SETUP_LOCKED:-}" ] && command -v flock >/dev/null 2>&1; then
  SOURCE_ZOOM_SETUP_LOCKED=1 exec flock -o "${SOURCE_ZOOM_SETUP_LOCK:-/tmp/source-zoom-setup.lock}" bash "$0" "$@"
fi

BASE_IMAGE="${BASE_IMAGE:-python:3.11-slim}"
CACHE_DIR="${SOURCE_ZOOM_CACHE_DIR:-/var/cache/source-zoom}"
ROOTFS_TAR="${CACHE_DIR}/python-3.11-slim-standin-rootfs.tar"
DEBIAN_MIRROR="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
DOCKERD_LOG="${DOCKERD_LOG:-/tmp/dockerd.log}"
ENGINE_WAIT_SECONDS="${ENGINE_WAIT_SECONDS:-60}"
PULL_TIMEOUT_SECONDS="${PULL_TIMEOUT_SECONDS:-20}"

T0=$(date +%s)
log() { printf '[docker_engine %4ss] %s\n' "$(( $(date +%s) - T0 ))" "$*" >&2; }
die() { printf '\n[docker_engine] ERROR: %s\n\n' "$*" >&2; exit "${2:-1}"; }
timed() { # timed LABEL CMD...   runs CMD, logs its duration
  local label="$1"; shift
  local s; s=$(date +%s)
  "$@"; local rc=$?
  if [ "$rc" -eq 0 ]; then log "${label}: $(( $(date +%s) - s ))s"
  else log "${label}: FAILED rc=${rc} after $(( $(date +%s) - s ))s"; fi
  return $rc
}

[ "$(id -u)" -eq 0 ] || die "must run as root (installs packages, starts dockerd)"

engine_up() { docker info >/dev/null 2>&1; }

APT_UPDATED=0
apt_install() { # apt_install PKG...   installs only what is missing
  local missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  command -v apt-get >/dev/null || die "apt-get not found; cannot install ${missing[*]}"
  if [ "$APT_UPDATED" -eq 0 ]; then
    timed "apt-get update" apt-get update -qq || die "apt-get update failed"
    APT_UPDATED=1
  fi
  timed "apt-get install ${missing[*]}" \
    env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" \
    >/dev/null || die "apt-get install ${missing[*]} failed"
}

# ---------------------------------------------------------------- 1. engine
if engine_up; then
  log "engine already running"
else
  if ! command -v dockerd >/dev/null 2>&1; then
    apt_install docker.io
  fi
  command -v dockerd >/dev/null 2>&1 || die "dockerd is not installed and could not be installed"
  command -v docker >/dev/null 2>&1 || die "docker CLI is not installed"
  if pgrep -x dockerd >/dev/null 2>&1; then
    log "dockerd process exists but does not answer yet; waiting for it"
  else
    # Left-over pid file from a dead daemon blocks a restart.
    if [ -f /var/run/docker.pid ] && ! kill -0 "$(cat /var/run/docker.pid 2>/dev/null)" 2>/dev/null; then
      rm -f /var/run/docker.pid
    fi
    log "starting dockerd (log: ${DOCKERD_LOG})"
    nohup dockerd --bridge=none --iptables=false --ip-masq=false >"${DOCKERD_LOG}" 2>&1 &
  fi
  s=$(date +%s)
  until engine_up; do
    if [ $(( $(date +%s) - s )) -ge "${ENGINE_WAIT_SECONDS}" ]; then
      tail -n 30 "${DOCKERD_LOG}" >&2 2>/dev/null
      die "docker engine did not answer 'docker info' within ${ENGINE_WAIT_SECONDS}s (see ${DOCKERD_LOG})"
    fi
    sleep 1
  done
  log "engine up after $(( $(date +%s) - s ))s"
fi

# ---------------------------------------------------------------- 2. base image
have_base() { docker image inspect "${BASE_IMAGE}" >/dev/null 2>&1; }

if have_base; then
  log "${BASE_IMAGE} present"
else
  log "${BASE_IMAGE} absent; trying 'docker pull' (timeout ${PULL_TIMEOUT_SECONDS}s)"
  if timed "docker pull ${BASE_IMAGE}" timeout "${PULL_TIMEOUT_SECONDS}" docker pull -q "${BASE_IMAGE}" >/dev/null 2>&1; then
    log "pulled the real ${BASE_IMAGE}"
  else
    log "pull failed (no registry reachable); making a stand-in from Debian packages"
    mkdir -p "${CACHE_DIR}"
    if [ ! -s "${ROOTFS_TAR}" ]; then
      command -v debootstrap >/dev/null 2>&1 || apt_install debootstrap
      command -v debootstrap >/dev/null 2>&1 || die "debootstrap is not installed and could not be installed"
      WORK=$(mktemp -d "${CACHE_DIR}/rootfs.XXXXXX")
      # debootstrap mounts proc/sys inside the rootfs; never delete through a live mount.
      cleanup_work() {
        for m in $(awk -v r="${WORK}/" 'index($2, r) == 1 {print $2}' /proc/mounts | sort -r); do
          umount -l "$m" 2>/dev/null
        done
        rm -rf --one-file-system "${WORK}"
      }
      trap cleanup_work EXIT
      ROOTFS="${WORK}/rootfs"
      timed "debootstrap bookworm" debootstrap --variant=minbase \
        --include=python3,python3-venv,python3-pip,ca-certificates \
        bookworm "${ROOTFS}" "${DEBIAN_MIRROR}" >"${WORK}/debootstrap.log" 2>&1 \
        || { tail -n 30 "${WORK}/debootstrap.log" >&2; die "debootstrap failed"; }
      # Make it behave like the official image for a Dockerfile (docker-here.md, step 2).
      rm -f "${ROOTFS}/usr/lib/python3.11/EXTERNALLY-MANAGED"
      mkdir -p "${ROOTFS}/usr/local/bin"
      ln -sf /usr/bin/python3 "${ROOTFS}/usr/local/bin/python"
      ln -sf /usr/bin/python3 "${ROOTFS}/usr/local/bin/python3"
      ln -sf /usr/bin/pip3 "${ROOTFS}/usr/local/bin/pip"
      cp /etc/ssl/certs/ca-certificates.crt "${ROOTFS}/etc/ssl/certs/ca-certificates.crt"
      printf '[global]\ncert = /etc/ssl/certs/ca-certificates.crt\n' >"${ROOTFS}/etc/pip.conf"
      # Trim what a slim image does not carry.
      rm -rf "${ROOTFS}/var/cache/apt/archives/"*.deb "${ROOTFS}/var/lib/apt/lists/"* 2>/dev/null
      timed "tar rootfs" tar -C "${ROOTFS}" --one-file-system -cf "${ROOTFS_TAR}.tmp" . || die "tar of rootfs failed"
      mv "${ROOTFS_TAR}.tmp" "${ROOTFS_TAR}"
      cleanup_work; trap - EXIT
    else
      log "using cached rootfs ${ROOTFS_TAR}"
    fi
    timed "docker import" docker import \
      -c 'ENV PATH=/usr/local/bin:/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin' \
      -c 'ENV LANG=C.UTF-8' \
      -c 'CMD ["python3"]' \
      -m "stand-in for ${BASE_IMAGE} (debootstrap bookworm; test scaffolding only)" \
      "${ROOTFS_TAR}" "${BASE_IMAGE}" >/dev/null || die "docker import failed"
  fi
fi

have_base || die "base image ${BASE_IMAGE} is still not available"
docker run --rm --network host "${BASE_IMAGE}" python --version >/dev/null 2>&1 \
  || die "base image ${BASE_IMAGE} cannot run 'python --version'"
log "ready: engine $(docker version --format '{{.Server.Version}}' 2>/dev/null), base image ${BASE_IMAGE} ($(docker run --rm --network host "${BASE_IMAGE}" python --version 2>&1))"
log "total $(( $(date +%s) - T0 ))s"
exit 0
