# -*- coding: utf-8 -*-
# Copyright: (c) 2026, onlyoffice.docspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""docspace_oauth_clients: a set of clients in one task, over one listing of the portal."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import stat
import time

import pytest

from ansible_collections.onlyoffice.docspace.plugins.modules import docspace_oauth_client as client_module
from ansible_collections.onlyoffice.docspace.plugins.modules import docspace_oauth_clients as set_module

PNG = 'data:image/png;base64,iVBORw0KGgo='
TOKEN = '/api/2.0/security/oauth2/token'
ACTIONS = ('created', 'updated', 'recreated', 'deleted', 'unchanged', 'failed')


def app(name, **extra):
    site = 'https://%s.example.com' % name.split(': ')[-1].lower().replace(' ', '-')
    return dict(dict(name=name, logo=PNG, website_url=site, terms_url=site + '/t', policy_url=site + '/p',
                     logout_redirect_uri=site + '/l', redirect_uris=[site + '/cb'], allowed_origins=[site],
                     scopes=['openid']), **extra)


def seed(portal, *apps):
    admin = {'id': portal.emulator.credentials()['admin']['user_id'], 'role': 'ADMIN', 'tenant': 1}
    return [portal.emulator.create(admin, dict(a), '/api/2.0/clients')[1]['client_id'] for a in apps]


def names(portal):
    return sorted(c['name'] for c in portal.emulator.clients.values())


def counts(**given):
    return dict((a, given.get(a, 0)) for a in ACTIONS)


def run_twice(run_module, portal, args, first_counts):
    """Check mode, real run, second run, the way every case is proven: check mode and the real run
    agree and check mode sends no write; the second run changes nothing and sends no write."""
    portal.clear()
    check = run_module(set_module, args, check_mode=True, diff=True)
    assert not check.get('failed'), check
    assert portal.writes() == [], portal.writes()
    real = run_module(set_module, args, diff=True)
    assert not real.get('failed'), real
    assert real['counts'] == check['counts'] == counts(**first_counts), (real['counts'], check['counts'])
    assert [r['action'] for r in real['results']] == [r['action'] for r in check['results']]
    assert real['changed'] == check['changed'] == any(first_counts.get(a) for a in ACTIONS if a != 'unchanged')
    portal.clear()
    again = run_module(set_module, args)
    assert not again.get('failed') and not again['changed'], again
    assert set(r['action'] for r in again['results']) <= {'unchanged'} and portal.writes() == []
    return real


def test_merged_creates_updates_and_converges_with_one_listing(portal, run_module):
    seed(portal, app('Keep'), app('Change', description='old'), app('Other'))
    args = portal.connection(config=[app('Keep'), app('Change', description='new'), app('New')], retries=0)
    real = run_twice(run_module, portal, args, dict(unchanged=1, updated=1, created=1))
    assert names(portal) == ['Change', 'Keep', 'New', 'Other']
    assert [(r['name'], r['action']) for r in real['results']] == [
        ('Keep', 'unchanged'), ('Change', 'updated'), ('New', 'created')]
    assert list(real['secrets']) == ['New'] and real['secrets']['New']
    assert len(real['diff']) == 2 and all('config[' in d['before_header'] for d in real['diff'])


@pytest.mark.parametrize('size', [1, 50, 51, 120])
def test_an_unchanged_set_costs_one_exchange_and_one_page_per_50_clients(portal, run_module, size):
    apps = [app('App %03d' % i) for i in range(size)]
    seed(portal, *apps)
    portal.clear()
    result = run_module(set_module, portal.connection(config=apps))
    assert not result['changed'] and result['counts'] == counts(unchanged=size)
    paths = [r['path'] for r in portal.emulator.requests]
    assert paths.count(TOKEN) == 1 and len(paths) == 1 + (size + 49) // 50, paths


def test_replaced_puts_left_out_options_back_to_their_defaults(portal, run_module):
    seed(portal, app('Full', description='words', allow_pkce=True))
    args = portal.connection(state='replaced', config=[app('Full')])
    real = run_twice(run_module, portal, args, dict(updated=1))
    client = list(portal.emulator.clients.values())[0]
    assert client['description'] == '' and 'none' not in client['authentication_methods'], client
    assert real['diff'][0]['before']['allow_pkce'] is True and real['diff'][0]['after']['allow_pkce'] is False


