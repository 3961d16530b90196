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
attributes:
  check_mode:
    support: full
    description:
      - With O(state=regenerated) nothing is rotated, V(changed) is true and no secret is returned (never a fake one).
      - With O(state=present) the secret is read, and O(secret_path) is not written.
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
      - Write the secret to this file on the host the module runs on, mode 0600, created atomically, and return no
        secret at all. With O(state=present) the file is rewritten, and V(changed) reported, only when it differs.
      - Checked before any request, so that a secret is never rotated that cannot be kept. Its folder must exist and
        be writable, and the path, if it exists, must be a regular file (a file it replaces keeps its owner and
        group, and becomes mode 0600). No temporary file is left behind, whatever fails.
      - If the rotation succeeded but the file could still not be written, the task fails and says so; read the new
        secret with O(state=present).
    type: path
  revoke_consent:
    description: Confirms O(state=absent), which revokes the caller's consent for the app (not the app itself).
    type: bool
    default: false
notes:
  - A returned RV(client_secret) is a credential. Use C(no_log) on the task, or O(secret_path).
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
    secret_path: /etc/reporting/oauth-secret

- name: Read the current secret
  onlyoffice.docspace.docspace_oauth_secret:
    client_id: 7e1e6b52-8cc4-4a47-9b8c-0b3f1d1a9a11
  register: reporting_secret
  no_log: true

- name: Withdraw my own consent to the app
  onlyoffice.docspace.docspace_oauth_secret:
    client_id: 7e1e6b52-8cc4-4a47-9b8c-0b3f1d1a9a11
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

import os
import tempfile

from ansible_collections.onlyoffice.docspace.plugins.module_utils._docspace_api import DocSpaceError, OutcomeUnknown
from ansible_collections.onlyoffice.docspace.plugins.module_utils._docspace_module import DocSpaceModule

ROTATED = (' The secret WAS rotated: the old one no longer works, and this task could not hand out the new one. '
           'Once the cause is fixed, read it with state: present (with secret_path to write it).')


def stage_secret_path(module, path):
    """Fail, naming secret_path and the rule, unless the secret can be written there; outside check
    mode, the open temp file beside it (removed on every exit). Runs before any request, so a secret
    is never rotated that cannot be kept."""
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        module.fail('secret_path %s: the folder %s does not exist or is not a folder; create it first.'
                    % (path, folder))
    if os.path.lexists(path) and not os.path.isfile(path):
        module.fail('secret_path %s exists and is not a regular file (a folder, fifo, socket, device or broken link); '
                    'it must be a regular file or not exist.' % path)
    if module.check_mode:
        if not os.access(folder, os.W_OK | os.X_OK):
            module.fail('secret_path %s: the folder %s is not writable by this user.' % (path, folder))
        return None
    try:
        # The real check: os.access says yes to root even on a read-only mount. mkstemp makes it 0600.
        fd, tmp = tempfile.mkstemp(dir=folder, prefix='.docspace-secret-')
    except (IOError, OSError) as exc:
        module.fail('secret_path %s: the folder %s is not writable by this user (%s).' % (path, folder, exc.strerror))
    module.add_cleanup_file(tmp)
    return fd, tmp


def write_secret(module, path, secret, staged):
    """Move the secret into place, mode 0600, atomically; True when the file changed."""
    try:
        with open(path) as handle:
            same = handle.read() == secret
        if same and (os.stat(path).st_mode & 0o777) == 0o600:
            return False
    except (IOError, OSError, ValueError):
        pass
    if module.check_mode:
        return True
    fd, tmp = staged
    try:
        with os.fdopen(fd, 'w') as handle:
            handle.write(secret)
        # atomic_move gives the temp file the old file's mode before the rename, and a file it creates
        # 0666 & ~umask after it: so the old file becomes 0600 first, and the umask 077 meanwhile.
        if os.path.exists(path):
            os.chmod(path, 0o600)
        umask = os.umask(0o077)
        try:
            module.atomic_move(tmp, path)
        finally:
            os.umask(umask)
    except Exception as exc:  # pylint: disable=broad-except  # atomic_move raises Exception (ansible-core 2.17+)
        module.fail('secret_path %s could not be written (%s: %s).' % (path, type(exc).__name__, exc))
    return True


def remote_write(module, send, client_id, what, if_unknown=''):
    """``send(client_id, what)``; a failure says whether DocSpace may have applied it, as ``changed``."""
    try:
        return send(client_id, what)
    except DocSpaceError as exc:
        failure = exc
    unknown = isinstance(failure, OutcomeUnknown)
    module.fail('%s%s' % (failure, if_unknown if unknown else ''), changed=unknown, client_id=client_id,
                **({'status': failure.status} if failure.status else {}))


def run(module):
    p = module.params
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
    staged = stage_secret_path(module, p['secret_path']) if p['secret_path'] else None
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
    if p['secret_path']:
        result['changed'] = write_secret(module, p['secret_path'], secret, staged) or result['changed']
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
    )
    p = module.params
    doing = {'present': 'read the secret of', 'regenerated': 'rotate the secret of',
             'absent': 'revoke your consent for'}[p['state']]
    module.run_and_exit('%s OAuth client %s' % (doing, p['client_id'] or repr(p['name'])), run)


if __name__ == '__main__':
    main()
