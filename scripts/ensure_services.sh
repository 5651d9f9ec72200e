#!/usr/bin/env bash
# Make sure PostgreSQL and Redis are reachable for `make test`: start them when they are installed
# here but stopped; otherwise fail with one clear line naming what is missing. Never skip.
set -u

PG_HOST=${PG_HOST:-127.0.0.1}
PG_PORT=${PG_PORT:-5432}
REDIS_HOST=${REDIS_HOST:-127.0.0.1}
REDIS_PORT=${REDIS_PORT:-6379}

port_open() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

wait_port() {
  for _ in $(seq 1 50); do port_open "$1" "$2" && return 0; sleep 0.2; done
  return 1
}

if ! port_open "$PG_HOST" "$PG_PORT"; then
  if command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ]; then
    echo "PostgreSQL is stopped: starting it..."
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start >/dev/null 2>&1 || true
  fi
  wait_port "$PG_HOST" "$PG_PORT" || {
    echo "ERROR: PostgreSQL is not reachable at $PG_HOST:$PG_PORT and could not be started (install postgresql or set DATABASE_URL)." >&2
    exit 1
  }
fi

if ! port_open "$REDIS_HOST" "$REDIS_PORT"; then
  if command -v redis-server >/dev/null 2>&1; then
    echo "Redis is stopped: starting it..."
    mkdir -p /var/lib/redis /var/log/redis 2>/dev/null || true
    redis-server --daemonize yes --bind 127.0.0.1 -::1 --port "$REDIS_PORT" --save "" \
      --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log >/dev/null 2>&1 || true
  fi
  wait_port "$REDIS_HOST" "$REDIS_PORT" || {
    echo "ERROR: Redis is not reachable at $REDIS_HOST:$REDIS_PORT and could not be started (install redis-server or set REDIS_URL)." >&2
    exit 1
  }
fi
# The database named in the test DATABASE_URL must exist for `makemigrations --check`;
# pytest-django creates its own test_ database next to it.
if command -v psql >/dev/null 2>&1; then
  psql -h "$PG_HOST" -p "$PG_PORT" -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname='kavak_test'" 2>/dev/null | grep -q 1 \
    || psql -h "$PG_HOST" -p "$PG_PORT" -U postgres -c "CREATE DATABASE kavak_test" >/dev/null
fi
echo "PostgreSQL $PG_HOST:$PG_PORT and Redis $REDIS_HOST:$REDIS_PORT are reachable."
