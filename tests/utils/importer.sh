#!/usr/bin/env bash
# importer.sh DIST REPORTS: galaxy-importer on the built tarball, as Galaxy and Automation Hub run it.
# It exits 0 on most findings, so any ERROR or WARNING line in its output fails here.
set -euo pipefail
dist=$1 reports=$2
modules=$(find "$(dirname "$0")/../../plugins/modules" -maxdepth 1 -name '*.py' | wc -l)  # every module of the collection
scratch=$(mktemp -d)  # it writes importer_result.json to the working directory
trap 'rm -rf "$scratch"' EXIT
cd "$scratch"
python -m galaxy_importer.main "$dist"/*.tar.gz > "$reports/importer.log" 2>&1 || { cat "$reports/importer.log"; exit 1; }
grep -v '^\s*$' "$reports/importer.log" | sed 's/^/  /'
if grep -E '^(ERROR|WARNING)' "$reports/importer.log" >/dev/null; then
  echo "galaxy-importer raised the findings above" >&2
  exit 1
fi
python - "$scratch/importer_result.json" "$modules" <<'PY'
import json, sys
result = json.load(open(sys.argv[1]))
docs = [c for c in result['docs_blob']['contents'] if c['content_type'] == 'module']
missing = [c['content_name'] for c in docs if not c.get('doc_strings')]
assert len(docs) == int(sys.argv[2]) and not missing, 'modules without rendered docs: %s, %d of %s modules' % (
    missing, len(docs), sys.argv[2])
print('  importer: %d modules, every one with its doc strings' % len(docs))
PY
