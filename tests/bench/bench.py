# -*- coding: utf-8 -*-
# Copyright: (c) 2026, onlyoffice.docspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""make bench: the cost of a converge, against the emulator; writes docs/performance.md.

A benchmark, not a test: it measures and reports. Requests per task come from the emulator's
request log; wall times from whole ansible-playbook runs; memory from the peak RSS of one module
process listing 10,000 clients.
"""

import collections
import json
import os
import platform
import subprocess
import sys
import time

import requests
import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, '..', '..'))
sys.path.insert(0, os.path.join(ROOT, 'tests', 'emulator'))
import docspace_emulator as emu  # noqa: E402  pylint: disable=wrong-import-position

KEY = 'sk-bench-admin-key-0123456789'
BIN = os.path.dirname(sys.executable)
APP = {'logo': 'data:image/png;base64,iVBORw0KGgo=', 'website_url': 'https://bench.example.com',
       'terms_url': 'https://bench.example.com/t', 'policy_url': 'https://bench.example.com/p',
       'logout_redirect_uri': 'https://bench.example.com/l', 'redirect_uris': ['https://bench.example.com/cb'],
       'allowed_origins': ['https://bench.example.com'], 'scopes': ['openid']}
MODULE = 'onlyoffice.docspace.docspace_oauth_client'


class Bench(object):
    def __init__(self, emulator, url, folder):
        self.emulator, self.url, self.folder = emulator, url, folder
        self.admin = {'id': emulator.credentials()['admin']['user_id'], 'role': 'ADMIN', 'tenant': 1}

    def seed(self, count, prefix='Seed'):
        for i in range(count):
            self.emulator.create(self.admin, dict(APP, name='%s %05d' % (prefix, i)), '/api/2.0/clients')

    def playbook(self, name, tasks, extra_vars=None):
        play = [{'name': name, 'hosts': 'localhost', 'connection': 'local', 'gather_facts': False,
                 'vars': dict({'ansible_python_interpreter': sys.executable}, **(extra_vars or {})), 'tasks': tasks}]
        path = os.path.join(self.folder, name.replace(' ', '_') + '.yml')
        with open(path, 'w') as handle:
            yaml.safe_dump(play, handle)
        return path

    def run(self, path):
        env = dict(os.environ, DOCSPACE_URL=self.url, DOCSPACE_API_KEY=KEY, ANSIBLE_NOCOLOR='1',
                   ANSIBLE_LOCALHOST_WARNING='false', ANSIBLE_INVENTORY_UNPARSED_WARNING='false')
        start = time.time()
        out = subprocess.run([os.path.join(BIN, 'ansible-playbook'), '-i', 'localhost,', path], env=env,
                             capture_output=True, text=True, check=False)
        elapsed = time.time() - start
        if out.returncode:
            raise SystemExit(out.stdout[-3000:] + out.stderr[-2000:])
        return elapsed

    def requests_of(self, name, task):
        self.emulator.requests = []
        self.run(self.playbook(name, [task]))
        counts = collections.Counter(r['method'] for r in self.emulator.requests)
        return dict(counts), len(self.emulator.requests)


def request_table(bench):
    rows = []
    bench.emulator.reset()
    create = {'name': 'Create', MODULE: dict(APP, name='Bench App')}
    rows.append(('create (empty portal)', ) + bench.requests_of('create', create))
    client_id = [c for c in bench.emulator.clients.values() if c['name'] == 'Bench App'][0]['client_id']
    rows.append(('unchanged, by client_id', ) + bench.requests_of('by id', {
        'name': 'By id', MODULE: dict(APP, client_id=client_id, name='Bench App')}))
    for size in (10, 100, 1000):
        bench.emulator.reset()
        bench.seed(size - 1)
        bench.emulator.create(bench.admin, dict(APP, name='Bench App'), '/api/2.0/clients')
        rows.append(('unchanged, by name, %d clients' % size, ) + bench.requests_of('by name %d' % size, {
            'name': 'By name', MODULE: dict(APP, name='Bench App')}))
    rows.append(('update (description), by name, 1000 clients', ) + bench.requests_of('update', {
        'name': 'Update', MODULE: {'name': 'Bench App', 'description': 'changed'}}))
    rows.append(('delete, by name, 1000 clients', ) + bench.requests_of('delete', {
        'name': 'Delete', MODULE: {'name': 'Bench App', 'state': 'absent'}}))
    rows.append(('info of all clients (999 left)', ) + bench.requests_of('info', {
        'name': 'Info', 'onlyoffice.docspace.docspace_oauth_client_info': {}}))
    return rows


def converge_times(bench, apps=50, repeats=3):
    bench.emulator.reset()
    for i in range(apps):
        bench.emulator.create(bench.admin, dict(APP, name='Conv %02d' % i), '/api/2.0/clients')
    ids = [c['client_id'] for c in sorted(bench.emulator.clients.values(), key=lambda c: c['name'])]
    items = [{'client_id': cid, 'name': 'Conv %02d' % i} for i, cid in enumerate(ids)]
    modules = bench.playbook('converge modules', [{
        'name': 'Converge', MODULE: dict(APP, client_id='{{ item.client_id }}', name='{{ item.name }}'),
        'loop': '{{ apps }}'}], {'apps': items})
    uri = bench.playbook('converge uri', [
        {'name': 'Token', 'ansible.builtin.uri': {
            'url': '{{ lookup("env", "DOCSPACE_URL") }}/api/2.0/security/oauth2/token',
            'headers': {'Authorization': 'Bearer {{ lookup("env", "DOCSPACE_API_KEY") }}'}},
         'register': 'token', 'no_log': True},
        {'name': 'Read each', 'ansible.builtin.uri': {
            'url': '{{ lookup("env", "DOCSPACE_URL") }}/api/2.0/clients/{{ item.client_id }}',
            'headers': {'x-signature': '{{ token.json.response }}'}},
         'loop': '{{ apps }}', 'no_log': True}], {'apps': items})
    times = {'modules': [], 'uri': []}
    for dummy in range(repeats):
        bench.emulator.requests = []
        times['modules'].append(bench.run(modules))
        writes = [r for r in bench.emulator.requests if r['method'] != 'GET']
        assert not writes, writes
        times['uri'].append(bench.run(uri))
    return dict((k, sorted(v)[len(v) // 2]) for k, v in times.items())


def listing_memory(bench, count=10000):
    bench.emulator.reset()
    bench.seed(count, prefix='Mem')
    driver = (
        'import json, resource, sys\n'
        'from ansible.module_utils.testing import patch_module_args\n'
        'from ansible_collections.onlyoffice.docspace.plugins.modules import docspace_oauth_client_info as m\n'
        'args = {"base_url": sys.argv[1], "api_key": sys.argv[2]}\n'
        'with patch_module_args(args):\n'
        '    try:\n'
        '        m.main()\n'
        '    except SystemExit:\n'
        '        pass\n'
        'sys.stderr.write("MAXRSS %d\\n" % resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)\n')
    env = dict(os.environ, PYTHONPATH=os.environ['ANSIBLE_COLLECTIONS_PATH'])
    start = time.time()
    out = subprocess.run([sys.executable, '-c', driver, bench.url, KEY], capture_output=True, text=True, env=env, check=False)
    elapsed = time.time() - start
    clients = len(json.loads(out.stdout)['clients'])
    rss = int(out.stderr.strip().split('MAXRSS ')[-1]) / 1024.0
    return clients, rss, elapsed


def emulator_throughput(url, count=2000):
    session = requests.Session()
    token = session.get(url + '/api/2.0/security/oauth2/token', headers={'Authorization': 'Bearer ' + KEY}).json()
    headers = {'x-signature': token['response']}
    start = time.time()
    for dummy in range(count):
        session.get(url + '/api/2.0/scopes', headers=headers)
    return count / (time.time() - start)


def main(out_path):
    folder = os.path.join(ROOT, '.build', 'bench')
    os.makedirs(folder, exist_ok=True)
    emulator = emu.Emulator(admin_api_key=KEY)
    with emu.running(emulator) as url:
        bench = Bench(emulator, url, folder)
        rows = request_table(bench)
        converge = converge_times(bench)
        clients, rss, list_time = listing_memory(bench)
        throughput = emulator_throughput(url)
    core = subprocess.run([os.path.join(BIN, "ansible"), "--version"], capture_output=True, text=True, check=False).stdout
    lines = ['# Performance', '',
             'Measured by `make bench` (a benchmark, not a test) against the bundled emulator on %s, %d cores, '
             'Python %s, %s.' % (platform.machine(), os.cpu_count(), platform.python_version(),
                                 core.split('\n')[0].strip()), '',
             '## Requests per task', '',
             '| task | requests | by method |', '|---|---|---|']
    for name, methods, total in rows:
        lines.append('| %s | %d | %s |' % (name, total, ', '.join('%s %d' % kv for kv in sorted(methods.items()))))
    ratio = converge['modules'] / converge['uri']
    lines += ['', '## Converge of 50 unchanged apps (median of 3 runs)', '',
              '| playbook | wall time |', '|---|---|',
              '| `docspace_oauth_client` by client_id, 50 loop items | %.1f s |' % converge['modules'],
              '| `ansible.builtin.uri`: one token exchange + one GET per app | %.1f s |' % converge['uri'],
              '| ratio modules / uri | %.2f |' % ratio, '',
              '## Listing 10,000 clients', '',
              'One `docspace_oauth_client_info` process listed %d clients (%d pages of 50) in %.1f s with a peak '
              'resident memory of %.0f MB.' % (clients, (clients + 49) // 50, list_time, rss), '',
              '## The emulator', '',
              'It answered %.0f GET requests a second from one client on this machine, so it is not what the '
              'figures above measure.' % throughput, '']
    with open(out_path, 'w') as handle:
        handle.write('\n'.join(lines))
    print('\n'.join(lines))


if __name__ == '__main__':
    main(sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, 'docs', 'performance.md'))
