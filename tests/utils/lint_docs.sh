#!/usr/bin/env bash
# ansible-lint as a user runs it on their playbooks (production profile, no config of ours), plus the args
# rule that checks each task's options against the module's argument spec (no profile includes it), on every
# playbook and task list of the README and the user guide, written out by lint_docs.py: no finding allowed.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
git -C "$scratch" init -q
python "$repo/tests/utils/lint_docs.py" "$scratch/playbooks" | sed 's/^/  /'
cd "$scratch" && ansible-lint --offline --nocolor --profile production --enable-list args --strict playbooks/ 2>&1 \
    | grep -v 'Directory expansion' | tail -3
