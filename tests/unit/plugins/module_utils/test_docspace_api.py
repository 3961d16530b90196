# -*- coding: utf-8 -*-
# Copyright: (c) 2026, onlyoffice.docspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The transport: authentication, retries, error text, redaction and paging."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import json
import time

import pytest
import requests
import responses

from ansible_collections.onlyoffice.docspace.plugins.module_utils import _docspace_api as api
from ansible_collections.onlyoffice.docspace.plugins.module_utils import _retry

URL = 'https://portal.example.com'
TOKEN_URL = URL + '/api/2.0/security/oauth2/token'
CLIENTS = URL + '/api/2.0/clients'
CID = '6f1c2a3b-0d4e-4f5a-8b6c-7d8e9f0a1b2c'


def jwt(exp_in=300, marker='a'):
    head = base64.urlsafe_b64encode(b'{"alg":"HS256"}').rstrip(b'=').decode()
    body = base64.urlsafe_b64encode(json.dumps({'exp': int(time.time()) + exp_in}).encode()).rstrip(b'=').decode()
    return '%s.%s.%s' % (head, body, 'sig' + marker * 10)


def token_response(token):
    return {'response': token, 'count': 1, 'status': 0, 'statusCode': 200}


@pytest.fixture
def client():
    sleeps, warnings = [], []
    conn = api.DocSpaceAPI(URL, api_key='sk-secret-key-123', retries=3, warn=warnings.append, sleep=sleeps.append)
    conn.sleeps, conn.warnings = sleeps, warnings
    return conn


@responses.activate
def test_api_key_is_exchanged_once_for_the_signature(client):
    token = jwt()
    responses.get(TOKEN_URL, json=token_response(token))
    responses.get(CLIENTS, json={'data': [], 'limit': 50, 'last_client_id': None, 'last_created_on': None})
    list(client.list_clients())
    list(client.list_clients())
    calls = responses.calls
    assert calls[0].request.headers['Authorization'] == 'Bearer sk-secret-key-123'
    assert calls[1].request.headers['x-signature'] == token
    assert 'Authorization' not in calls[1].request.headers
    assert len([c for c in calls if c.request.url == TOKEN_URL]) == 1


@responses.activate
def test_login_with_password_then_exchange():
    responses.post(URL + '/api/2.0/authentication', json={'response': {'token': 'login-token-xyz'}})
    responses.get(TOKEN_URL, json=token_response(jwt()))
    responses.get(CLIENTS + '/' + CID, json={'client_id': CID})
    conn = api.DocSpaceAPI(URL, username='admin@example.com', password='pa55word!')
    assert conn.get_client(CID)['client_id'] == CID
    assert json.loads(responses.calls[0].request.body) == {'userName': 'admin@example.com', 'password': 'pa55word!'}
    assert responses.calls[1].request.headers['Authorization'] == 'login-token-xyz'


@responses.activate
def test_signature_is_renewed_before_it_expires(client):
    responses.get(TOKEN_URL, json=token_response(jwt(exp_in=10)))  # inside the renewal margin
    responses.get(CLIENTS + '/' + CID, json={'client_id': CID})
    client.get_client(CID)
    client.get_client(CID)
    assert len([c for c in responses.calls if c.request.url == TOKEN_URL]) == 2


@responses.activate
def test_an_empty_403_renews_the_signature_once(client):
    responses.get(TOKEN_URL, json=token_response(jwt(marker='a')))
    responses.get(TOKEN_URL, json=token_response(jwt(marker='b')))
    responses.get(CLIENTS + '/' + CID, status=403, body=b'')
    responses.get(CLIENTS + '/' + CID, json={'client_id': CID})
    assert client.get_client(CID)['client_id'] == CID
    with_sig = [c.request.headers['x-signature'] for c in responses.calls if 'x-signature' in c.request.headers]
    assert with_sig[0] != with_sig[1]


@responses.activate
def test_a_403_problem_is_not_cured_by_renewal(client):
    responses.get(TOKEN_URL, json=token_response(jwt()))
    responses.get(CLIENTS + '/' + CID, status=403, json={'title': 'Forbidden', 'status': 403, 'detail': 'Access denied'})
    with pytest.raises(api.Forbidden) as exc:
        client.get_client(CID, 'read OAuth client x')
    assert str(exc.value).startswith('Could not read OAuth client x: HTTP 403 Forbidden: Access denied: managing '
                                     'OAuth apps needs a DocSpace account with the admin or user role')
    assert len(responses.calls) == 2


