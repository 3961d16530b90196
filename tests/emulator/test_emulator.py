# -*- coding: utf-8 -*-
# Copyright: (c) 2026, onlyoffice.docspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The emulator behaves as the v3.7.2 server does, tutorial mistakes included."""

import base64
import http.client
import json
import os
import sys
import time

import pytest
import requests

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import differential  # noqa: E402  pylint: disable=wrong-import-position
import docspace_emulator as emu  # noqa: E402  pylint: disable=wrong-import-position
from conftest import APP, LOGO, claims  # noqa: E402  pylint: disable=wrong-import-position

# The portal fixture (conftest.py) is the emulator, or a live portal behind the guard (DOCSPACE_LIVE_URL);
# tests that need the emulator itself are marked emulator_only and skipped there.
emulator_only = pytest.mark.emulator_only


# ----- authentication --------------------------------------------------------------------
def test_token_exchange_is_enveloped_and_lasts_five_minutes(portal):
    resp = portal.http.get(portal.url + '/api/2.0/security/oauth2/token',
                           headers={'Authorization': 'Bearer ' + portal.key('admin')})
    body = resp.json()
    assert body['statusCode'] == 200 and isinstance(body['response'], str)
    c = claims(body['response'])
    assert c['is_admin'] == 'true' and int(c['tenant_id']) >= 1 and 295 <= c['exp'] - time.time() <= 300
    if portal.emulator:
        assert c['tenant_id'] == '1'


def test_token_exchange_refuses_a_bad_key(portal):
    resp = portal.http.get(portal.url + '/api/2.0/security/oauth2/token', headers={'Authorization': 'Bearer nope'})
    assert resp.status_code == 401


def test_login_gives_a_token_that_the_exchange_accepts(portal):
    user_name, password = portal.login_credentials()
    resp = portal.http.post(portal.url + '/api/2.0/authentication', json={'userName': user_name, 'password': password})
    token = resp.json()['response']['token']
    resp = portal.http.get(portal.url + '/api/2.0/security/oauth2/token', headers={'Authorization': token})
    assert resp.status_code == 200
    bad = portal.http.post(portal.url + '/api/2.0/authentication', json={'userName': user_name, 'password': 'wrong'})
    assert bad.status_code == 401


def test_tutorial_bearer_straight_to_clients_is_403_with_an_empty_body(portal):
    resp = portal.http.get(portal.url + '/api/2.0/clients', headers={'Authorization': 'Bearer ' + portal.key('admin')})
    assert resp.status_code == 403 and resp.content == b''


def test_signature_is_read_from_the_cookie_too(portal):
    resp = portal.http.get(portal.url + '/api/2.0/clients', cookies={'x-signature': portal.jwt()})
    assert resp.status_code == 200


@emulator_only('signature_lifetime')
def test_expired_signature_is_403_empty(portal):
    portal.emulator.signature_lifetime = -1
    expired = portal.jwt('user')
    resp = portal.http.get(portal.url + '/api/2.0/clients', headers={'x-signature': expired})
    assert resp.status_code == 403 and resp.content == b''


def test_tampered_signature_is_403_empty(portal):
    good = portal.jwt()
    head, body, mac = good.split('.')
    forged = dict(claims(good), user_id='someone-else')
    forged_body = base64.urlsafe_b64encode(json.dumps(forged).encode()).rstrip(b'=').decode()
    resp = portal.http.get(portal.url + '/api/2.0/clients', headers={'x-signature': '.'.join([head, forged_body, mac])})
    assert resp.status_code == 403 and resp.content == b''


# ----- create, read, update, delete ------------------------------------------------------
def test_create_answers_201_with_the_plain_secret(portal):
    client = portal.create()
    assert len(client['client_secret']) == 36 and client['client_secret'].isalnum()
    assert client['is_public'] is True and client['enabled'] is True
    assert client['modified_on'] == client['created_on']
    assert client['logout_redirect_uris'] == ['https://app.example.com/logout']
    assert client['authentication_methods'] == ['client_secret_post']
    assert 'response' not in client  # raw JSON, no envelope
    one = portal.call('GET', '/api/2.0/clients/' + client['client_id']).json()
    assert one['client_secret'] == client['client_secret']
    listed = portal.call('GET', '/api/2.0/clients').json()['data'][0]
    assert listed['client_secret'] != client['client_secret']  # list items carry ciphertext


def test_both_path_prefixes_and_allow_pkce(portal):
    resp = portal.call('POST', '/api/2.0/oauth2/clients', body=dict(APP, allow_pkce=True))
    assert resp.status_code == 201
    assert sorted(resp.json()['authentication_methods']) == ['client_secret_post', 'none']
    assert portal.call('GET', '/api/2.0/oauth2/clients/' + resp.json()['client_id']).status_code == 200


def test_tutorial_camelcase_body_is_refused(portal):
    body = {'name': 'App', 'logo': LOGO, 'redirectUris': ['https://a.example.com'], 'websiteUrl': 'https://a.example.com',
            'grantTypes': ['authorization_code'], 'scopes': ['openid']}
    resp = portal.call('POST', '/api/2.0/clients', body=body)
    assert resp.status_code == 400
    fields = {(e['field'], e['code']) for e in resp.json()['errors']}
    assert ('redirect_uris', 'EmptyFieldError') in fields and ('website_url', 'EmptyFieldError') in fields


def test_tutorial_put_activation_fails_and_patch_with_active_disables(portal):
    client = portal.create()
    path = '/api/2.0/clients/%s/activation' % client['client_id']
    assert portal.call('PUT', path, body={'active': True}).status_code == 405
    assert portal.call('PATCH', path, body={'active': True}).status_code == 200
    assert portal.call('GET', '/api/2.0/clients/' + client['client_id']).json()['enabled'] is False
    assert portal.call('PATCH', path, body={'status': True}).status_code == 200
    assert portal.call('GET', '/api/2.0/clients/' + client['client_id']).json()['enabled'] is True


def test_tutorial_public_info_path_order(portal):
    client = portal.create()
    wrong = '/api/2.0/clients/public/%s/info' % client['client_id']
    assert portal.call('GET', wrong, role=None).status_code == 403
    assert portal.call('GET', wrong).status_code == 404
    right = portal.call('GET', '/api/2.0/clients/%s/public/info' % client['client_id'], role=None)
    assert right.status_code == 200 and 'client_secret' not in right.json() and right.json()['public'] is True


def test_tutorial_info_with_ids_needs_limit(portal):
    client = portal.create()
    resp = portal.call('GET', '/api/2.0/clients/info', params={'ids': [client['client_id']]})
    assert resp.status_code == 400
    resp = portal.call('GET', '/api/2.0/clients/info', params={'limit': 50})
    assert resp.status_code == 200 and 'redirect_uris' not in resp.json()['data'][0]


