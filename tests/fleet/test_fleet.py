# -*- coding: utf-8 -*-
# Copyright: (c) 2026, onlyoffice.docspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""playbooks/converge_apps.yml over a fleet: several emulators at once, one inventory host per portal, each
with its own apps, converged by one ansible-playbook run with forks (``make fleet``).

The portals: one fresh (its apps created), one with a team app no longer listed (deleted), one with a listed
app whose fields differ (updated), one whose apps come from a team_apps_file, and one on a closed port of
127.0.0.1 (it fails alone). Every portal also holds an app outside the team's prefix, which must not change."""

import base64
import contextlib
import copy
import hashlib
import os
import re
import socket
import stat
import subprocess
import sys
import time

import pytest
import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, '..', '..'))
sys.path.insert(0, os.path.join(ROOT, 'tests', 'emulator'))
sys.path.insert(0, os.path.join(ROOT, 'tests', 'utils'))
import docspace_emulator  # noqa: E402  pylint: disable=wrong-import-position
import lint_docs  # noqa: E402  pylint: disable=wrong-import-position

PLAYBOOK = os.path.join(ROOT, 'playbooks', 'converge_apps.yml')
FLEET = os.path.join(ROOT, 'playbooks', 'fleet')
LOGO = os.path.join(ROOT, 'playbooks', 'files', 'demo-logo.png')
PAGE = os.path.join(ROOT, 'docs', 'docsite', 'rst', 'many_apps.rst')
TOKEN = '/api/2.0/security/oauth2/token'
WRITES = ('POST', 'PUT', 'PATCH', 'DELETE')
RECAP = re.compile(r'^(\S+)\s+: ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)', re.M)
SUMMARY = re.compile(r'"msg": "(\S+?)( \(check mode\))?: (\d+) created, (\d+) updated, (\d+) recreated, '
                     r'(\d+) deleted, (\d+) unchanged"')
SECRETISH = re.compile(r'[A-Za-z0-9_.+/=-]{20,}')
OUTSIDER = {'name': 'Outsider: Tool', 'description': 'not the team\'s', 'logo': 'data:image/png;base64,iVBORw0KGgo=',
            'website_url': 'https://o.example.com', 'terms_url': 'https://o.example.com/t',
            'policy_url': 'https://o.example.com/p', 'logout_redirect_uri': 'https://o.example.com/l',
            'redirect_uris': ['https://o.example.com/cb'], 'allowed_origins': ['https://o.example.com'],
            'scopes': ['openid']}


def app(name, site, scopes, **optional):
    return dict(dict(name=name, site=site, scopes=scopes), **optional)


# Each portal of the fleet: its prefix, the apps it lists, the apps it holds before the first run.
PORTALS = {
    'portal-one': {'team_prefix': 'One: ', 'team_apps': [
        app('One: Reporting', 'https://reports.one.example.com', ['files:read', 'rooms:read', 'openid'],
            allow_pkce=True),
        app('One: Directory', 'https://directory.one.example.com', ['accounts:read', 'openid'],
            description='Reads the people directory'),
        app('One: Archive', 'https://archive.one.example.com', ['files:read', 'files:write'], enabled=False)]},
    'portal-two': {'team_prefix': 'Two: ', 'team_apps': [
        app('Two: Sync', 'https://sync.two.example.com', ['files:read', 'files:write'],
            redirect_uris=['https://sync.two.example.com/cb', 'http://localhost:8080/cb']),
        app('Two: Chat', 'https://chat.two.example.com', ['openid'])],
        'seed': ['Two: Retired']},  # listed no more: deleted
    'portal-three': {'team_prefix': 'Three: ', 'team_apps': [
        app('Three: Reporting', 'https://reports.three.example.com', ['files:read', 'openid'],
            terms_url='https://legal.three.example.com/terms'),
        app('Three: Forms', 'https://forms.three.example.com', ['files:write'])],
        'seed': ['Three: Reporting']},  # held with other fields: updated
    'portal-four': {'team_prefix': 'Four: ', 'file': True, 'team_apps': [
        app('Four: App %d' % n, 'https://app%d.four.example.com' % n, ['openid']) for n in range(1, 6)]},
}
DOWN = 'portal-down'


