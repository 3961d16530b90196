# -*- coding: utf-8 -*-
# Copyright: (c) 2026, onlyoffice.docspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""docspace_oauth_clients under seeded random fault schedules.

Each seed draws a portal (a team's apps and another team's), a wanted set (kept, changed, new and
dropped apps, secrets to files) and a few faults on the writes (errors, dropped connections, writes
applied with their answer lost, writes applied late, cut bodies). The run under faults may fail; then,
whatever happened, these must hold:
- nothing outside the task's prefix was touched, in any run;
- a clean rerun converges: the team's apps are exactly the wanted ones, one client per name, each
  secret file holding its client's current secret;
- a third run reports no change and sends no write;
- no client secret appears in a message or a warning.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import random
import time

import pytest

from ansible_collections.onlyoffice.docspace.plugins.module_utils import _oauth_client as oc
from ansible_collections.onlyoffice.docspace.plugins.modules import docspace_oauth_clients as set_module

PNG = 'data:image/png;base64,iVBORw0KGgo='
PREFIX = 'Team: '
WRITES = (('POST', r'/api/2\.0/clients'), ('PUT', r'/api/2\.0/clients/.*'), ('DELETE', r'/api/2\.0/clients/.*'),
          ('PATCH', r'/api/2\.0/clients/.*/activation'))
FAULTS = (dict(action='status', status=500), dict(action='status', status=502), dict(action='status', status=503),
          dict(action='drop'), dict(action='commit_then_drop'), dict(action='commit_then_status', status=502),
          dict(action='drop_then_commit', delay=0.2), dict(action='cut_body'))
# More with SET_FAULT_SEEDS=N (and another start with SET_FAULT_SEED=S).
SEEDS = range(int(os.environ.get('SET_FAULT_SEED', 20261124)), int(os.environ.get('SET_FAULT_SEED', 20261124)) +
              int(os.environ.get('SET_FAULT_SEEDS', 16)))


def app(name, rnd=None, **extra):
    site = 'https://%s.example.com' % name.split(': ')[-1].lower().replace(' ', '-')
    out = dict(name=name, logo=PNG, website_url=site, terms_url=site + '/t', policy_url=site + '/p',
               logout_redirect_uri=site + '/l', redirect_uris=[site + '/cb'], allowed_origins=[site],
               scopes=['openid'])
    if rnd is not None:
        out.update(description=rnd.choice(['', 'one', 'two']), allow_pkce=rnd.random() < 0.5,
                   enabled=rnd.random() < 0.8)
    out.update(extra)
    return out


def seed(portal, spec):
    admin = {'id': portal.emulator.credentials()['admin']['user_id'], 'role': 'ADMIN', 'tenant': 1}
    body = dict((k, v) for k, v in spec.items() if k != 'enabled')
    client_id = portal.emulator.create(admin, body, '/api/2.0/clients')[1]['client_id']
    portal.emulator.clients[client_id]['enabled'] = spec.get('enabled', True)
    return client_id


def state(portal):
    """(name, fields) of every client, sorted: what a converge must reach."""
    return sorted((c['name'], repr(sorted(oc.app_fields(oc.from_server(portal.emulator.client_response(c))).items())),
                   c['enabled']) for c in portal.emulator.clients.values())


def outsiders(portal):
    return sorted((c['client_id'], c['modified_on']) for c in portal.emulator.clients.values()
                  if not c['name'].startswith(PREFIX))


def no_secret_in_words(portal, result):
    words = ' '.join([result.get('msg', '')] + result.get('warnings', []) +
                     [r.get('msg', '') for r in result.get('results', [])])
    for client in portal.emulator.clients.values():
        assert client['client_secret'] not in words


@pytest.mark.parametrize('seed_value', SEEDS)
def test_a_set_converges_after_any_fault_schedule(portal, run_module, tmp_path, seed_value):
    rnd = random.Random(seed_value)
    for i in range(rnd.randint(1, 3)):
        seed(portal, app('Other: App %d' % i, rnd))
    kept = ['%sApp %d' % (PREFIX, i) for i in range(rnd.randint(2, 6))]
    for name in kept:
        seed(portal, app(name, rnd))
    dropped = set(rnd.sample(kept, rnd.randint(0, 2)))
    new = ['%sNew %d' % (PREFIX, i) for i in range(rnd.randint(1, 3))]
    config = []
    for name in [n for n in kept if n not in dropped] + new:
        item = app(name, rnd)
        if rnd.random() < 0.6:
            item['secret_path'] = str(tmp_path / name.replace(' ', '_').replace(':', ''))
        config.append(item)
    rnd.shuffle(config)
    for dummy in range(rnd.randint(1, 4)):
        method, path = rnd.choice(WRITES)
        portal.emulator.faults.append(dict(rnd.choice(FAULTS), method=method, path=path, count=rnd.randint(1, 2)))
    args = portal.connection(state='overridden', name_prefix=PREFIX, config=config, retries=1,
                             parallel_writes=rnd.randint(1, 4))
    before = outsiders(portal)

    faulty = run_module(set_module, args)
    if os.environ.get('SET_FAULT_STATS'):
        with open(os.environ['SET_FAULT_STATS'], 'a') as handle:
            handle.write('%s %s\n' % (bool(faulty.get('failed')), faulty.get('counts')))
    no_secret_in_words(portal, faulty)
    time.sleep(0.4)  # writes the emulator applies late (drop_then_commit) land now
    portal.emulator.faults = []
    assert outsiders(portal) == before, faulty

    clean = run_module(set_module, args)
    assert not clean.get('failed'), (faulty.get('msg'), clean)
    no_secret_in_words(portal, clean)
    wanted = sorted((i['name'], repr(sorted(oc.app_fields(oc.desired(dict(
        (f.option, i.get(f.option)) for f in oc.FIELDS))).items())), i['enabled']) for i in config)
    assert [s for s in state(portal) if s[0].startswith(PREFIX)] == wanted
    assert outsiders(portal) == before
    by_name = dict((c['name'], c) for c in portal.emulator.clients.values())
    for item in config:
        if 'secret_path' in item:
            with open(item['secret_path']) as handle:
                assert handle.read() == by_name[item['name']]['client_secret'], item['name']

    portal.clear()
    third = run_module(set_module, args)
    assert not third.get('failed') and not third['changed'] and portal.writes() == [], third