def test_put_replaces_only_updatable_fields_on_372(portal):
    client = portal.create(allow_pkce=True)
    path = '/api/2.0/clients/' + client['client_id']
    body = {'name': 'Renamed', 'logo': LOGO, 'allowed_origins': ['https://b.example.com'],
            'website_url': 'https://changed.example.com', 'redirect_uris': ['https://changed.example.com/cb'],
            'scopes': ['rooms:read']}
    resp = portal.call('PUT', path, body=body)
    assert resp.status_code == 200 and resp.content == b''
    after = portal.call('GET', path).json()
    assert after['name'] == 'Renamed' and after['allowed_origins'] == ['https://b.example.com']
    assert after['description'] == 'reports'  # omitted description is kept
    assert after['website_url'] == APP['website_url']  # create-only, silently ignored
    assert sorted(after['redirect_uris']) == sorted(APP['redirect_uris']) and after['scopes'] == APP['scopes']
    assert after['authentication_methods'] == ['client_secret_post']  # omitted allow_pkce turns PKCE off
    assert portal.call('PUT', path, body={'name': 'x'}).status_code == 400


@emulator_only('server_version')
def test_develop_server_updates_redirect_uris_and_scopes(portal):
    portal.emulator.server_version = 'develop'
    client = portal.create()
    path = '/api/2.0/clients/' + client['client_id']
    base = {'name': 'App', 'logo': LOGO, 'allowed_origins': ['https://b.example.com']}
    assert portal.call('PUT', path, body=base).status_code == 400  # both lists are required there
    resp = portal.call('PUT', path, body=dict(base, redirect_uris=['https://n.example.com/cb'], scopes=['rooms:read']))
    assert resp.status_code == 200
    after = portal.call('GET', path).json()
    assert after['redirect_uris'] == ['https://n.example.com/cb'] and after['scopes'] == ['rooms:read']


@pytest.mark.parametrize('fields, field, code', [
    ({'name': 'ab'}, 'name', 'ErrorName'),
    ({'name': '   '}, 'name', 'EmptyFieldError'),
    ({'website_url': 'http://localhost:8080'}, 'website_url', 'ErrorWrongURL'),
    ({'terms_url': 'https://xn--bcher-kva.xn--p1ai'}, 'terms_url', 'ErrorWrongURL'),
    ({'redirect_uris': []}, 'redirect_uris', 'ErrorName'),
    ({'redirect_uris': ['https://a.example.com/%d' % i for i in range(13)]}, 'redirect_uris', 'ErrorName'),
    ({'redirect_uris': ['ftp://a.example.com']}, 'redirect_uris', 'ErrorWrongURL'),
    ({'allowed_origins': None}, 'allowed_origins', 'EmptyFieldError'),
    ({'logo': 'data:image/gif;base64,R0lGODlh'}, 'logo', 'ErrorPattern'),
    ({'logo': 'data:image/png;base64,' + 'A' * 400000}, 'logo', 'ErrorPattern'),
    ({'description': 'x' * 256}, 'description', 'ErrorName'),
    ({'scopes': ['files:read', 'files:admin']}, 'scopes', 'ErrorInvalidScope'),
    ({'scopes': []}, 'scopes', 'EmptyFieldError'),
])
def test_request_layer_validation(portal, fields, field, code):
    resp = portal.call('POST', '/api/2.0/clients', body=dict(APP, **fields))
    assert resp.status_code == 400
    problem = resp.json()
    assert resp.headers['Content-Type'] == 'application/problem+json'
    assert problem['detail'] == 'Validation failed' and problem['title'] == 'Bad Request'
    assert (field, code) in {(e['field'], e['code']) for e in problem['errors']}


def test_service_layer_needs_the_scheme(portal):
    resp = portal.call('POST', '/api/2.0/clients', body=dict(APP, website_url='app.example.com'))
    assert resp.status_code == 400 and 'errors' not in resp.json()
    assert resp.json()['detail'].startswith('websiteUrl:')


def test_claude_scheme_ipv4_and_unknown_keys_are_accepted(portal):
    client = portal.create(redirect_uris=['claude://callback'], website_url='http://10.0.0.1:8080/x', grant_types=['x'],
                           is_public=False)
    assert client['redirect_uris'] == ['claude://callback']
    assert client['is_public'] is True  # tutorial: is_public=false does not make a private client


def test_storage_limits_give_500(portal):
    resp = portal.call('POST', '/api/2.0/clients', body=dict(APP, name='n' * 256))
    assert resp.status_code == 500 and resp.json()['detail'] == 'A database error occurred'


def test_malformed_json_is_500_and_wrong_media_type_415(portal):
    resp = portal.call('POST', '/api/2.0/clients', data='{"name":', headers={'Content-Type': 'application/json'})
    assert resp.status_code == 500 and resp.json()['detail'] == 'Something went wrong'
    resp = portal.call('POST', '/api/2.0/clients', data='name=x', headers={'Content-Type': 'text/plain'})
    assert resp.status_code == 415


def test_regenerate_delete_and_revoke(portal):
    client = portal.create()
    path = '/api/2.0/clients/' + client['client_id']
    new = portal.call('PATCH', path + '/regenerate').json()['client_secret']
    assert new != client['client_secret'] and len(new) == 36
    assert portal.call('DELETE', path + '/revoke').status_code == 200  # even with no consent
    assert portal.call('DELETE', path).status_code == 200
    assert portal.call('DELETE', path).status_code == 404
    bad = portal.call('GET', '/api/2.0/clients/not-a-uuid')
    assert bad.status_code == 404 and 'Invalid client id format' in bad.json()['detail']


# ----- lists ------------------------------------------------------------------------------
def test_cursor_pages_newest_first_to_a_null_cursor(portal):
    ids = [portal.create(name='App %03d' % i)['client_id'] for i in range(120)]
    seen, params, pages = [], {'limit': 50}, 0
    while True:
        page = portal.call('GET', '/api/2.0/clients', params=params).json()
        seen += [c['client_id'] for c in page['data']]
        pages += 1
        if page['last_created_on'] is None:
            assert page['last_client_id'] is None
            break
        params = {'limit': 50, 'last_client_id': page['last_client_id'], 'last_created_on': page['last_created_on']}
    assert pages == 3 and seen == list(reversed(ids))
    assert len(portal.call('GET', '/api/2.0/clients').json()['data']) == 30  # default limit
    bad = portal.call('GET', '/api/2.0/clients', params={'limit': 51})
    assert bad.status_code == 400 and bad.json()['errors'][0]['field'] == 'limit'
    assert portal.call('GET', '/api/2.0/clients', params={'limit': 5, 'last_created_on': 'yesterday'}).status_code == 500


def test_scope_catalogue_puts_openid_last(portal):
    names = [s['name'] for s in portal.call('GET', '/api/2.0/scopes', role='guest').json()]
    assert names[-1] == 'openid' and names[0] == 'accounts.self:read' and len(names) == 9


@emulator_only('seeds a consent through the control API')
def test_consents_paginate_and_revoke(portal):
    client = portal.create()
    admin_id = portal.emulator.credentials()['admin']['user_id']
    portal.http.post(portal.url + '/__emulator__/consents',
                     json={'client_id': client['client_id'], 'user_id': admin_id, 'scopes': ['files:read', 'openid']})
    assert portal.call('GET', '/api/2.0/clients/consents').status_code == 400  # limit is required
    page = portal.call('GET', '/api/2.0/clients/consents', params={'limit': 10}).json()
    assert page['data'][0]['scopes'] == 'files:read openid' and page['last_modified_on'] is None
    portal.call('DELETE', '/api/2.0/clients/%s/revoke' % client['client_id'])
    assert portal.call('GET', '/api/2.0/clients/consents', params={'limit': 10}).json()['data'] == []