def expected(entry):
    """What DocSpace must hold for a vars-file entry: the playbook's defaults, derived from the site."""
    site = entry['site']
    with open(LOGO, 'rb') as handle:
        logo = 'data:image/png;base64,' + base64.b64encode(handle.read()).decode()
    return {'name': entry['name'], 'description': entry.get('description', 'Managed by playbooks/converge_apps.yml'),
            'logo': logo, 'website_url': site, 'terms_url': entry.get('terms_url', site + '/terms'),
            'policy_url': entry.get('policy_url', site + '/privacy'),
            'logout_redirect_uri': entry.get('logout_redirect_uri', site + '/logout'),
            'redirect_uris': sorted(entry.get('redirect_uris', [site + '/oauth/callback'])),
            'allowed_origins': sorted(entry.get('allowed_origins', [site])), 'scopes': sorted(entry['scopes']),
            'allow_pkce': entry.get('allow_pkce', False), 'enabled': entry.get('enabled', True)}


def held(client):
    """The same fields of a client the emulator stores."""
    return {'name': client['name'], 'description': client['description'], 'logo': client['logo'],
            'website_url': client['website_url'], 'terms_url': client['terms_url'],
            'policy_url': client['policy_url'], 'logout_redirect_uri': client['logout_redirect_uri'],
            'redirect_uris': sorted(client['redirect_uris']), 'allowed_origins': sorted(client['allowed_origins']),
            'scopes': sorted(client['scopes']), 'allow_pkce': 'none' in client['authentication_methods'],
            'enabled': client['enabled']}


def slug(name):
    return re.sub('[^a-z0-9]+', '-', name.lower()).strip('-')


def closed_port():
    """A port of 127.0.0.1 that nothing listens on: bound, then closed."""
    sock = socket.socket()
    sock.bind(('127.0.0.1', 0))
    port = sock.getsockname()[1]
    sock.close()
    return port


def env_for_ansible():
    env = dict((k, v) for k, v in os.environ.items() if not k.startswith(('DOCSPACE_', 'ANSIBLE_')))
    env.update(ANSIBLE_COLLECTIONS_PATH=os.path.join(ROOT, '.build', 'collections'), ANSIBLE_NOCOLOR='1',
               ANSIBLE_FORCE_COLOR='0', ANSIBLE_COLLECTIONS_ON_ANSIBLE_VERSION_MISMATCH='error',
               ANSIBLE_RETRY_FILES_ENABLED='false')
    return env


def ansible_playbook(cwd, *args):
    """Run playbooks/converge_apps.yml; (exit code, output, {host: (ok, changed, unreachable, failed)}, seconds)."""
    binary = os.path.join(os.path.dirname(sys.executable), 'ansible-playbook')
    if not os.path.exists(binary):
        binary = os.path.join(ROOT, '.venv', 'bin', 'ansible-playbook')
    started = time.time()
    run = subprocess.run([binary, PLAYBOOK, '-e', 'docspace_hosts=docspace_portals'] + list(args), cwd=str(cwd),
                         env=env_for_ansible(), capture_output=True, text=True, timeout=300, check=False)
    output = run.stdout + run.stderr
    with open(os.path.join(str(cwd), 'ansible-playbook-%d.log' % (len(os.listdir(str(cwd))))), 'w') as handle:
        handle.write(output)  # for a failure's reader: pytest's message shows only the start
    recap = dict((host, tuple(int(n) for n in counts)) for host, *counts in RECAP.findall(run.stdout))
    return run.returncode, output, recap, time.time() - started


def summaries(output):
    return dict((m[0], (bool(m[1]),) + tuple(int(n) for n in m[2:])) for m in SUMMARY.findall(output))


def writes(emulator):
    return ['%s %s' % (r['method'], r['path']) for r in emulator.requests if r['method'] in WRITES]


def assert_no_credential(output, portals):
    for portal in portals.values():
        assert portal.key not in output
        issued = set().union(*portal.emulator.issued.values())
        leaked = [t for t in set(SECRETISH.findall(output)) if hashlib.sha256(t.encode()).hexdigest() in issued]
        assert leaked == [], 'a secret or JWT of %s is in the output' % portal.name


