# -*- coding: utf-8 -*-
# Copyright: (c) 2026, onlyoffice.docspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Bad input is refused before any request reaches DocSpace, with the option's name."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

import pytest

from ansible_collections.onlyoffice.docspace.plugins.modules import docspace_oauth_client as client_module
from ansible_collections.onlyoffice.docspace.plugins.modules import docspace_oauth_client_info as info_module
from ansible_collections.onlyoffice.docspace.plugins.modules import docspace_oauth_secret as secret_module

PNG = 'data:image/png;base64,iVBORw0KGgo='
APP = dict(name='Bad Input App', logo=PNG, website_url='https://b.example.com', terms_url='https://b.example.com/t',
           policy_url='https://b.example.com/p', logout_redirect_uri='https://b.example.com/l',
           redirect_uris=['https://b.example.com/cb'], allowed_origins=['https://b.example.com'], scopes=['openid'])
UUID = '6f1c2a3b-0d4e-4f5a-8b6c-7d8e9f0a1b2c'


def urls(count):
    return ['https://b.example.com/%d' % i for i in range(count)]


# (case, module, args over the defaults, the option the message must name)
CLIENT = [
    ('name of 2 characters', dict(name='ab'), 'name'),
    ('name of 256 characters', dict(name='n' * 256), 'name'),
    ('blank name', dict(name='   '), 'name'),
    ('description of 256 characters', dict(description='d' * 256), 'description'),
    ('gif logo', dict(logo='data:image/gif;base64,R0lGODlhAQABAAAAACw='), 'logo'),
    ('webp logo', dict(logo='data:image/webp;base64,UklGRg=='), 'logo'),
    ('logo that is a URL', dict(logo='https://b.example.com/logo.png'), 'logo'),
    ('logo with a line break', dict(logo='data:image/png;base64,iVBO\nRw0KGgo='), 'logo'),
    ('logo with no data', dict(logo='data:image/png;base64,'), 'logo'),
    ('oversize logo', dict(logo='data:image/png;base64,' + 'A' * 341336), 'logo'),
    ('logo and logo_path', dict(logo_path='/tmp/x.png'), 'logo'),
    ('logo_path not an image', dict(logo=None, logo_path='/etc/hostname'), 'logo_path'),
    ('logo_path missing', dict(logo=None, logo_path='/nonexistent/logo.png'), 'logo_path'),
    ('website_url localhost (rule 1)', dict(website_url='http://localhost:8080'), 'website_url'),
    ('website_url single label (rule 1)', dict(website_url='https://intranet/app'), 'website_url'),
    ('website_url with a space (rule 1)', dict(website_url='https://b.example.com/a b'), 'website_url'),
    ('website_url %-escape (rule 1)', dict(website_url='https://b.example.com/a%20b'), 'website_url'),
    ('website_url punycode TLD (rule 1)', dict(website_url='https://xn--bcher-kva.xn--p1ai'), 'website_url'),
    ('website_url without scheme (rule 2)', dict(website_url='b.example.com'), 'website_url'),
    ('website_url ftp', dict(website_url='ftp://b.example.com'), 'website_url'),
    ('website_url over 255 bytes', dict(website_url='https://b.example.com/' + 'a' * 250), 'website_url'),
    ('terms_url without scheme (rule 2)', dict(terms_url='b.example.com/terms'), 'terms_url'),
    ('terms_url localhost (rule 1)', dict(terms_url='http://localhost/terms'), 'terms_url'),
    ('policy_url single label (rule 1)', dict(policy_url='http://policy/'), 'policy_url'),
    ('policy_url without scheme (rule 2)', dict(policy_url='www.b.example.com'), 'policy_url'),
    ('logout_redirect_uri localhost (rule 1)', dict(logout_redirect_uri='http://localhost:3000/bye'),
     'logout_redirect_uri'),
    ('logout_redirect_uri without scheme (rule 2)', dict(logout_redirect_uri='b.example.com/bye'),
     'logout_redirect_uri'),
    ('0 redirect_uris', dict(redirect_uris=[]), 'redirect_uris'),
    ('13 redirect_uris', dict(redirect_uris=urls(13)), 'redirect_uris'),
    ('redirect_uris ftp', dict(redirect_uris=['ftp://b.example.com/cb']), 'redirect_uris'),
    ('redirect_uris relative', dict(redirect_uris=['/cb']), 'redirect_uris'),
    ('redirect_uris no host', dict(redirect_uris=['https:///cb']), 'redirect_uris'),
    ('redirect_uris blank item', dict(redirect_uris=['']), 'redirect_uris'),
    ('redirect_uris with a space', dict(redirect_uris=['https://b.example.com/c b']), 'redirect_uris'),
    ('redirect_uris javascript scheme', dict(redirect_uris=['javascript:alert(1)']), 'redirect_uris'),
    ('0 allowed_origins', dict(allowed_origins=[]), 'allowed_origins'),
    ('13 allowed_origins', dict(allowed_origins=urls(13)), 'allowed_origins'),
    ('allowed_origins ftp', dict(allowed_origins=['ftp://b.example.com']), 'allowed_origins'),
    ('allowed_origins over 255 bytes', dict(allowed_origins=['https://b.example.com/' + 'o' * 250]),
     'allowed_origins'),
    ('blank scope', dict(scopes=['openid', ' ']), 'scopes'),
    ('scope with a space inside', dict(scopes=['files: read']), 'scopes'),
    ('scope with a control character', dict(scopes=['files:read\x1b[0m']), 'scopes'),
    ('no scope', dict(scopes=[]), 'scopes'),
    ('non-UUID client_id', dict(client_id='not-a-uuid'), 'client_id'),
    ('UUID without dashes', dict(client_id=UUID.replace('-', '')), 'client_id'),
    ('state unknown', dict(state='enabled'), 'state'),
    ('enabled not a boolean', dict(enabled='sometimes'), 'enabled'),
    ('allow_pkce not a boolean', dict(allow_pkce='maybe'), 'allow_pkce'),
    ('recreate not a boolean', dict(recreate='later'), 'recreate'),
    ('redirect_uris a dict', dict(redirect_uris={'a': 1}), 'redirect_uris'),
    ('neither client_id nor name', dict(name=None), 'client_id'),
    ('api_key and username', dict(username='admin@example.com', password='secret-pass'), 'api_key'),
    ('username without password', dict(api_key=None, username='admin@example.com'), 'password'),
    ('no credentials at all', dict(api_key=None), 'api_key'),
    ('base_url without scheme', dict(base_url='docspace.example.com'), 'base_url'),
    ('timeout of 0', dict(timeout=0), 'timeout'),
    ('negative retries', dict(retries=-1), 'retries'),
    ('timeout not a number', dict(timeout='soon'), 'timeout'),
    ('unknown option', dict(grant_types=['authorization_code']), 'grant_types'),
    # Option values that crashed, or hung, below the module.
    ('timeout nan', dict(timeout='nan'), 'timeout'),
    ('timeout inf', dict(timeout='inf'), 'timeout'),
    ('timeout -inf', dict(timeout='-inf'), 'timeout'),
    ('negative timeout', dict(timeout=-5), 'timeout'),
    ('timeout past a socket timeout', dict(timeout=1e10), 'timeout'),
    ('retries past the maximum', dict(retries=11), 'retries'),
    ('retries that overflow the backoff', dict(retries=5000), 'retries'),
    ('base_url port 99999', dict(base_url='https://docspace.example.com:99999'), 'base_url'),
    ('base_url port 0', dict(base_url='https://docspace.example.com:0'), 'base_url'),
    ('base_url port not a number', dict(base_url='https://docspace.example.com:abc'), 'base_url'),
    ('base_url with a space', dict(base_url='{url}/a b'), 'base_url'),
    ('base_url with a space in the host', dict(base_url='https://docspace .example.com'), 'base_url'),
    ('base_url with a line break inside', dict(base_url='{url}\n/api'), 'base_url'),
    ('base_url with a control character', dict(base_url='https://docspace\x07.example.com'), 'base_url'),
    ('base_url with a tab', dict(base_url='{url}\t/api'), 'base_url'),
    ('base_url unclosed IPv6 bracket', dict(base_url='http://[::1'), 'base_url'),
    ('base_url with user:password@', dict(base_url='http://admin:hunter2-pass@{host}'), 'base_url'),
    ('base_url with user@', dict(base_url='http://admin@{host}'), 'base_url'),
    ('base_url user:password@ without scheme', dict(base_url='admin:hunter2-pass@docspace.example.com'),
     'base_url'),
    ('base_url with a query', dict(base_url='{url}/?tenant=1'), 'base_url'),
    ('base_url with an empty query', dict(base_url='{url}/?'), 'base_url'),
    ('base_url with a fragment', dict(base_url='{url}/#top'), 'base_url'),
    ('base_url ftp', dict(base_url='ftp://docspace.example.com'), 'base_url'),
    ('base_url without a host', dict(base_url='https://:8443'), 'base_url'),
    ('ca_path missing', dict(ca_path='/nonexistent/ca.pem'), 'ca_path'),
    ('ca_path a folder', dict(ca_path='/etc'), 'ca_path'),
    ('http_agent with a line break inside', dict(http_agent='agent\r\nX-Injected: 1'), 'http_agent'),
    # Credentials that cannot go in a header: refused, never quoted.
    ('api_key with a space inside', dict(api_key='sk-unit admin-key-0123456789'), 'api_key'),
    ('api_key with a line break inside', dict(api_key='sk-unit-admin\nkey-0123456789'), 'api_key'),
    ('api_key with a non-ASCII letter', dict(api_key='sk-unit-admin-kéy-0123456789'), 'api_key'),
    ('api_key with a NUL', dict(api_key='sk-unit-admin\x00key-0123456789'), 'api_key'),
    ('api_key with a DEL', dict(api_key='sk-unit-admin\x7fkey-0123456789'), 'api_key'),
    ('signature with a space inside', dict(api_key=None, signature='eyJhbGciOi.eyJzdWIiOi JhZG1p.c2lnbmF0'),
     'signature'),
    ('signature with a non-ASCII letter', dict(api_key=None, signature='eyJhbGciOi.eyJzdWIiOiJhZG1p\u00e9.c2ln'),
     'signature'),
    ('password with a control character', dict(api_key=None, username='admin@example.com',
                                               password='secret\x1b[0m-pass'), 'password'),
    ('password with a line break inside', dict(api_key=None, username='admin@example.com',
                                               password='secret\npass-word'), 'password'),
    ('blank api_key after trimming', dict(api_key=' \r\n'), 'api_key'),
]
INFO = [
    ('info: non-UUID client_id', dict(client_id=['nope']), 'client_id'),
    ('info: unknown view', dict(view='secret'), 'view'),
    ('info: public view without client_id', dict(view='public'), 'client_id'),
    ('info: fail_on_missing not a boolean', dict(fail_on_missing='no way'), 'fail_on_missing'),
]
SECRET = [
    ('secret: unknown state', dict(state='rotated'), 'state'),
    ('secret: absent without revoke_consent', dict(state='absent'), 'revoke_consent'),
    ('secret: revoke_consent with present', dict(revoke_consent=True), 'revoke_consent'),
    ('secret: non-UUID client_id', dict(client_id='123'), 'client_id'),
    ('secret: neither client_id nor name', dict(name=None), 'client_id'),
    ('secret: base_url with a fragment', dict(base_url='{url}#x'), 'base_url'),
]
INFO += [
    ('info: public read, base_url port 99999', dict(view='public', client_id=[UUID], api_key=None,
                                                    base_url='https://docspace.example.com:99999'), 'base_url'),
    ('info: public read, timeout nan', dict(view='public', client_id=[UUID], api_key=None, timeout='nan'),
     'timeout'),
]
SECRET_OPTIONS = ('api_key', 'password', 'signature')
CASES = [(c, client_module, a, o) for c, a, o in CLIENT] + [(c, info_module, a, o) for c, a, o in INFO] + \
    [(c, secret_module, a, o) for c, a, o in SECRET]