@responses.activate
def test_retries_429_with_the_nanosecond_reset_and_warns_each_time(client):
    responses.get(TOKEN_URL, json=token_response(jwt()))
    responses.get(CLIENTS + '/' + CID, status=429, headers={'X-Ratelimit-Reset': str(int(7.5e9))})
    responses.get(CLIENTS + '/' + CID, status=503, json={'title': 'Service Unavailable'})
    responses.get(CLIENTS + '/' + CID, json={'client_id': CID})
    assert client.get_client(CID)['client_id'] == CID
    assert client.sleeps[0] == 7.5 and 0 < client.sleeps[1] <= 2
    assert len(client.warnings) == 2 and 'HTTP 429; retry 1 of 3' in client.warnings[0]


@pytest.mark.parametrize('value, expected', [('5', 5.0), (str(int(3e9)), 3.0), ('junk', None), ('-1', None),
                                             (str(int(9e11)), None), (None, None)])
def test_reset_header_is_used_only_when_sane(value, expected):
    assert _retry.pause_from_reset(value) == expected


@responses.activate
def test_gives_up_after_the_retry_budget_with_the_status(client):
    responses.get(TOKEN_URL, json=token_response(jwt()))
    responses.get(CLIENTS + '/' + CID, status=502, body='<html>bad gateway</html>', content_type='text/html')
    with pytest.raises(api.DocSpaceError) as exc:
        client.get_client(CID, 'read OAuth client x')
    assert 'HTTP 502 Bad Gateway: an HTML error page from a proxy' in str(exc.value)
    assert len(client.sleeps) == 3


@responses.activate
def test_problem_detail_errors_are_listed(client):
    responses.get(TOKEN_URL, json=token_response(jwt()))
    responses.post(CLIENTS, status=400, json={
        'title': 'Bad Request', 'status': 400, 'detail': 'Validation failed',
        'errors': [{'field': 'redirect_uris', 'code': 'ErrorWrongURL', 'message': 'url collection has invalid entries'}]})
    with pytest.raises(api.BadRequest) as exc:
        client.create_client({'name': 'x'}, 'create OAuth client x')
    assert str(exc.value) == ('Could not create OAuth client x: HTTP 400 Bad Request: Validation failed '
                              '(redirect_uris: url collection has invalid entries)')


@responses.activate
def test_secrets_never_reach_messages(client):
    token = jwt()
    responses.get(TOKEN_URL, json=token_response(token))
    responses.get(CLIENTS + '/' + CID, status=400, json={'detail': 'bad key sk-secret-key-123 and %s' % token})
    with pytest.raises(api.DocSpaceError) as exc:
        client.get_client(CID)
    assert 'sk-secret-key-123' not in str(exc.value) and token not in str(exc.value)
    assert str(exc.value).count('********') == 2


@responses.activate
def test_an_unknown_create_outcome_is_looked_up_before_a_second_post(client):
    responses.get(TOKEN_URL, json=token_response(jwt()))
    responses.post(CLIENTS, status=504, body='<html/>', content_type='text/html')
    responses.get(CLIENTS, json={'data': [{'client_id': CID, 'name': 'App'}], 'last_created_on': None})
    responses.get(CLIENTS + '/' + CID, json={'client_id': CID, 'name': 'App', 'client_secret': 's' * 36})
    created = client.create_client({'name': 'App'}, 'create OAuth client App')
    assert created['client_secret'] == 's' * 36
    assert len([c for c in responses.calls if c.request.method == 'POST']) == 1
    assert 'The create did reach DocSpace' in client.warnings[-1]
    assert client.sleeps == [30]  # a 504: the server may still be working, so wait one timeout before looking


@responses.activate
def test_a_create_whose_outcome_is_unknown_is_never_sent_again(client):
    # The server may apply it after the client gave up (a late commit): a second POST could make two.
    responses.get(TOKEN_URL, json=token_response(jwt()))
    responses.post(CLIENTS, body=requests.exceptions.ReadTimeout('read timed out'))
    responses.get(CLIENTS, json={'data': [], 'last_created_on': None})
    responses.post(CLIENTS, status=201, json={'client_id': CID, 'client_secret': 'x' * 36})
    with pytest.raises(api.OutcomeUnknown, match='not sent again.*run the task again'):
        client.create_client({'name': 'App'}, 'create OAuth client App')
    assert len([c for c in responses.calls if c.request.method == 'POST']) == 1
    assert len([c for c in responses.calls if c.request.method == 'GET' and c.request.url.startswith(CLIENTS)]) == 4
    assert client.sleeps[0] == 30  # a timeout: the server may still be working, so the first look waits


