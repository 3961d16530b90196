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
  - onlyoffice.docspace.docspace.SECRET_FILE
  - ansible.builtin.files
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
      - 1 to 12 different http, https or claude URIs (here V(http://localhost:3000/cb) is accepted). Required to
        create.
      - Cannot change on DocSpace 3.7.x; newer servers update it in place.
    type: list
    elements: str
  allowed_origins:
    description: 1 to 12 different URLs allowed for CORS, as O(redirect_uris). Required to create.
    type: list
    elements: str
  scopes:
    description:
      - What the app may ask for, one scope name or more (a name given twice counts once). Required to create.
        Cannot change on DocSpace 3.7.x; newer servers update it in place.
      - The portal's scope catalogue decides which names exist, so a scope that a newer DocSpace adds works as it
        appears. DocSpace 3.7.2 offers V(accounts:read), V(accounts:write), V(accounts.self:read),
        V(accounts.self:write), V(files:read), V(files:write), V(rooms:read), V(rooms:write) and V(openid).
      - List the portal's catalogue with M(onlyoffice.docspace.docspace_oauth_client_info) and
        O(onlyoffice.docspace.docspace_oauth_client_info#module:include_scopes=true).
      - Before it writes a scope the client does not have yet, the task reads the catalogue (check mode too), and a
        name the portal does not offer fails with the catalogue in the message. A name that is not a scope-token
        (blank, a space, a control character, a quote or a backslash) fails before any request.
    type: list
    elements: str
  allow_pkce:
    description:
      - Lets the app authenticate with PKCE and no secret (a public client). New clients default to V(false).
    type: bool
  recreate:
    description:
      - When a field that cannot change differs, delete the client and create it again. The new client has a new
        O(client_id) and secret, written to O(secret_path) or returned once in RV(client_secret); apps using the
        old ones stop working.
      - The new client is created before the old one is deleted. A run cut off in between leaves both; the next
        run adopts the new one (it has every wanted field) instead of creating another, and deletes the old one.
    type: bool
    default: false
  secret_path:
    description:
      - Write the client secret to this file on the host the module runs on, and return no RV(client_secret), so
        that the task needs no C(no_log) and C(--check --diff) shows what it changes.
      - A run that creates or re-creates the client writes the new secret there. For a client that exists, a
        missing file is written with its current secret (read with one C(GET)), and V(changed) is reported; an
        existing file keeps its content (rotation is M(onlyoffice.docspace.docspace_oauth_secret)'s job), and
        only its file options are applied (a link is left as it is, with a warning, since the module never follows one).
        That is, if it is the secret file, a regular file with a single link owned by the running user or by
        O(owner); anything else (a file another user planted, a hard link) is replaced as a missing one is,
        which leaves a hard link's other name untouched.
      - The file gets O(mode) (default V('0600')), O(owner), O(group) and the other file options of
        M(ansible.builtin.file). It replaces the path in one rename (a link is replaced, not followed), and the
        secret is never in a file another user can read, not even for a moment.
      - Checked before any request, so that no client is created whose secret cannot be kept. It must be an
        absolute path, not empty and not ending with a slash, its folder must exist and be writable, the path, if
        it exists, must be a regular file or a link, not immutable or append-only (C(chattr +i) or C(+a), unless
        O(attributes) itself keeps it so), and not a mount point unless O(unsafe_writes=true), and O(mode),
        O(owner) and O(group) must be ones the module can apply. With O(unsafe_writes=true), an existing path
        must be a regular file with a single link owned by the running user. Only with O(state=present). Check
        mode writes nothing.
      - If the client was created but the file could still not be written, the failed result carries
        RV(client_secret), so that the secret is not lost.
    type: path
notes:
  - A create whose outcome is unknown (a timeout, a dropped connection, a 502, 503 or 504) is never sent again,
    since DocSpace may still apply it. The module looks for the new client a few times and adopts it when it
    appears; otherwise the task fails, and a rerun adopts the client or creates it.
  - DocSpace has no way to lock a client, and its update replaces every field. A client is read right before it
    is updated and again after; a value another writer undid in between is written again, a few times, before
    the task fails naming the fields.
  - When a step after a create fails, the failed result still carries RV(client), and the secret stays where it
    went (O(secret_path), or RV(client_secret)).
  - The secret of a new client is a credential, handed out once. Set O(secret_path) on the task that may create
    the client; the secret then goes to that file and the result holds none, so the task needs no C(no_log) and
    C(--check --diff) shows what it will change. Without O(secret_path), RV(client_secret) is returned by the run
    that creates (or re-creates) the client, and that task needs C(no_log) (which also hides its diff).
    M(onlyoffice.docspace.docspace_oauth_secret) reads or rotates the secret later, into the same file.
seealso:
  - module: onlyoffice.docspace.docspace_oauth_secret
  - module: onlyoffice.docspace.docspace_oauth_client_info
'''

EXAMPLES = r'''
- name: Register the reporting app; its secret goes to a 0600 file, so the result holds none (no no_log needed)
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
    secret_path: /etc/reporting/oauth-secret  # the folder must exist
  register: reporting

- name: Disable it, by id, with the connection from the environment (DOCSPACE_URL, DOCSPACE_API_KEY)
  onlyoffice.docspace.docspace_oauth_client:
    client_id: "{{ reporting.client.client_id }}"
    enabled: false
  when: not ansible_check_mode  # a check-mode run creates nothing, so on a first run there is no id yet

- name: Remove an app that is no longer used
  onlyoffice.docspace.docspace_oauth_client:
    name: Legacy reports
    state: absent

- name: Converge many apps with one x-signature, so that no task logs in or exchanges a token
  module_defaults:
    group/onlyoffice.docspace.docspace:
      # DOCSPACE_API_KEY still renews it after 5 minutes. default(omit): ansible-core before 2.19 templates
      # module_defaults for the uri task too, before it has registered docspace_signature.
      signature: "{{ docspace_signature.json.response | default(omit) }}"
  block:
    - name: Get an x-signature once
      ansible.builtin.uri:
        url: "{{ lookup('ansible.builtin.env', 'DOCSPACE_URL') }}/api/2.0/security/oauth2/token"
        headers:
          Authorization: "Bearer {{ lookup('ansible.builtin.env', 'DOCSPACE_API_KEY') }}"
      register: docspace_signature
      check_mode: false  # a read; a check-mode run uses the signature too
      no_log: true  # the answer is a credential

    - name: Converge every app of the team, each option named (never a templated dict as the task's arguments)
      onlyoffice.docspace.docspace_oauth_client:
        name: "{{ item.name }}"
        logo_path: files/reporting.png
        website_url: "{{ item.site }}"
        terms_url: "{{ item.site }}/terms"
        policy_url: "{{ item.site }}/privacy"
        logout_redirect_uri: "{{ item.site }}/logout"
        redirect_uris: ["{{ item.site }}/oauth/callback"]
        allowed_origins: ["{{ item.site }}"]
        scopes: "{{ item.scopes }}"
        secret_path: "/etc/docspace-apps/{{ item.name | lower }}"  # an existing folder
      loop:
        - {name: Sync, site: https://sync.example.com, scopes: [files:read, files:write]}
        - {name: Directory, site: https://directory.example.com, scopes: [accounts:read, openid]}
      loop_control:
        label: "{{ item.name }}"
'''

RETURN = r'''
client:
  description:
    - The client as DocSpace holds it after the task (predicted in check mode), never with its secret. It holds
      this module's options and nothing else (C(client_id), O(logout_redirect_uri) a string, O(allow_pkce) a
      boolean), so that it pastes back as a task; M(onlyoffice.docspace.docspace_oauth_client_info) also says who
      created and changed it.
    - An empty dictionary when O(state=absent).
  returned: always
  type: dict
  sample:
    client_id: 7e1e6b52-8cc4-4a47-9b8c-0b3f1d1a9a11
    name: Reporting
    description: Nightly usage reports
    logo: data:image/png;base64,iVBORw0KGgo...
    website_url: https://reports.example.com
    terms_url: https://reports.example.com/terms
    policy_url: https://reports.example.com/privacy
    logout_redirect_uri: https://reports.example.com/logout
    redirect_uris: [https://reports.example.com/oauth/callback]
    allowed_origins: [https://reports.example.com]
    scopes: [files:read, openid, rooms:read]
    allow_pkce: true
    enabled: true
client_secret:
  description:
    - The client secret, only in the run that created or re-created the client, and only without O(secret_path).
    - With O(secret_path), only in a failed result whose file could not be written after the create, so that the
      secret is not lost.
  returned: when the client was created, without O(secret_path)
  type: str
  sample: 8fJ2kQ0xLw9ZrT4pN6vB1yC3mA5sD7eF9gH0
secret_path:
  description: The file that holds the client secret (in check mode, the file the task would write).
  returned: when O(secret_path) is set
  type: str
  sample: /etc/reporting/oauth-secret
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
from ansible_collections.onlyoffice.docspace.plugins.module_utils._secret_file import SecretFile, refuse_file_options_alone


def main():
    module = DocSpaceModule(
        argument_spec=dict(oc.client_spec(), state=dict(type='str', choices=['present', 'absent'], default='present')),
        required_one_of=[('client_id', 'name')],
        mutually_exclusive=[('logo', 'logo_path')],
        supports_check_mode=True,
        add_file_common_args=True,
    )
    p = module.params

    def work(module):
        refuse_file_options_alone(module)
        if p['secret_path'] is not None:  # checked before any request: a new client's secret must have a place
            if p['state'] == 'absent':
                module.fail('secret_path goes with state=present: it receives the secret of the client.')
            module.secret_file = SecretFile(module, p['secret_path'])
        problem = oc.logo_from_option(p)
        if problem:
            module.fail(problem)
        ClientEngine(module, secret_file=module.secret_file).run()

    module.run_and_exit('manage OAuth client %s' % (p['client_id'] or repr(p['name'])), work)


if __name__ == '__main__':
    main()
