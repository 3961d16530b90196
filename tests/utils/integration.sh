#!/usr/bin/env bash
# Run the ansible-test integration targets against a fresh emulator.
# $1: the ansible_collections/onlyoffice/docspace copy that ansible-test runs from.
set -euo pipefail
copy=$1
repo=$(cd "$(dirname "$0")/../.." && pwd)
state=$repo/.build/integration
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
ansible-test integration --python 3.11 --local --color no "${@:2}"
