#!/usr/bin/env bash
# Run the ansible-test integration targets against a fresh emulator.
# $1: the ansible_collections/onlyoffice/docspace copy that ansible-test runs from.
set -euo pipefail
copy=$1
repo=$(cd "$(dirname "$0")/../.." && pwd)
state=${INTEGRATION_STATE:-$repo/.build/integration}  # make integration-<core> runs its own
python "$repo/tests/utils/emulator_ctl.py" start "$state"
trap 'python "$repo/tests/utils/emulator_ctl.py" stop "$state"' EXIT
python - "$state/info.json" "$copy/tests/integration/integration_config.yml" <<'PY'
import json, sys
info = json.load(open(sys.argv[1]))
users = info['users']
lines = ['---', 'docspace_url: %s' % info['url']]
for role in ('admin', 'user', 'guest'):
    lines.append('docspace_%s_api_key: %s' % (role, users[role]['api_key']))
    lines.append('docspace_%s_username: %s' % (role, users[role]['user_name']))
    lines.append('docspace_%s_password: %s' % (role, users[role]['password']))
    lines.append('docspace_%s_user_id: %s' % (role, users[role]['user_id']))
open(sys.argv[2], 'w').write('\n'.join(lines) + '\n')
PY
cd "$copy"
# -vvvv, so that the scan below reads everything a job log could show (diff is on in the cases).
set +e
ansible-test integration --python "$(python -c 'import sys; print("%d.%d" % sys.version_info[:2])')" --local \
    --color no -vvvv "${@:2}" > "$state/output.log" 2>&1
rc=$?
set -e
grep -E '^(Running|PLAY RECAP|testhost +:|FATAL|NOTICE)' "$state/output.log" || true
if [ "$rc" -ne 0 ]; then
  grep -B5 -A25 -E '^fatal:|^FATAL|^ERROR!' "$state/output.log" | grep -v '^<testhost>' | tail -120
  exit "$rc"
fi
echo "integration: $(grep -c '^TASK ' "$state/output.log") tasks run at -vvvv ($(wc -c < "$state/output.log") bytes of output)"
python "$repo/tests/utils/secret_scan.py" "$(python -c 'import json,sys; print(json.load(open(sys.argv[1]))["url"])' "$state/info.json")" \
    "$state/info.json" "$state/output.log"
