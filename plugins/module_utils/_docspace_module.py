# -*- coding: utf-8 -*-
# Copyright: (c) 2026, onlyoffice.docspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The AnsibleModule every docspace module runs as.

Private to this collection: it may change in any release. It owns the shared
connection options, the one way to fail (scrubbed, never a traceback), and the
lookup of a client by id or by unique name.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import re
import time

from ansible.module_utils.basic import AnsibleFallbackNotFound, AnsibleModule, missing_required_lib

from ansible_collections.onlyoffice.docspace.plugins.module_utils import _docspace_api as api

JWT_RE = re.compile(r'[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\Z')
UUID_RE = re.compile(r'[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\Z')


def env_fallback(*names):
    """The first of these environment variables that is set and not empty.

    AWX/AAP credential injectors set every variable they know, empty when the field is, so
    an empty one means unset (else an empty DOCSPACE_USERNAME would conflict with api_key).
    """
    for name in names:
        if os.environ.get(name):
            return os.environ[name]
    raise AnsibleFallbackNotFound


CONNECTION_SPEC = dict(
    base_url=dict(type='str', required=True, fallback=(env_fallback, ['DOCSPACE_URL'])),
    api_key=dict(type='str', no_log=True, fallback=(env_fallback, ['DOCSPACE_API_KEY'])),
    username=dict(type='str', fallback=(env_fallback, ['DOCSPACE_USERNAME'])),
    password=dict(type='str', no_log=True, fallback=(env_fallback, ['DOCSPACE_PASSWORD'])),
    signature=dict(type='str', no_log=True, fallback=(env_fallback, ['DOCSPACE_SIGNATURE'])),
    validate_certs=dict(type='bool', default=True, fallback=(env_fallback, ['DOCSPACE_VALIDATE_CERTS'])),
    ca_path=dict(type='path', fallback=(env_fallback, ['DOCSPACE_CA_PATH'])),
    timeout=dict(type='float', default=30, fallback=(env_fallback, ['DOCSPACE_TIMEOUT'])),
    http_agent=dict(type='str', default='ansible-onlyoffice.docspace'),
    retries=dict(type='int', default=3, fallback=(env_fallback, ['DOCSPACE_RETRIES'])),
)


class DocSpaceModule(AnsibleModule):
    """AnsibleModule with the connection options; ``needs_auth`` False for public reads."""

    def __init__(self, argument_spec, needs_auth=True, **kwargs):
        # needs_auth: a bool, or a function of the params (a public read needs no credential).
        spec = dict(CONNECTION_SPEC)
        spec.update(argument_spec)
        kwargs.setdefault('mutually_exclusive', []).extend([('api_key', 'username'), ('api_key', 'password')])
        kwargs.setdefault('required_together', []).append(('username', 'password'))
        super(DocSpaceModule, self).__init__(argument_spec=spec, **kwargs)
        self.needs_auth = needs_auth(self.params) if callable(needs_auth) else needs_auth
        self._api = None
        if not api.HAS_REQUESTS:
            self.fail_json(msg=missing_required_lib('requests'), exception=api.REQUESTS_IMPORT_ERROR)
        self._check_connection_options()

    def _check_connection_options(self):
        params = self.params
        url = params['base_url']
        if not url.startswith(('http://', 'https://')) or len(url.split('://', 1)[1].strip('/')) == 0:
            self.fail_json(msg='base_url must be the portal address with its scheme, such as '
                               'https://docspace.example.com (got %r).' % url)
        renewable = params['api_key'] or (params['username'] and params['password'])
        if self.needs_auth and not (renewable or params['signature']):
            self.fail_json(msg='one of api_key, or username and password, or signature is required to manage '
                               'OAuth clients (or set DOCSPACE_API_KEY, or DOCSPACE_USERNAME and DOCSPACE_PASSWORD).')
        if params['signature']:
            self._check_signature(params['signature'], renewable)
        if params['timeout'] <= 0:
            self.fail_json(msg='timeout must be a positive number of seconds (got %s).' % params['timeout'])
        if params['retries'] < 0:
            self.fail_json(msg='retries must be 0 or more (got %s).' % params['retries'])
        ids = params.get('client_id')
        for value in (ids if isinstance(ids, list) else [ids] if ids else []):
            if not UUID_RE.match(value):
                self.fail_json(msg='client_id must be a UUID such as 6f1c2a3b-0d4e-4f5a-8b6c-7d8e9f0a1b2c, '
                                   'as DocSpace assigns them (got %r).' % value)

    def _check_signature(self, token, renewable):
        # The message never quotes the value: it is a credential.
        if not JWT_RE.match(token) or not isinstance(api.jwt_claims(token), dict):
            self.fail_json(msg='signature must be the x-signature JWT that GET /api/2.0/security/oauth2/token '
                               'returns in its "response" field (three base64url parts separated by dots).')
        expiry = api.jwt_expiry(token)
        if expiry is not None and expiry <= time.time() and not renewable and self.needs_auth:
            self.fail_json(msg='signature expired %d s ago (an x-signature lasts 5 minutes). Get a fresh one, or '
                               'set api_key, or username and password, so that the module can renew it.'
                               % (time.time() - expiry))

    @property
    def api(self):
        if self._api is None:
            p = self.params
            self._api = api.DocSpaceAPI(
                p['base_url'], api_key=p['api_key'], username=p['username'], password=p['password'],
                validate_certs=p['validate_certs'], ca_path=p['ca_path'], timeout=p['timeout'],
                http_agent=p['http_agent'], retries=p['retries'], warn=self.warn,
                signature=p['signature'] if self.needs_auth else None)
            if not p['validate_certs'] and p['base_url'].startswith('https://'):
                self.warn('validate_certs is false: the portal certificate is not checked, so a man in the '
                          'middle could read the credentials. Prefer ca_path.')
        return self._api

    def scrub(self, text):
        return self._api.scrub(text) if self._api else text

    def fail(self, msg, **result):
        """The one way to fail: the message scrubbed of every credential and JWT."""
        self.fail_json(msg=self.scrub(msg), **result)

    def fail_from(self, exc, **result):
        if exc.status:
            result.setdefault('status', exc.status)
        self.fail(str(exc), **result)

    def run_and_exit(self, work):
        """exit_json with what ``work(self)`` returns; any DocSpace failure through fail_from."""
        try:
            result = work(self)
        except api.DocSpaceError as exc:
            self.fail_from(exc)
        self.exit_json(**result)

    def find_client(self, client_id=None, name=None):
        """The client by id (one GET), or by name (list pages; fails when several share it)."""
        if client_id:
            return self.api.find_client(client_id)
        found = [c for c in self.api.list_clients() if c.get('name') == name]
        if len(found) > 1:
            self.fail('%d OAuth clients are named %r (DocSpace names are not unique): %s. Set client_id to '
                      'choose one.' % (len(found), name, ', '.join(c['client_id'] for c in found)),
                      client_ids=[c['client_id'] for c in found])
        return found[0] if found else None
