#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, onlyoffice.docspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: docspace_oauth_clients
short_description: Converge many DocSpace OAuth2 apps in one task
version_added: 0.1.0
description:
  - Manages a set of OAuth2 clients ("apps") of an ONLYOFFICE DocSpace portal in one task, the way resource
    modules do - O(config) lists the clients, O(state) says how to apply it.
  - The portal is listed once (one request per 50 clients, after one token exchange with O(api_key)); every client
    is then compared in memory, and only the writes that are needed are sent, O(parallel_writes) at a time. An
    unchanged set sends no write.
  - Each item of O(config) takes the options of M(onlyoffice.docspace.docspace_oauth_client) and is decided by the
    same code, so a client is found, compared, created, updated or re-created exactly as that module does it
    (by O(config[].client_id) or a unique O(config[].name); fields fixed at creation need O(config[].recreate)).
  - Creates are paced under DocSpace's limit of 10 a minute per user (and updates under 15) with the
    C(X-Ratelimit-Remaining) and C(X-Ratelimit-Reset) headers of its answers, so a large first run waits for the
    next minute instead of running into HTTP 429.
  - A client that fails does not stop the others (as a loop). The task then fails naming each failed client, and
    its result still says what happened to every client, with the secrets of the clients it created.
author:
  - ONLYOFFICE DocSpace collection maintainers (@onlyoffice)
extends_documentation_fragment:
  - onlyoffice.docspace.docspace
  - onlyoffice.docspace.docspace.ACTION_GROUP
  - ansible.builtin.files
attributes:
  check_mode:
    support: full
    description: No write request is sent; V(changed), RV(results), RV(counts) and the diff are those of a real run.
  diff_mode:
    support: full
    description: One before/after per changed client, headed by its item and id. The logo is summarised; no secret is shown.
