#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, onlyoffice.docspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: docspace_oauth_client_info
short_description: Read DocSpace OAuth2 apps, your consents and the scope catalogue
version_added: 0.1.0
description:
  - Lists the OAuth2 clients ("apps") of an ONLYOFFICE DocSpace portal that the caller may see, following the
    server's cursor to the end (newest first, 50 a page), or reads chosen clients by id.
  - Never returns a client secret; use M(onlyoffice.docspace.docspace_oauth_secret) to read one.
author:
  - ONLYOFFICE DocSpace collection maintainers (@onlyoffice)
extends_documentation_fragment:
  - onlyoffice.docspace.docspace
  - onlyoffice.docspace.docspace.ACTION_GROUP
attributes:
  check_mode:
    support: full
    description: The module only reads; it runs the same in check mode.
  diff_mode:
    support: none
    description: The module changes nothing.
options:
  client_id:
    description:
      - Read only these clients, one request each. A client that does not exist, or that the caller may not see
        (DocSpace answers 404 for both), is listed in RV(missing_ids) unless O(fail_on_missing=true).
    type: list
    elements: str
  name:
    description: Keep only the clients with exactly this name (names are not unique in DocSpace).
    type: str
  view:
    description:
      - V(full) is the whole client (C(GET /clients/{id}) or the C(/clients) list), without its secret.
      - V(info) is the shorter projection (C(/clients/{id}/info) or the C(/clients/info) list), without redirect URIs,
        allowed origins or the enabled flag.
      - V(public) is what anyone may read (C(/clients/{id}/public/info)); it needs O(client_id) and no credential,
        so O(base_url) is the only connection option it needs.
    type: str
    choices: [full, info, public]
    default: full
  fail_on_missing:
    description: Fail when a O(client_id) is not found, instead of listing it in RV(missing_ids).
    type: bool
    default: false
  include_consents:
    description: Also return the caller's own consents (C(GET /clients/consents), every page).
    type: bool
    default: false
  include_scopes:
    description: Also return the portal's scope catalogue (C(GET /scopes)).
    type: bool
    default: false
seealso:
  - module: onlyoffice.docspace.docspace_oauth_client
'''

EXAMPLES = r'''
- name: Every app the API key may see
  onlyoffice.docspace.docspace_oauth_client_info:
    base_url: https://docspace.example.com
    api_key: "{{ vault_docspace_api_key }}"
  register: apps

- name: Chosen apps by id (here the first two listed above), as their short info, with the scope catalogue
  onlyoffice.docspace.docspace_oauth_client_info:
    client_id: "{{ apps.clients[:2] | map(attribute='client_id') | list }}"
    view: info
    include_scopes: true
  register: chosen

- name: What the public consent screen shows, with no credential
  onlyoffice.docspace.docspace_oauth_client_info:
    base_url: https://docspace.example.com
    client_id: ["{{ apps.clients[0].client_id }}"]
    view: public
'''

RETURN = r'''
clients:
  description:
    - The clients found, in server order (newest first when listed), never with a secret.
    - Each holds the options of M(onlyoffice.docspace.docspace_oauth_client) and nothing else (C(client_id),
      C(logout_redirect_uri) a string, C(allow_pkce) a boolean), so that a client pastes back as a task; who made and
      changed it is in RV(audit). The V(info) and V(public) views carry fewer fields; a field the view lacks is left
      out.
  returned: always
  type: list
  elements: dict
  sample:
    - client_id: 7e1e6b52-8cc4-4a47-9b8c-0b3f1d1a9a11
      name: Reporting
      enabled: true
      allow_pkce: true
      logout_redirect_uri: https://reports.example.com/logout
      scopes: [files:read, openid]
audit:
  description:
    - For each client of RV(clients), by C(client_id), who created and last changed it and when, as DocSpace reports it
      (C(created_on), C(created_by), C(modified_on), C(modified_by); the V(public) view carries none).
  returned: always
  type: dict
  sample:
    7e1e6b52-8cc4-4a47-9b8c-0b3f1d1a9a11:
      created_on: '2026-11-24T09:30:00.000+00:00'
      created_by: 3f1c2b9e-0000-4000-8000-000000000001
      modified_on: '2026-11-24T09:30:00.000+00:00'
      modified_by: 3f1c2b9e-0000-4000-8000-000000000001
missing_ids:
  description: The requested O(client_id) values that were not found or not visible to the caller.
  returned: always
  type: list
  elements: str
consents:
  description:
    - The caller's consents, newest first. C(scopes) is a space-separated string, as DocSpace sends it; C(client) is
      the client's info in the same shape as RV(clients), or null when the client no longer exists.
  returned: when O(include_consents=true)
  type: list
  elements: dict
scopes:
  description: The scope catalogue, C(name), C(group) and C(type) of each, in server order (openid last).
  returned: when O(include_scopes=true)
  type: list
  elements: dict
'''

from ansible_collections.onlyoffice.docspace.plugins.module_utils._docspace_api import NotFound
from ansible_collections.onlyoffice.docspace.plugins.module_utils._docspace_module import DocSpaceModule
from ansible_collections.onlyoffice.docspace.plugins.module_utils._oauth_client import as_options, audit


def read(module):
    p, api = module.params, module.api
    result = dict(changed=False, clients=[], missing_ids=[], audit={})
    found = []
    if p['client_id']:
        for client_id in p['client_id']:
            try:
                if p['view'] == 'full':
                    found.append(api.get_client(client_id))
                else:
                    found.append(api.client_info(client_id, public=p['view'] == 'public'))
            except NotFound:
                result['missing_ids'].append(client_id)
    else:
        found = api.list_clients() if p['view'] == 'full' else api.list_client_info()
    for client in found:
        if p['name'] is None or client.get('name') == p['name']:
            result['clients'].append(as_options(client))
            if audit(client):
                result['audit'][client['client_id']] = audit(client)
    if p['include_consents']:
        result['consents'] = [dict(c, client=as_options(c['client']) if c.get('client') else None)
                              for c in api.consents()]
    if p['include_scopes']:
        result['scopes'] = api.scopes()
    if result['missing_ids'] and p['fail_on_missing']:
        module.fail('No OAuth client with client_id %s (or the caller may not see it).'
                    % ', '.join(result['missing_ids']), **result)
    return result


def main():
    module = DocSpaceModule(
        argument_spec=dict(
            client_id=dict(type='list', elements='str'),
            name=dict(type='str'),
            view=dict(type='str', choices=['full', 'info', 'public'], default='full'),
            fail_on_missing=dict(type='bool', default=False),
            include_consents=dict(type='bool', default=False),
            include_scopes=dict(type='bool', default=False),
        ),
        required_if=[('view', 'public', ['client_id'])],
        needs_auth=lambda p: p['view'] != 'public' or p['include_consents'] or p['include_scopes'],
        supports_check_mode=True,
    )
    module.run_and_exit('read OAuth clients', read)


if __name__ == '__main__':
    main()