@responses.activate
def test_a_create_that_surely_never_left_is_sent_again(client):
    responses.get(TOKEN_URL, json=token_response(jwt()))
    responses.post(CLIENTS, body=requests.exceptions.ConnectTimeout('connect timed out'))
    responses.post(CLIENTS, body=requests.exceptions.ConnectionError('NewConnectionError: Connection refused'))
    responses.post(CLIENTS, status=201, json={'client_id': CID, 'client_secret': 'x' * 36})
    assert client.create_client({'name': 'App'}, 'create OAuth client App')['client_id'] == CID
    assert len([c for c in responses.calls if c.request.method == 'POST']) == 3


@responses.activate
def test_a_known_client_is_not_mistaken_for_the_new_one(client):
    responses.get(TOKEN_URL, json=token_response(jwt()))
    responses.post(CLIENTS, status=502)
    responses.get(CLIENTS, json={'data': [{'client_id': CID, 'name': 'App'}], 'last_created_on': None})
    with pytest.raises(api.OutcomeUnknown):
        client.create_client({'name': 'App'}, 'create', known_ids=(CID,))
    assert not [c for c in responses.calls if c.request.url.startswith(CLIENTS + '/')]  # the known one is not read


@responses.activate
def test_regenerate_is_not_retried_after_it_may_have_reached_the_server(client):
    responses.get(TOKEN_URL, json=token_response(jwt()))
    responses.patch(CLIENTS + '/' + CID + '/regenerate', status=503)
    with pytest.raises(api.OutcomeUnknown):
        client.regenerate_secret(CID, 'rotate')
    assert len([c for c in responses.calls if c.request.method == 'PATCH']) == 1


@responses.activate
def test_a_retried_delete_that_was_applied_counts_as_done(client):
    responses.get(TOKEN_URL, json=token_response(jwt()))
    responses.delete(CLIENTS + '/' + CID, status=504)
    responses.delete(CLIENTS + '/' + CID, status=404, json={'detail': 'Client with id x was not found'})
    client.delete_client(CID, 'delete')
    responses.delete(CLIENTS + '/' + CID, status=404, json={'detail': 'not found'})
    with pytest.raises(api.NotFound):
        client.delete_client(CID, 'delete')


@responses.activate
def test_pages_are_followed_to_the_end_and_a_stuck_cursor_fails(client):
    responses.get(TOKEN_URL, json=token_response(jwt()))
    responses.get(CLIENTS, json={'data': [{'client_id': '1'}], 'last_client_id': '1', 'last_created_on': 't1'})
    responses.get(CLIENTS, json={'data': [{'client_id': '2'}], 'last_client_id': None, 'last_created_on': None})
    assert [c['client_id'] for c in client.list_clients()] == ['1', '2']
    second = responses.calls[-1].request.url
    assert 'last_created_on=t1' in second and 'last_client_id=1' in second and 'limit=50' in second
    responses.get(CLIENTS, json={'data': [], 'last_client_id': '1', 'last_created_on': 't1'})
    responses.get(CLIENTS, json={'data': [], 'last_client_id': '1', 'last_created_on': 't1'})
    with pytest.raises(api.DocSpaceError, match='repeated the cursor'):
        list(client.list_clients())


@responses.activate
def test_tls_and_connection_failures_say_what_to_check(client):
    responses.get(TOKEN_URL, body=requests.exceptions.SSLError('certificate verify failed'))
    with pytest.raises(api.Unreachable, match='Set ca_path'):
        client.get_client(CID)
    responses.replace(responses.GET, TOKEN_URL, body=requests.exceptions.ConnectionError('Connection refused'))
    with pytest.raises(api.Unreachable, match='Check base_url'):
        client.get_client(CID)


@responses.activate
def test_a_portal_that_is_not_docspace_is_named():
    responses.get(TOKEN_URL, body='<html>hello</html>', content_type='text/html')
    with pytest.raises(api.DocSpaceError, match='HTML page, not JSON.*portal root'):
        api.DocSpaceAPI(URL, api_key='k' * 10, retries=0).get_client(CID)
    responses.replace(responses.GET, TOKEN_URL, json={'token': 'x'})
    with pytest.raises(api.DocSpaceError, match='not a DocSpace API envelope'):
        api.DocSpaceAPI(URL, api_key='k' * 10, retries=0).get_client(CID)


