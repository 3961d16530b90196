#!/usr/bin/env bash
# make test-live: the integration targets, the demo and the emulator's HTTP-level tests against a real
# DocSpace portal, through the live guard (tests/live/guard.py, on 127.0.0.1). The guard puts a unique run
# prefix on every client name, shows the tests only the clients of this run, refuses any write on another
# client, and removes the run's clients at the end: also after a failure, Ctrl-C or a kill of this script
# (see docs/docsite/rst/live_portal.rst).
#   $1: the ansible_collections/onlyoffice/docspace copy that ansible-test runs from; --preflight: only check
#   the variables (make test-live does, before it sets anything up).
#   DOCSPACE_URL, DOCSPACE_API_KEY (an admin's key): the portal. Optional: DOCSPACE_USER_API_KEY,
#   DOCSPACE_GUEST_API_KEY, DOCSPACE_USERNAME + DOCSPACE_PASSWORD (the admin's login).
#   LIVE_STATE: where logs and reports go (.build/live).
set -euo pipefail
copy=$1
repo=$(cd "$(dirname "$0")/../.." && pwd)
if [ -z "${DOCSPACE_URL:-}" ] || [ -z "${DOCSPACE_API_KEY:-}" ]; then
  echo "make test-live: set DOCSPACE_URL (the portal, such as https://portal.example.com) and DOCSPACE_API_KEY" \
       "(an API key of a DocSpace admin); optionally DOCSPACE_USER_API_KEY, DOCSPACE_GUEST_API_KEY and" \
       "DOCSPACE_USERNAME with DOCSPACE_PASSWORD. Nothing was run and nothing was sent." >&2
  exit 2
fi
if [ -n "${DOCSPACE_USERNAME:-}" ] && [ -z "${DOCSPACE_PASSWORD:-}" ]; then
  echo "make test-live: DOCSPACE_USERNAME needs DOCSPACE_PASSWORD. Nothing was run and nothing was sent." >&2
  exit 2
fi
[ "$copy" != --preflight ] || exit 0
state=${LIVE_STATE:-$repo/.build/live}
portal=$DOCSPACE_URL
admin_key=$DOCSPACE_API_KEY
user_key=${DOCSPACE_USER_API_KEY:-}
guest_key=${DOCSPACE_GUEST_API_KEY:-}
username=${DOCSPACE_USERNAME:-}
password=${DOCSPACE_PASSWORD:-}
# Nothing below may reach the portal but through the guard: the modules read these variables.
unset DOCSPACE_URL DOCSPACE_API_KEY DOCSPACE_USER_API_KEY DOCSPACE_GUEST_API_KEY DOCSPACE_USERNAME DOCSPACE_PASSWORD \
  DOCSPACE_SIGNATURE
# The folder is emptied first: only one this script made (it holds .live-state), never a folder of yours.
if [ -e "$state" ] && [ ! -e "$state/.live-state" ] && [ -n "$(find "$state" -mindepth 1 -maxdepth 1 -print -quit)" ]; then
  echo "make test-live: LIVE_STATE=$state is not empty and was not made by make test-live; choose another folder." >&2
  exit 2
fi
rm -rf "$state" && mkdir -p "$state" && touch "$state/.live-state"
chmod 700 "$state"
config=$copy/tests/integration/integration_config.yml

DOCSPACE_API_KEY=$admin_key python "$repo/tests/live/guard.py" serve --portal "$portal" --state "$state" --port 0 \
  > "$state/guard.log" 2>&1 &
guard_pid=$!
child=
step() {  # in the background, waited for: a trapped signal then ends the wait at once, not after the step
  "$@" &
  child=$!
  wait "$child"
}
finish() {
  rc=$?
  trap - EXIT INT TERM
  # The guard first: it is the only way to the portal, so a step still running can no longer write there.
  kill -TERM "$guard_pid" 2>/dev/null && wait "$guard_pid" 2>/dev/null || true  # the guard cleans up as it stops
  [ -z "$child" ] || kill -TERM "$child" 2>/dev/null || true
  rm -f "$config"  # it holds the credentials
  # Whatever the guard could not finish (it was killed too): every client with the run prefix, or created by it.
  if ! DOCSPACE_API_KEY=$admin_key python "$repo/tests/live/guard.py" cleanup --portal "$portal" --state "$state" \
       | tee "$state/cleanup.json"; then
    echo "make test-live: clients of this run are left on the portal, see $state/cleanup.json" >&2
    rc=1
  fi
  exit "$rc"
}
trap finish EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
for _ in $(seq 200); do
  [ -s "$state/guard.json" ] && break
  kill -0 "$guard_pid" 2>/dev/null || { cat "$state/guard.log" >&2; exit 1; }
  sleep 0.05