def test_replaced_needs_every_required_field_before_any_request(portal, run_module):
    result = run_module(set_module, portal.connection(state='replaced', config=[{'name': 'Bare', 'enabled': False}]))
    assert result['failed'] and result['msg'].startswith("config[0] ('Bare'): state replaced makes each client")
    assert 'logo, website_url' in result['msg'] and portal.emulator.requests == []


def test_overridden_deletes_only_inside_its_prefix(portal, run_module):
    seed(portal, app('Alpha: Keep'), app('Alpha: Gone'), app('Beta: Theirs'), app('Alphabet'))
    args = portal.connection(state='overridden', name_prefix='Alpha: ', config=[app('Alpha: Keep'), app('Alpha: New')])
    real = run_twice(run_module, portal, args, dict(unchanged=1, created=1, deleted=1))
    assert names(portal) == ['Alpha: Keep', 'Alpha: New', 'Alphabet', 'Beta: Theirs']
    assert real['results'][-1]['name'] == 'Alpha: Gone' and real['results'][-1]['action'] == 'deleted'


@pytest.mark.parametrize('extra, words', [
    ({}, 'needs a scope: set name_prefix'),
    ({'name_prefix': 'A: ', 'all_clients': True}, 'mutually exclusive'),
    ({'name_prefix': ' '}, 'name_prefix must not be empty'),
])
def test_overridden_without_one_clear_scope_is_refused_before_any_request(portal, run_module, extra, words):
    seed(portal, app('A: One'))
    portal.clear()
    result = run_module(set_module, portal.connection(state='overridden', config=[app('A: Two')], **extra))
    assert result['failed'] and words in result['msg'], result
    assert portal.emulator.requests == [] and names(portal) == ['A: One']


def test_overridden_refuses_an_item_outside_its_prefix(portal, run_module):
    result = run_module(set_module, portal.connection(state='overridden', name_prefix='A: ', config=[app('B: X')]))
    assert result['failed'] and "config[0] ('B: X'): name 'B: X' does not start with name_prefix" in result['msg']
    assert portal.emulator.requests == []


def test_overridden_with_all_clients_empties_the_portal_but_the_list(portal, run_module):
    seed(portal, app('One'), app('Two'), app('Three'))
    args = portal.connection(state='overridden', all_clients=True, config=[app('Two')])
    run_twice(run_module, portal, args, dict(unchanged=1, deleted=2))
    assert names(portal) == ['Two']


def test_deleted_by_list_and_by_prefix(portal, run_module):
    ids = seed(portal, app('A: 1'), app('A: 2'), app('B: 1'), app('B: 2'))
    args = portal.connection(state='deleted', config=[{'client_id': ids[2]}, {'name': 'A: 1'}, {'name': 'Absent'}])
    run_twice(run_module, portal, args, dict(deleted=2, unchanged=1))
    assert names(portal) == ['A: 2', 'B: 2']
    run_twice(run_module, portal, portal.connection(state='deleted', name_prefix='A: '), dict(deleted=1))
    assert names(portal) == ['B: 2']


def test_gathered_pastes_back_unchanged(portal, run_module):
    seed(portal, app('Zed', enabled=False, allow_pkce=True, description='d'), app('Ann'))
    portal.clear()
    gathered = run_module(set_module, portal.connection(state='gathered'))
    assert not gathered['changed'] and [c['name'] for c in gathered['gathered']] == ['Ann', 'Zed']
    assert all('secret' not in key for c in gathered['gathered'] for key in c)
    assert portal.writes() == []
    for state in ('merged', 'replaced'):
        real = run_twice(run_module, portal, portal.connection(state=state, config=gathered['gathered']),
                         dict(unchanged=2))
        assert real['counts']['unchanged'] == 2


def test_secrets_go_to_files_per_item_with_the_file_options(portal, run_module, tmp_path):
    config = [app('File 1', secret_path=str(tmp_path / 'f1')), app('File 2', secret_path=str(tmp_path / 'f2'), mode='0640')]
    real = run_twice(run_module, portal, portal.connection(config=config), dict(created=2))
    assert 'secrets' not in real and 'client_secret' not in str(real)
    stored = dict((c['name'], c['client_secret']) for c in portal.emulator.clients.values())
    assert (tmp_path / 'f1').read_text() == stored['File 1'] and (tmp_path / 'f2').read_text() == stored['File 2']
    assert stat.S_IMODE(os.stat(str(tmp_path / 'f1')).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(str(tmp_path / 'f2')).st_mode) == 0o640
    assert [r['secret_path'] for r in real['results']] == [str(tmp_path / 'f1'), str(tmp_path / 'f2')]


