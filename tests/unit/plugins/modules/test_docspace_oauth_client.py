# -*- coding: utf-8 -*-
# Copyright: (c) 2026, onlyoffice.docspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""docspace_oauth_client, run in-process against the emulator."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import json

from ansible_collections.onlyoffice.docspace.plugins.modules import docspace_oauth_client as module

LOGO = 'data:image/png;base64,' + base64.b64encode(b'\x89PNG\r\n\x1a\n1234').decode()
APP = dict(
    name='Unit App', logo=LOGO, website_url='https://u.example.com', terms_url='https://u.example.com/t',
    policy_url='https://u.example.com/p', logout_redirect_uri='https://u.example.com/l',
    redirect_uris=['https://u.example.com/cb'], allowed_origins=['https://u.example.com'], scopes=['openid'],
)


def test_create_then_unchanged_then_check_mode_sends_no_write(portal, run_module):
    args = portal.connection(**APP)
    first = run_module(module, args)
    assert first['changed'] and len(first['client_secret']) == 36 and 'client_secret' not in first['client']
    portal.clear()
    again = run_module(module, args)
    assert not again['changed'] and 'client_secret' not in again and portal.writes() == []
    check = run_module(module, dict(args, description='changed'), check_mode=True, diff=True)
    assert check['changed'] and check['diff']['after']['description'] == 'changed' and portal.writes() == []
    assert check['client']['description'] == 'changed'


def test_check_mode_create_predicts_without_writing(portal, run_module):
    result = run_module(module, portal.connection(enabled=False, **APP), check_mode=True, diff=True)
    assert result['changed'] and result['client']['enabled'] is False and 'client_secret' not in result
    assert result['diff']['before'] == {} and portal.writes() == [] and portal.emulator.clients == {}


def test_create_disabled_sends_activation(portal, run_module):
    result = run_module(module, portal.connection(enabled=False, **APP))
    assert result['client']['enabled'] is False
    assert [w['method'] for w in portal.writes()] == ['POST', 'PATCH']
    assert list(portal.emulator.clients.values())[0]['enabled'] is False


def test_invalid_input_fails_before_any_request(portal, run_module):
    result = run_module(module, portal.connection(**dict(APP, name='ab', website_url='http://localhost')))
    assert result['failed'] and 'name must be 3 to 255' in result['msg'] and 'website_url must be' in result['msg']
    assert portal.emulator.requests == []
    result = run_module(module, portal.connection(client_id='nope', name='x'))
    assert result['failed'] and result['msg'].startswith('client_id must be a UUID') and portal.emulator.requests == []


def test_missing_credentials_and_bad_base_url(portal, run_module):
    result = run_module(module, dict(base_url=portal.url, name='x'))
    assert result['failed'] and 'api_key' in result['msg']
    result = run_module(module, dict(base_url='portal.example.com', api_key='k', name='x'))
    assert result['failed'] and result['msg'].startswith('base_url must be')


def test_server_errors_report_status_and_problem_text_without_secrets(portal, run_module):
    portal.emulator.faults.append({'method': 'GET', 'path': '/api/2.0/clients', 'count': 9, 'action': 'status',
                                   'status': 503})
    result = run_module(module, portal.connection(**APP))
    assert result['failed'] and result['status'] == 503
    assert 'HTTP 503 Service Unavailable' in result['msg'] and 'retry 2 of 2' in result['warnings'][-1]
    assert 'sk-unit-admin-key' not in json.dumps(result) and 'Traceback' not in json.dumps(result)


def test_a_dropped_create_is_not_duplicated(portal, run_module):
    portal.emulator.faults.append({'method': 'POST', 'path': '/api/2.0/clients', 'count': 1,
                                   'action': 'commit_then_drop'})
    result = run_module(module, portal.connection(**APP))
    assert result['changed'] and len(result['client_secret']) == 36
    assert len(portal.emulator.clients) == 1
    assert any('did reach DocSpace' in w for w in result['warnings'])