def test_there_are_at_least_sixty_cases():
    assert len(CASES) >= 60


@pytest.mark.parametrize('case, module, args, option', CASES, ids=[c[0] for c in CASES])
def test_refused_before_any_request(portal, run_module, case, module, args, option):
    base = portal.connection(**(APP if module is client_module else {'name': 'Bad Input App'}))
    base.update(args)
    base = dict((k, v) for k, v in base.items() if v is not None)
    # The emulator's own address: a request that slipped through would reach it.
    base['base_url'] = base['base_url'].replace('{url}', portal.url).replace('{host}', portal.url.split('//')[1])
    result = run_module(module, base)
    assert result.get('failed'), result
    assert option in result['msg'] and not result['msg'].startswith('Could not'), result['msg']  # not the transport's
    assert portal.emulator.requests == [], portal.emulator.requests
    assert 'Traceback' not in json.dumps(result)
    # A refused credential is named, never quoted; nor is a password in a URL.
    for secret in [args.get(name) for name in SECRET_OPTIONS] + ['hunter2-pass']:
        if secret and secret.strip():
            assert secret.strip() not in json.dumps(result) and repr(secret.strip())[1:-1] not in result['msg']


# A well-formed scope that the portal does not offer: the portal's catalogue decides (a newer DocSpace may
# add scopes), so it is refused after reading that catalogue, still before any write and in check mode too.
@pytest.mark.parametrize('check_mode', [False, True])
@pytest.mark.parametrize('scope', ['files:admin', 'contacts:read'])
def test_a_scope_the_portal_does_not_offer_is_refused_before_any_write(portal, run_module, scope, check_mode):
    result = run_module(client_module, portal.connection(**dict(APP, scopes=['openid', scope])), check_mode=check_mode)
    assert result.get('failed') and result['msg'].startswith("scopes: %r is not a scope this portal offers (it "
                                                             "offers: accounts.self:read, " % scope), result['msg']
    assert [r['method'] for r in portal.emulator.requests if r['method'] != 'GET'] == []
    assert [r['path'] for r in portal.emulator.requests].count('/api/2.0/scopes') == 1
    assert portal.emulator.clients == {} and 'Traceback' not in json.dumps(result)
