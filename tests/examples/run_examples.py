# -*- coding: utf-8 -*-
# Copyright: (c) 2026, onlyoffice.docspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Run every playbook and task list of README.md, the user guide and the modules' EXAMPLES against the emulator.

    run_examples.py [--junit FILE] [--jobs N] [--only TEXT]

What a reader copies is what runs. tests/utils/lint_docs.py extracts the YAML blocks (the same ones `make lint`
lints); a playbook runs as printed, a task list inside the play the getting-started page teaches (localhost,
``connection: local``, ``ansible_python_interpreter: "{{ ansible_playbook_python }}"``). Each page (a guide page,
the README, one module's EXAMPLES) gets a fresh emulator and a fresh folder; its examples run in document order,
as a reader goes through them, each one three times with ``ansible-playbook -i localhost,``:

1. ``--check --diff``: must pass, and the emulator's request log must show no write (a request other than GET,
   except the login POST);
2. for real: must pass;
3. again: must pass with ``changed=0``, unless ALWAYS_CHANGED lists the example (a rotation is documented to
   report changed every time).

No output may carry a ``[WARNING]`` (an unsafe templated task-args, a discovered interpreter) or a credential
(the key, the password, or any secret or JWT the emulator issued, found by its hash).

Only what a reader would change is substituted, and why:

- the portal: ``https://docspace.example.com`` (and the emulator page's ``http://127.0.0.1:8099``) becomes the
  emulator's URL, since there is no real portal;
- the credentials: a ``vault_docspace_*`` variable is given as an extra var holding the emulator's admin key,
  user name or password; a task list, and any example that reads ``DOCSPACE_*``, gets ``DOCSPACE_URL`` and
  ``DOCSPACE_API_KEY`` in the environment, the way the guide says a connection reaches a task that names none;
