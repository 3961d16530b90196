#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, onlyoffice.docspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: docspace_oauth_secret
short_description: Read or rotate the secret of a DocSpace OAuth2 app, or revoke your consent
version_added: 0.1.0
description:
  - O(state=present) reads the current client secret (C(GET /clients/{id}), the one read that returns it in plain
    text) and changes nothing. This is the documented way to read a secret after creation.
  - O(state=regenerated) rotates the secret (C(PATCH /clients/{id}/regenerate)); the old one stops working at once.
    It always reports V(changed). It is never retried once the request may have reached DocSpace, so one task never
    rotates a secret twice.
  - O(state=absent) with O(revoke_consent=true) revokes the caller's own consent for the app
    (C(DELETE /clients/{id}/revoke)), reporting V(changed) only when a consent existed.
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
    description:
      - With O(state=regenerated) nothing is rotated, V(changed) is true and no secret is returned (never a fake one).
      - With O(state=present) the secret is read, and O(secret_path) is not written; V(changed) says whether it
        would be, or whether its file options would change.
  diff_mode:
    support: none
    description: Secrets are never shown in a diff.
options:
  client_id:
    description: The client's id (a UUID).
    type: str
  name:
    description: The client's name, when O(client_id) is not set; several clients with that name is an error.
    type: str
  state:
    description: V(present) reads, V(regenerated) rotates, V(absent) revokes your consent (with O(revoke_consent)).
    type: str
    choices: [present, regenerated, absent]
    default: present
  secret_path:
    description:
      - Write the secret to this file on the host the module runs on, and return no secret at all. The file gets
        O(mode) (default V('0600')), O(owner), O(group) and the other file options of M(ansible.builtin.file). It
        replaces the path in one rename (a link is replaced, not followed), and the secret is never in a file
        another user can read, not even for a moment.
      - With O(state=present), a file that already holds the secret is kept and only its file options are
        applied (V(changed) when one differed), if it is the secret file, a regular file with a single link owned
        by the running user or by O(owner); anything else (a file another user planted, a hard link) is replaced
        by a fresh write, which leaves a hard link's other name untouched.
      - Checked before any request, so that a secret is never rotated that cannot be kept. It must be an absolute
        path, not empty and not ending with a slash, its folder must exist and be writable, its name must fit the
        file system, the path, if it exists, must be a regular file or a link, and O(mode), O(owner) and O(group)
        must be ones the module can apply. An existing file that is immutable or append-only (C(chattr +i) or
        C(+a)) is refused, and so is a mount point (a bind-mounted file, which a rename cannot replace) unless
        O(unsafe_writes=true). With O(unsafe_writes=true), which writes into the file in place when the rename
        fails, an existing path must be a regular file with a single link owned by the running user; it is
        narrowed to V('0600') (or O(mode) where narrower) before the secret goes in. No temporary file is left
        behind, whatever fails.
      - After a rotation the client is read once more; if another rotation ended after this one (two runs at
        once), the file gets the current secret instead, with a warning.
      - If the rotation succeeded but the file could still not be written, the task fails and says so; read the new
        secret with O(state=present).
    type: path
  revoke_consent:
    description: Confirms O(state=absent), which revokes the caller's consent for the app (not the app itself).
    type: bool
    default: false
notes:
  - A returned RV(client_secret) is a credential. Prefer O(secret_path), which returns no secret, so the task needs
    no C(no_log) and C(--check --diff) still shows what it does; otherwise use C(no_log) on the task.
  - Rotation reports V(changed) every time it runs; guard it with C(when) in playbooks that must converge.
seealso:
  - module: onlyoffice.docspace.docspace_oauth_client
'''

EXAMPLES = r'''
- name: Rotate the reporting app's secret into a file the app reads, printing nothing
  onlyoffice.docspace.docspace_oauth_secret:
    base_url: https://docspace.example.com
    api_key: "{{ vault_docspace_api_key }}"
    name: Reporting
    state: regenerated
    secret_path: /etc/reporting/oauth-secret  # the folder must exist
    mode: '0400'  # and owner, group: the common file options (default mode 0600, owned by the user who runs it)
  register: rotated

- name: Read the current secret, by id
  onlyoffice.docspace.docspace_oauth_secret:
    client_id: "{{ rotated.client_id }}"
  register: reporting_secret
  no_log: true  # the result holds the secret

- name: Withdraw my own consent to the app
  onlyoffice.docspace.docspace_oauth_secret:
    client_id: "{{ rotated.client_id }}"
    state: absent
    revoke_consent: true
'''

RETURN = r'''
client_id:
  description: The client's id.
  returned: always
  type: str
client_secret:
  description: The secret, current or new. Absent in check mode of a rotation, with O(secret_path), and with O(state=absent).
  returned: when O(state) is V(present) or V(regenerated), without O(secret_path)
  type: str
secret_path:
  description: The file the secret was written to.
  returned: when O(secret_path) is set
  type: str
