#!/usr/bin/env bash
# make demo: start the emulator, run the demo playbook twice (the second run must
# change nothing), remove the apps, stop the emulator.
set -euo pipefail
cd "$(dirname "$0")/../.."
state=${DEMO_STATE:-.build/demo}  # make demo-<core> runs its own
if [ -n "${DEMO_PORTAL_ENV:-}" ]; then
  # make test-live: the portal is given (its live guard), in a file that exports DOCSPACE_URL and DOCSPACE_API_KEY.
  mkdir -p "$state" && cp "$DEMO_PORTAL_ENV" "$state/env.sh"
else
  python tests/utils/emulator_ctl.py start "$state"
  trap 'python tests/utils/emulator_ctl.py stop "$state"' EXIT
fi
state=$(cd "$state" && pwd)
# shellcheck disable=SC1091
source "$state/env.sh"
export ANSIBLE_LOCALHOST_WARNING=false ANSIBLE_INVENTORY_UNPARSED_WARNING=false
DOCSPACE_DEMO_SECRETS=$state/secrets
export DOCSPACE_DEMO_SECRETS
run() { ansible-playbook -i localhost, "$@"; }

echo "== first run: registers the apps"
run playbooks/demo.yml | tee "$state/run1.log"
echo "== second run: the same playbook again, every task ok"
run playbooks/demo.yml | tee "$state/run2.log"
echo "== rotate one app's secret into its file"
run playbooks/demo_rotate.yml | tee "$state/rotate.log"
echo "== cleanup"
run playbooks/demo_cleanup.yml | tee "$state/cleanup.log"

recap2=$(grep -A1 'PLAY RECAP' "$state/run2.log" | tail -1)
if ! grep -q 'changed=0 ' <<<"$recap2"; then
  echo "FAIL: the second run changed something: $recap2" >&2
  exit 1
fi
echo "== demo passed: the second run reported changed=0"
