#!/bin/sh
# Runs one TokenFlow process, named by the first argument (the image's CMD) or, without one, by TOKENFLOW_APP.
# `exec` makes node PID 1 of the container, so SIGTERM reaches the service's graceful shutdown directly.
set -eu

app="${1:-${TOKENFLOW_APP:-}}"
[ "$#" -gt 0 ] && shift

case "$app" in
  ingress | router | billing | ratelimit | provider-adapter | mock-provider)
    entry="dist/apps/$app/src/main.js" ;;
  migrate)
    entry="dist/tools/start/migrate.js" ;;
  seed)
    entry="dist/tools/start/seed-cli.js" ;;
  *)
    echo "usage: <ingress|router|billing|ratelimit|provider-adapter|mock-provider|migrate|seed> (got \"$app\")" >&2
    exit 64 ;;
esac

cd "$(dirname "$0")/.."
if [ ! -f "$entry" ]; then
  echo "$entry is missing: the image was built without it" >&2
  exit 1
fi
exec node --enable-source-maps "$entry" "$@"