- paths: ``/etc/...`` becomes ``<page folder>/etc/...`` (a test does not write the machine's /etc); the folder a
  ``secret_path`` names there is the app's own folder, which the examples say must exist, so its substitute is
  made (mode 0700); the files an example reads by a relative path are in the page folder: ``files/reporting.png`` (a real small PNG, the demo's logo),
  ``vars/team_apps.yml`` (the collection's sample team) and ``site.yml`` (the emulator page's "your playbook":
  the collection's demo playbook, whose connection comes from the environment).

Nothing else: the portal, the key and the paths are what the reader's run differs in. The modules run as on a
host whose ``python3`` has no ``requests``: PATH starts with a folder whose ``python3`` is one without it (the
system Python when it lacks requests, else a bare venv) and otherwise holds only ``/usr/bin:/bin``, so an
example that does not point ``ansible_python_interpreter`` at the Python that has requests fails here as it
fails for a reader (issue 14, item 1).

A YAML block that is not meant to run is skipped only through SKIP, with the reason; PREREQUISITES names what
a page builds on and runs it for real first, on the page's emulator: the example of another page (the
getting-started page's reporting app), or a step the page shows as a console block (``ansible-playbook site.yml``).
Entries that match no block, or more than one, fail the check, so that the lists cannot go stale.
"""

import argparse
import concurrent.futures
import glob
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from xml.etree import ElementTree as ET

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, '..', '..'))
sys.path.insert(0, os.path.join(ROOT, 'tests', 'utils'))
import lint_docs  # noqa: E402  pylint: disable=wrong-import-position

EMULATOR = os.path.join(ROOT, 'tests', 'emulator', 'docspace_emulator.py')
GUIDE = 'docs/docsite/rst/'

# (source, a text the block contains): why it is not run. Reviewed: each is something pasted elsewhere.
SKIP = {
    (GUIDE + 'awx.rst', 'fields:'): "the credential type's Input configuration, pasted into AWX: not a playbook",
    (GUIDE + 'awx.rst', 'env:'): "the credential type's Injector configuration, pasted into AWX: not a playbook",
    (GUIDE + 'many_apps.rst', 'docspace_portals:'): 'an inventory, not a playbook: tests/fleet checks that it is '
                                                    'playbooks/fleet/inventory.yml and runs that fleet',
    (GUIDE + 'many_apps.rst', 'vault_docspace_api_key'): "a portal's host vars, not a playbook: tests/fleet checks "
                                                         "that they are the example fleet's and runs that fleet",
}
# (source, a text the block contains): why its second run reports changed.
ALWAYS_CHANGED = {
    (GUIDE + 'secret_rotation.rst', 'state: regenerated'): 'a rotation always reports changed (documented there)',
    ('plugins/modules/docspace_oauth_secret.py', 'state: regenerated'):
        'its first task rotates a secret, which always reports changed (documented)',
}
# source -> (what to run first, why): (source, a text the block contains) names an example of another page,
# run for real on the page's emulator; a file name, a playbook of the page folder, run as a console block of
# the page runs it (no inventory, the connection in DOCSPACE_URL and DOCSPACE_API_KEY).
REPORTING_APP = (GUIDE + 'getting_started.rst', 'Register the reporting app')
PREREQUISITES = {
    GUIDE + 'emulator_ci.rst': ('site.yml', 'the page runs site.yml (a console block), then its tasks run it '
                                            'again in check mode'),
    GUIDE + 'secret_rotation.rst': (REPORTING_APP, 'the page reads and rotates the secret of the reporting app, '
                                                   'which the getting-started page registers'),
    'plugins/modules/docspace_oauth_secret.py': (REPORTING_APP, 'the examples rotate and read the secret of the '
                                                                'reporting app'),
    'plugins/modules/docspace_oauth_client_info.py': (REPORTING_APP, 'the examples list apps and pick some by id: '
                                                                     'the portal needs one'),
}
SUBSTITUTE = (
    (re.compile(r'https://docspace\.example\.com'), '{url}'),
    (re.compile(r'http://127\.0\.0\.1:8099'), '{url}'),
    (re.compile(r'(?<![\w./-])/etc/'), '{folder}/etc/'),
)
# The folders under /etc/ an example names: made (in the page folder) before it runs, as they exist for a reader.
ETC_PATH = re.compile(r'(?<![\w./-])/etc/[^\s"\'{]+/')
VAULT = {'vault_docspace_api_key': 'api_key', 'vault_docspace_username': 'user_name',
         'vault_docspace_password': 'password'}
WARNING = re.compile(r'^\[(WARNING|DEPRECATION WARNING)\]: .*$', re.M)
RECAP = re.compile(r'^\S+\s+: ok=\d+\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)', re.M)
WRITE_METHODS = ('POST', 'PUT', 'PATCH', 'DELETE')
LOGIN = '/api/2.0/authentication'
TOKEN = re.compile(r'[A-Za-z0-9_.+/=-]{20,}')
PRINT_LOCK = threading.Lock()


class Failed(Exception):
    def __init__(self, reason, output=''):
        super(Failed, self).__init__(reason)
        self.reason = reason
        self.output = output


def matching(blocks, key, what):
    source, text = key
    found = [b for b in blocks if b.source == source and text in b.text]
    if len(found) != 1:
        raise SystemExit('run_examples.py: the %s entry %r matches %d YAML blocks, not one: update it'
                         % (what, key, len(found)))
    return found[0]


def has_requests(python):
    return subprocess.run([python, '-c', 'import requests'], capture_output=True, check=False).returncode == 0


def host_bin(scratch):
    """A folder for the front of PATH: ansible's commands, and a python3 without requests."""
    folder = os.path.join(scratch, 'bin')
    os.makedirs(folder)
    python = '/usr/bin/python3'
    if not os.path.exists(python) or has_requests(python):
        subprocess.run([sys.executable, '-m', 'venv', '--without-pip', os.path.join(scratch, 'bare')], check=True)
        python = os.path.join(scratch, 'bare', 'bin', 'python3')
    os.symlink(python, os.path.join(folder, 'python3'))
    playbook = shutil.which('ansible-playbook') or os.path.join(os.path.dirname(sys.executable), 'ansible-playbook')
    for command in glob.glob(os.path.join(os.path.dirname(os.path.realpath(playbook)), 'ansible*')):
        os.symlink(command, os.path.join(folder, os.path.basename(command)))
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(('DOCSPACE_', 'PYTHON', 'VIRTUAL_ENV', 'PYENV', 'REQUESTS_', 'CURL_'))}
    env.update(PATH=folder + ':/usr/bin:/bin', ANSIBLE_NOCOLOR='1', ANSIBLE_FORCE_COLOR='0',
               ANSIBLE_COLLECTIONS_PATH=os.environ.get('ANSIBLE_COLLECTIONS_PATH',
                                                       os.path.join(ROOT, '.build', 'collections')))
    # Interpreter discovery looks for python3.N and python3 on PATH: none of them may have requests, or an
    # example that forgets ansible_python_interpreter would pass here and fail for a reader. When the machine's
    # own Python has it, make the requests-less one the host's default instead.
    for candidate in sorted(glob.glob('/usr/bin/python3*') + glob.glob('/bin/python3*')):
        if re.search(r'python3(\.\d+)?$', candidate) and has_requests(candidate):
            env['ANSIBLE_PYTHON_INTERPRETER'] = os.path.join(folder, 'python3')
            break
    check = subprocess.run(['python3', '-c', 'import requests'], env=env, capture_output=True, check=False)
    if check.returncode == 0:
        raise SystemExit('run_examples.py: the python3 first on PATH has requests; item 1 would not be tested')
    return env


class Emulator(object):
    def __init__(self, folder):
        info = os.path.join(folder, 'emulator.json')
        self.log = open(os.path.join(folder, 'emulator.log'), 'w')
        self.proc = subprocess.Popen([sys.executable, EMULATOR, '--port', '0', '--info-file', info],
                                     stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + 20
        while not os.path.exists(info):
            if self.proc.poll() is not None or time.time() > deadline:
                raise Failed('the emulator did not start')
            time.sleep(0.05)
        with open(info) as handle:
            data = json.load(handle)
        self.url = data['url']
        self.admin = data['users']['admin']

    def control(self, method, name):
        import urllib.request  # pylint: disable=import-outside-toplevel
        request = urllib.request.Request(self.url + '/__emulator__/' + name, method=method)
        with urllib.request.urlopen(request, timeout=10) as answer:
            return json.loads(answer.read().decode('utf-8'))

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.log.close()


class Page(object):
    """The examples of one page, against one emulator, in one folder."""

    def __init__(self, source, blocks, prerequisite, env, scratch):
        self.source = source
        self.blocks = blocks
        self.prerequisite = prerequisite
        self.folder = os.path.join(scratch, re.sub(r'\W', '_', source))
        self.base_env = env
        self.results = []
        self.outputs = []
        self.emulator = None

    def prepare(self):
        os.makedirs(os.path.join(self.folder, 'vars'))
        shutil.copytree(os.path.join(ROOT, 'playbooks', 'files'), os.path.join(self.folder, 'files'))
        shutil.copy(os.path.join(ROOT, 'playbooks', 'files', 'demo-logo.png'),
                    os.path.join(self.folder, 'files', 'reporting.png'))
        shutil.copy(os.path.join(ROOT, 'playbooks', 'vars', 'team_apps.yml'), os.path.join(self.folder, 'vars'))
        shutil.copy(os.path.join(ROOT, 'playbooks', 'demo.yml'), os.path.join(self.folder, 'site.yml'))

    def write(self, block, url):
        text = block.playbook()
        for folder in ETC_PATH.findall(text):
            os.makedirs(self.folder + folder, mode=0o700, exist_ok=True)
        for pattern, replacement in SUBSTITUTE:
            text = pattern.sub(replacement.format(url=url, folder=self.folder).replace('\\', '\\\\'), text)
        path = os.path.join(self.folder, block.name + '.yml')
        with open(path, 'w') as handle:
            handle.write(text)
        extra = {}
        for name in sorted(set(re.findall(r'\bvault_\w+', text))):
            if name not in VAULT:
                raise Failed('%s is not a variable the runner knows how to fill (VAULT)' % name)
            extra[name] = self.emulator.admin[VAULT[name]]
        with open(os.path.join(self.folder, block.name + '.extra.json'), 'w') as handle:
            json.dump(extra, handle)
        env = dict(self.base_env, DOCSPACE_DEMO_SECRETS=os.path.join(self.folder, 'demo-secrets'))
        if block.kind == 'task list' or 'DOCSPACE_' in block.text:
            env.update(DOCSPACE_URL=url, DOCSPACE_API_KEY=self.emulator.admin['api_key'])
        return path, env

    def play(self, block, *options):
        path, env = self.write(block, self.emulator.url)
        command = ['ansible-playbook', '-i', 'localhost,', os.path.basename(path),
                   '-e', '@' + block.name + '.extra.json'] + list(options)
        run = subprocess.run(command, cwd=self.folder, env=env, capture_output=True, text=True, timeout=600,
                             check=False)
        output = '$ %s\n%s%s' % (' '.join(command), run.stdout, run.stderr)
        self.outputs.append(output)
        recap = RECAP.findall(run.stdout)
        if run.returncode or not recap:
            raise Failed('%s exited %d' % (' '.join(['ansible-playbook'] + list(options)), run.returncode), output)
        return sum(int(changed) for changed, _u, _f in recap), output

    def check_output(self, block):
        blob = '\n'.join(self.outputs)
        warning = WARNING.search(blob)
        if warning:
            raise Failed('ansible warned: %s' % warning.group(0), blob)
        issued = set().union(*self.emulator.control('GET', 'issued').values())
        leaked = [t for t in set(TOKEN.findall(blob)) if hashlib.sha256(t.encode()).hexdigest() in issued]
        if leaked or self.emulator.admin['api_key'] in blob or self.emulator.admin['password'] in blob:
            raise Failed('a credential or secret appears in the output of %s' % block.name, blob)

    def before(self):
        if not isinstance(self.prerequisite, str):
            self.play(self.prerequisite)
            return
        env = dict(self.base_env, DOCSPACE_URL=self.emulator.url, DOCSPACE_API_KEY=self.emulator.admin['api_key'],
                   DOCSPACE_DEMO_SECRETS=os.path.join(self.folder, 'demo-secrets'))
        run = subprocess.run(['ansible-playbook', self.prerequisite], cwd=self.folder, env=env, capture_output=True,
                             text=True, timeout=600, check=False)
        if run.returncode:
            raise Failed('ansible-playbook %s exited %d' % (self.prerequisite, run.returncode), run.stdout + run.stderr)

    def run_example(self, block, always_changed):
        self.outputs = []
        self.emulator.control('DELETE', 'requests')
        self.play(block, '--check', '--diff')
        writes = ['%s %s' % (r['method'], r['path']) for r in self.emulator.control('GET', 'requests')
                  if r['method'] in WRITE_METHODS and r['path'] != LOGIN]
        if writes:
            raise Failed('check mode sent %d write(s): %s' % (len(writes), ', '.join(writes)), self.outputs[-1])
        first, dummy = self.play(block)
        again, output = self.play(block)
        if again and not always_changed:
            raise Failed('the second run reported changed=%d, not 0' % again, output)
        self.check_output(block)
        return 'check: no write; run: changed=%d; again: changed=%d%s' % (
            first, again, ' (always changes: %s)' % always_changed if always_changed else '')

    def run(self, always_changed):
        os.makedirs(self.folder)
        self.prepare()
        try:
            self.emulator = Emulator(self.folder)
            if self.prerequisite:
                self.outputs = []
                try:
                    self.before()
                except Failed as exc:
                    raise Failed('its prerequisite %s failed: %s' % (getattr(self.prerequisite, 'name',
                                                                             self.prerequisite), exc.reason), exc.output)
            for block in self.blocks:
                started = time.time()
                try:
                    passed, note, output = True, self.run_example(block, always_changed.get(id(block))), ''
                except Failed as exc:
                    passed, note, output = False, exc.reason, exc.output
                self.done(block, passed, note, output, started)
        except Failed as exc:
            for block in self.blocks[len(self.results):]:
                self.done(block, False, exc.reason, exc.output, time.time())
        except Exception:  # pylint: disable=broad-except
            for block in self.blocks[len(self.results):]:
                self.done(block, False, 'the runner failed', traceback.format_exc(), time.time())
        finally:
            if self.emulator:
                self.emulator.stop()
        return self.results

    def done(self, block, passed, note, output, started):
        took = time.time() - started
        self.results.append((block, passed, note, output, took))
        with PRINT_LOCK:
            print('%-4s %s:%d (%s): %s [%.1f s]'
                  % ('ok' if passed else 'FAIL', block.source, block.line, block.kind, note, took), flush=True)


def junit(path, results, seconds):
    suite = ET.Element('testsuite', name='examples', tests=str(len(results)),
                       failures=str(sum(1 for r in results if not r[1])), errors='0', skipped='0',
                       time='%.1f' % seconds)
    for block, passed, note, output, took in results:
        case = ET.SubElement(suite, 'testcase', classname=block.source, name=block.name, time='%.1f' % took)
        if not passed:
            ET.SubElement(case, 'failure', message=note).text = output
    root = ET.Element('testsuites')
    root.append(suite)
    ET.ElementTree(root).write(path, encoding='utf-8', xml_declaration=True)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n', 1)[0])
    parser.add_argument('--junit', help='write a JUnit XML report here')
    parser.add_argument('--jobs', type=int, default=max(2, min(4, os.cpu_count() or 2)))
    parser.add_argument('--only', help='run only the pages whose path contains this text')
    args = parser.parse_args(argv)
    started = time.time()
    blocks = list(lint_docs.doc_blocks()) + list(lint_docs.module_examples())
    skipped = {id(matching(blocks, key, 'SKIP')): reason for key, reason in SKIP.items()}
    always = {id(matching(blocks, key, 'ALWAYS_CHANGED')): reason for key, reason in ALWAYS_CHANGED.items()}
    prerequisites = dict((page, key if isinstance(key, str) else matching(blocks, key, 'PREREQUISITES'))
                         for page, (key, dummy) in PREREQUISITES.items())
    for block in blocks:
        if id(block) in skipped:
            print('skip %s:%d: %s' % (block.source, block.line, skipped[id(block)]))
        elif block.kind is None:
            raise SystemExit('run_examples.py: %s:%d is a YAML block that is neither a playbook nor a task list; '
                             'make it one, or add it to SKIP with the reason' % (block.source, block.line))
    pages = {}
    for block in blocks:
        if id(block) not in skipped and (not args.only or args.only in block.source):
            pages.setdefault(block.source, []).append(block)
    scratch = tempfile.mkdtemp(prefix='docspace-examples-')
    try:
        env = host_bin(scratch)
        work = [Page(source, page_blocks, prerequisites.get(source), env, scratch)
                for source, page_blocks in pages.items()]
        # The longest pages first, so that two workers finish together.
        work.sort(key=lambda p: -(len(p.blocks) + (1 if p.prerequisite else 0)))
        with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
            results = [r for future in [pool.submit(p.run, always) for p in work] for r in future.result()]
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    order = {id(b): n for n, b in enumerate(blocks)}
    results.sort(key=lambda r: order[id(r[0])])
    if args.junit:
        junit(args.junit, results, time.time() - started)
    failed = [r for r in results if not r[1]]
    for block, dummy, note, output, dummy_took in failed:
        print('\n==== FAILED %s:%d (%s): %s\n%s' % (block.source, block.line, block.name, note, output.rstrip()))
    print('examples: %d ran, %d failed (%s), %d skipped by SKIP, in %.0f s'
          % (len(results), len(failed), ', '.join(r[0].name for r in failed) or 'none', len(skipped),
             time.time() - started))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
