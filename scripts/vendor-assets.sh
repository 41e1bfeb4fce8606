#!/usr/bin/env bash
# Refresh the vendored front-end files from the npm registry at pinned versions.
# Run by hand when upgrading; the app never loads anything from a CDN at run time.
set -euo pipefail
cd "$(dirname "$0")/.."
HTMX_VERSION=2.0.4
dest=src/aims/web/static/vendor
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "htmx.org@${HTMX_VERSION}" >/dev/null && tar xzf "htmx.org-${HTMX_VERSION}.tgz")
cp "$work/package/dist/htmx.min.js" "$dest/htmx-${HTMX_VERSION}.min.js"
cp "$work/package/LICENSE" "$dest/htmx-LICENSE.txt"
echo "vendored htmx ${HTMX_VERSION} into $dest"