# ----- permissions ------------------------------------------------------------------------
def test_user_sees_only_own_clients_and_guest_is_refused(portal):
    admins = portal.create()
    users = portal.create(role='user', name='Mine')
    assert portal.call('GET', '/api/2.0/clients/' + admins['client_id'], role='user').status_code == 404
    assert portal.call('DELETE', '/api/2.0/clients/' + admins['client_id'], role='user').status_code == 404
    listed = portal.call('GET', '/api/2.0/clients', role='user').json()['data']
    assert [c['client_id'] for c in listed] == [users['client_id']]
    guest = portal.call('GET', '/api/2.0/clients', role='guest')
    assert guest.status_code == 403 and guest.json()['detail'] == 'Access denied'


@emulator_only('deletes on the collection: the live guard refuses them')
def test_user_deletes_only_own_clients_and_not_the_tenants(portal):
    portal.create()
    portal.create(role='user', name='Mine')
    assert portal.call('DELETE', '/api/2.0/clients/tenant', role='user').status_code == 403
    assert portal.call('DELETE', '/api/2.0/clients', role='user').status_code == 200  # deletes the caller's own
    assert len(portal.call('GET', '/api/2.0/clients').json()['data']) == 1


# ----- rate limit, faults, control API, persistence -------------------------------------
@emulator_only('rate_limit')
def test_rate_limit_sends_429_with_nanosecond_reset_and_no_retry_after(portal):
    portal.emulator.rate_limit = True
    for dummy in range(10):
        ok = portal.call('POST', '/api/2.0/clients', body=APP)
        assert ok.status_code == 201 and int(ok.headers['X-Ratelimit-Reset']) <= 60
    limited = portal.call('POST', '/api/2.0/clients', body=APP)
    assert limited.status_code == 429 and limited.content == b''
    assert 'Retry-After' not in limited.headers and int(limited.headers['X-Ratelimit-Reset']) > 1e9
    assert portal.call('GET', '/api/2.0/clients').status_code == 200  # other methods have their own budget


@emulator_only('fault injection')
def test_faults_status_drop_and_commit_then_drop(portal):
    control = portal.url + '/__emulator__/faults'
    portal.http.post(control, json={'method': 'GET', 'path': '/api/2.0/clients', 'status': 502})
    resp = portal.call('GET', '/api/2.0/clients')
    assert resp.status_code == 502 and '<html>' in resp.text
    assert portal.call('GET', '/api/2.0/clients').status_code == 200  # count 1 by default
    portal.http.post(control, json={'method': 'POST', 'path': '/api/2.0/clients', 'action': 'drop'})
    with pytest.raises(requests.exceptions.ConnectionError):
        portal.call('POST', '/api/2.0/clients', body=APP)
    assert portal.http.get(portal.url + '/__emulator__/clients').json() == []
    portal.http.post(control, json={'method': 'POST', 'path': '/api/2.0/clients', 'action': 'commit_then_drop'})
    with pytest.raises(requests.exceptions.ConnectionError):
        portal.call('POST', '/api/2.0/clients', body=APP)
    state = portal.http.get(portal.url + '/__emulator__/clients').json()
    assert len(state) == 1 and len(state[0]['secret_sha256']) == 64 and 'client_secret' not in state[0]
    log = portal.http.get(portal.url + '/__emulator__/requests').json()
    assert [e.get('fault') for e in log if e['method'] == 'POST'] == ['drop', 'commit_then_drop']


def test_request_log_and_reset(portal):  # the live guard serves these three control endpoints too
    portal.create()
    log = portal.http.get(portal.url + '/__emulator__/requests').json()
    assert {'method': 'POST', 'path': '/api/2.0/clients', 'query': '', 'status': 201} in log
    portal.http.post(portal.url + '/__emulator__/reset')
    assert portal.http.get(portal.url + '/__emulator__/requests').json() == []
    assert portal.http.get(portal.url + '/__emulator__/clients').json() == []


@emulator_only('latency')
def test_latency_delays_api_answers_but_not_the_control_api(portal):
    config = portal.http.post(portal.url + '/__emulator__/config', json={'latency': 0.2}).json()
    assert config['latency'] == 0.2
    start = time.time()
    assert portal.call('GET', '/api/2.0/scopes').status_code == 200
    assert time.time() - start >= 0.2
    start = time.time()
    portal.http.get(portal.url + '/__emulator__/requests')
    assert time.time() - start < 0.2


@emulator_only('state file and restart')
def test_state_file_survives_a_restart(tmp_path):
    path = str(tmp_path / 'state.json')
    first = emu.Emulator(state_file=path)
    caller = {'id': next(iter(first.users)), 'role': 'ADMIN', 'tenant': 1}
    status, client = first.create(caller, dict(APP), '/api/2.0/clients')
    second = emu.Emulator(state_file=path)
    assert status == 201 and client['client_id'] in second.clients
    assert second.credentials() == first.credentials()


# ----- v3.7.2 faithfulness: the order of the checks, and the server's own texts -------------
UNKNOWN = '6c7cf17b-1bd3-47d5-94c6-be2d3570e168'


def errors_of(resp):
    return sorted((e['field'], e['code'], e['message']) for e in resp.json()['errors'])


