# -*- coding: utf-8 -*-
# Copyright: (c) 2026, onlyoffice.docspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Property tests: the modules' validators agree with the server's rules, as the emulator has them.

Agreement both ways: what the module refuses the server would refuse, and what it accepts the
server accepts (the module's only extra rules are the storage limits, which fail with 500 there).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64

from hypothesis import given, settings
from hypothesis import strategies as st

from ansible_collections.onlyoffice.docspace.plugins.module_utils import _oauth_client as oc

import docspace_emulator as emu

LABEL = st.text(alphabet='abcxyz019-', min_size=1, max_size=8)
HOST = st.one_of(
    st.lists(LABEL, min_size=1, max_size=3).map('.'.join).flatmap(
        lambda h: st.sampled_from(['com', 'org', 'io', 'x1', 'c', 'xn--p1ai', '']).map(lambda t: h + ('.' + t if t else ''))),
    st.tuples(*[st.integers(0, 999)] * 4).map(lambda t: '.'.join(map(str, t))),
    st.just('localhost'),
)
PATH = st.text(alphabet="abz09/-._~:?#[]@!$&'()*+,;=% \u00e9", max_size=12)
URL = st.builds(lambda scheme, host, port, path: scheme + host + port + (('/' + path) if path else ''),
                st.sampled_from(['https://', 'http://', '', 'ftp://', 'claude://', 'www.']),
                HOST, st.sampled_from(['', ':8080', ':0', ':99999']), PATH)


def server_accepts_single(url):
    return any(r.fullmatch(url) for r in emu.URL_R1) and bool(emu.URL_R2.fullmatch(url)) and \
        len(url.encode('utf-8')) <= 255


@settings(max_examples=400, deadline=None)
@given(URL)
def test_single_url_rule_agrees_with_the_server(url):
    assert (oc.CHECKS['url'](url) is None) == server_accepts_single(url), url


@settings(max_examples=300, deadline=None)
@given(st.lists(URL, max_size=14))
def test_url_list_rule_agrees_with_the_server(items):
    server = emu.url_collection_ok(items) and 1 <= len(items) <= 12 and \
        all(len(i.encode('utf-8')) <= 255 for i in items)
    assert (oc.CHECKS['urls'](items) is None) == server, items


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(['png', 'jpeg', 'jpg', 'svg+xml', 'gif', 'webp']),
       st.binary(max_size=64), st.sampled_from(['', '\n', ' ', '=', '*']), st.booleans())
def test_logo_rule_agrees_with_the_server(kind, data, noise, strip_padding):
    encoded = base64.b64encode(data).decode()
    if strip_padding:
        encoded = encoded.rstrip('=')
    logo = 'data:image/%s;base64,%s%s' % (kind, encoded, noise)
    errors = []
    emu.Emulator.check_logo(logo, errors, size_check=True)
    assert (oc.CHECKS['logo'](logo) is None) == (not errors), logo


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_names_the_module_accepts_are_stored_by_the_server(name):
    errors = []
    emu.Emulator.check_name({'name': name, 'description': None}, errors)
    server_stores = not errors and len(name) <= 255  # 256 passes validation, then fails the varchar(255) insert
    assert (oc.CHECKS['name'](name) is None) == server_stores, repr(name)


SOME_PARAMS = st.fixed_dictionaries({}, optional={
    'name': st.text(max_size=6), 'description': st.text(max_size=300), 'website_url': URL,
    'logout_redirect_uri': URL, 'redirect_uris': st.lists(URL, max_size=3), 'allowed_origins': st.lists(URL, max_size=2),
    'scopes': st.lists(st.sampled_from(['openid', 'files:read', 'no such', '']), max_size=3),
    'logo': st.sampled_from(['data:image/png;base64,iVBORw0KGgo=', 'data:image/gif;base64,AA==', 'data:image/png;base64,A']),
    'allow_pkce': st.booleans()})


@settings(max_examples=200, deadline=None)
@given(st.lists(SOME_PARAMS, min_size=1, max_size=5))
def test_remembered_verdicts_are_the_fresh_ones(many):
    """validate() remembers each value's verdict (a set repeats its URLs in every item): asked again, in
    any order, and for a list as for the same items, it says what the rules say of the value now."""
    for params in many + many[::-1]:
        fresh = ['%s %s' % (f.option, oc.CHECKS[f.kind](params[f.option])) for f in oc.FIELDS
                 if params.get(f.option) is not None and oc.CHECKS[f.kind](params[f.option])]
        assert oc.validate(params) == fresh, params