def test_jwt_expiry_parsing():
    assert api.jwt_expiry(jwt(exp_in=100)) == pytest.approx(time.time() + 100, abs=2)
    assert api.jwt_expiry('not.a.jwt') is None


VERIFY_CASES = [(True, None, True), (True, '/ca.pem', '/ca.pem'), (False, '/ca.pem', False)]


@pytest.mark.parametrize('validate, ca_path, expected', VERIFY_CASES)
def test_verify_is_sent_with_every_request(monkeypatch, validate, ca_path, expected):
    # requests lets REQUESTS_CA_BUNDLE replace a session-wide verify; a per-request one wins.
    monkeypatch.setenv('REQUESTS_CA_BUNDLE', '/etc/ssl/certs/ca-certificates.crt')
    seen = []

    def fake_request(method, url, **kwargs):
        seen.append(kwargs['verify'])
        raise requests.exceptions.SSLError('stop here')

    conn = api.DocSpaceAPI(URL, api_key='k' * 10, validate_certs=validate, ca_path=ca_path)
    monkeypatch.setattr(conn.conn.session, 'request', fake_request)
    with pytest.raises(api.Unreachable):
        conn.get_client(CID)
    assert seen == [expected]


@responses.activate
@pytest.mark.parametrize('status, kwargs, expected', [
    (401, {'json': {'error': {'message': 'User authentication failed'}, 'statusCode': 401}},
     'HTTP 401 Unauthorized: User authentication failed: check api_key, or username and password'),
    (429, {'body': b''}, 'HTTP 429 Too Many Requests: rate limited (DocSpace allows 10 creates a minute per user)'),
    (403, {'body': b''}, 'HTTP 403 Forbidden: the registration service refused the x-signature'),
    (418, {'body': 'teapot text', 'content_type': 'text/plain'}, "HTTP 418 I'm a Teapot: teapot text"),
    (400, {'json': {'errors': [{'field': 'limit', 'message': 'limit must be at most 50'}]}},
     'HTTP 400 Bad Request: (limit: limit must be at most 50)'),
])
def test_error_text_for_each_kind_of_answer(status, kwargs, expected):
    conn = api.DocSpaceAPI(URL, api_key='k' * 10, retries=0)
    responses.get(TOKEN_URL, json=token_response(jwt()))
    responses.get(TOKEN_URL, json=token_response(jwt(marker='b')))
    responses.get(CLIENTS + '/' + CID, status=status, **kwargs)
    with pytest.raises(api.DocSpaceError) as exc:
        conn.get_client(CID, 'read it')
    assert str(exc.value).startswith('Could not read it: ' + expected)


@responses.activate
def test_credential_and_envelope_problems_are_named():
    with pytest.raises(api.DocSpaceError, match='No credentials'):
        api.DocSpaceAPI(URL).get_client(CID)
    responses.post(URL + '/api/2.0/authentication', json={'response': {}})
    with pytest.raises(api.DocSpaceError, match='carried no token'):
        api.DocSpaceAPI(URL, username='u', password='p' * 8).get_client(CID)
    responses.get(TOKEN_URL, json=token_response('not-a-jwt'))
    with pytest.raises(api.DocSpaceError, match='carried no JWT'):
        api.DocSpaceAPI(URL, api_key='k' * 10).get_client(CID)


@responses.activate
def test_consents_follow_their_own_cursor_and_a_bad_page_is_named(client):
    consents = CLIENTS + '/consents'
    responses.get(TOKEN_URL, json=token_response(jwt()))
    responses.get(consents, json={'data': [{'registered_client_id': '1'}], 'last_modified_on': 't1'})
    responses.get(consents, json={'data': [{'registered_client_id': '2'}], 'last_modified_on': None})
    assert [c['registered_client_id'] for c in client.consents()] == ['1', '2']
    assert 'last_modified_on=t1' in responses.calls[-1].request.url
    responses.get(CLIENTS, json={'items': []})
    with pytest.raises(api.DocSpaceError, match='no data array'):
        list(client.list_clients())