@pytest.mark.parametrize('method, path, kwargs, status, detail', [
    # the body is bound and validated (@Valid) before @PreAuthorize refuses the GUEST
    ('POST', '/api/2.0/clients', {'body': dict(APP, name='ab')}, 400, 'Validation failed'),
    ('POST', '/api/2.0/clients', {'data': '{"name":', 'headers': {'Content-Type': 'application/json'}}, 500,
     'Something went wrong'),
    ('POST', '/api/2.0/clients', {'data': 'x', 'headers': {'Content-Type': 'text/plain'}}, 415, None),
    ('POST', '/api/2.0/clients', {'body': dict(APP, scopes=['files:admin'])}, 403, 'Access denied'),  # checked inside
    ('POST', '/api/2.0/clients', {'body': dict(APP, website_url='app.example.com')}, 403, 'Access denied'),
    ('POST', '/api/2.0/clients', {'body': APP}, 403, 'Access denied'),
    ('PUT', '/api/2.0/clients/not-a-uuid', {'body': {'name': 'x'}}, 400, 'Validation failed'),
    ('PUT', '/api/2.0/clients/not-a-uuid', {'body': {'name': 'App', 'logo': LOGO, 'allowed_origins': ['https://a.io']}},
     403, 'Access denied'),  # the UUID is parsed in the handler
    ('PATCH', '/api/2.0/clients/{id}/activation', {'body': {'status': 'maybe'}}, 500, 'Something went wrong'),
    ('PATCH', '/api/2.0/clients/{id}/activation', {'body': {'status': True}}, 403, 'Access denied'),
    # query parameters: missing 400, unconvertible 500, out of range 400, all before the role
    ('GET', '/api/2.0/clients', {'params': {'limit': 0}}, 400, 'Validation failed'),
    ('GET', '/api/2.0/clients', {'params': {'limit': 'ten'}}, 500, 'Something went wrong'),
    ('GET', '/api/2.0/clients', {'params': {'last_created_on': 'yesterday'}}, 500, 'Something went wrong'),
    ('GET', '/api/2.0/clients', {'params': {'limit': 5}}, 403, 'Access denied'),
    ('GET', '/api/2.0/clients/info', {}, 400,
     "Required request parameter 'limit' for method parameter type int is not present"),
    ('GET', '/api/2.0/clients/info', {'params': {'limit': 51}}, 400, 'Validation failed'),
    ('GET', '/api/2.0/clients/info', {'params': {'limit': 5}}, 403, 'Access denied'),
    ('GET', '/api/2.0/clients/not-a-uuid', {}, 403, 'Access denied'),
    ('GET', '/api/2.0/clients/%s/info' % UNKNOWN, {}, 403, 'Access denied'),
    ('PATCH', '/api/2.0/clients/{id}/regenerate', {}, 403, 'Access denied'),
    ('DELETE', '/api/2.0/clients/{id}', {}, 403, 'Access denied'),
    pytest.param('DELETE', '/api/2.0/clients', {}, 403, 'Access denied',
                 marks=emulator_only('a delete on the collection: the live guard refuses it')),
    pytest.param('DELETE', '/api/2.0/clients/tenant', {}, 403, 'Access denied',
                 marks=emulator_only('a tenant-wide delete: the live guard refuses it')),
    # no @PreAuthorize there, or GUEST allowed
    ('GET', '/api/2.0/clients/consents', {'params': {'limit': 0}}, 400, 'Validation failed'),
    ('GET', '/api/2.0/clients/consents', {'params': {'limit': 5}}, 200, None),
    ('DELETE', '/api/2.0/clients/{id}/revoke', {}, 200, None),
    ('GET', '/api/2.0/scopes', {}, 200, None),
])
def test_guest_requests_are_bound_and_validated_before_the_role_check(portal, method, path, kwargs, status, detail):
    if '{id}' in path:  # a write names a client of this run (the live guard sends no write on another one)
        path = path.replace('{id}', portal.create()['client_id'])
    resp = portal.call(method, path, role='guest', **kwargs)
    assert resp.status_code == status, resp.text
    if detail:
        problem = resp.json()
        assert problem['detail'] == detail and problem['instance'] == path and problem['status'] == status
    if status == 403:
        assert resp.headers['Content-Type'] == 'application/problem+json' and 'errors' not in resp.json()


@emulator_only('a tenant-wide delete: the live guard refuses it')
def test_user_gets_access_denied_on_tenant_delete_after_nothing_to_validate(portal):
    resp = portal.call('DELETE', '/api/2.0/oauth2/clients/tenant', role='user')
    assert resp.status_code == 403 and resp.json() == {
        'type': emu.PROBLEM_TYPE, 'title': 'Forbidden', 'status': 403, 'detail': 'Access denied',
        'instance': '/api/2.0/oauth2/clients/tenant'}


def test_create_validation_texts_are_the_servers(portal):
    body = {'name': '', 'description': 'd' * 256, 'logo': '', 'website_url': '', 'terms_url': 'localhost',
            'logout_redirect_uri': 'https://app.example.com/logout', 'redirect_uris': [], 'allowed_origins': None,
            'scopes': []}
    resp = portal.call('POST', '/api/2.0/clients', body=body)
    assert resp.status_code == 400 and resp.headers['Content-Type'] == 'application/problem+json'
    problem = resp.json()
    assert list(problem) == ['type', 'title', 'status', 'detail', 'instance', 'errors']
    assert (problem['type'], problem['title'], problem['detail'], problem['instance']) == (
        emu.PROBLEM_TYPE, 'Bad Request', 'Validation failed', '/api/2.0/clients')
    assert errors_of(resp) == sorted([
        ('name', 'EmptyFieldError', 'client name must not be empty'),
        ('name', 'ErrorName', 'client name length is expected to be between 3 and 256 characters'),
        ('description', 'ErrorName', 'client description length is expected to be less than 256 characters'),
        ('logo', 'EmptyFieldError', 'client logo must not be empty'),
        ('logo', 'ErrorPattern', 'client logo is expected to be passed as base64'),
        ('website_url', 'EmptyFieldError', 'website url must not be empty'),
        ('website_url', 'ErrorWrongURL', 'website url is expected to be passed as url'),
        ('terms_url', 'ErrorWrongURL', 'terms url is expected to be passed as url'),
        ('policy_url', 'EmptyFieldError', 'policy url must not be empty'),
        ('redirect_uris', 'ErrorName', 'redirect uris must contain at least 1 and at most 12 addresses'),
        ('allowed_origins', 'EmptyFieldError', 'allowed origins must not be null'),
        ('allowed_origins', 'ErrorWrongURL', 'url collection has invalid entries'),
        ('scopes', 'EmptyFieldError', 'scopes field can not be empty'),
    ])


@pytest.mark.parametrize('logo, expected', [
    ('data:image/png;base64,' + 'A' * 400000, [('logo', 'ErrorPattern', 'Logo size exceeds the maximum allowed size')]),
    # java.util.Base64: padding, when present, must complete the last unit
    ('data:image/png;base64,AAAA=', [('logo', 'ErrorPattern', 'Logo size exceeds the maximum allowed size')]),
    ('data:image/png;base64,AA=', [('logo', 'ErrorPattern', 'Logo size exceeds the maximum allowed size')]),
    # java.util.regex: '.' matches no \r, so the pattern fails (and the decoder too)
    ('data:image/png;base64,AA\rAA', [('logo', 'ErrorPattern', 'Logo size exceeds the maximum allowed size'),
                                      ('logo', 'ErrorPattern', 'client logo is expected to be passed as base64')]),
    # a blank logo breaks all three constraints
    ('   ', [('logo', 'EmptyFieldError', 'client logo must not be empty'),
             ('logo', 'ErrorPattern', 'Logo size exceeds the maximum allowed size'),
             ('logo', 'ErrorPattern', 'client logo is expected to be passed as base64')]),
])
def test_logo_rules_and_texts(portal, logo, expected):
    resp = portal.call('POST', '/api/2.0/clients', body=dict(APP, logo=logo))
    assert resp.status_code == 400 and errors_of(resp) == sorted(expected)


def test_logo_padding_that_java_accepts(portal):
    assert portal.create(logo='data:image/png;base64,AAA=')['logo'].endswith('AAA=')
    assert portal.create(logo='data:image/png;base64,AA')['logo'].endswith('AA')


def test_url_rules_use_ascii_digits_as_java_does(portal):
    resp = portal.call('POST', '/api/2.0/clients', body=dict(APP, website_url='http://\u0661.\u0661.\u0661.\u0661'))
    assert resp.status_code == 400
    assert errors_of(resp) == [('website_url', 'ErrorWrongURL', 'website url is expected to be passed as url')]


def test_service_layer_joins_every_broken_url(portal):
    body = dict(APP, website_url='app.example.com', policy_url='example.org/privacy')
    resp = portal.call('POST', '/api/2.0/clients', body=body)
    assert resp.status_code == 400 and 'errors' not in resp.json()
    assert resp.json()['detail'] == ('websiteUrl: website url is expected to be passed as a valid url, '
                                     'policyUrl: policy url is expected to be passed as a valid url')


