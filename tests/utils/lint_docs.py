# -*- coding: utf-8 -*-
"""lint_docs.py DEST: write every playbook and task list of the README and the user guide as a playbook.

The YAML blocks of README.md (```yaml) and docs/docsite/rst/*.rst (.. code-block:: yaml or yaml+jinja):
a list of plays is written as it is; a list of tasks is wrapped in a play; anything else (a credential
type's fields, an injector) is not a playbook and is left out. Prints what it wrote.
"""
import glob
import os
import re
import sys

import yaml

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..')
PLAY_KEYS = {'hosts', 'import_playbook'}


def markdown_blocks(text):
    for match in re.finditer(r'^```ya?ml\n(.*?)^```', text, re.M | re.S):
        yield text[:match.start()].count('\n') + 1, match.group(1)


def rst_blocks(text):
    lines = text.split('\n')
    for number, line in enumerate(lines):
        if not re.match(r'\.\. code-block:: yaml(\+jinja)?\s*$', line):
            continue
        body = []
        for following in lines[number + 1:]:
            if following.strip() and not following.startswith((' ', '\t')):
                break
            body.append(following)
        indent = min(len(b) - len(b.lstrip()) for b in body if b.strip())
        yield number + 1, '\n'.join(b[indent:] for b in body).strip('\n') + '\n'


def main(dest):
    os.makedirs(dest, exist_ok=True)
    sources = [os.path.join(ROOT, 'README.md')] + sorted(glob.glob(os.path.join(ROOT, 'docs', 'docsite', 'rst', '*.rst')))
    written = 0
    for path in sources:
        with open(path) as handle:
            text = handle.read()
        blocks = markdown_blocks(text) if path.endswith('.md') else rst_blocks(text)
        for line, block in blocks:
            data = yaml.safe_load(block)
            if not isinstance(data, list) or not data or not all(isinstance(item, dict) for item in data):
                continue
            name = '%s-line%d.yml' % (os.path.splitext(os.path.basename(path))[0], line)
            if all(PLAY_KEYS & set(item) for item in data):
                content = block  # a playbook, linted exactly as the reader copies it
                kind = 'playbook'
            else:
                # The reader pastes these into a play of their own: wrap the text as it is, in one.
                content = ('- name: Tasks from %s line %d\n  hosts: localhost\n  gather_facts: false\n  tasks:\n'
                           % (os.path.basename(path), line))
                content += ''.join('    ' + row if row.strip() else row for row in block.splitlines(True))
                kind = 'task list'
            with open(os.path.join(dest, name), 'w') as handle:
                handle.write('---\n' + content)
            print('%s: %s of %d item(s)' % (name, kind, len(data)))
            written += 1
    if not written:
        sys.exit('no playbook found in the README and the user guide')


if __name__ == '__main__':
    main(sys.argv[1])