class Portal(object):
    def __init__(self, name, emulator, url, key):
        self.name, self.emulator, self.url, self.key = name, emulator, url, key
        self.times = []  # when each request was answered
        logged = emulator.log

        def log(*args, **kwargs):
            self.times.append(time.time())
            return logged(*args, **kwargs)
        emulator.log = log

    def caller(self):
        return {'id': self.emulator.credentials()['admin']['user_id'], 'role': 'ADMIN', 'tenant': 1}

    def seed(self, body):
        self.emulator.create(self.caller(), body, '/api/2.0/clients')

    def clients(self):
        return dict((c['name'], c) for c in self.emulator.clients.values())


def start_portals(stack, names):
    portals = {}
    for name in names:
        key = 'sk-fleet-%s-0123456789' % name
        emulator = docspace_emulator.Emulator(admin_api_key=key)
        url = stack.enter_context(docspace_emulator.running(emulator))
        portals[name] = Portal(name, emulator, url, key)
    return portals


def write_inventory(folder, portals, apps, down_port, secrets):
    """An inventory of the fleet: each portal's connection and apps in its host vars (portal-four: in a file)."""
    hosts = {}
    for name, portal in portals.items():
        spec = apps[name]
        host = {'docspace_url': portal.url, 'docspace_api_key': portal.key,
                'app_secret_dir': str(secrets), 'ansible_connection': 'local'}
        data = {'team_prefix': spec['team_prefix'], 'team_apps': spec['team_apps']}
        if spec.get('file'):
            (folder / ('%s-apps.yml' % name)).write_text(yaml.safe_dump(data))
            host['team_apps_file'] = str(folder / ('%s-apps.yml' % name))
        else:
            host.update(data)
        hosts[name] = host
    hosts[DOWN] = {'docspace_url': 'http://127.0.0.1:%d' % down_port, 'docspace_api_key': 'sk-fleet-down-0123456789',
                   'app_secret_dir': str(secrets), 'ansible_connection': 'local',
                   'team_prefix': 'Down: ', 'team_apps': [app('Down: App', 'https://down.example.com', ['openid'])]}
    path = folder / 'inventory.yml'
    path.write_text(yaml.safe_dump({'docspace_portals': {'hosts': hosts}}))
    return str(path)


@pytest.fixture(scope='module')
def fleet(tmp_path_factory):
    """The fleet after its first run (with --diff, 5 forks): the portals, the folder, that run's result."""
    folder = tmp_path_factory.mktemp('fleet')
    with contextlib.ExitStack() as stack:
        portals = start_portals(stack, PORTALS)
        for portal in portals.values():
            portal.seed(OUTSIDER)
        spec = dict((a['name'], a) for a in PORTALS['portal-two']['team_apps'] + PORTALS['portal-three']['team_apps'])
        retired = expected(app('Two: Retired', 'https://retired.two.example.com', ['openid']))
        portals['portal-two'].seed(retired)
        # Different in the fields DocSpace 3.7 updates in place (the others are fixed at creation).
        stale = expected(dict(spec['Three: Reporting'], description='An older text', allow_pkce=True,
                              allowed_origins=['https://old.three.example.com']))
        portals['portal-three'].seed(stale)
        outsiders = dict((name, copy.deepcopy(p.clients()['Outsider: Tool'])) for name, p in portals.items())
        inventory = write_inventory(folder, portals, PORTALS, closed_port(), folder / 'secrets')
        for portal in portals.values():
            portal.emulator.latency = 0.3  # a portal across a network: each converge then takes a while
        result = ansible_playbook(folder, '-i', inventory, '--forks', '5', '--diff')
        windows = dict((name, (min(p.times), max(p.times))) for name, p in portals.items())
        for portal in portals.values():
            portal.emulator.latency = 0
        yield {'portals': portals, 'folder': folder, 'inventory': inventory, 'first': result,
               'outsiders': outsiders, 'windows': windows}


