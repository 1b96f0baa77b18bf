#!/usr/bin/env sh
# Install the front-end libraries from the npm registry and copy the files we serve.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
dest="$here/../ventanilla/static/vendor"
cd "$here"
npm install --no-audit --no-fund --loglevel=error
mkdir -p "$dest/leaflet/images"
cp node_modules/htmx.org/dist/htmx.min.js "$dest/htmx.min.js"
cp node_modules/leaflet/dist/leaflet.js node_modules/leaflet/dist/leaflet.css "$dest/leaflet/"
cp node_modules/leaflet/dist/images/* "$dest/leaflet/images/"
