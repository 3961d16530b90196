# -*- coding: utf-8 -*-
# Copyright: (c) 2026, onlyoffice.docspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Run the playbooks the way AWX/AAP runs a job: ansible-runner, a private data dir, the
credential only in the environment (as the custom credential type injects it), and the job events."""

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys

import ansible_runner
import pytest
import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, '..', '..'))
sys.path.insert(0, os.path.join(ROOT, 'tests', 'emulator'))
import docspace_emulator  # noqa: E402  pylint: disable=wrong-import-position

KEY = 'sk-awx-admin-key-0123456789'


@pytest.fixture
def portal():
    emulator = docspace_emulator.Emulator(admin_api_key=KEY)
    with docspace_emulator.running(emulator) as url:
        yield emulator, url


def injected_env(url):
    """What the credential type's injectors set: every variable, empty when the field is."""
    with open(os.path.join(ROOT, 'extensions', 'awx', 'credential_type.yml')) as handle:
        credential = yaml.safe_load(handle)
    values = {'base_url': url, 'api_key': KEY, 'username': '', 'password': '', 'validate_certs': True}
    env = {}
    for name, template in credential['injectors']['env'].items():
        field = re.search(r'\{\{ (\w+)', template).group(1)
        env[name] = str(values[field]).lower() if isinstance(values[field], bool) else values[field]
    return env


def private_data_dir(tmp_path, url):
    pdd = tmp_path / 'job'
    shutil.copytree(os.path.join(ROOT, 'playbooks'), str(pdd / 'project'))
    (pdd / 'inventory').mkdir()
    (pdd / 'inventory' / 'hosts').write_text('localhost ansible_connection=local\n')
    (pdd / 'env').mkdir()
    env = dict(injected_env(url), ANSIBLE_COLLECTIONS_PATH=os.environ['ANSIBLE_COLLECTIONS_PATH'],
               DOCSPACE_DEMO_SECRETS=str(tmp_path / 'secrets'), ANSIBLE_NOCOLOR='1')
    (pdd / 'env' / 'envvars').write_text(yaml.safe_dump(env))
    return str(pdd)


def run(pdd, playbook, **kwargs):
    result = ansible_runner.run(private_data_dir=pdd, playbook=playbook, quiet=True, **kwargs)
    events = list(result.events)
    assert result.status == 'successful', [e.get('stdout') for e in events if e.get('event') == 'runner_on_failed']
    return result, events


def changed(result):
    return sum(result.stats.get('changed', {}).values())


def test_the_demo_as_an_awx_job(portal, tmp_path):
    emulator, url = portal
    pdd = private_data_dir(tmp_path, url)
    first, events1 = run(pdd, 'demo.yml')
    second, events2 = run(pdd, 'demo.yml')
    assert changed(first) >= 2 and changed(second) == 0
    assert second.stats['ok'] == {'localhost': 6} and not second.stats.get('failures')  # the six tasks, all ok
    assert sorted(c['name'] for c in emulator.clients.values()) == ['Demo Directory', 'Demo Reporting', 'Demo Sync']
    # No secret in any job event: not the key, not a JWT, not a client secret (all issued ones, by hash).
    # (ansible-runner's own artifacts/*/command records the environment it was given; AWX keeps that
    # to itself, so the scan covers what a job shows: its events and its stdout.)
    blob = json.dumps(events1 + events2)
    for artifact, _dirs, files in os.walk(os.path.join(pdd, 'artifacts')):
        for name in files:
            if name == 'stdout' or artifact.endswith('job_events'):
                with open(os.path.join(artifact, name), encoding='utf-8', errors='replace') as handle:
                    blob += handle.read()
    assert KEY not in blob
    tokens = set(re.findall(r'[A-Za-z0-9_.-]{36,}', blob))
    issued = set().union(*emulator.issued.values())
    leaked = [t for t in tokens if hashlib.sha256(t.encode()).hexdigest() in issued]
    assert leaked == [] and len(emulator.issued['client_secret']) == 3


def test_a_teams_app_inventory_converges_and_prunes(portal, tmp_path):
    emulator, url = portal
    caller = {'id': emulator.credentials()['admin']['user_id'], 'role': 'ADMIN', 'tenant': 1}
    other = {'name': 'Someone Else: Tool', 'logo': 'data:image/png;base64,iVBORw0KGgo=',
             'website_url': 'https://o.example.com', 'terms_url': 'https://o.example.com/t',
             'policy_url': 'https://o.example.com/p', 'logout_redirect_uri': 'https://o.example.com/l',
             'redirect_uris': ['https://o.example.com/cb'], 'allowed_origins': ['https://o.example.com'],
             'scopes': ['openid']}
    emulator.create(caller, other, '/api/2.0/clients')  # not the team's: must survive the prune
    pdd = private_data_dir(tmp_path, url)
    first, dummy = run(pdd, 'converge_apps.yml')
    names = sorted(c['name'] for c in emulator.clients.values())
    assert names == ['Someone Else: Tool', 'Team Alpha: Archive', 'Team Alpha: Directory', 'Team Alpha: Reporting']
    archive = [c for c in emulator.clients.values() if c['name'] == 'Team Alpha: Archive'][0]
    assert archive['enabled'] is False
    emulator.requests = []
    again, events = run(pdd, 'converge_apps.yml')
    assert changed(again) == 0
    # One x-signature serves both plays (3 converges, the listing): the key is exchanged once, by the uri task.
    paths = [r['path'] for r in emulator.requests]
    assert paths.count('/api/2.0/security/oauth2/token') == 1 and len(paths) == 1 + 3 + 1, paths
    blob = json.dumps(events)
    assert not [t for t in set(re.findall(r'[A-Za-z0-9_.-]{36,}', blob))
                if hashlib.sha256(t.encode()).hexdigest() in emulator.issued['jwt']]
    with open(os.path.join(ROOT, 'playbooks', 'vars', 'team_apps.yml')) as handle:
        apps = yaml.safe_load(handle)
    apps['team_apps'] = [a for a in apps['team_apps'] if a['name'] != 'Team Alpha: Archive']
    pruned, dummy = run(pdd, 'converge_apps.yml', extravars=apps)
    assert changed(pruned) == 1
    assert sorted(c['name'] for c in emulator.clients.values()) == [
        'Someone Else: Tool', 'Team Alpha: Directory', 'Team Alpha: Reporting']


def test_the_execution_environment_metadata_introspects(tmp_path):
    target = tmp_path / 'ansible_collections' / 'onlyoffice' / 'docspace'
    shutil.copytree(ROOT, str(target), ignore=shutil.ignore_patterns('.venv', '.build', '.git', 'tests'))
    out = subprocess.run([os.path.join(os.path.dirname(sys.executable), 'ansible-builder'), 'introspect', '--sanitize',
                          str(tmp_path)], check=True, capture_output=True, text=True).stdout
    data = yaml.safe_load(out)
    assert any(line.startswith('requests') for line in data['python']), out