def test_a_dropped_create_is_not_sent_again_and_a_rerun_creates_it(portal, run_module):
    # Dropped with no answer: it may yet be applied, so the run fails honestly (changed, as it may have).
    portal.emulator.faults.append({'method': 'POST', 'path': '/api/2.0/clients', 'count': 1, 'action': 'drop'})
    result = run_module(module, portal.connection(**APP))
    assert result['failed'] and result['changed'] and 'run the task again' in result['msg']
    assert [w['method'] for w in portal.writes()] == ['POST'] and not portal.emulator.clients
    rerun = run_module(module, portal.connection(**APP))
    assert rerun['changed'] and len(portal.emulator.clients) == 1 and rerun['client_secret']


def test_recreate_replaces_the_client(portal, run_module):
    first = run_module(module, portal.connection(**APP))
    refused = run_module(module, portal.connection(name='Unit App', policy_url='https://v.example.com/p'))
    assert refused['failed'] and "policy_url is 'https://u.example.com/p', wanted 'https://v.example.com/p'" in refused['msg']
    result = run_module(module, portal.connection(name='Unit App', policy_url='https://v.example.com/p', recreate=True))
    assert result['recreated'] and result['client']['client_id'] != first['client']['client_id']
    assert list(portal.emulator.clients) == [result['client']['client_id']]


def test_lists_change_in_place_on_a_newer_server(portal, run_module):
    portal.emulator.server_version = 'develop'
    first = run_module(module, portal.connection(**APP))
    result = run_module(module, portal.connection(name='Unit App', scopes=['openid', 'rooms:read']))
    assert result['changed'] and result['client']['client_id'] == first['client']['client_id']
    assert sorted(result['client']['scopes']) == ['openid', 'rooms:read']


def _copy(portal, **changes):
    caller = {'id': next(iter(portal.emulator.users)), 'role': 'ADMIN', 'tenant': 1}
    return portal.emulator.create(caller, dict(APP, **changes), '/api/2.0/clients')[1]['client_id']


def test_same_named_clients_that_differ_fail_listing_ids(portal, run_module):
    run_module(module, portal.connection(**APP))
    _copy(portal, website_url='https://other.example.com')
    portal.clear()
    for state in ('present', 'absent'):
        result = run_module(module, portal.connection(name='Unit App', state=state, description='x'))
        assert result['failed'] and '2 OAuth clients are named' in result['msg'] and len(result['client_ids']) == 2
    assert portal.writes() == []


def test_copies_of_the_app_fold_into_the_oldest(portal, run_module):
    # What a late-applied create or two concurrent runs leave: the same app twice.
    first = run_module(module, portal.connection(**APP))['client']['client_id']
    copy = _copy(portal)
    check = run_module(module, portal.connection(**APP), check_mode=True)
    assert check['changed'] and check['deleted_copies'] == [copy] and len(portal.emulator.clients) == 2
    result = run_module(module, portal.connection(**APP))
    assert result['changed'] and result['deleted_copies'] == [copy] and result['client']['client_id'] == first
    assert list(portal.emulator.clients) == [first] and any('keeping ' + first in w for w in result['warnings'])
    assert not run_module(module, portal.connection(**APP))['changed']


def test_absent_removes_every_copy_of_the_app(portal, run_module):
    run_module(module, portal.connection(**APP))
    _copy(portal)
    result = run_module(module, portal.connection(name='Unit App', state='absent'))
    assert result['changed'] and portal.emulator.clients == {}


def test_absent_twice(portal, run_module):
    run_module(module, portal.connection(**APP))
    assert run_module(module, portal.connection(name='Unit App', state='absent'))['changed']
    assert not run_module(module, portal.connection(name='Unit App', state='absent'))['changed']


