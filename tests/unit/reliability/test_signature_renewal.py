# -*- coding: utf-8 -*-
# Copyright: (c) 2026, onlyoffice.docspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""An x-signature that stops working in the middle of a long run is renewed transparently."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.onlyoffice.docspace.plugins.modules import docspace_oauth_client_info as info_module

APP = {'logo': 'data:image/png;base64,iVBORw0KGgo=', 'website_url': 'https://r.example.com',
       'terms_url': 'https://r.example.com/t', 'policy_url': 'https://r.example.com/p',
       'logout_redirect_uri': 'https://r.example.com/l', 'redirect_uris': ['https://r.example.com/cb'],
       'allowed_origins': ['https://r.example.com'], 'scopes': ['openid']}


def test_a_signature_that_expires_between_pages_is_renewed(portal, run_module):
    emulator = portal.emulator
    admin = {'id': emulator.credentials()['admin']['user_id'], 'role': 'ADMIN', 'tenant': 1}
    for i in range(120):
        emulator.create(admin, dict(APP, name='App %03d' % i), '/api/2.0/clients')
    real_verify, seen = emulator.verify_signature, []

    def expire_after_first_page(token):
        # The JWT works for one page, then the server treats it as expired once (403, empty body).
        seen.append(token)
        return None if len(seen) == 2 else real_verify(token)

    emulator.verify_signature = expire_after_first_page
    result = run_module(info_module, portal.connection())
    assert not result.get('failed') and len(result['clients']) == 120
    log = [(r['path'], r['status']) for r in emulator.requests]
    assert log.count(('/api/2.0/security/oauth2/token', 200)) == 2
    assert log.count(('/api/2.0/clients', 403)) == 1 and log.count(('/api/2.0/clients', 200)) == 3


def test_a_short_lived_signature_is_renewed_before_each_use(portal, run_module):
    portal.emulator.signature_lifetime = 20  # shorter than the renewal margin: renewed every time
    result = run_module(info_module, portal.connection(include_scopes=True))
    assert not result.get('failed')
    paths = [r['path'] for r in portal.emulator.requests]
    assert paths.count('/api/2.0/security/oauth2/token') == 2 and 403 not in [r['status'] for r in portal.emulator.requests]
