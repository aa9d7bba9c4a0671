#!/usr/bin/env bash
# The Java runtime Spark runs on (pyspark's local mode starts a JVM): Debian's, never a download.
#
#   scripts/java.sh    # prints the JAVA_HOME of a Java 17+ runtime, installing one first if missing
#
# Looks at $JAVA_HOME, then `java` on the PATH, then /usr/lib/jvm. Installs Debian's
# default-jre-headless (openjdk-17-jre-headless where that is not 17+) when none is found and this runs
# as root (apt-get); exits 3 when there is none and it cannot be installed.
set -euo pipefail

java_home_of() {  # the JAVA_HOME of a java executable, if it is Java 17 or later
    local exe=$1 version
    [ -n "$exe" ] && [ -x "$exe" ] || return 1
    version=$("$exe" -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -1)
    [ -n "$version" ] && [ "$version" -ge 17 ] || return 1
    dirname "$(dirname "$(readlink -f "$exe")")"
}

find_java() {
    local candidate
    for candidate in "${JAVA_HOME:+$JAVA_HOME/bin/java}" "$(command -v java 2>/dev/null || true)" \
        /usr/lib/jvm/*/bin/java; do
        if java_home_of "$candidate"; then
            return 0
        fi
    done
    return 1
}

if ! find_java; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        export DEBIAN_FRONTEND=noninteractive
        for package in default-jre-headless openjdk-17-jre-headless; do
            apt-get install -y -qq --no-install-recommends "$package" >/dev/null 2>&1 ||
                { apt-get update -qq >/dev/null && apt-get install -y -qq --no-install-recommends "$package" >/dev/null 2>&1; } ||
                continue
            find_java && exit 0
        done
        echo "could not install a Java 17+ runtime from the Debian packages" >&2
        exit 3
    else
        echo "no Java 17+ runtime found and cannot install one (needs root and apt-get)" >&2
        exit 3
    fi
fi