def test_the_first_run_converges_every_portal_but_the_one_that_is_down(fleet):
    code, output, recap, seconds = fleet['first']
    print('first run: %.1f s' % seconds)
    assert code == 2, output  # a host failed
    assert recap[DOWN][2:] == (0, 1), recap  # failed, not unreachable: its module reported the refused connection
    assert re.search(r'fatal: \[portal-down\]: FAILED!.*127\.0\.0\.1', output), output
    for name in PORTALS:
        assert recap[name][2:] == (0, 0) and recap[name][1] >= 2, (name, output)  # the folder and the converge
    assert summaries(output) == {
        'portal-one': (False, 3, 0, 0, 0, 0), 'portal-two': (False, 2, 0, 0, 1, 0),
        'portal-three': (False, 1, 1, 0, 0, 0), 'portal-four': (False, 5, 0, 0, 0, 0)}, output


def test_the_portals_were_converged_at_the_same_time(fleet):
    """With forks, each portal's converge overlaps the others' (one after another, none would)."""
    windows = fleet['windows']
    assert all(end - start >= 0.9 for start, end in windows.values()), windows  # 4+ answers of 0.3 s each
    overlapping = [(a, b) for a in windows for b in windows
                   if a < b and windows[a][0] < windows[b][1] and windows[b][0] < windows[a][1]]
    assert len(overlapping) >= 3, windows


def test_each_portal_holds_exactly_its_apps_as_listed_and_the_rest_untouched(fleet):
    for name, portal in fleet['portals'].items():
        clients = portal.clients()
        listed = PORTALS[name]['team_apps']
        assert sorted(clients) == sorted([a['name'] for a in listed] + ['Outsider: Tool']), name
        for entry in listed:
            assert held(clients[entry['name']]) == expected(entry), (name, entry['name'])
        assert clients['Outsider: Tool'] == fleet['outsiders'][name]  # not even its modified_on moved
    assert 'Two: Retired' not in fleet['portals']['portal-two'].clients()


def test_every_secret_is_in_its_own_0600_file_and_never_in_the_output(fleet):
    secrets = fleet['folder'] / 'secrets'
    assert sorted(os.listdir(str(secrets))) == sorted(list(PORTALS) + [DOWN])
    for name, portal in fleet['portals'].items():
        folder = secrets / name
        assert stat.S_IMODE(os.stat(str(folder)).st_mode) == 0o700
        clients = portal.clients()
        assert sorted(os.listdir(str(folder))) == sorted(slug(a['name']) for a in PORTALS[name]['team_apps'])
        for entry in PORTALS[name]['team_apps']:
            path = folder / slug(entry['name'])
            assert stat.S_IMODE(os.stat(str(path)).st_mode) == 0o600, path
            assert path.read_text().strip() == clients[entry['name']]['client_secret'], path
    assert os.listdir(str(secrets / DOWN)) == []
    assert_no_credential(fleet['first'][1], fleet['portals'])


def test_a_second_run_changes_nothing_and_sends_no_write(fleet):
    for portal in fleet['portals'].values():
        portal.emulator.requests = []
    code, output, recap, seconds = ansible_playbook(fleet['folder'], '-i', fleet['inventory'], '--forks', '5',
                                                    '--limit', '!' + DOWN)
    print('second run: %.1f s' % seconds)
    assert code == 0, output
    assert sorted(recap) == sorted(PORTALS) and all(r[1:] == (0, 0, 0) for r in recap.values()), recap
    assert summaries(output) == dict((name, (False, 0, 0, 0, 0, len(spec['team_apps'])))
                                     for name, spec in PORTALS.items()), output
    for name, portal in fleet['portals'].items():
        assert writes(portal.emulator) == [], name
        # One task per portal reads it all: one token exchange, one page of clients.
        assert [r['path'] for r in portal.emulator.requests].count(TOKEN) == 1, name
    assert_no_credential(output, fleet['portals'])