def test_unknown_scope_is_checked_after_bean_validation_and_before_the_service_rules(portal):
    resp = portal.call('POST', '/api/2.0/clients', body=dict(APP, scopes=['files:admin', None], name='ab'))
    assert errors_of(resp) == [
        ('name', 'ErrorName', 'client name length is expected to be between 3 and 256 characters')]
    resp = portal.call('POST', '/api/2.0/clients',
                       body=dict(APP, scopes=['files:read', None], website_url='a.example.com'))
    assert errors_of(resp) == [('scopes', 'ErrorInvalidScope', 'Invalid scopes: null')]


@emulator_only('server_version')
def test_develop_checks_the_service_rules_before_the_unknown_scope(portal):
    portal.emulator.server_version = 'develop'  # validate(command) first, then validateScopes
    resp = portal.call('POST', '/api/2.0/clients', body=dict(APP, scopes=['files:admin'], website_url='a.example.com'))
    assert resp.json()['detail'].startswith('websiteUrl:')


def test_update_texts_372(portal):
    client = portal.create()
    path = '/api/2.0/clients/' + client['client_id']
    resp = portal.call('PUT', path, body={'name': 'Renamed', 'logo': LOGO})
    # 3.7.2's UpdateClientRequest has no @NotNull on allowed_origins: only @URLCollection refuses the null
    assert errors_of(resp) == [('allowed_origins', 'ErrorWrongURL', 'url collection has invalid entries')]


@emulator_only('server_version')
def test_update_texts_develop(portal):
    path = '/api/2.0/clients/' + portal.create()['client_id']
    portal.emulator.server_version = 'develop'
    resp = portal.call('PUT', path, body={'name': 'Renamed', 'logo': LOGO})
    assert errors_of(resp) == sorted([
        ('allowed_origins', 'EmptyFieldError', 'allowed origins must not be null'),
        ('allowed_origins', 'ErrorWrongURL', 'url collection has invalid entries'),
        ('redirect_uris', 'EmptyFieldError', 'redirect uris must not be null'),
        ('redirect_uris', 'ErrorWrongURL', 'url collection has invalid entries'),
        ('scopes', 'EmptyFieldError', 'scopes field can not be empty')])
    resp = portal.call('PUT', path, body={'name': 'Renamed', 'logo': LOGO, 'allowed_origins': ['https://a.io'],
                                          'redirect_uris': ['https://a.io/cb'], 'scopes': ['files:admin']})
    assert errors_of(resp) == [('scopes', 'ErrorInvalidScope', 'Invalid scopes: files:admin')]


def test_not_found_texts_are_the_servers(portal):
    admin_client = portal.create()
    cid = admin_client['client_id']
    user = portal.identity('user')
    tenant = portal.identity()['tenant']

    def detail(method, path, role='admin', **kwargs):
        resp = portal.call(method, path, role=role, **kwargs)
        assert resp.status_code == 404 and resp.json()['instance'] == path, resp.text
        return resp.json()['detail']

    update = {'body': {'name': 'Renamed', 'logo': LOGO, 'allowed_origins': ['https://a.io']}}
    # reads: ClientQueryHandler ('ID', a USER named by id)
    assert detail('GET', '/api/2.0/clients/' + UNKNOWN) == \
        'Client with ID %s for tenant %d was not found' % (UNKNOWN, tenant)
    assert detail('GET', '/api/2.0/clients/%s/info' % cid, 'user') == \
        'Client with ID %s for tenant %d and user %s was not found' % (cid, tenant, user['user_id'])
    # writes: ClientUpdateCommandHandler ('id', a USER named by e-mail)
    for method, suffix, kwargs in (('PUT', '', update), ('PATCH', '/activation', {'body': {'status': True}}),
                                   ('PATCH', '/regenerate', {}), ('DELETE', '', {})):
        assert detail(method, '/api/2.0/clients/' + UNKNOWN + suffix, **kwargs) == \
            'Client with id %s for tenant %d was not found' % (UNKNOWN, tenant)
        assert detail(method, '/api/2.0/clients/' + cid + suffix, 'user', **kwargs) == \
            'Client with id %s for tenant %d and user %s was not found' % (cid, tenant, user['email'])
    # public info: any tenant, 'id'
    assert detail('GET', '/api/2.0/clients/%s/public/info' % UNKNOWN, None) == \
        'Client with id %s was not found' % UNKNOWN
    assert detail('GET', '/api/2.0/clients/nope/public/info', None) == \
        'Client with id nope was not found. Invalid client id format'
    assert detail('DELETE', '/api/2.0/clients/nope') == 'Client with id nope was not found. Invalid client id format'


def test_client_ids_are_parsed_as_java_does(portal):
    client = portal.create()
    upper = client['client_id'].upper()
    assert portal.call('GET', '/api/2.0/clients/' + upper).json()['client_id'] == client['client_id']
    lenient = portal.call('GET', '/api/2.0/clients/0-0-0-0-0')  # UUID.fromString accepts it
    tenant = portal.identity()['tenant']
    assert lenient.json()['detail'] == 'Client with ID 0-0-0-0-0 for tenant %d was not found' % tenant
    assert 'Invalid client id format' in portal.call('GET', '/api/2.0/clients/0-0-0-0').json()['detail']


def test_update_finds_the_client_before_the_database_refuses_the_name(portal):
    body = {'name': 'n' * 256, 'logo': LOGO, 'allowed_origins': ['https://a.io']}
    assert portal.call('PUT', '/api/2.0/clients/' + UNKNOWN, body=body).status_code == 404
    client = portal.create()
    assert portal.call('PUT', '/api/2.0/clients/' + client['client_id'], body=body).json()['detail'] == \
        'A database error occurred'


@pytest.mark.parametrize('path', ['/api/2.0/clients/consents', '/api/2.0/clients/info', '/api/2.0/clients'])
def test_limit_texts_are_the_annotations(portal, path):
    for limit, message in ((0, 'limit must be at least 1'), (51, 'limit must be at most 50')):
        resp = portal.call('GET', path, params={'limit': limit})
        assert resp.status_code == 400 and errors_of(resp) == [('limit', 'ErrorName', message)]
    # the cursor is converted while binding, before method validation looks at the limit
    cursor = 'last_modified_on' if 'consents' in path else 'last_created_on'
    assert portal.call('GET', path, params={'limit': 0, cursor: 'garbage'}).status_code == 500


# ----- more faults -------------------------------------------------------------------------
def fault(portal, **spec):
    resp = portal.http.post(portal.url + '/__emulator__/faults', json=spec)
    assert resp.status_code == 200, resp.text


def stored(portal):
    return portal.http.get(portal.url + '/__emulator__/clients').json()


def last_log(portal):
    log = [e for e in portal.http.get(portal.url + '/__emulator__/requests').json()
           if e['path'] != '/api/2.0/security/oauth2/token']
    return log[-1] if log else {}


