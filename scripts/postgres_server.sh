#!/usr/bin/env bash
# Make a PostgreSQL server available for the PyAirbyte PostgresCache test; print its DSN.
#
# Idempotent; run as root. Like scripts/docker_engine.sh:
#   1. install Debian's `postgresql` package when it is missing;
#   2. create a cluster of our own (`pg_createcluster`, name SOURCE_ZOOM_PG_CLUSTER, port
#      SOURCE_ZOOM_PG_PORT) so the machine's default cluster and port 5432 are left alone, and
#      start it (`pg_ctlcluster`: no systemd needed);
#   3. create the role and database the test uses (password authentication over 127.0.0.1).
#
# On success the only stdout line is the DSN, postgresql://USER:PASSWORD@127.0.0.1:PORT/DB, for
# SOURCE_ZOOM_POSTGRES_DSN. Exit status: 0 when the server answers, non-zero with a message.
set -uo pipefail

# One set-up at a time on this machine (this script and scripts/docker_engine.sh both run apt-get): scripts/test.sh
# may have started this one in the background while a test asks for it. The lock is held by
# `flock` itself (-o: not by this script, so never by the daemon it leaves running); the second
# caller waits, then finds everything ready.
if [ -z "${SOURCE_ZOOM_SETUP_LOCKED:-}" ] && command -v flock >/dev/null 2>&1; then
  SOURCE_ZOOM_SETUP_LOCKED=1 exec flock -o "${SOURCE_ZOOM_SETUP_LOCK:-/tmp/source-zoom-setup.lock}" bash "$0" "$@"
fi

CLUSTER="${SOURCE_ZOOM_PG_CLUSTER:-source_zoom}"
PORT="${SOURCE_ZOOM_PG_PORT:-54329}"
DB_USER="${SOURCE_ZOOM_PG_USER:-source_zoom}"
DB_PASSWORD="${SOURCE_ZOOM_PG_PASSWORD:-source_zoom}"  # a throwaway test server on 127.0.0.1 only
DB_NAME="${SOURCE_ZOOM_PG_DB:-source_zoom}"
WAIT_SECONDS="${SOURCE_ZOOM_PG_WAIT_SECONDS:-30}"

T0=$(date +%s)
log() { printf '[postgres_server %4ss] %s\n' "$(( $(date +%s) - T0 ))" "$*" >&2; }
die() { printf '\n[postgres_server] ERROR: %s\n\n' "$*" >&2; exit "${2:-1}"; }

[ "$(id -u)" -eq 0 ] || die "must run as root (installs packages, starts a PostgreSQL cluster)"

# ---------------------------------------------------------------- 1. package
if ! dpkg-query -W -f='${Status}' postgresql 2>/dev/null | grep -q 'install ok installed'; then
  command -v apt-get >/dev/null || die "apt-get not found; cannot install postgresql"
  log "installing postgresql"
  apt-get update -qq >&2 || die "apt-get update failed"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null || die "apt-get install postgresql failed"
fi
VERSION=$(ls /usr/lib/postgresql 2>/dev/null | sort -V | tail -1)
[ -n "$VERSION" ] || die "postgresql is installed but /usr/lib/postgresql has no server version"

# ---------------------------------------------------------------- 2. cluster
if ! pg_lsclusters -h 2>/dev/null | awk '{print $1, $2}' | grep -qx "$VERSION $CLUSTER"; then
  log "creating cluster $VERSION/$CLUSTER on port $PORT"
  pg_createcluster "$VERSION" "$CLUSTER" -p "$PORT" -- --auth-local=peer --auth-host=scram-sha-256 >/dev/null 2>&1 \
    || die "pg_createcluster $VERSION $CLUSTER -p $PORT failed"
fi
STATUS=$(pg_lsclusters -h | awk -v v="$VERSION" -v c="$CLUSTER" '$1 == v && $2 == c {print $4}')
if [ "$STATUS" != "online" ]; then
  log "starting cluster $VERSION/$CLUSTER"
  pg_ctlcluster "$VERSION" "$CLUSTER" start >&2 \
    || die "pg_ctlcluster $VERSION $CLUSTER start failed (log: /var/log/postgresql/postgresql-$VERSION-$CLUSTER.log)"
fi
for _ in $(seq "$WAIT_SECONDS"); do
  pg_isready -q -h 127.0.0.1 -p "$PORT" && break
  sleep 1
done
pg_isready -q -h 127.0.0.1 -p "$PORT" || die "the server on 127.0.0.1:$PORT did not answer within ${WAIT_SECONDS}s"

# ---------------------------------------------------------------- 3. role and database
as_postgres() { runuser -u postgres -- psql -p "$PORT" -v ON_ERROR_STOP=1 -qAt "$@"; }
if [ "$(as_postgres -c "SELECT 1 FROM pg_roles WHERE rolname = '$DB_USER'")" != "1" ]; then
  as_postgres -c "CREATE ROLE \"$DB_USER\" LOGIN PASSWORD '$DB_PASSWORD'" || die "could not create role $DB_USER"
fi
if [ "$(as_postgres -c "SELECT 1 FROM pg_database WHERE datname = '$DB_NAME'")" != "1" ]; then
  as_postgres -c "CREATE DATABASE \"$DB_NAME\" OWNER \"$DB_USER\"" || die "could not create database $DB_NAME"
fi
DSN="postgresql://$DB_USER:$DB_PASSWORD@127.0.0.1:$PORT/$DB_NAME"
PGPASSWORD="$DB_PASSWORD" psql "$DSN" -qAt -c "SELECT 1" >/dev/null || die "cannot log in as $DB_USER on 127.0.0.1:$PORT"
log "PostgreSQL $VERSION ready on 127.0.0.1:$PORT, database $DB_NAME"
echo "$DSN"
