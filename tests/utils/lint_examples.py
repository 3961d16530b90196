# -*- coding: utf-8 -*-
"""lint_examples.py DEST: write each module's EXAMPLES as a playbook, for ansible-lint to check.

The same playbook tests/examples/run_examples.py runs: lint_docs.py extracts and wraps both.
"""
import os
import sys

from lint_docs import module_examples

dest = sys.argv[1]
os.makedirs(dest, exist_ok=True)
for block in module_examples():
    with open(os.path.join(dest, block.name + '.yml'), 'w') as handle:
        handle.write(block.playbook())
    print('%s.yml: %d example tasks' % (block.name, block.items))