@pytest.mark.parametrize('config, words', [
    ([app('Same'), app('Same')], "config[0] and config[1] have the same name 'Same'"),
    ([app('Sec 1', secret_path='/tmp/x'), app('Sec 2', secret_path='/tmp/x')], 'have the same secret_path'),
    ([app('Bad', scopes=['open id'])], "config[0] ('Bad'): Invalid options: scopes item 'open id'"),
    ([app('Okay'), app('Bad', redirect_uris=[])], "config[1] ('Bad'): Invalid options: redirect_uris must hold"),
    ([app('Okay', mode='0600')], "config[0] ('Okay'): mode applies only with secret_path"),
    ([app('Okay', secret_path='relative')], "config[0] ('Okay'): secret_path relative: must be an absolute path"),
    ([dict(app('Okay'), client_id='nope')], "config[0] ('Okay'): client_id must be a UUID"),
])
def test_bad_items_are_refused_before_any_request_naming_the_item(portal, run_module, config, words):
    result = run_module(set_module, portal.connection(config=config))
    assert result['failed'] and words in result['msg'], result['msg']
    assert portal.emulator.requests == []


def test_a_failing_item_does_not_stop_the_others_and_keeps_their_secrets(portal, run_module):
    seed(portal, app('Twin', description='one'), app('Twin', description='two'))
    result = run_module(set_module, portal.connection(config=[app('Fresh'), app('Twin'), app('Also new')]))
    assert result['failed'] and result['changed']
    assert result['counts'] == counts(created=2, failed=1)
    assert "1 of 3 clients failed: config[1] ('Twin'): 2 OAuth clients are named 'Twin'" in result['msg']
    assert sorted(result['secrets']) == ['Also new', 'Fresh'] and names(portal).count('Twin') == 2


def test_an_item_by_id_and_another_by_its_name_are_refused_before_any_write(portal, run_module):
    ids = seed(portal, app('Once'))
    result = run_module(set_module, portal.connection(config=[{'client_id': ids[0]}, app('Once')]))
    assert result['failed'] and 'are the same client' in result['msg'] and portal.writes() == []


def test_the_set_module_and_the_single_module_agree(portal, run_module):
    """One engine: the same options give the same diff and the same client through either module."""
    seed(portal, app('Both', description='before'))
    wanted = app('Both', description='after', allow_pkce=True, enabled=False)
    single = run_module(client_module, portal.connection(**wanted), check_mode=True, diff=True)
    many = run_module(set_module, portal.connection(config=[wanted]), check_mode=True, diff=True)
    assert many['diff'][0]['before'] == single['diff']['before'] and many['diff'][0]['after'] == single['diff']['after']


def test_a_twin_created_at_the_same_moment_is_settled_after_the_creates(portal, run_module, monkeypatch):
    """Another run created the same app a moment earlier: the set keeps the older client, deletes its
    own and hands out the older one's secret, as the single-client module does."""
    from ansible_collections.onlyoffice.docspace.plugins.module_utils import _client_engine

    real_create = _client_engine.ClientEngine._create
    made = {}

    def create_beside_a_twin(self, wanted, known_ids):
        made['twin'] = seed(portal, app('Racer'))[0]  # the other run's POST lands first
        return real_create(self, wanted, known_ids)
    monkeypatch.setattr(_client_engine.ClientEngine, '_create', create_beside_a_twin)
    result = run_module(set_module, portal.connection(config=[app('Racer')]))
    assert not result.get('failed') and result['counts'] == counts(created=1), result
    assert list(portal.emulator.clients) == [made['twin']]
    assert result['results'][0]['client_id'] == made['twin']
    assert result['secrets']['Racer'] == portal.emulator.clients[made['twin']]['client_secret']
    assert any('at the same moment' in w for w in result['warnings'])