def test_logo_path_errors_name_the_option(portal, run_module, tmp_path):
    bad = tmp_path / 'x.txt'
    bad.write_text('hello')
    result = run_module(module, portal.connection(name='x', logo_path=str(bad)))
    assert result['failed'] and result['msg'].startswith('logo_path') and portal.emulator.requests == []


def test_missing_requests_gives_the_standard_message(portal, run_module, monkeypatch):
    from ansible_collections.onlyoffice.docspace.plugins.module_utils import _docspace_api
    monkeypatch.setattr(_docspace_api, 'HAS_REQUESTS', False)
    monkeypatch.setattr(_docspace_api, 'REQUESTS_IMPORT_ERROR', 'ImportError: No module named requests')
    result = run_module(module, portal.connection(**APP))
    assert result['failed'] and 'Failed to import the required Python library (requests)' in result['msg']
    assert portal.emulator.requests == []


def test_update_enable_and_check_mode_paths(portal, run_module):
    created = run_module(module, portal.connection(**APP))
    cid = created['client']['client_id']
    updated = run_module(module, portal.connection(client_id=cid, description='new', enabled=False))
    assert updated['changed'] and updated['client']['description'] == 'new' and updated['client']['enabled'] is False
    assert [w['method'] for w in portal.writes()][-2:] == ['PUT', 'PATCH']
    check = run_module(module, portal.connection(name='Unit App', scopes=['rooms:read']), check_mode=True)
    assert check['changed'] and any('newer than 3.7.2' in w for w in check['warnings'])
    refused = run_module(module, portal.connection(name='Unit App', scopes=['rooms:read']))
    assert refused['failed'] and 'scopes cannot change after creation on this DocSpace server' in refused['msg']
    recreate = run_module(module, portal.connection(name='Unit App', scopes=['rooms:read'], recreate=True),
                          check_mode=True)
    assert recreate['recreated'] and recreate['client']['scopes'] == ['rooms:read'] and 'client_secret' not in recreate


def test_create_problems_are_named(portal, run_module):
    unknown = run_module(module, portal.connection(client_id='00000000-0000-4000-8000-000000000000', **APP))
    assert unknown['failed'] and 'DocSpace assigns client ids' in unknown['msg']
    missing = run_module(module, portal.connection(name='New App', description='only this'))
    assert missing['failed'] and 'logo, website_url, terms_url' in missing['msg']


def test_connection_option_rules(portal, run_module):
    assert 'timeout must be a positive' in run_module(module, portal.connection(timeout=0, **APP))['msg']
    assert 'retries must be 0 or more' in run_module(module, portal.connection(retries=-1, **APP))['msg']
    https = run_module(module, dict(portal.connection(validate_certs=False, **APP),
                                    base_url=portal.url.replace('http://', 'https://')))
    assert any('validate_certs is false' in w for w in https['warnings'])


def test_empty_environment_variables_count_as_unset(portal, run_module, monkeypatch):
    # An AWX credential with an API key and no user name injects DOCSPACE_USERNAME="".
    monkeypatch.setenv('DOCSPACE_URL', portal.url)
    monkeypatch.setenv('DOCSPACE_API_KEY', portal.connection()['api_key'])
    monkeypatch.setenv('DOCSPACE_USERNAME', '')
    monkeypatch.setenv('DOCSPACE_PASSWORD', '')
    result = run_module(module, dict(APP))
    assert result['changed'] and not result.get('failed')


def test_two_different_apps_with_one_name_are_never_folded_by_a_task_that_sets_little(portal, run_module):
    # Both match a task that sets only the name and enabled; they are still two apps, not copies.
    run_module(module, portal.connection(**APP))
    _copy(portal, website_url='https://other.example.com')
    portal.clear()
    for extra in ({}, {'recreate': True}, {'state': 'absent'}):
        result = run_module(module, portal.connection(name='Unit App', enabled=False, **extra))
        assert result['failed'] and '2 OAuth clients are named' in result['msg'], result
    assert portal.writes() == [] and len(portal.emulator.clients) == 2