done
guard=$(python -c 'import json,sys; print(json.load(open(sys.argv[1]))["url"])' "$state/guard.json")
prefix=$(python -c 'import json,sys; print(json.load(open(sys.argv[1]))["prefix"])' "$state/guard.json")
echo "== make test-live: $portal through the guard at $guard; every client name carries the run prefix '$prefix'"

# What the secret scan looks for besides what the guard saw handed out (the credentials given).
LIVE_KEYS="admin=$admin_key user=$user_key guest=$guest_key" LIVE_PASSWORD=$password LIVE_GUARD=$guard \
  python - "$state/info.json" <<'PY'
import json, os, sys
users = {}
for pair in os.environ['LIVE_KEYS'].split():
    role, key = pair.split('=', 1)
    if key:
        users[role] = {'api_key': key}
if os.environ['LIVE_PASSWORD']:
    users['admin']['password'] = os.environ['LIVE_PASSWORD']
with open(sys.argv[1], 'w') as handle:
    json.dump({'url': os.environ['LIVE_GUARD'], 'users': users}, handle)
PY
chmod 600 "$state/info.json"

failed=()

echo "== integration targets (live: the emulator-only cases are skipped)"
LIVE_URL=$guard LIVE_ADMIN_KEY=$admin_key LIVE_USERNAME=$username LIVE_PASSWORD=$password LIVE_USER_KEY=$user_key \
  LIVE_GUEST_KEY=$guest_key python "$repo/tests/live/live_config.py" "$config"
integration() {
  cd "$copy" && ansible-test integration --python "$(python -c 'import sys; print("%d.%d" % sys.version_info[:2])')" \
    --local --color no -vvvv > "$state/integration.log" 2>&1
}
if step integration; then
  echo "integration: $(grep -c '^TASK ' "$state/integration.log") tasks run, $(grep -c '^skipping:' "$state/integration.log") skipped"
else
  grep -B5 -A25 -E '^fatal:|^FATAL|^ERROR!' "$state/integration.log" | grep -v '^<testhost>' | tail -80
  failed+=(integration)
fi
rm -f "$config"

echo "== the demo"
printf 'export DOCSPACE_URL=%q\nexport DOCSPACE_API_KEY=%q\n' "$guard" "$admin_key" > "$state/portal.env"  # sourced
chmod 600 "$state/portal.env"
demo() {
  cd "$repo" && DEMO_PORTAL_ENV=$state/portal.env DEMO_STATE=$state/demo bash tests/utils/demo.sh > "$state/demo.log" 2>&1
}
if ! step demo; then
  tail -40 "$state/demo.log"
  failed+=(demo)
fi
rm -f "$state/portal.env" "$state/demo/env.sh"

echo "== the emulator's HTTP-level tests, compared with what the emulator answers"
differential() {
  cd "$repo" && DOCSPACE_LIVE_URL=$guard DOCSPACE_API_KEY=$admin_key DOCSPACE_USER_API_KEY=$user_key \
    DOCSPACE_GUEST_API_KEY=$guest_key DOCSPACE_USERNAME=$username DOCSPACE_PASSWORD=$password DOCSPACE_DIFF_REPORTS=$state \
    python -m pytest -p no:cacheprovider -p no:pytest-ansible -q tests/emulator > "$state/differential.log" 2>&1
}
if ! step differential; then
  tail -30 "$state/differential.log"
  failed+=(differential)
fi
tail -3 "$state/differential.log"

echo "== secrets in the logs"
if ! python "$repo/tests/utils/secret_scan.py" "$guard" "$state/info.json" "$state/integration.log" "$state/demo.log" \
       "$state"/demo/*.log "$state/guard.log" "$state/differential.log"; then
  failed+=(secrets)
fi

violations=$(python -c 'import json,sys; from urllib.request import urlopen
print(len(json.load(urlopen(sys.argv[1] + "/__emulator__/guard"))["violations"]))' "$guard")
if [ "$violations" != 0 ]; then
  echo "make test-live: the guard refused $violations writes on clients this run did not create; see $state/guard.log" >&2
  failed+=(guard)
fi
if [ ${#failed[@]} -ne 0 ]; then
  echo "make test-live: failed: ${failed[*]} (logs and reports in $state)" >&2
  exit 1
fi
echo "== make test-live passed against $portal (logs and reports in $state)"