@pytest.mark.parametrize('parallel', [1, 4])
def test_creates_are_paced_by_the_rate_limit_headers_not_by_429(portal, run_module, monkeypatch, parallel):
    """DocSpace allows 10 POSTs a minute per user. Twelve creates: the eleventh waits for the window
    (the emulator's clock moves with the module's sleep), and no request is answered 429."""
    portal.emulator.rate_limit = True
    slept, real_time = [], time.time

    def sleep(seconds):  # the clock of the module and of the emulator moves on, at once
        slept.append(seconds)
    monkeypatch.setattr('time.sleep', sleep)
    monkeypatch.setattr('time.time', lambda: real_time() + sum(slept))
    result = run_module(set_module, portal.connection(config=[app('Paced %02d' % i) for i in range(12)],
                                                      parallel_writes=parallel))
    assert not result.get('failed') and result['counts'] == counts(created=12), result
    assert [r['status'] for r in portal.emulator.requests if r.get('status') == 429] == []
    # The window, and a second for the header's rounding. Workers that wait together sleep at the same
    # time, but this fake clock adds their sleeps up: exact counts only for one worker.
    told = [w for w in result['warnings'] if 'allows no more POST requests this minute' in w]
    assert 50 < max(slept) <= 61.5 and told, (slept, told)
    assert parallel > 1 or (len(slept) == 1 and len(told) == 1), (slept, told)


@pytest.mark.parametrize('args, words', [
    (dict(name_prefix='A: ', config=[]), 'name_prefix and all_clients go with state overridden or deleted'),
    (dict(parallel_writes=0, config=[]), 'parallel_writes must be 1 to 10 (got 0)'),
    (dict(parallel_writes=11, config=[]), 'parallel_writes must be 1 to 10 (got 11)'),
    (dict(state='gathered', config=[app('Some')]), 'config goes with states merged, replaced, overridden and deleted'),
    (dict(mode='0600', config=[app('Some')]), 'mode applies only with secret_path on config items'),
    (dict(config=[dict([kv for kv in app('Logo').items() if kv[0] != 'logo'], logo_path='/nonexistent/logo.png')]),
     "config[0] ('Logo'): logo_path /nonexistent/logo.png: must be a regular file"),
    (dict(state='deleted', config=[{'name': 'Gone', 'secret_path': '/tmp/gone'}]),
     "config[0] ('Gone'): secret_path goes with the states that keep the client, not deleted"),
])
def test_bad_task_options_are_refused_before_any_request(portal, run_module, args, words):
    result = run_module(set_module, portal.connection(**args))
    assert result['failed'] and words in result['msg'], result['msg']
    assert portal.emulator.requests == []


def test_a_bug_in_one_item_is_reported_as_a_bug_and_the_others_converge(portal, run_module, monkeypatch):
    from ansible_collections.onlyoffice.docspace.plugins.module_utils import _client_engine
    real = _client_engine.ClientEngine.converge

    def converge(self):
        if self.params['name'] == 'Broken':
            raise KeyError('client_id')
        return real(self)
    monkeypatch.setattr(_client_engine.ClientEngine, 'converge', converge)
    result = run_module(set_module, portal.connection(config=[app('Broken'), app('Fine')]))
    assert result['failed'] and result['counts'] == counts(created=1, failed=1)
    assert "config[0] ('Broken'): Unexpected KeyError: this is a bug" in result['msg'] and 'Traceback' not in str(result)
    assert names(portal) == ['Fine']


# ----- found by an outside attack (issue 15), each failing before its fix ------------------------------
def test_an_upper_case_client_id_is_its_client_not_a_stranger_to_prune(portal, run_module):
    ids = seed(portal, app('T: Listed'), app('T: Unlisted'))
    item = dict(app('T: Listed'), name='T: Renamed', client_id=ids[0].upper())
    real = run_twice(run_module, portal, portal.connection(state='overridden', name_prefix='T: ', config=[item]),
                     dict(updated=1, deleted=1))
    assert names(portal) == ['T: Renamed'] and list(portal.emulator.clients) == [ids[0]]
    assert real['results'][0]['client_id'] == ids[0]


def test_one_client_twice_in_two_cases_is_refused_before_any_request(portal, run_module):
    ids = seed(portal, app('Cased'))
    config = [{'client_id': ids[0], 'description': 'one'}, {'client_id': ids[0].upper(), 'description': 'two'}]
    result = run_module(set_module, portal.connection(config=config))
    assert result['failed'] and 'config[0] and config[1] have the same client_id' in result['msg']
    assert portal.emulator.requests == []


