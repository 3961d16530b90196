# -*- coding: utf-8 -*-
# Copyright: (c) 2026, onlyoffice.docspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The portal's scope catalogue decides which scopes exist; the collection checks only their shape."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

import pytest
from hypothesis import given, settings, strategies as st

from ansible_collections.onlyoffice.docspace.plugins.module_utils import _oauth_client as oc
from ansible_collections.onlyoffice.docspace.plugins.modules import docspace_oauth_client as client_module

import docspace_emulator

PNG = 'data:image/png;base64,iVBORw0KGgo='
APP = dict(name='Scope App', logo=PNG, website_url='https://s.example.com', terms_url='https://s.example.com/t',
           policy_url='https://s.example.com/p', logout_redirect_uri='https://s.example.com/l',
           redirect_uris=['https://s.example.com/cb'], allowed_origins=['https://s.example.com'], scopes=['openid'])
OFFERED = ('accounts.self:read, accounts.self:write, accounts:read, accounts:write, files:read, files:write, '
           'rooms:read, rooms:write, openid')


def add_scopes(portal, *names):
    """A newer DocSpace: v3.7.2's catalogue and more, through the emulator's control API."""
    status, body = portal.emulator.control('POST', '/__emulator__/config', json.dumps(
        {'scopes': [s[0] for s in docspace_emulator.SCOPES] + list(names)}).encode())
    assert status == 200, body


def catalogue_reads(portal):
    return [r for r in portal.emulator.requests if r['path'].endswith('/scopes')]


def app(portal, **extra):
    return portal.connection(**dict(APP, **extra))


def test_a_scope_that_the_portal_added_creates_and_converges(portal, run_module):
    add_scopes(portal, 'contacts:read')
    created = run_module(client_module, app(portal, scopes=['contacts:read', 'openid', 'contacts:read']))
    assert created['changed'] and created['client']['scopes'] == ['contacts:read', 'openid'], created
    assert len(catalogue_reads(portal)) == 1
    portal.clear()
    again = run_module(client_module, app(portal, scopes=['openid', 'contacts:read']))
    assert not again.get('failed') and not again['changed'], again
    assert catalogue_reads(portal) == [] and portal.writes() == []


@pytest.mark.parametrize('check_mode', [True, False])
def test_an_unknown_scope_fails_naming_it_and_the_catalogue_before_any_write(portal, run_module, check_mode):
    result = run_module(client_module, app(portal, scopes=['openid', 'files:admin']), check_mode=check_mode)
    assert result['failed'] and not result.get('changed')
    assert result['msg'] == "scopes: 'files:admin' is not a scope this portal offers (it offers: %s)." % OFFERED
    assert portal.writes() == [] and portal.emulator.clients == {}
    assert len(catalogue_reads(portal)) == 1  # read once, in check mode too


def test_two_unknown_scopes_are_both_named(portal, run_module):
    result = run_module(client_module, app(portal, scopes=['rooms:admin', 'openid', 'contacts:read']))
    assert result['msg'].startswith("scopes: 'contacts:read', 'rooms:admin' are not scopes this portal offers")


def test_a_scope_the_portal_no_longer_offers_is_named_for_a_create_but_kept_by_an_unchanged_run(portal, run_module):
    add_scopes(portal, 'contacts:read')
    assert run_module(client_module, app(portal, scopes=['contacts:read']))['changed']
    status, _body = portal.emulator.control('POST', '/__emulator__/config', json.dumps({'scopes': ['openid']}).encode())
    assert status == 200
    portal.clear()
    # The client has it already: nothing new is sent, so nothing is asked.
    assert not run_module(client_module, app(portal, scopes=['contacts:read']))['changed']
    assert catalogue_reads(portal) == []
    other = run_module(client_module, app(portal, name='Scope App 2', scopes=['contacts:read']))
    assert other['failed'] and "'contacts:read' is not a scope this portal offers (it offers: openid)" in other['msg']


@pytest.mark.parametrize('extra', [{}, {'recreate': True}], ids=['in place', 'recreate'])
@pytest.mark.parametrize('check_mode', [True, False])
def test_a_change_to_an_unknown_scope_writes_nothing(portal, run_module, extra, check_mode):
    portal.emulator.server_version = 'develop'  # a server that updates scopes in place
    assert run_module(client_module, app(portal))['changed']
    portal.clear()
    result = run_module(client_module, app(portal, scopes=['openid', 'files:admin'], **extra), check_mode=check_mode)
    assert result['failed'] and "'files:admin' is not a scope this portal offers" in result['msg']
    assert portal.writes() == [] and len(catalogue_reads(portal)) == 1
    assert [c['scopes'] for c in portal.emulator.clients.values()] == [['openid']]


def test_the_copies_of_a_client_are_not_deleted_before_the_check(portal, run_module):
    caller = {'id': next(iter(portal.emulator.users)), 'role': 'ADMIN', 'tenant': 1}
    body = dict((k, v) for k, v in APP.items())
    for dummy in range(2):
        portal.emulator.create(caller, body, '/api/2.0/clients')
    portal.clear()
    result = run_module(client_module, app(portal, scopes=['files:admin']))
    assert result['failed'] and 'files:admin' in result['msg']
    assert portal.writes() == [] and len(portal.emulator.clients) == 2


def test_scopes_added_or_removed_in_place_read_the_catalogue_only_to_add(portal, run_module):
    portal.emulator.server_version = 'develop'
    assert run_module(client_module, app(portal, scopes=['openid', 'files:read']))['changed']
    portal.clear()
    fewer = run_module(client_module, app(portal, scopes=['openid']))
    assert fewer['changed'] and fewer['client']['scopes'] == ['openid'] and catalogue_reads(portal) == []
    portal.clear()
    more = run_module(client_module, app(portal, scopes=['openid', 'rooms:read']))
    assert more['changed'] and more['client']['scopes'] == ['openid', 'rooms:read']
    assert len(catalogue_reads(portal)) == 1