@responses.activate
def test_find_client_is_none_when_absent_and_unknown_creates_give_up(client):
    responses.get(TOKEN_URL, json=token_response(jwt()))
    responses.get(CLIENTS + '/' + CID, status=404, json={'detail': 'not found'})
    assert client.find_client(CID) is None
    responses.post(CLIENTS, status=502)
    responses.get(CLIENTS, json={'data': [], 'last_created_on': None})
    with pytest.raises(api.OutcomeUnknown):
        client.create_client({'name': 'App'}, 'create')
    assert len([c for c in responses.calls if c.request.method == 'POST']) == 1  # looked for 4 times, never re-sent


# ----- a signature obtained earlier (the signature option) --------------------------------------
def given(token, **credentials):
    return api.DocSpaceAPI(URL, signature=token, retries=0, **credentials)


@responses.activate
@pytest.mark.parametrize('credentials', [{}, {'api_key': 'sk-secret-key-123'}])
def test_a_valid_given_signature_is_used_with_no_token_request(credentials):
    token = jwt(exp_in=300)
    responses.get(CLIENTS + '/' + CID, json={'client_id': CID})
    given(token, **credentials).get_client(CID)
    assert [c.request.url for c in responses.calls] == [CLIENTS + '/' + CID]
    assert responses.calls[0].request.headers['x-signature'] == token
    assert 'Authorization' not in responses.calls[0].request.headers


@responses.activate
def test_a_given_signature_near_its_end_is_renewed_when_credentials_allow():
    fresh = jwt(marker='f')
    responses.get(TOKEN_URL, json=token_response(fresh))
    responses.get(CLIENTS + '/' + CID, json={'client_id': CID})
    given(jwt(exp_in=10), api_key='sk-secret-key-123').get_client(CID)
    assert [c.request.url for c in responses.calls] == [TOKEN_URL, CLIENTS + '/' + CID]
    assert responses.calls[1].request.headers['x-signature'] == fresh


@responses.activate
def test_without_credentials_a_given_signature_is_used_to_its_last_second_then_fails_clearly():
    responses.get(CLIENTS + '/' + CID, json={'client_id': CID})
    clock = [time.time()]
    conn = api.DocSpaceAPI(URL, signature=jwt(exp_in=10), clock=lambda: clock[0])
    conn.get_client(CID)  # inside the renewal margin, but nothing to renew it with
    clock[0] += 11
    with pytest.raises(api.DocSpaceError, match='given in signature has expired.*set api_key'):
        conn.get_client(CID)
    assert len(responses.calls) == 1


@responses.activate
def test_a_refused_given_signature_fails_without_credentials_and_is_renewed_with_them():
    token, fresh = jwt(marker='g'), jwt(marker='h')
    responses.get(CLIENTS + '/' + CID, status=403, body=b'')
    with pytest.raises(api.Forbidden, match='given in signature was refused') as exc:
        given(token).get_client(CID)
    assert exc.value.status == 403 and token not in str(exc.value)
    responses.reset()
    responses.get(CLIENTS + '/' + CID, status=403, body=b'')
    responses.get(CLIENTS + '/' + CID, json={'client_id': CID})  # the second call
    responses.get(TOKEN_URL, json=token_response(fresh))
    given(token, api_key='sk-secret-key-123').get_client(CID)
    assert [c.request.headers.get('x-signature') for c in responses.calls] == [token, None, fresh]


def test_a_given_signature_is_scrubbed_even_when_it_is_not_a_jwt():
    assert api.DocSpaceAPI(URL, signature='opaque-token-value').scrub('got opaque-token-value') == 'got ********'


# ----- a hostile network ----------------------------------------------------------------------
ELSEWHERE = 'https://elsewhere.example.net'


@responses.activate
@pytest.mark.parametrize('location, named', [
    (ELSEWHERE + '/api/2.0/clients', 'another origin, https://elsewhere.example.net'),
    ('http://portal.example.com/api/2.0/clients', 'another origin, http://portal.example.com'),  # a downgrade
    ('https://user:pw@portal.example.com:8443/x', 'another origin, https://portal.example.com:8443'),
    ('/login?next=/api', 'to /login on the portal itself'),
])
def test_a_redirect_is_never_followed(client, location, named):
    responses.get(TOKEN_URL, json=token_response(jwt()))
    responses.get(CLIENTS, status=302, headers={'Location': location})
    responses.get(ELSEWHERE + '/api/2.0/clients', json={'data': []})
    responses.get(URL + '/login', json={'data': []})
    with pytest.raises(api.DocSpaceError) as exc:
        list(client.list_clients())
    assert named in str(exc.value) and 'HTTP 302' in str(exc.value) and ':pw@' not in str(exc.value)
    assert [c.request.url.split('?')[0] for c in responses.calls] == [TOKEN_URL, CLIENTS]


