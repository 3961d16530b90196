#!/usr/bin/env bash
# docs.sh DEST: build the collection's HTML docsite (modules and the user guide in
# docs/docsite/rst) with antsibull-docs and Sphinx, warnings as errors, then check every link.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
dest=$1
rm -rf "$dest" && mkdir -p "$dest" && chmod 700 "$dest"
antsibull-docs sphinx-init --use-current --dest-dir "$dest" onlyoffice.docspace >/dev/null
cat "$repo/docs/sphinx/conf_offline.py" >> "$dest/conf.py"
bash "$dest/build.sh" > "$dest/build.log" 2>&1 || { cat "$dest/build.log"; exit 1; }
grep -E 'build succeeded' "$dest/build.log"
python "$repo/tests/utils/check_links.py" "$dest/build/html"
echo "docsite: $dest/build/html/index.html"
