#!/usr/bin/env bash
# The demo playbooks at -vvvv with --diff and an ansible log, then every byte scanned for secrets.
set -euo pipefail
cd "$(dirname "$0")/../.."
state=.build/secret-scan
rm -rf "$state"
python tests/utils/emulator_ctl.py start "$state"
trap 'python tests/utils/emulator_ctl.py stop "$state"' EXIT
# shellcheck disable=SC1091
source "$state/env.sh"
export DOCSPACE_DEMO_SECRETS=$PWD/$state/secrets ANSIBLE_LOG_PATH=$PWD/$state/ansible.log
export ANSIBLE_LOCALHOST_WARNING=false ANSIBLE_INVENTORY_UNPARSED_WARNING=false
for book in demo demo demo_rotate demo_cleanup; do
  ansible-playbook -i localhost, -vvvv --diff "playbooks/$book.yml" >> "$state/output.log" 2>&1
done
python tests/utils/secret_scan.py "$DOCSPACE_URL" "$state/info.json" "$state/output.log" "$state/ansible.log" "$@"
