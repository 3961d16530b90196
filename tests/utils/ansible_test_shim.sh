#!/usr/bin/env bash
# ansible-test downloads a get-pip script from a host these machines cannot reach:
# put the offline stand-in where ansible-test looks for it, for the pip it wants.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
at_dir=$(python -c 'import ansible_test, os; print(os.path.dirname(ansible_test.__file__))')
mkdir -p ~/.ansible/test/cache
# One pip for every Python, or (ansible-core 2.16) a default and overrides for old Pythons: cover each.
grep -oP "pip='\K[0-9.]+" "$at_dir/_internal/python_requirements.py" | while read -r pip_ver; do
  cp "$here/get_pip_shim.py" ~/.ansible/test/cache/get_pip_"${pip_ver//./_}".py
done
