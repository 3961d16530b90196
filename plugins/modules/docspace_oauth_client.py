#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, onlyoffice.docspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: docspace_oauth_client
short_description: Create, update, enable, disable and delete DocSpace OAuth2 apps
version_added: 0.1.0
description:
  - Manages an OAuth2 client ("app") of an ONLYOFFICE DocSpace portal (Developer Tools > OAuth), idempotently.
  - Only the options you set are compared and changed; lists compare as sets, and server-only fields
    (timestamps, tenant, creator) never cause a change.
  - DocSpace fixes O(website_url), O(terms_url), O(policy_url), O(logout_redirect_uri) at creation, and
    also O(redirect_uris) and O(scopes) on 3.7.x servers. When one of them differs the task fails and names
    each field, unless O(recreate=true). Newer servers update O(redirect_uris) and O(scopes) in place; the
    module learns which by checking the result of its update, never by guessing the version.
author:
  - ONLYOFFICE DocSpace collection maintainers (@onlyoffice)
extends_documentation_fragment:
  - onlyoffice.docspace.docspace
  - onlyoffice.docspace.docspace.ACTION_GROUP
attributes:
  check_mode:
    support: full
    description: No write request is sent; the result, diff and V(changed) are those of a real run.
  diff_mode:
    support: full
    description: Shows the managed fields before and after. The logo is summarised; no secret is shown.