options:
  config:
    description:
      - The clients. Each item is one client; give each client once (by O(config[].client_id) or by
        O(config[].name)) and each O(config[].secret_path) once.
      - Not with O(state=gathered).
    type: list
    elements: dict
    suboptions:
      client_id:
        description: The client's id (a UUID). Identifies the client when set; O(config[].name) then renames it.
        type: str
      name:
        description:
          - The app name, 3 to 255 characters. Identifies the client when O(config[].client_id) is not set.
          - Copies of one app that share its name are folded into the oldest, as
            M(onlyoffice.docspace.docspace_oauth_client) does; clients that share a name and differ fail this item.
        type: str
      enabled:
        description: Whether the app may authorize users. New clients are enabled unless this is V(false).
        type: bool
      description:
        description: Up to 255 characters.
        type: str
      logo:
        description: The app icon as a data URI (png, jpeg or svg+xml, at most 256,000 bytes). Required to create.
        type: str
      logo_path:
        description: A PNG, JPEG or SVG file on the host the module runs on, encoded into O(config[].logo).
        type: path
      website_url:
        description: The app's home page, an http(s) URL with a dotted host name. Required to create; cannot change.
        type: str
      terms_url:
        description: Terms of service URL, as O(config[].website_url). Required to create; cannot change.
        type: str
      policy_url:
        description: Privacy policy URL, as O(config[].website_url). Required to create; cannot change.
        type: str
      logout_redirect_uri:
        description: Where DocSpace sends users after logout, as O(config[].website_url). Required to create; cannot change.
        type: str
      redirect_uris:
        description: 1 to 12 different http, https or claude URIs. Required to create; cannot change on DocSpace 3.7.x.
        type: list
        elements: str
      allowed_origins:
        description: 1 to 12 different URLs allowed for CORS. Required to create.
        type: list
        elements: str
      scopes:
        description:
          - What the app may ask for, one scope name or more. Required to create; cannot change on DocSpace 3.7.x.
          - A scope a client does not have yet must be in the portal's catalogue, read once per task when needed.
        type: list
        elements: str
      allow_pkce:
        description: Lets the app authenticate with PKCE and no secret. New clients default to V(false).
        type: bool
      recreate:
        description:
          - When a field that cannot change differs, delete the client and create it again (a new client_id and
            secret; apps using the old ones stop working).
        type: bool
        default: false
      secret_path:
        description:
          - Write the secret of this client to this file on the host the module runs on, instead of returning it
            in RV(secrets), so that the task needs no C(no_log) and its diff stays visible.
          - As O(onlyoffice.docspace.docspace_oauth_client#module:secret_path) - a create or re-create writes the
            new secret; for an existing client a missing file gets its current secret (one C(GET)) and an existing
            file keeps its content and gets its file options. Checked before any request.
        type: path
      mode:
        description: The permissions of this item's O(config[].secret_path) file; overrides O(mode).
        type: raw
      owner:
        description: The owner of this item's O(config[].secret_path) file; overrides O(owner).
        type: str
      group:
        description: The group of this item's O(config[].secret_path) file; overrides O(group).
        type: str
  state:
    description:
      - V(merged) creates the listed clients that are missing and updates the options each item sets; options an
        item leaves out are left as they are, and clients that are not listed are not touched.
      - V(replaced) makes each listed client exactly as given. Every field DocSpace requires at creation must be
        set; O(config[].description), O(config[].allow_pkce) and O(config[].enabled), when left out, go back to
        their defaults (empty, V(false), V(true)). Clients that are not listed are not touched.
      - V(overridden) is V(replaced), and deletes every other client in the scope that O(name_prefix) or
        O(all_clients) sets (one of them is required). Every item's name must start with O(name_prefix).
      - V(deleted) deletes the listed clients (items need only O(config[].client_id) or O(config[].name)) and, with
        O(name_prefix) or O(all_clients), every client in that scope.
      - V(gathered) changes nothing and returns the portal's clients in RV(gathered), in the format of O(config),
        to adopt an existing portal into a vars file.
    type: str
    choices: [merged, replaced, overridden, deleted, gathered]
    default: merged
  name_prefix:
    description:
      - "The clients this task owns, for O(state=overridden) and O(state=deleted): those whose name starts with
        this text, such as V(Team Alpha: ). A client named by an item, or sharing a name with one, is never
        deleted as out of the list."
      - Mutually exclusive with O(all_clients); only with O(state=overridden) or O(state=deleted).
    type: str
  all_clients:
    description:
      - With O(state=overridden) or O(state=deleted), the scope is every client the credential can see.
    type: bool
    default: false
  parallel_writes:
    description:
      - How many writes run at a time, 1 to 10. Reads of an update and the writes of one client stay in order.
    type: int
    default: 4
  mode:
    description:
      - The permissions of every O(config[].secret_path) file, octal (quoted, such as V('0640')) or symbolic. Default
        V('0600'). An item's own O(config[].mode) wins. Permission bits only. Checked before any request.
    type: raw
  owner:
    description:
      - The owner of every O(config[].secret_path) file; must exist, and only root may name another user.
    type: str
  group:
    description:
      - The group of every O(config[].secret_path) file; must exist, and a user that is not root may name only a
        group it is in.
    type: str
notes:
  - "Bad input in any item fails the task before any request, naming the item, such as C(config[2] ('Team Alpha: Sync'))."
  - With O(state=overridden), a run interrupted after some writes leaves nothing a rerun cannot finish - every
    create, update and delete is the single-client module's, with its guarantees (a create whose outcome is
    unknown is looked for and adopted, never sent twice).
seealso:
  - module: onlyoffice.docspace.docspace_oauth_client
  - module: onlyoffice.docspace.docspace_oauth_client_info
