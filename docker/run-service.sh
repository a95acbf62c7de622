#!/bin/sh
# Starts the service named by $SERVICE from the current directory (/app in the image):
# `node services/$SERVICE/src/main.ts`. `exec` makes node the direct child of tini, so
# SIGTERM from `docker stop` or Kubernetes reaches the service, which shuts down cleanly.
set -eu

case "${SERVICE:-}" in
  '' | *[!a-z0-9-]*)
    echo "run-service: SERVICE must name a service (lower-case letters, digits, '-'), got '${SERVICE:-}'" >&2
    exit 64
    ;;
esac

main="services/${SERVICE}/src/main.ts"
if [ ! -f "$main" ]; then
  available=$(ls services/*/src/main.ts 2>/dev/null | cut -d/ -f2 | tr '\n' ' ')
  echo "run-service: no $main in $(pwd); services here: ${available:-none}" >&2
  exit 66
fi

exec node "$main" "$@"
