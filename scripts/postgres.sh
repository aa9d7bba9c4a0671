#!/usr/bin/env bash
# A throw-away PostgreSQL server for the tests, on 127.0.0.1 only.
#
#   scripts/postgres.sh start DIR PORT   # prints the SQLAlchemy URL of database "crossread"
#   scripts/postgres.sh stop DIR
#
# Installs the Debian package when no PostgreSQL is found and this runs as root (apt-get). The server
# runs as the "postgres" user when started by root (PostgreSQL refuses to run as root), keeps its data
# and socket in DIR, and trusts local connections: it is for tests, never for data.
set -euo pipefail

cmd=${1:?usage: postgres.sh start DIR PORT | stop DIR}
dir=${2:?data folder}

find_bin() {
    for candidate in "$(command -v pg_ctl 2>/dev/null || true)" /usr/lib/postgresql/*/bin/pg_ctl; do
        if [ -n "$candidate" ] && [ -x "$candidate" ]; then
            dirname "$(readlink -f "$candidate")"
            return 0
        fi
    done
    return 1
}

as_server_user() {
    if [ "$(id -u)" = 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

case "$cmd" in
start)
    port=${3:?port}
    if ! bin=$(find_bin); then
        if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
            DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql >/dev/null
            bin=$(find_bin)
        else
            echo "no PostgreSQL found and cannot install it (needs root and apt-get)" >&2
            exit 3
        fi
    fi
    mkdir -p "$dir"
    if [ "$(id -u)" = 0 ]; then
        id postgres >/dev/null 2>&1 || useradd --system --home-dir "$dir" postgres
        chown -R postgres "$dir"
    fi
    if [ ! -f "$dir/data/PG_VERSION" ]; then
        as_server_user "$bin/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 >/dev/null
    fi
    as_server_user "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
        -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off" start >/dev/null
    as_server_user "$bin/psql" -h 127.0.0.1 -p "$port" -U postgres -qtAc \
        "SELECT 1 FROM pg_database WHERE datname = 'crossread'" postgres | grep -q 1 ||
        as_server_user "$bin/psql" -h 127.0.0.1 -p "$port" -U postgres -qc "CREATE DATABASE crossread" postgres
    echo "postgresql+psycopg://postgres@127.0.0.1:$port/crossread"
    ;;
stop)
    bin=$(find_bin)
    as_server_user "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null
    ;;
*)
    echo "usage: postgres.sh start DIR PORT | stop DIR" >&2
    exit 2
    ;;
esac
