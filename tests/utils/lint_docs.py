# -*- coding: utf-8 -*-
"""lint_docs.py DEST: write every playbook and task list of the README and the user guide as a playbook.

The YAML blocks of README.md (```yaml) and docs/docsite/rst/*.rst (.. code-block:: yaml or yaml+jinja):
a list of plays is written as it is; a list of tasks is wrapped in a play; anything else (a credential
type's fields, an injector) is not a playbook and is left out. Prints what it wrote.

The extraction lives here once: lint_examples.py (the modules' EXAMPLES) and tests/examples/run_examples.py
(which runs all of them against the emulator) import it.
"""
import glob
import os
import re
import sys

import yaml

ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..'))
PLAY_KEYS = {'hosts', 'import_playbook'}
# The play a reader pastes a task list into, as the getting-started page writes one: on the controller, with the
# Python that runs ansible-playbook (the one that has requests).
TASK_PLAY = ('- name: %s\n  hosts: localhost\n  connection: local\n  gather_facts: false\n  vars:\n'
             '    ansible_python_interpreter: "{{ ansible_playbook_python }}"\n  tasks:\n')


class Block(object):
    """One YAML block of a page (or one module's EXAMPLES): where it is, its text, what it is."""

    def __init__(self, source, line, text):
        self.source = source  # a path relative to ROOT, or plugins/modules/<name>.py for EXAMPLES
        self.line = line
        self.text = text
        data = yaml.safe_load(text)
        if not isinstance(data, list) or not data or not all(isinstance(item, dict) for item in data):
            self.kind = None  # not a playbook: a credential type, an injector, a fragment
        elif all(PLAY_KEYS & set(item) for item in data):
            self.kind = 'playbook'
        else:
            self.kind = 'task list'
        self.items = len(data) if isinstance(data, list) else 0

    @property
    def name(self):
        stem = os.path.splitext(os.path.basename(self.source))[0]
        return stem + '-EXAMPLES' if self.source.endswith('.py') else '%s-line%d' % (stem, self.line)

    def playbook(self):
        """The text ansible-playbook runs: a playbook as the reader copies it, a task list inside TASK_PLAY."""
        if self.kind == 'playbook':
            return '---\n' + self.text
        if self.source.endswith('.py'):
            title = 'EXAMPLES of %s' % os.path.basename(self.source)[:-3]
        else:
            title = 'Tasks from %s line %d' % (os.path.basename(self.source), self.line)
        tasks = ''.join('    ' + row if row.strip() else row for row in self.text.splitlines(True))
        return '---\n' + TASK_PLAY % title + tasks


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


def doc_sources():
    return ['README.md'] + sorted(os.path.relpath(p, ROOT)
                                  for p in glob.glob(os.path.join(ROOT, 'docs', 'docsite', 'rst', '*.rst')))


def doc_blocks():
    """Every YAML block of the README and the user guide, in page order."""
    for source in doc_sources():
        with open(os.path.join(ROOT, source)) as handle:
            text = handle.read()
        for line, block in (markdown_blocks(text) if source.endswith('.md') else rst_blocks(text)):
            yield Block(source, line, block)


def module_examples():
    """Each module's EXAMPLES, as one task list (read from the source text: no import of the module)."""
    for path in sorted(glob.glob(os.path.join(ROOT, 'plugins', 'modules', '*.py'))):
        with open(path) as handle:
            source = handle.read()
        start = source.index("EXAMPLES = r'''") + len("EXAMPLES = r'''")
        end = source.index("'''", start)
        text = source[start:end].strip('\n') + '\n'
        yield Block(os.path.relpath(path, ROOT), source[:start].count('\n') + 2, text)


def main(dest):
    os.makedirs(dest, exist_ok=True)
    written = 0
    for block in doc_blocks():
        if block.kind is None:
            continue
        with open(os.path.join(dest, block.name + '.yml'), 'w') as handle:
            handle.write(block.playbook())
        print('%s.yml: %s of %d item(s)' % (block.name, block.kind, block.items))
        written += 1
    if not written:
        sys.exit('no playbook found in the README and the user guide')


if __name__ == '__main__':
    main(sys.argv[1])
