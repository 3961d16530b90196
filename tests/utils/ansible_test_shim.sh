#!/usr/bin/env bash
# ansible-test downloads a get-pip script from a host these machines cannot reach:
# put the offline stand-in where ansible-test looks for it, for the pip it wants.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
at_dir=$(python -c 'import ansible_test, os; print(os.path.dirname(ansible_test.__file__))')
pip_ver=$(grep -oP "pip='\K[0-9.]+" "$at_dir/_internal/python_requirements.py")
mkdir -p ~/.ansible/test/cache
cp "$here/get_pip_shim.py" ~/.ansible/test/cache/get_pip_"${pip_ver//./_}".py