def test_check_mode_on_a_changed_fleet_reports_each_change_and_sends_no_write(fleet, tmp_path):
    changed = copy.deepcopy(PORTALS)
    changed['portal-one']['team_apps'][0]['description'] = 'Usage reports, nightly'  # update
    changed['portal-two']['team_apps'].append(app('Two: Maps', 'https://maps.two.example.com', ['openid']))  # create
    del changed['portal-four']['team_apps'][4]  # delete
    inventory = write_inventory(tmp_path, fleet['portals'], changed, closed_port(), fleet['folder'] / 'secrets')
    before = dict((name, copy.deepcopy(p.emulator.clients)) for name, p in fleet['portals'].items())
    for portal in fleet['portals'].values():
        portal.emulator.requests = []
    code, output, recap, seconds = ansible_playbook(tmp_path, '-i', inventory, '--forks', '5', '--limit',
                                                    '!' + DOWN, '--check', '--diff')
    print('check run: %.1f s' % seconds)
    assert code == 0, output
    assert summaries(output) == {
        'portal-one': (True, 0, 1, 0, 0, 2), 'portal-two': (True, 1, 0, 0, 0, 2),
        'portal-three': (True, 0, 0, 0, 0, 2), 'portal-four': (True, 0, 0, 0, 1, 4)}, output
    assert recap['portal-three'][1] == 0 and recap['portal-one'][1] >= 1, recap
    assert 'Usage reports, nightly' in output and 'Two: Maps' in output and 'Four: App 5' in output  # the diff shows each
    for name, portal in fleet['portals'].items():
        assert writes(portal.emulator) == [], name
        assert portal.emulator.clients == before[name], name
    assert_no_credential(output, fleet['portals'])


def test_the_example_fleet_converges_with_each_portal_pointed_at_an_emulator(tmp_path):
    """playbooks/fleet as shipped, with a second inventory source whose host_vars point each portal at an
    emulator (a later source's host vars win): what a reader's fleet does, their URLs and keys aside."""
    with open(os.path.join(FLEET, 'inventory.yml')) as handle:
        names = list(yaml.safe_load(handle)['docspace_portals']['hosts'])
    assert len(names) == 3
    with contextlib.ExitStack() as stack:
        portals = start_portals(stack, names)
        override = tmp_path / 'emulators'
        (override / 'host_vars').mkdir(parents=True)
        (override / 'inventory.yml').write_text(yaml.safe_dump({'docspace_portals': {'hosts': dict.fromkeys(names)}}))
        for name, portal in portals.items():
            (override / 'host_vars' / (name + '.yml')).write_text(yaml.safe_dump({
                'docspace_url': portal.url, 'docspace_api_key': portal.key, 'app_secret_dir': str(tmp_path / 's')}))
        args = ('-i', os.path.join(FLEET, 'inventory.yml'), '-i', str(override / 'inventory.yml'))
        code, output, recap, seconds = ansible_playbook(tmp_path, *args)
        print('example fleet: %.1f s' % seconds)
        assert code == 0, output
        for name, portal in portals.items():
            wanted = example_apps(name)
            assert sorted(portal.clients()) == sorted(a['name'] for a in wanted['team_apps']), name
            for entry in wanted['team_apps']:
                assert held(portal.clients()[entry['name']]) == expected(entry), (name, entry['name'])
        code, output, recap, seconds = ansible_playbook(tmp_path, *args)
        assert code == 0 and all(r[2] == 0 for r in recap.values()), output
        assert_no_credential(output, portals)


def example_apps(name):
    """The apps the shipped example gives a portal: its host vars, or the team_apps_file they name."""
    with open(os.path.join(FLEET, 'host_vars', name, 'portal.yml')) as handle:
        data = yaml.safe_load(handle)
    if 'team_apps_file' in data:
        with open(data['team_apps_file'].replace('{{ inventory_dir }}', FLEET)) as handle:
            data = yaml.safe_load(handle)
    return data


def test_the_pages_inventory_and_host_vars_are_the_shipped_example():
    """The many-apps page shows the example fleet's files (blocks the example runner skips, as they are not
    playbooks): each is, as data, the file of playbooks/fleet it names, which the test above runs."""
    with open(PAGE) as handle:
        blocks = [text for dummy, text in lint_docs.rst_blocks(handle.read())]
    shown = {}
    for text in blocks:
        first = text.splitlines()[0]
        match = re.match(r'# (playbooks/fleet/\S+)$', first)
        if match:
            shown[match.group(1)] = yaml.safe_load(text)
    assert sorted(shown) == ['playbooks/fleet/host_vars/alpha.docspace.example.com/portal.yml',
                             'playbooks/fleet/inventory.yml'], sorted(shown)
    for path, data in shown.items():
        with open(os.path.join(ROOT, path)) as handle:
            assert yaml.safe_load(handle) == data, path
