# -*- coding: utf-8 -*-
# Copyright: (c) 2026, onlyoffice.docspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The field table: validators agree with the server's rules, comparison, bodies."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64

import pytest
import yaml

from ansible_collections.onlyoffice.docspace.plugins.module_utils import _oauth_client as oc
from ansible_collections.onlyoffice.docspace.plugins.modules import docspace_oauth_client as module

import docspace_emulator as emu

PNG = 'data:image/png;base64,' + base64.b64encode(b'\x89PNG\r\n\x1a\n1234').decode()


@pytest.mark.parametrize('url, ok', [
    ('https://example.com', True), ('http://127.0.0.1:8080/cb', True), ('https://a.b.example.com/x?y=1#z', True),
    ('example.com', False), ('http://localhost:8080', False), ('https://intranet/cb', False),
    ('https://example.com/a%20b', False), ('https://exa mple.com', False), ('ftp://example.com', False),
    ('https://xn--bcher-kva.xn--p1ai', False), ('https://example.com/' + 'a' * 250, False),
])
def test_single_url_rule_matches_the_emulator(url, ok):
    assert (oc.CHECKS['url'](url) is None) == ok
    server_ok = any(r.fullmatch(url) for r in emu.URL_R1) and bool(emu.URL_R2.fullmatch(url))
    assert server_ok == (ok or len(url) > 255)  # the length limit is the storage's, not the regex's


@pytest.mark.parametrize('items, ok', [
    (['http://localhost:3000/cb'], True), (['claude://callback'], True), (['https://a.example.com'] * 12, True),
    ([], False), (['https://a.example.com/%d' % i for i in range(13)], False), (['ftp://x.example.com'], False),
    (['relative/path'], False), (['http://'], False), ([' '], False), (['https://a.example.com/a b'], False),
])
def test_url_list_rule_matches_the_emulator(items, ok):
    assert (oc.CHECKS['urls'](items) is None) == ok
    assert (emu.url_collection_ok(items) and 1 <= len(items) <= 12) == ok


@pytest.mark.parametrize('logo, ok', [
    (PNG, True), ('data:image/svg+xml;base64,PHN2Zy8+', True), ('data:image/jpeg;base64,/9j/', True),
    ('data:image/gif;base64,R0lGOD', False), ('data:image/png;base64,', False), ('data:image/png;base64,a b', False),
    ('data:image/png;base64,' + 'A' * 341336, False), ('https://example.com/logo.png', False),
])
def test_logo_rule(logo, ok):
    assert (oc.CHECKS['logo'](logo) is None) == ok


def test_validate_names_every_option_and_rule():
    problems = oc.validate({'name': 'ab', 'website_url': 'localhost', 'scopes': ['files admin'], 'redirect_uris': []})
    assert [p.split(' ')[0] for p in problems] == ['name', 'website_url', 'redirect_uris', 'scopes']
    assert 'must be 3 to 255 characters long (got 2)' in problems[0]
    assert oc.validate({'name': 'Good name', 'allow_pkce': True}) == []


def test_missing_for_create_lists_every_required_option():
    assert oc.missing_for_create({'name': 'x', 'logo': PNG}) == [
        'website_url', 'terms_url', 'policy_url', 'logout_redirect_uri', 'redirect_uris', 'allowed_origins', 'scopes']


SERVER = {
    'client_id': 'id', 'client_secret': 'secret', 'name': 'App', 'description': None, 'logo': PNG,
    'website_url': 'https://a.example.com', 'terms_url': 'https://a.example.com/t', 'policy_url': 'https://a.example.com/p',
    'logout_redirect_uris': ['https://a.example.com/l'], 'redirect_uris': ['https://b.example.com', 'https://a.example.com'],
    'allowed_origins': ['https://a.example.com'], 'scopes': ['openid', 'files:read'], 'enabled': True,
    'authentication_methods': ['none', 'client_secret_post'], 'created_on': 'x', 'tenant': 1,
}


def test_from_server_normalises_sets_pkce_and_logout():
    state = oc.from_server(SERVER)
    assert state['redirect_uris'] == ['https://a.example.com', 'https://b.example.com']
    assert state['allow_pkce'] is True and state['description'] == ''
    assert state['logout_redirect_uri'] == 'https://a.example.com/l'
    assert 'created_on' not in state and 'client_secret' not in state