options:
  client_id:
    description:
      - The client's id (a UUID). Identifies the client when set; O(name) then renames it.
      - DocSpace assigns ids, so a client is created by O(name) only.
    type: str
  name:
    description:
      - The app name, 3 to 255 characters. Identifies the client when O(client_id) is not set.
      - Names are not unique in DocSpace. When several clients share it and all have every field the task sets
        (copies of one app, left by a create that DocSpace applied late or by runs that created it at the same
        moment), the oldest is kept and managed and the others are deleted, with a warning (see RV(deleted_copies)).
        With O(recreate=true), a client with every wanted field is kept and the others of that name are deleted,
        which finishes a recreate that was cut off. Otherwise the task fails and lists their ids.
    type: str
  state:
    description: Whether the client should exist.
    type: str
    choices: [present, absent]
    default: present
  enabled:
    description:
      - Whether the app may authorize users. A disabled app keeps its settings; issued tokens stay valid
        until they expire. New clients are enabled unless this is V(false).
    type: bool
  description:
    description: Up to 255 characters.
    type: str
  logo:
    description:
      - The app icon as a data URI, V(data:image/png;base64,...) (png, jpeg or svg+xml, at most 256,000 bytes).
      - Required to create a client, or O(logo_path).
    type: str
  logo_path:
    description:
      - A PNG, JPEG or SVG file on the host the module runs on, encoded into O(logo) by the module.
    type: path
  website_url:
    description:
      - The app's home page; an http(s) URL with a dotted host name or an IPv4 address (not V(localhost)).
      - Required to create a client. Cannot change after creation.
    type: str
  terms_url:
    description: Terms of service URL, same rules as O(website_url). Required to create; cannot change.
    type: str
  policy_url:
    description: Privacy policy URL, same rules as O(website_url). Required to create; cannot change.
    type: str
  logout_redirect_uri:
    description: Where DocSpace sends users after logout, same rules as O(website_url). Required to create; cannot change.
    type: str
  redirect_uris:
    description:
      - 1 to 12 http, https or claude URIs (here V(http://localhost:3000/cb) is accepted). Required to create.
      - Cannot change on DocSpace 3.7.x; newer servers update it in place.
    type: list
    elements: str
  allowed_origins:
    description: 1 to 12 URLs allowed for CORS, as O(redirect_uris). Required to create.
    type: list
    elements: str
  scopes:
    description:
      - What the app may ask for. Required to create. Cannot change on DocSpace 3.7.x; newer servers update it in place.
    type: list
    elements: str
    choices: ['accounts:read', 'accounts:write', 'accounts.self:read', 'accounts.self:write', 'files:read',
              'files:write', 'rooms:read', 'rooms:write', 'openid']
  allow_pkce:
    description:
      - Lets the app authenticate with PKCE and no secret (a public client). New clients default to V(false).
    type: bool
  recreate:
    description:
      - When a field that cannot change differs, delete the client and create it again. The new client has a new
        O(client_id) and secret, returned once in RV(client_secret); apps using the old ones stop working.
      - The new client is created before the old one is deleted. A run cut off in between leaves both; the next
        run adopts the new one (it has every wanted field) instead of creating another, and deletes the old one.
    type: bool
    default: false
notes:
  - A create whose outcome is unknown (a timeout, a dropped connection, a 502, 503 or 504) is never sent again,
    since DocSpace may still apply it. The module looks for the new client a few times and adopts it when it
    appears; otherwise the task fails, and a rerun adopts the client or creates it.
  - DocSpace has no way to lock a client, and its update replaces every field. A client is read right before it
    is updated and again after; a value another writer undid in between is written again, a few times, before
    the task fails naming the fields.
  - When a step after a create fails, the failed result still carries RV(client) and RV(client_secret).
  - RV(client_secret) is returned only by the run that creates (or re-creates) the client. Use C(no_log) on
    that task and store the secret at once; M(onlyoffice.docspace.docspace_oauth_secret) can read or rotate it later.
seealso:
  - module: onlyoffice.docspace.docspace_oauth_secret
  - module: onlyoffice.docspace.docspace_oauth_client_info
'''

EXAMPLES = r'''
- name: Register the reporting app
  onlyoffice.docspace.docspace_oauth_client:
    base_url: https://docspace.example.com
    api_key: "{{ vault_docspace_api_key }}"
    name: Reporting
    description: Nightly usage reports
    logo_path: files/reporting.png
    website_url: https://reports.example.com
    terms_url: https://reports.example.com/terms
    policy_url: https://reports.example.com/privacy
    logout_redirect_uri: https://reports.example.com/logout
    redirect_uris: [https://reports.example.com/oauth/callback]
    allowed_origins: [https://reports.example.com]
    scopes: [files:read, rooms:read, openid]
    allow_pkce: true
  register: reporting
  no_log: true  # the first run returns the client secret

- name: Disable it, by id, with the connection from the environment (DOCSPACE_URL, DOCSPACE_API_KEY)
  onlyoffice.docspace.docspace_oauth_client:
    client_id: "{{ reporting.client.client_id }}"
    enabled: false

- name: Remove it
  onlyoffice.docspace.docspace_oauth_client:
    name: Reporting
    state: absent

- name: Converge many apps with one x-signature, so that no task logs in or exchanges a token
  module_defaults:
    group/onlyoffice.docspace.docspace:
      signature: "{{ docspace_signature.json.response }}"  # DOCSPACE_API_KEY still renews it after 5 minutes
  block:
    - name: Get an x-signature once
      ansible.builtin.uri:
        url: "{{ lookup('ansible.builtin.env', 'DOCSPACE_URL') }}/api/2.0/security/oauth2/token"
        headers:
          Authorization: "Bearer {{ lookup('ansible.builtin.env', 'DOCSPACE_API_KEY') }}"
      register: docspace_signature
      no_log: true  # the answer is a credential

    - name: Converge every app of the team
      onlyoffice.docspace.docspace_oauth_client: "{{ item }}"
      loop: "{{ team_apps }}"
      no_log: true  # a run that creates an app returns its secret
'''

RETURN = r'''
client:
  description:
    - The client as DocSpace holds it after the task (predicted in check mode), never with its secret.
    - Empty when O(state=absent).
  returned: always
  type: dict
  sample:
    client_id: 7e1e6b52-8cc4-4a47-9b8c-0b3f1d1a9a11
    name: Reporting
    enabled: true
    scopes: [files:read, openid, rooms:read]
    redirect_uris: [https://reports.example.com/oauth/callback]
    authentication_methods: [client_secret_post, none]
client_secret:
  description: The client secret, only in the run that created or re-created the client.
  returned: when the client was created
  type: str
  sample: 8fJ2kQ0xLw9ZrT4pN6vB1yC3mA5sD7eF9gH0
recreated:
  description: True when the client was deleted and created again because of O(recreate).
  returned: when re-created
  type: bool
deleted_copies:
  description:
    - The ids of other clients with the same name and the same fields that the task deleted (or, in check mode,
      would delete), keeping the oldest. Copies come from a create that DocSpace applied after the module gave up,
      from concurrent runs, or from a recreate that was cut off.
  returned: when copies were found
  type: list
  elements: str
  sample: [0b9a3c1e-5d2f-4e6a-8b7c-9d0e1f2a3b4c]
'''

from ansible_collections.onlyoffice.docspace.plugins.module_utils import _oauth_client as oc
from ansible_collections.onlyoffice.docspace.plugins.module_utils._client_engine import ClientEngine
from ansible_collections.onlyoffice.docspace.plugins.module_utils._docspace_module import DocSpaceModule


def main():
    module = DocSpaceModule(
        argument_spec=dict(
            client_id=dict(type='str'),
            name=dict(type='str'),
            state=dict(type='str', choices=['present', 'absent'], default='present'),
            enabled=dict(type='bool'),
            description=dict(type='str'),
            logo=dict(type='str'),
            logo_path=dict(type='path'),
            website_url=dict(type='str'),
            terms_url=dict(type='str'),
            policy_url=dict(type='str'),
            logout_redirect_uri=dict(type='str'),
            redirect_uris=dict(type='list', elements='str'),
            allowed_origins=dict(type='list', elements='str'),
            scopes=dict(type='list', elements='str', choices=list(oc.SCOPES)),
            allow_pkce=dict(type='bool'),
            recreate=dict(type='bool', default=False),
        ),
        required_one_of=[('client_id', 'name')],
        mutually_exclusive=[('logo', 'logo_path')],
        supports_check_mode=True,
    )
    p = module.params

    def work(module):
        if p['logo_path']:
            try:
                p['logo'] = oc.logo_from_file(p['logo_path'])
            except (IOError, OSError, ValueError) as exc:
                module.fail('logo_path %s: %s.' % (p['logo_path'], exc))
        ClientEngine(module).run()

    module.run_and_exit('manage OAuth client %s' % (p['client_id'] or repr(p['name'])), work)


if __name__ == '__main__':
    main()