@emulator_only('fault injection')
def test_fault_control_refuses_what_it_cannot_run(portal):
    control = portal.url + '/__emulator__/faults'
    assert portal.http.post(control, json={'action': 'explode'}).status_code == 400
    assert portal.http.post(control, json={'action': 'redirect'}).status_code == 400  # no location
    assert portal.http.post(control, json={'action': 'drop', 'path': '(['}).status_code == 400
    both = [{'action': 'drop'}, {'action': 'nope'}]
    assert portal.http.post(control, json=both).status_code == 400
    assert portal.http.get(control).json() == []  # all or none


@emulator_only('fault injection')
def test_fault_redirect_answers_a_location_and_processes_nothing(portal):
    portal.jwt()
    fault(portal, method='POST', path='/api/2.0/clients', action='redirect', location='https://sso.example.com/login')
    resp = portal.call('POST', '/api/2.0/clients', body=APP, allow_redirects=False)
    assert resp.status_code == 302 and resp.headers['Location'] == 'https://sso.example.com/login'
    assert resp.content == b'' and stored(portal) == []
    assert last_log(portal) == {'method': 'POST', 'path': '/api/2.0/clients', 'query': '', 'status': 302,
                                'fault': 'redirect'}
    fault(portal, method='GET', path='/api/2.0/clients', action='redirect', location='/login', status=307)
    resp = portal.call('GET', '/api/2.0/clients', allow_redirects=False)
    assert resp.status_code == 307 and resp.headers['Location'] == '/login'


@emulator_only('fault injection')
def test_fault_cut_body_stores_the_change_and_breaks_the_answer(portal):
    portal.jwt()
    fault(portal, method='POST', path='/api/2.0/clients', action='cut_body')
    with pytest.raises(requests.exceptions.ChunkedEncodingError):
        portal.call('POST', '/api/2.0/clients', body=APP)
    assert len(stored(portal)) == 1
    assert last_log(portal) == {'method': 'POST', 'path': '/api/2.0/clients', 'query': '', 'status': 201,
                                'fault': 'cut_body'}
    # at the socket: the real status and Content-Length, half the bytes, then the end of the connection
    host, port = portal.url.split('//')[1].split(':')
    conn = http.client.HTTPConnection(host, int(port), timeout=5)
    fault(portal, method='GET', path='/api/2.0/scopes', action='cut_body')
    conn.request('GET', '/api/2.0/scopes', headers={'x-signature': portal.jwt()})
    resp = conn.getresponse()
    length = int(resp.getheader('Content-Length'))
    assert resp.status == 200 and length > 100
    with pytest.raises(http.client.IncompleteRead) as err:
        resp.read()
    assert len(err.value.partial) == length // 2
    conn.close()
    # an empty answer announces 10 bytes and sends none
    client = stored(portal)[0]
    fault(portal, method='PATCH', path='.*/activation', action='cut_body')
    with pytest.raises(requests.exceptions.ChunkedEncodingError):
        portal.call('PATCH', '/api/2.0/clients/%s/activation' % client['client_id'], body={'status': False})
    assert stored(portal)[0]['enabled'] is False


@emulator_only('fault injection')
def test_fault_drop_then_commit_lands_later_and_reset_cancels_it(portal):
    portal.jwt()
    fault(portal, method='POST', path='/api/2.0/clients', action='drop_then_commit', delay=0.3)
    with pytest.raises(requests.exceptions.ConnectionError):
        portal.call('POST', '/api/2.0/clients', body=APP)
    assert stored(portal) == [] and all(e.get('fault') != 'drop_then_commit' for e in
                                        portal.http.get(portal.url + '/__emulator__/requests').json())
    deadline = time.time() + 5
    while not stored(portal) and time.time() < deadline:
        time.sleep(0.05)
    assert len(stored(portal)) == 1
    assert last_log(portal) == {'method': 'POST', 'path': '/api/2.0/clients', 'query': '', 'status': 201,
                                'fault': 'drop_then_commit'}
    # a reset before it lands cancels it
    fault(portal, method='POST', path='/api/2.0/clients', action='drop_then_commit', delay=0.3)
    with pytest.raises(requests.exceptions.ConnectionError):
        portal.call('POST', '/api/2.0/clients', body=APP)
    assert len(portal.emulator.timers) == 1
    portal.http.post(portal.url + '/__emulator__/reset')
    time.sleep(0.6)
    assert stored(portal) == [] and portal.http.get(portal.url + '/__emulator__/requests').json() == []
    assert portal.emulator.timers == []


@emulator_only('fault injection')
def test_fault_login_page_is_html_and_processes_nothing(portal):
    portal.jwt()
    portal.emulator.faults.append(dict(method='POST', path='/api/2.0/clients', action='login_page'))
    resp = portal.call('POST', '/api/2.0/clients', body=APP)
    assert resp.status_code == 200 and resp.headers['Content-Type'] == 'text/html'
    assert '<form' in resp.text and 'DocSpace' in resp.text and stored(portal) == []
    with pytest.raises(ValueError):
        resp.json()
    assert last_log(portal)['fault'] == 'login_page' and last_log(portal)['status'] == 200


@emulator_only('fault injection')
def test_fault_commit_then_status_can_answer_200_with_any_json(portal):
    portal.jwt()
    fault(portal, method='POST', path='/api/2.0/clients', action='commit_then_status', status=200, body='{}',
          content_type='application/json')
    resp = portal.call('POST', '/api/2.0/clients', body=APP)
    assert resp.status_code == 200 and resp.headers['Content-Type'] == 'application/json' and resp.json() == {}
    assert len(stored(portal)) == 1
    assert last_log(portal) == {'method': 'POST', 'path': '/api/2.0/clients', 'query': '', 'status': 200,
                                'fault': 'commit_then_status'}
    fault(portal, method='POST', path='/api/2.0/clients', action='commit_then_status', status=200, body={'ok': 1})
    resp = portal.call('POST', '/api/2.0/clients', body=APP)  # a JSON value is sent as JSON
    assert resp.json() == {'ok': 1} and resp.headers['Content-Type'] == 'application/json'


@emulator_only('fault injection')
@pytest.mark.parametrize('spec', [
    {'action': 'status', 'status': 503}, {'action': 'drop'}, {'action': 'delay', 'delay': 0.01},
    {'action': 'slow_answer', 'delay': 0.01}, {'action': 'commit_then_drop'}, {'action': 'commit_then_status'},
    {'action': 'redirect', 'location': '/login'}, {'action': 'cut_body'}, {'action': 'drop_then_commit', 'delay': 0.05},
    {'action': 'login_page'},
])
def test_every_fault_is_logged_with_its_action(portal, spec):
    portal.jwt()
    fault(portal, method='GET', path='/api/2.0/scopes', **spec)
    try:
        portal.call('GET', '/api/2.0/scopes', allow_redirects=False)
    except requests.exceptions.RequestException:
        pass
    deadline = time.time() + 5
    while last_log(portal).get('fault') != spec['action'] and time.time() < deadline:
        time.sleep(0.02)
    assert last_log(portal)['fault'] == spec['action']