def test_differences_group_by_mutability():
    before = oc.from_server(SERVER)
    wanted = oc.desired({'scopes': ['files:read', 'openid'], 'website_url': 'https://z.example.com',
                         'name': 'New', 'enabled': False}, before)
    delta = oc.differences(before, wanted)
    assert delta == {oc.UPDATE: ['name'], oc.CREATE: ['website_url'], oc.LISTS: [], oc.ACTIVATION: ['enabled']}


def test_put_body_is_complete_and_keeps_pkce():
    before = oc.from_server(SERVER)
    body = oc.put_body(oc.desired({'description': 'new'}, before))
    assert body['allow_pkce'] is True and body['description'] == 'new'
    assert set(body) == {'name', 'description', 'logo', 'allowed_origins', 'allow_pkce', 'redirect_uris', 'scopes'}
    probe = oc.put_body(before, lists_from=oc.desired({'scopes': ['rooms:read']}, before))
    assert probe['scopes'] == ['rooms:read'] and probe['description'] == ''


def test_post_body_uses_api_names_and_no_status():
    body = oc.post_body(oc.desired(dict(oc.from_server(SERVER), enabled=None)))
    assert body['logout_redirect_uri'] == 'https://a.example.com/l' and 'status' not in body and 'enabled' not in body


def test_diff_summarises_the_logo():
    assert 'sha256' in oc.for_diff({'logo': PNG})['logo'] and oc.for_diff({}) == {}


def test_a_returned_client_reads_like_the_options():
    client = oc.as_options(SERVER)
    assert 'client_secret' not in client
    assert client['logout_redirect_uri'] == 'https://a.example.com/l'
    assert client['allow_pkce'] is True and 'created_on' not in client and oc.audit(SERVER) == {'created_on': 'x'}
    assert client['redirect_uris'] == SERVER['redirect_uris']  # the server's order, not sorted
    for raw in ('logout_redirect_uris', 'authentication_methods', 'tenant', 'is_public', 'public', 'created_on'):
        assert raw not in client
    # Every option of the field table comes back under its own name, so the client pastes back as a task.
    assert set(client) == set(f.option for f in oc.FIELDS) | {'client_id'}
    assert oc.as_options(None) == {} and oc.as_options({}) == {}


def test_a_short_view_keeps_only_what_it_carries():
    info = dict((k, SERVER[k]) for k in ('client_id', 'name', 'scopes', 'authentication_methods'))
    info.update(is_public=True, public=True)
    assert oc.as_options(info) == {'client_id': SERVER['client_id'], 'name': SERVER['name'],
                                   'scopes': SERVER['scopes'], 'allow_pkce': True}


def test_logo_from_file(tmp_path):
    png = tmp_path / 'a.png'
    png.write_bytes(b'\x89PNG\r\n\x1a\n' + b'0' * 10)
    assert oc.logo_from_file(str(png)).startswith('data:image/png;base64,iVBORw0KGgo')
    svg = tmp_path / 'a.svg'
    svg.write_text('<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>')
    assert oc.logo_from_file(str(svg)).startswith('data:image/svg+xml;base64,')
    gif = tmp_path / 'a.gif'
    gif.write_bytes(b'GIF89a')
    with pytest.raises(ValueError, match='PNG, JPEG or SVG'):
        oc.logo_from_file(str(gif))
    big = tmp_path / 'big.png'
    big.write_bytes(b'\x89PNG\r\n\x1a\n' + b'0' * 256000)
    with pytest.raises(ValueError, match='at most 256000 bytes'):
        oc.logo_from_file(str(big))


def test_docs_and_field_table_agree():
    options = yaml.safe_load(module.DOCUMENTATION)['options']
    for field in oc.FIELDS:
        assert field.option in options
        if field.mutability == oc.CREATE:
            assert 'Cannot change' in str(options[field.option]['description']) or \
                'cannot change' in str(options[field.option]['description'])
    # The portal's catalogue decides which scopes exist: no fixed list here, v3.7.2's named in the docs.
    assert 'choices' not in options['scopes']
    assert all('V(%s)' % s[0] in ' '.join(options['scopes']['description']) for s in emu.SCOPES)
