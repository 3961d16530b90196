# -*- coding: utf-8 -*-
"""lint_examples.py DEST: write each module's EXAMPLES as a playbook, for ansible-lint to check."""
import glob
import os
import sys

import yaml

dest = sys.argv[1]
os.makedirs(dest, exist_ok=True)
root = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..')
for path in sorted(glob.glob(os.path.join(root, 'plugins', 'modules', '*.py'))):
    name = os.path.basename(path)[:-3]
    namespace = {}
    with open(path) as handle:
        source = handle.read()
    # Only the three doc strings are needed: execute the assignments, not the imports.
    for key in ('EXAMPLES',):
        start = source.index(key + " = r'''")
        end = source.index("'''", start + len(key) + 7)
        namespace[key] = source[start + len(key) + 7:end]
    tasks = yaml.safe_load(namespace['EXAMPLES'])
    play = [{'name': 'EXAMPLES of %s' % name, 'hosts': 'localhost', 'gather_facts': False, 'tasks': tasks}]
    with open(os.path.join(dest, name + '.yml'), 'w') as handle:
        handle.write('---\n' + yaml.safe_dump(play, sort_keys=False, width=120))
    print('%s: %d example tasks' % (name, len(tasks)))