@emulator_only('fault injection')
def test_a_delayed_commit_lands_after_the_client_gave_up_and_the_emulator_stays_quiet(portal, capsys):
    portal.jwt()
    fault(portal, method='POST', path='/api/2.0/clients', action='delay', delay=0.5)
    with pytest.raises(requests.exceptions.ReadTimeout):
        portal.http.post(portal.url + '/api/2.0/clients', json=APP, headers={'x-signature': portal.jwt()},
                         timeout=0.1)
    deadline = time.time() + 5
    while not stored(portal) and time.time() < deadline:
        time.sleep(0.05)
    assert len(stored(portal)) == 1
    time.sleep(0.3)  # the answer's write to the closed socket has failed by now
    assert last_log(portal)['status'] == 201 and last_log(portal)['fault'] == 'delay'
    assert 'Traceback' not in capsys.readouterr().err


@pytest.mark.parametrize('role', ['admin', 'guest'])
def test_a_blank_client_id_fails_method_validation_before_the_role_check(portal, role):
    blank = [('client_id', 'EmptyFieldError', 'must not be blank')]
    for method, path in (('GET', '/api/2.0/clients/%20'), ('GET', '/api/2.0/clients/%20/info'),
                         ('DELETE', '/api/2.0/clients/%09'), ('PATCH', '/api/2.0/clients/%20/regenerate'),
                         ('DELETE', '/api/2.0/clients/%20/revoke')):
        resp = portal.call(method, path, role=role)
        assert resp.status_code == 400 and errors_of(resp) == blank, (method, path, resp.text)
        assert resp.json()['instance'] == path  # as sent, still encoded
    # the body's constraints come in the same answer
    body = {'name': 'ab', 'logo': LOGO, 'allowed_origins': ['https://a.io']}
    resp = portal.call('PUT', '/api/2.0/clients/%20', role=role, body=body)
    assert errors_of(resp) == sorted(blank + [
        ('name', 'ErrorName', 'client name length is expected to be between 3 and 256 characters')])
    assert portal.call('PATCH', '/api/2.0/clients/%20/activation', role=role, body={'status': 'x'}).status_code == 500