'''

from ansible_collections.onlyoffice.docspace.plugins.module_utils._docspace_api import DocSpaceError, OutcomeUnknown
from ansible_collections.onlyoffice.docspace.plugins.module_utils._docspace_module import DocSpaceModule
from ansible_collections.onlyoffice.docspace.plugins.module_utils._secret_file import SecretFile, SecretFileError, refuse_file_options_alone

ROTATED = (' The secret WAS rotated: the old one no longer works, and this task could not hand out the new one. '
           'Once the cause is fixed, read it with state: present (with secret_path to write it).')


def remote_write(module, send, client_id, what, if_unknown=''):
    """``send(client_id, what)``; a failure says whether DocSpace may have applied it, as ``changed``."""
    try:
        return send(client_id, what)
    except DocSpaceError as exc:
        failure = exc
    unknown = isinstance(failure, OutcomeUnknown)
    module.fail('%s%s' % (failure, if_unknown if unknown else ''), changed=unknown, client_id=client_id,
                **({'status': failure.status} if failure.status else {}))


def keep_current(module, target, client_id, written):
    """Another rotation of the same client may have ended after this one (its PATCH answered first):
    the secret just written would then be dead. Read the one client once, and write what is current."""
    try:
        current = module.api.get_client(client_id, 'read the current secret of OAuth client %s' % client_id)
    except DocSpaceError as exc:
        module.warn('The new secret is in %s, but reading the client again to make sure no other rotation came '
                    'after this one failed: %s' % (target.path, exc))
        return
    secret = (current or {}).get('client_secret')
    if secret and secret != written:
        module.redactor.add(secret)
        target.write(secret)
        module.warn('Another rotation of OAuth client %s ended after this one, so the secret this task got no longer '
                    'works: %s holds the current secret instead.' % (client_id, target.path))


def run(module):
    p = module.params
    refuse_file_options_alone(module)
    if p['state'] == 'absent' and not p['revoke_consent']:
        module.fail('state=absent revokes your consent for the app; set revoke_consent: true to confirm. '
                    'To delete the app itself use onlyoffice.docspace.docspace_oauth_client with state=absent.')
    if p['revoke_consent'] and p['state'] != 'absent':
        module.fail('revoke_consent goes with state=absent.')
    api = module.api
    if p['state'] == 'absent':
        # The consent may be for an app the caller cannot see, so look it up among the consents.
        wanted_id = (p['client_id'] or '').lower()
        consents = [c for c in api.consents() if c.get('registered_client_id') == wanted_id
                    or (c.get('client') or {}).get('name') == p['name']]
        ids = sorted(set(c['registered_client_id'] for c in consents))
        if len(ids) > 1:
            module.fail('You consented to %d OAuth clients named %r: %s. Set client_id.'
                        % (len(ids), p['name'], ', '.join(ids)))
        result = dict(changed=bool(ids), client_id=ids[0] if ids else p['client_id'])
        if ids and not module.check_mode:
            remote_write(module, api.revoke_consent, ids[0], 'revoke your consent for OAuth client %s' % ids[0])
        return result
    target = SecretFile(module, p['secret_path']) if p['secret_path'] is not None else None
    if target and p['state'] == 'regenerated':
        target.writable()  # an immutable file of the task's own (attributes: '+i') could not take the new secret
    client = module.find_client(p['client_id'], p['name'])
    if client is None:
        module.fail('No OAuth client %s (or the caller may not see it).' % (p['client_id'] or repr(p['name'])))
    client_id = client['client_id']
    result = dict(changed=p['state'] == 'regenerated', client_id=client_id)
    if p['state'] == 'regenerated':
        if module.check_mode:
            return result
        secret = remote_write(module, api.regenerate_secret, client_id, 'rotate the secret of OAuth client %s'
                              % client_id, ' The secret may have been rotated: read it with state=present before '
                              'retrying.')
        module.failure_note = ROTATED
        secret = secret['client_secret']
    else:
        # A lookup by id was GET one, which carries the plain secret; list items carry only ciphertext.
        secret = (client if p['client_id'] else api.get_client(client_id))['client_secret']
    module.redactor.add(secret)  # no failure message quotes it
    if target:
        try:
            result['changed'] = target.write(secret) or result['changed']
            if p['state'] == 'regenerated':
                keep_current(module, target, client_id, secret)
        except SecretFileError as exc:
            if exc.written and module.failure_note:
                module.failure_note = ' The secret WAS rotated, and the new one is in the file.'
            module.fail(str(exc), client_id=client_id)
        result['secret_path'] = p['secret_path']
    else:
        result['client_secret'] = secret
    return result


def main():
    module = DocSpaceModule(
        argument_spec=dict(
            client_id=dict(type='str'),
            name=dict(type='str'),
            state=dict(type='str', choices=['present', 'regenerated', 'absent'], default='present'),
            secret_path=dict(type='path'),
            revoke_consent=dict(type='bool', default=False),
        ),
        required_one_of=[('client_id', 'name')],
        supports_check_mode=True,
        add_file_common_args=True,
    )
    p = module.params
    doing = {'present': 'read the secret of', 'regenerated': 'rotate the secret of',
             'absent': 'revoke your consent for'}[p['state']]
    module.run_and_exit('%s OAuth client %s' % (doing, p['client_id'] or repr(p['name'])), run)


if __name__ == '__main__':
    main()