@pytest.mark.parametrize('second', ['sub/./file', 'sub//file', 'link/file', 'sub/../sub/file'])
def test_one_secret_file_spelt_two_ways_is_refused_before_any_request(portal, run_module, tmp_path, second):
    (tmp_path / 'sub').mkdir()
    os.symlink(str(tmp_path / 'sub'), str(tmp_path / 'link'))
    config = [app('Spelt 1', secret_path=str(tmp_path / 'sub' / 'file')),
              app('Spelt 2', secret_path=str(tmp_path) + '/' + second)]
    result = run_module(set_module, portal.connection(config=config))
    assert result['failed'] and 'have the same secret_path' in result['msg'], result['msg']
    assert portal.emulator.requests == []


def test_clients_that_share_a_name_paste_back_from_gathered_unchanged(portal, run_module):
    seed(portal, app('Shared', description='one'), app('Shared', description='two'))
    portal.clear()
    gathered = run_module(set_module, portal.connection(state='gathered'))['gathered']
    run_twice(run_module, portal, portal.connection(state='replaced', config=gathered), dict(unchanged=2))


def test_a_folded_copy_leaves_the_kept_clients_secret_in_the_file(portal, run_module, tmp_path):
    """Copies folded into the oldest: a file that held a deleted copy's secret gets the kept one's."""
    ids = seed(portal, app('Folded'), app('Folded'))
    path = tmp_path / 'secret'
    path.write_text(portal.emulator.clients[ids[1]]['client_secret'])  # the copy's, about to be deleted
    os.chmod(str(path), 0o600)
    result = run_module(set_module, portal.connection(config=[app('Folded', secret_path=str(path))]))
    assert not result.get('failed') and result['results'][0]['deleted_copies'] == [ids[1]], result
    assert list(portal.emulator.clients) == [ids[0]]
    assert path.read_text() == portal.emulator.clients[ids[0]]['client_secret']


def test_a_recreate_raced_by_another_run_keeps_one_client_and_its_secret(portal, run_module, monkeypatch, tmp_path):
    """Another run re-created the same app a moment earlier, and deleted the old client: this run keeps
    the other's replacement, deletes its own, and takes the 404 of the old client as done."""
    from ansible_collections.onlyoffice.docspace.plugins.module_utils import _client_engine
    old = seed(portal, app('Redo'))[0]
    wanted = app('Redo', website_url='https://new-redo.example.com', recreate=True, secret_path=str(tmp_path / 's'))
    real_create = _client_engine.ClientEngine._create
    made = {}

    def the_other_run_first(self, want, known_ids):
        if 'other' not in made:
            body = dict((k, v) for k, v in wanted.items() if k not in ('recreate', 'secret_path'))
            made['other'] = seed(portal, body)[0]
            del portal.emulator.clients[old]
        return real_create(self, want, known_ids)
    monkeypatch.setattr(_client_engine.ClientEngine, '_create', the_other_run_first)
    result = run_module(set_module, portal.connection(config=[wanted]))
    assert not result.get('failed') and result['counts'] == counts(recreated=1), result
    assert list(portal.emulator.clients) == [made['other']]
    assert (tmp_path / 's').read_text() == portal.emulator.clients[made['other']]['client_secret']


def test_new_scopes_of_many_items_read_the_catalogue_once(portal, run_module):
    result = run_module(set_module, portal.connection(config=[app('Scoped %d' % i, scopes=['files:read'])
                                                              for i in range(8)], parallel_writes=4))
    assert result['counts'] == counts(created=8), result
    assert len([r for r in portal.emulator.requests if r['path'].endswith('/scopes')]) == 1


@pytest.mark.parametrize('item, words', [
    ({'description': 'Who am I'}, "config[1]: one of the following is required: client_id, name"),
    ({'name': 'Two', 'bogus': 1}, "config[1] ('Two'): bogus is not an option of a client; an item takes allow_pkce"),
    ({'name': 'Two', 'enabled': 'maybe'}, "config[1] ('Two'): enabled must be a bool (The value 'maybe' is not"),
    ({'name': 'Two', 'logo': PNG, 'logo_path': '/x.png'}, "config[1] ('Two'): parameters are mutually exclusive"),
])
def test_items_that_break_their_spec_are_named_before_any_request(portal, run_module, item, words):
    result = run_module(set_module, portal.connection(config=[app('One item'), item]))
    assert result['failed'] and result['msg'].startswith(words), result['msg']
    assert portal.emulator.requests == []