@emulator_only('the emulator program')
def test_a_busy_port_is_a_clear_message_not_a_traceback():
    import socket
    import subprocess
    with socket.socket() as busy:
        busy.bind(('127.0.0.1', 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        proc = subprocess.run([sys.executable, emu.__file__, '--port', str(port)], capture_output=True, text=True,
                              timeout=30, check=False)
    assert proc.returncode == 1 and 'Traceback' not in proc.stderr
    assert 'cannot listen on 127.0.0.1:%d' % port in proc.stderr and '--port' in proc.stderr


def test_list_sizes_count_different_items_as_a_java_set_does(portal):
    # Set<String> fields: 13 entries that are 12 different URIs pass @Size(max = 12); 13 different ones do not.
    twelve = ['https://r%d.example.com/cb' % i for i in range(12)]
    resp = portal.call('POST', '/api/2.0/clients', body=dict(APP, name='Twelve', redirect_uris=twelve + twelve[:1]))
    assert resp.status_code == 201 and sorted(resp.json()['redirect_uris']) == sorted(twelve)
    body = dict(APP, name='Thirteen', redirect_uris=twelve + ['https://x.example.com/cb'])
    resp = portal.call('POST', '/api/2.0/clients', body=body)
    assert resp.status_code == 400 and ('redirect_uris', 'ErrorName', 'redirect uris must contain at least 1 and at '
                                        'most 12 addresses') in errors_of(resp)


# ----- the differential report (conftest.py, differential.py) -------------------------------
def _exchange(method, path, status, body=None, headers=None, kind=None):
    content = b'' if body is None else (body if isinstance(body, bytes) else json.dumps(body).encode())
    headers = requests.structures.CaseInsensitiveDict(headers or {})
    if body is not None:
        headers.setdefault('Content-Type', 'application/json')
    return differential.exchange(method, 'http://127.0.0.1:1' + path, status, headers, content, kind)


def test_the_report_names_every_kind_of_difference(tmp_path):
    cid, other = '6c7cf17b-1bd3-47d5-94c6-be2d3570e168', '0e4b2c9a-5a43-4a0f-9f7e-3f1b2d1c0a99'
    limits = {'X-Ratelimit-Limit': '10', 'X-Ratelimit-Remaining': '9', 'X-Ratelimit-Reset': '60'}
    expected = {'t.py::test_a': [
        _exchange('POST', '/api/2.0/clients', 201, {'client_id': cid, 'enabled': True}),
        _exchange('GET', '/api/2.0/clients/' + cid, 200, {'client_id': cid, 'scopes': ['openid']}),
        _exchange('GET', '/api/2.0/clients/' + cid + '/info', 404, {'detail': 'Client with ID %s was not found' % cid}),
        _exchange('GET', '/api/2.0/clients', 200, {'data': []}, limits),
        _exchange('DELETE', '/api/2.0/clients/' + cid, 200),
    ]}
    observed = {'t.py::test_a': [
        _exchange('POST', '/api/2.0/clients', 400, {'detail': 'Validation failed'}),
        _exchange('GET', '/api/2.0/clients/' + other, 200, {'client_id': 1, 'scopes': 'openid', 'new': None}),
        _exchange('GET', '/api/2.0/clients/' + other + '/info', 404, {'detail': 'No client %s' % other}),
        _exchange('GET', '/api/2.0/clients', 200, {'data': []}, {'X-Ratelimit-Limit': '200', 'Retry-After': '1'}),
        _exchange('PUT', '/api/2.0/clients/' + other, 422, {'error': 'live guard: name too long'},
                  {'X-Live-Guard': 'not-sent'}),
        _exchange('GET', '/api/2.0/scopes', 200, []),
    ]}
    report = differential.build_report('live', expected, observed, {'t.py::test_a': 'passed'})
    path = differential.write_report(report, str(tmp_path))
    assert path == str(tmp_path / 'differential-live.json')
    written = json.loads((tmp_path / 'differential-live.json').read_text())
    found = {(d['exchange'], d['field'], d['expected'], d['observed']) for d in written['differences']['t.py::test_a']}
    assert found == {
        ('#1 POST /api/2.0/clients', 'status', '201', '400'),
        ('#1 POST /api/2.0/clients', 'body.client_id', 'str', '(missing)'),
        ('#1 POST /api/2.0/clients', 'body.enabled', 'bool', '(missing)'),
        ('#1 POST /api/2.0/clients', 'body.detail', '(absent)', 'str'),
        ('#1 POST /api/2.0/clients', 'text detail', '(absent)', 'Validation failed'),
        ('#2 GET /api/2.0/clients/{id}', 'body.client_id', 'str', 'int'),
        ('#2 GET /api/2.0/clients/{id}', 'body.scopes', '["str"]', 'str'),
        ('#2 GET /api/2.0/clients/{id}', 'body.new', '(absent)', 'null'),
        ('#3 GET /api/2.0/clients/{id}/info', 'text detail', 'Client with ID {id} was not found', 'No client {id}'),
        ('#4 GET /api/2.0/clients', 'header x-ratelimit-limit', '10', '200'),
        ('#4 GET /api/2.0/clients', 'header x-ratelimit-remaining', 'int', '(absent)'),
        ('#4 GET /api/2.0/clients', 'header x-ratelimit-reset', 'int', '(absent)'),
        ('#4 GET /api/2.0/clients', 'header retry-after', '(absent)', 'present'),
        ('#5 (expected) DELETE /api/2.0/clients/{id}', 'exchange', 'made', '(not made)'),
    }
    counts = written['counts']
    assert (counts['differences'], counts['not_sent'], counts['without_expectation'], counts['compared']) == \
        (14, 1, 1, 4)
    assert written['not_sent'][0]['exchange'] == '#5 PUT /api/2.0/clients/{id}'  # reported apart, not compared
    assert written['without_expectation'][0]['exchange'] == '#6 GET /api/2.0/scopes'
    md = (tmp_path / 'differential-live.md').read_text()
    assert '| **14** |' in md and '| `GET /api/2.0/clients` | header x-ratelimit-limit | 10 | 200 | 1 |' in md
    assert '### t.py::test_a' in md and 'Not sent: the live guard answered itself' in md
    # the same exchanges on both sides: nothing to report; a failed test's missing exchanges are no difference
    same = differential.build_report('emulator', expected, {'t.py::test_a': expected['t.py::test_a'][:2]},
                                     {'t.py::test_a': 'failed'})
    assert same['counts']['differences'] == 0 and same['counts']['expected_not_reached'] == 3


def _scenario(url, key):
    """The same requests on any emulator; returns their records."""
    recorder = differential.Recorder()
    recorder.start('t.py::test_scenario')
    http = requests.Session()

    def send(method, path, **kwargs):
        resp = http.request(method, url + path, timeout=10, **kwargs)
        recorder.record(resp)
        return resp

    jwt = dict((role, send('GET', '/api/2.0/security/oauth2/token', headers={'Authorization': 'Bearer ' + k})
                .json()['response']) for role, k in key.items())
    admin, user = {'x-signature': jwt['admin']}, {'x-signature': jwt['user']}
    first = send('POST', '/api/2.0/clients', json=APP, headers=admin).json()
    send('POST', '/api/2.0/clients', json=dict(APP, name='Second'), headers=admin)
    page = send('GET', '/api/2.0/clients', params={'limit': 1}, headers=admin).json()
    send('GET', '/api/2.0/clients', params={'limit': 1, 'last_client_id': page['last_client_id'],
                                            'last_created_on': page['last_created_on']}, headers=admin)
    send('PATCH', '/api/2.0/clients/%s/regenerate' % first['client_id'], headers=admin)
    send('GET', '/api/2.0/clients/%s/info' % first['client_id'], headers=user)
    send('DELETE', '/api/2.0/clients/%s' % first['client_id'], headers=user)
    send('PUT', '/api/2.0/clients/' + first['client_id'], json={'name': 'ab'}, headers=admin)
    send('GET', '/api/2.0/clients/%s/public/info' % UNKNOWN)
    return recorder.observed, first


def test_two_emulator_runs_compare_equal_once_normalised():
    runs = []
    for dummy in range(2):
        emulator = emu.Emulator()  # its own keys, signing key, ids, timestamps and secrets
        with emu.running(emulator) as url:
            creds = emulator.credentials()
            runs.append(_scenario(url, {'admin': creds['admin']['api_key'], 'user': creds['user']['api_key']}))
    (one, first_one), (two, first_two) = runs
    assert first_one['client_id'] != first_two['client_id'] and first_one['client_secret'] != first_two['client_secret']
    assert first_one['created_on'] != first_two['created_on']
    records = one['t.py::test_scenario']
    assert one == two and len(records) == 11
    assert records[5]['request'] == 'GET /api/2.0/clients?limit=1&last_client_id={id}&last_created_on={ts}'
    assert records[8]['text']['detail'] == 'Client with id {id} for tenant {n} and user {email} was not found'
    assert records[8]['text']['instance'] == '/api/2.0/clients/{id}'
    assert records[2]['body']['client_secret'] == 'str' and records[2]['body']['created_on'] == 'str'
    assert first_one['client_secret'] not in json.dumps(one) and first_one['client_id'] not in json.dumps(one)
    report = differential.build_report('emulator', one, two, {'t.py::test_scenario': 'passed'})
    assert report['counts']['differences'] == 0 and report['counts']['compared'] == 11


def test_the_expectations_file_is_stable_and_holds_no_value(tmp_path):
    if os.environ.get('DOCSPACE_RECORD_EXPECTATIONS') == '1':
        pytest.skip('the file is being re-recorded')
    with open(differential.EXPECTATIONS, encoding='utf-8') as handle:
        recorded = handle.read()
    copy = str(tmp_path / 'again.json')
    differential.dump_expectations(differential.load_expectations(), copy)
    with open(copy, encoding='utf-8') as handle:
        assert handle.read() == recorded  # loading and writing it again changes nothing: stable order, no clock
    answers = json.dumps(list(differential.load_expectations().values()))  # the test names aside
    assert not differential.UUID_RE.search(answers) and not differential.TIMESTAMP_RE.search(answers)
    assert 'sk-admin-key' not in recorded and '@example.com' not in answers  # nor a user's e-mail


def test_live_session_waits_out_a_429_and_skips_what_the_guard_did_not_send(monkeypatch):
    import threading
    from http.server import BaseHTTPRequestHandler, HTTPServer

    import conftest
    answers = [(429, {'X-Ratelimit-Remaining': '0', 'X-Ratelimit-Reset': '1'}, b''),
               (201, {'Content-Type': 'application/json'}, b'{"client_id": "%s"}' % UNKNOWN.encode()),
               (422, {'Content-Type': 'application/json', 'X-Live-Guard': 'not-sent'},
                b'{"error": "live guard: name too long to carry the run prefix"}')]

    class Guard(BaseHTTPRequestHandler):
        def do_POST(self):  # pylint: disable=invalid-name
            self.rfile.read(int(self.headers.get('Content-Length') or 0))
            status, headers, body = answers.pop(0)
            self.send_response(status)
            for key, value in dict(headers, **{'Content-Length': str(len(body))}).items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):  # pylint: disable=arguments-differ
            pass

    server = HTTPServer(('127.0.0.1', 0), Guard)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    recorder, waits = differential.Recorder(), []
    monkeypatch.setattr(conftest, 'RECORDER', recorder)
    monkeypatch.setattr(differential, 'wait_after_429', lambda headers: waits.append(dict(headers)) or 0.01)
    recorder.start('t.py::test_live')
    try:
        session = conftest.Session(live=True)
        url = 'http://127.0.0.1:%d/api/2.0/clients' % server.server_address[1]
        assert session.post(url, json=APP).status_code == 201  # the 429 is waited out and sent again
        assert session.created == [UNKNOWN] and waits[0]['X-Ratelimit-Reset'] == '1'
        with pytest.raises(pytest.skip.Exception, match='live guard: not-sent POST /api/2.0/clients: live guard: name'):
            session.post(url, json=dict(APP, name='n' * 250))
    finally:
        server.shutdown()
        server.server_close()
    assert [(r['status'], r.get('kind')) for r in recorder.observed['t.py::test_live']] == \
        [(429, 'throttled'), (201, None), (422, 'not-sent')]
    report = differential.build_report('live', {'t.py::test_live': [dict(recorder.observed['t.py::test_live'][1])]},
                                       recorder.observed, {'t.py::test_live': 'skipped'})
    assert (report['counts']['differences'], report['counts']['throttled'], report['counts']['not_sent']) == (0, 1, 1)
