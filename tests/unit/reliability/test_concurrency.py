# -*- coding: utf-8 -*-
# Copyright: (c) 2026, onlyoffice.docspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Real ansible-playbook processes at once: 10 forks on 10 apps, and two runs racing for one app."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import subprocess
import sys

import yaml

from ansible_collections.onlyoffice.docspace.plugins.modules import docspace_oauth_client as client_module

from conftest import ADMIN_KEY

BIN = os.path.dirname(sys.executable)
# The folder that holds ansible_collections/onlyoffice/docspace, as these tests import it.
COLLECTIONS = os.path.abspath(os.path.join(os.path.dirname(client_module.__file__), *['..'] * 5))
APP = {'logo': 'data:image/png;base64,iVBORw0KGgo=', 'website_url': 'https://c.example.com',
       'terms_url': 'https://c.example.com/t', 'policy_url': 'https://c.example.com/p',
       'logout_redirect_uri': 'https://c.example.com/l', 'redirect_uris': ['https://c.example.com/cb'],
       'allowed_origins': ['https://c.example.com'], 'scopes': ['openid']}


def playbook(tmp_path, hosts, name_template):
    inventory = {'all': {'hosts': dict((h, {'ansible_connection': 'local', 'ansible_python_interpreter': sys.executable})
                                       for h in hosts)}}
    play = [{'name': 'Concurrent apps', 'hosts': 'all', 'gather_facts': False, 'tasks': [
        {'name': 'Register the app', 'onlyoffice.docspace.docspace_oauth_client': dict(APP, name=name_template),
         'no_log': True}]}]
    (tmp_path / 'inventory.yml').write_text(yaml.safe_dump(inventory))
    (tmp_path / 'play.yml').write_text(yaml.safe_dump(play))
    return [os.path.join(BIN, 'ansible-playbook'), '-i', str(tmp_path / 'inventory.yml'), str(tmp_path / 'play.yml')]


def start(command, portal, forks=10):
    env = dict(os.environ, DOCSPACE_URL=portal.url, DOCSPACE_API_KEY=ADMIN_KEY, ANSIBLE_NOCOLOR='1',
               ANSIBLE_COLLECTIONS_PATH=COLLECTIONS,
               ANSIBLE_HOST_KEY_CHECKING='0')
    return subprocess.Popen(command + ['-f', str(forks)], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


def finish(proc):
    out = proc.communicate(timeout=300)[0].decode('utf-8', 'replace')
    assert proc.returncode == 0, out
    return out.split('PLAY RECAP')[-1]


def test_ten_forks_on_ten_apps(portal, tmp_path):
    hosts = ['app%02d' % i for i in range(10)]
    command = playbook(tmp_path, hosts, 'Fork {{ inventory_hostname }}')
    recap = finish(start(command, portal))
    assert recap.count('changed=1') == 10
    assert sorted(c['name'] for c in portal.emulator.clients.values()) == ['Fork ' + h for h in hosts]
    portal.clear()
    recap = finish(start(command, portal))
    assert recap.count('changed=0') == 10 and portal.writes() == []


def test_two_runs_racing_for_one_app_leave_one_client(portal, tmp_path):
    command = playbook(tmp_path, ['racer'], 'Race App')
    # Slow answers to the lookups let both runs look before either creates: both create, names not being unique.
    portal.emulator.faults.append({'method': 'GET', 'path': '/api/2.0/clients', 'action': 'slow_answer', 'delay': 3,
                                   'count': 2})
    first, second = start(command, portal), start(command, portal)
    finish(first)
    finish(second)
    clients = [c for c in portal.emulator.clients.values() if c['name'] == 'Race App']
    creates = [r for r in portal.emulator.requests if r['method'] == 'POST' and r['path'] == '/api/2.0/clients']
    deletes = [r for r in portal.emulator.requests if r['method'] == 'DELETE']
    assert len(creates) == 2 and len(deletes) == 1, portal.emulator.requests  # the race happened, and was undone
    assert len(clients) == 1, clients
    portal.clear()
    finish(start(command, portal))
    assert portal.writes() == []


def test_a_run_that_lost_the_race_keeps_the_older_twin(portal, run_module, monkeypatch):
    from ansible_collections.onlyoffice.docspace.plugins.module_utils import _docspace_api
    real_create = _docspace_api.DocSpaceAPI.create_client
    admin = {'id': portal.emulator.credentials()['admin']['user_id'], 'role': 'ADMIN', 'tenant': 1}

    def other_run_first(self, body, what, known_ids=(), matches=None):
        portal.emulator.create(admin, dict(body), '/api/2.0/clients')  # the other run wins by a moment
        return real_create(self, body, what, known_ids, matches)

    monkeypatch.setattr(_docspace_api.DocSpaceAPI, 'create_client', other_run_first)
    result = run_module(client_module, portal.connection(name='Twin App', **APP))
    older = sorted(portal.emulator.clients.values(), key=lambda c: c['created_on'])
    assert len(older) == 1 and result['client']['client_id'] == older[0]['client_id']
    assert result['client_secret'] == older[0]['client_secret']
    assert any('Another run created' in w for w in result['warnings'])


def test_ten_racers_for_one_app_beside_ten_others_all_succeed(portal, tmp_path):
    # While the race resolves itself, lookups see several copies of the app: they fold them, not fail.
    racers, others = ['racer%02d' % i for i in range(10)], ['other%02d' % i for i in range(10)]
    command = playbook(tmp_path, racers + others,
                       "{{ 'Race App' if inventory_hostname.startswith('racer') else 'Own ' ~ inventory_hostname }}")
    # Half the lookups answered late: those racers create while the others already see copies.
    portal.emulator.faults.append({'method': 'GET', 'path': '/api/2.0/clients', 'action': 'slow_answer', 'delay': 1,
                                   'count': 10})
    finish(start(command, portal, forks=20))
    names = sorted(c['name'] for c in portal.emulator.clients.values())
    assert names == sorted(['Race App'] + ['Own ' + h for h in others]), names
    portal.clear()
    recap = finish(start(command, portal, forks=20))
    assert recap.count('changed=0') == 20 and portal.writes() == []


def test_a_twin_check_that_cannot_list_still_hands_out_the_new_client_and_secret(portal, run_module, monkeypatch):
    """The look for a twin comes after the create: when it fails, the failed result (changed) carries
    the client and its secret, which exist on the server and would otherwise be lost."""
    from ansible_collections.onlyoffice.docspace.plugins.module_utils import _docspace_api
    real_create = _docspace_api.DocSpaceAPI.create_client

    def then_listing_fails(self, body, what, known_ids=(), matches=None):
        created = real_create(self, body, what, known_ids, matches)
        portal.emulator.faults.append({'method': 'GET', 'path': '/api/2.0/clients', 'action': 'status',
                                       'status': 500, 'count': 10})
        return created

    monkeypatch.setattr(_docspace_api.DocSpaceAPI, 'create_client', then_listing_fails)
    result = run_module(client_module, portal.connection(name='Lost App', retries=0, **APP))
    stored = list(portal.emulator.clients.values())
    assert result['failed'] and result['changed'] and len(stored) == 1, result
    assert result['client']['client_id'] == stored[0]['client_id']
    assert result['client_secret'] == stored[0]['client_secret']
    assert 'was created (client_id %s' % stored[0]['client_id'] in result['msg']