'''

EXAMPLES = r'''
- name: Converge the team's apps; secrets to 0600 files, so the task needs no no_log
  onlyoffice.docspace.docspace_oauth_clients:
    state: overridden
    name_prefix: "Team Alpha: "  # the task may delete only the team's own apps
    config:
      - name: "Team Alpha: Reporting"
        logo_path: files/reporting.png
        website_url: https://reports.example.com
        terms_url: https://reports.example.com/terms
        policy_url: https://reports.example.com/privacy
        logout_redirect_uri: https://reports.example.com/logout
        redirect_uris: [https://reports.example.com/oauth/callback]
        allowed_origins: [https://reports.example.com]
        scopes: [files:read, rooms:read, openid]
        allow_pkce: true
        secret_path: /etc/docspace-apps/reporting  # an existing folder
      - name: "Team Alpha: Directory"
        logo_path: files/reporting.png
        website_url: https://directory.example.com
        terms_url: https://directory.example.com/terms
        policy_url: https://directory.example.com/privacy
        logout_redirect_uri: https://directory.example.com/logout
        redirect_uris: [https://directory.example.com/oauth/callback]
        allowed_origins: [https://directory.example.com]
        scopes: [accounts:read, openid]
        secret_path: /etc/docspace-apps/directory
  register: team

- name: Say what happened
  ansible.builtin.debug:
    msg: "{{ team.counts }}"

- name: Add another team's app, disabled for now, and leave every other app alone (merged)
  onlyoffice.docspace.docspace_oauth_clients:
    config:
      - name: "Team Beta: Importer"
        logo_path: files/reporting.png
        website_url: https://importer.example.com
        terms_url: https://importer.example.com/terms
        policy_url: https://importer.example.com/privacy
        logout_redirect_uri: https://importer.example.com/logout
        redirect_uris: [https://importer.example.com/oauth/callback]
        allowed_origins: [https://importer.example.com]
        scopes: [files:write]
        enabled: false
        secret_path: /etc/docspace-apps/importer

- name: Adopt an existing portal into code - read its clients as config
  onlyoffice.docspace.docspace_oauth_clients:
    state: gathered
  register: portal

- name: Save them as a vars file to review and commit
  ansible.builtin.copy:
    content: "{{ {'docspace_apps': portal.gathered} | to_nice_yaml }}"
    dest: "{{ playbook_dir }}/docspace_apps.yml"
    mode: '0600'

- name: Remove every app of a team that is gone
  onlyoffice.docspace.docspace_oauth_clients:
    state: deleted
    name_prefix: "Team Gamma: "
'''

RETURN = r'''
results:
  description:
    - One entry per client, in O(config) order, then the clients deleted as out of the list.
    - C(action) is V(created), V(updated), V(recreated), V(deleted), V(unchanged) or V(failed) (in check mode, what
      a real run would do). V(updated) also covers a client whose secret file or copies changed.
    - C(client_id) is null for a client that check mode would create. C(secret_path), C(deleted_copies) and C(msg)
      (the reason of a failure) appear when they apply.
  returned: unless O(state=gathered)
  type: list
  elements: dict
  sample:
    - {name: "Team Alpha: Reporting", client_id: 7e1e6b52-8cc4-4a47-9b8c-0b3f1d1a9a11, action: created,
       secret_path: /etc/docspace-apps/reporting}
    - {name: "Team Alpha: Directory", client_id: 0b9a3c1e-5d2f-4e6a-8b7c-9d0e1f2a3b4c, action: unchanged}
counts:
  description: How many clients each action applied to (copies deleted count as V(deleted)); every key is present.
  returned: unless O(state=gathered)
  type: dict
  sample: {created: 1, updated: 0, recreated: 0, deleted: 0, unchanged: 1, failed: 0}
secrets:
  description:
    - The secrets of the clients this run created or re-created without O(config[].secret_path), by client name.
      A task that may return it needs C(no_log); prefer O(config[].secret_path).
  returned: when such a client was created
  type: dict
  sample: {"Team Alpha: Sync": 8fJ2kQ0xLw9ZrT4pN6vB1yC3mA5sD7eF9gH0}
gathered:
  description:
    - The portal's clients as O(config) items (with C(client_id)), sorted by name, never with a secret. Pasted back
      as O(config), with O(state=merged) or O(state=replaced), it reports no change.
  returned: when O(state=gathered)
  type: list
  elements: dict
  sample:
    - client_id: 7e1e6b52-8cc4-4a47-9b8c-0b3f1d1a9a11
      name: "Team Alpha: Reporting"
      description: ""
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
'''

from ansible_collections.onlyoffice.docspace.plugins.module_utils._client_set import ARGUMENT_SPEC, ClientSet
from ansible_collections.onlyoffice.docspace.plugins.module_utils._docspace_module import DocSpaceModule


def main():
    module = DocSpaceModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True, add_file_common_args=True)

    def work(module):
        result = ClientSet(module).run()
        if 'msg' in result:
            module.fail_json(**result)
        return result

    module.run_and_exit('converge OAuth clients', work)


if __name__ == '__main__':
    main()