@pytest.mark.parametrize('status', [404, 403])
def test_a_catalogue_the_portal_does_not_show_leaves_the_decision_to_the_server(portal, run_module, status):
    fault = {'method': 'GET', 'path': '.*/scopes', 'action': 'status', 'status': status, 'count': 10}
    portal.emulator.faults.append(dict(fault))
    known = run_module(client_module, app(portal, scopes=['files:read']))
    assert known['changed'] and known['client']['scopes'] == ['files:read'], known
    portal.emulator.faults.append(dict(fault))
    unknown = run_module(client_module, app(portal, name='Scope App 2', scopes=['files:admin']))
    # The server's own 400, which names the option and the scope it refuses.
    assert unknown['failed'] and unknown['status'] == 400 and unknown['changed'] is False  # refused: nothing made
    assert unknown['msg'] == ("Could not create OAuth client 'Scope App 2': HTTP 400 Bad Request: Validation failed "
                              "(scopes: Invalid scopes: files:admin)"), unknown['msg']
    assert [c['name'] for c in portal.emulator.clients.values()] == ['Scope App']


MALFORMED = [
    ('blank', ''),
    ('spaces only', '   '),
    ('a space inside', 'files: read'),
    ('two scopes in one string', 'files:read openid'),
    ('a control character', 'files:read\x07'),
    ('a line break', 'openid\n'),
    ('a double quote', 'files:"read"'),
    ('a backslash', 'files:\\read'),
    ('a non-ASCII letter', 'fichiers:lécture'),
    ('256 characters', 'x' * 256),
    ('a mapping (not a string)', {'files': 'read'}),
    ('a list (not a string)', ['files:read', 'openid']),
]


@pytest.mark.parametrize('check_mode', [False, True])
@pytest.mark.parametrize('case, scope', MALFORMED, ids=[c[0] for c in MALFORMED])
def test_a_malformed_scope_is_refused_before_any_request(portal, run_module, case, scope, check_mode):
    result = run_module(client_module, app(portal, scopes=['openid', scope]), check_mode=check_mode)
    assert result['failed'], result
    assert 'scopes item ' in result['msg'] and oc.SCOPE_RULE in result['msg'], result['msg']
    assert portal.emulator.requests == []
    assert 'Traceback' not in json.dumps(result) and '\x07' not in result['msg']


def test_a_null_scope_is_refused_by_ansible_before_any_request(portal, run_module):
    result = run_module(client_module, app(portal, scopes=['openid', None]))
    assert result['failed'] and 'scopes' in result['msg'] and portal.emulator.requests == []


def test_an_empty_scope_list_is_refused_before_any_request(portal, run_module):
    result = run_module(client_module, app(portal, scopes=[]))
    assert result['failed'] and 'scopes' in result['msg'] and portal.emulator.requests == []


def test_more_than_12_scopes_are_the_portals_to_judge(portal, run_module):
    # CreateClientRequest.scopes is a @NotEmpty Set with no @Size: a portal that offers 13 takes 13.
    names = ['s%d:read' % i for i in range(13)]
    add_scopes(portal, *names)
    result = run_module(client_module, app(portal, scopes=names + names[:3]))  # duplicates are one scope
    assert result['changed'] and sorted(result['client']['scopes']) == sorted(names), result


@settings(max_examples=100, deadline=None)
@given(st.integers(1, 16), st.lists(st.integers(0, 15), max_size=12), st.sampled_from(['redirect_uris', 'allowed_origins']))
def test_url_lists_count_different_items_as_the_server_does(distinct, repeats, option):
    # Set<String> with @Size(min = 1, max = 12) in RA/transfer/CreateClientRequest.java: duplicates are one item.
    uris = ['https://h%d.example.com' % i for i in range(distinct)]
    uris += [uris[i % distinct] for i in repeats]
    problems = oc.validate({option: uris})
    assert (problems == []) == (distinct <= 12), problems


@pytest.mark.parametrize('value', [None, 5, 1.5, True, b'openid', ['openid']])
def test_the_validator_refuses_a_non_string(value):
    assert oc.validate({'scopes': ['openid', value]}) == ['scopes item %r %s' % (value, oc.SCOPE_RULE)]


def scope_token(text):
    """RFC 6749, section 3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E ); the server's column holds 255."""
    return 1 <= len(text) <= 255 and all(c == '\x21' or '\x23' <= c <= '\x5b' or '\x5d' <= c <= '\x7e' for c in text)


TOKEN_CHARS = st.characters(min_codepoint=0x21, max_codepoint=0x7e, blacklist_characters='"\\')


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=40), st.text(TOKEN_CHARS, min_size=1, max_size=300),
                 st.text(TOKEN_CHARS, min_size=1, max_size=20).map(lambda s: s + ' ' + s)))
def test_the_shape_rule_is_the_scope_token_grammar(text):
    problems = oc.validate({'scopes': [text]})
    assert (problems == []) == scope_token(text)
    if problems:
        assert problems == ['scopes item %r %s' % (text, oc.SCOPE_RULE)]


@settings(max_examples=100, deadline=None)
@given(st.lists(st.text(TOKEN_CHARS, min_size=1, max_size=30), min_size=1, max_size=12))
def test_any_list_of_tokens_up_to_12_passes_duplicates_included(scopes):
    assert oc.validate({'scopes': scopes + scopes[:12 - len(scopes)]}) == []