@responses.activate
def test_a_307_on_the_login_does_not_replay_the_password_elsewhere():
    responses.post(URL + '/api/2.0/authentication', status=307, headers={'Location': ELSEWHERE + '/steal'})
    responses.post(ELSEWHERE + '/steal', json={'response': {'token': 'x' * 20}})
    with pytest.raises(api.DocSpaceError, match='set base_url to https://elsewhere.example.net'):
        api.DocSpaceAPI(URL, username='admin', password='pa55word!').get_client(CID)
    assert [c.request.url for c in responses.calls] == [URL + '/api/2.0/authentication']


@responses.activate
def test_a_token_with_trailing_whitespace_is_trimmed_and_a_bad_one_never_quoted():
    token = jwt()
    responses.get(TOKEN_URL, json=token_response(token + '\r\n'))
    responses.get(CLIENTS + '/' + CID, json={'client_id': CID})
    assert api.DocSpaceAPI(URL, api_key='k' * 10).get_client(CID)['client_id'] == CID
    assert responses.calls[-1].request.headers['x-signature'] == token
    responses.replace(responses.GET, TOKEN_URL, json=token_response(token[:20] + '\n' + token[20:]))
    with pytest.raises(api.DocSpaceError) as exc:
        api.DocSpaceAPI(URL, api_key='k' * 10).get_client(CID)
    assert 'cannot go in an HTTP header' in str(exc.value) and token[:20] not in str(exc.value)
    responses.post(URL + '/api/2.0/authentication', json={'response': {'token': ' login-token-with-space\n'}})
    conn = api.DocSpaceAPI(URL, username='admin', password='pa55word!')
    responses.replace(responses.GET, TOKEN_URL, json=token_response(token))
    conn.get_client(CID)
    assert [c.request.headers.get('Authorization') for c in responses.calls if c.request.url == TOKEN_URL][-1] \
        == 'login-token-with-space'


@responses.activate
def test_an_error_body_is_scrubbed_before_it_is_shortened(client):
    responses.get(TOKEN_URL, json=token_response(jwt()))
    key = 'sk-secret-key-123'
    responses.get(CLIENTS + '/' + CID, status=400, body='x' * 190 + key + 'y' * 100, content_type='text/plain')
    with pytest.raises(api.DocSpaceError) as exc:
        client.get_client(CID)
    assert not any(key[i:i + 6] in str(exc.value) for i in range(len(key) - 5)), str(exc.value)
    assert '********' in str(exc.value)


@responses.activate
@pytest.mark.parametrize('bad', [
    {'body': requests.exceptions.ChunkedEncodingError('Connection broken: IncompleteRead(10 bytes read)')},
    {'body': '<html><form>Sign in to DocSpace</form></html>', 'content_type': 'text/html'},
    {'json': {'unexpected': True}},
    {'body': 'not json at all', 'content_type': 'application/json'},
])
def test_a_cut_or_foreign_answer_to_a_read_is_read_again(client, bad):
    responses.get(TOKEN_URL, json=token_response(jwt()))
    responses.get(CLIENTS + '/' + CID, **bad)
    responses.get(CLIENTS + '/' + CID, json={'client_id': CID})
    assert client.get_client(CID)['client_id'] == CID
    assert len(client.warnings) == 1 and 'retry 1 of 3' in client.warnings[0]


@responses.activate
def test_a_rotation_answered_without_its_secret_is_an_unknown_outcome(client):
    responses.get(TOKEN_URL, json=token_response(jwt()))
    responses.patch(CLIENTS + '/' + CID + '/regenerate', json={})
    with pytest.raises(api.OutcomeUnknown, match='may have applied'):
        client.regenerate_secret(CID, 'rotate')
    assert len([c for c in responses.calls if c.request.method == 'PATCH']) == 1


@responses.activate
def test_a_base_url_that_is_not_the_portal_root_is_named(client):
    responses.get(TOKEN_URL, status=404)
    with pytest.raises(api.NotFound, match='HTTP 404.*Set base_url to the portal root'):
        client.get_client(CID)
