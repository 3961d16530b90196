# -*- coding: utf-8 -*-
# Copyright: (c) 2026, onlyoffice.docspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one create/update/delete state machine for OAuth clients.

Private to this collection: it may change in any release. ``plan`` compares what is
with what is wanted and returns the steps; the same plan decides ``changed``, the
diff and, outside check mode, the requests that are sent.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.onlyoffice.docspace.plugins.module_utils import _oauth_client as oc
from ansible_collections.onlyoffice.docspace.plugins.module_utils._docspace_api import DocSpaceError


class ClientEngine(object):

    def __init__(self, module):
        self.module = module
        self.params = module.params
        self.result = dict(changed=False, client=None)

    # ----- plan ------------------------------------------------------------------------
    def run(self):
        params = self.params
        problems = oc.validate(params)
        if problems:
            self.module.fail('Invalid options: %s.' % '; '.join(problems))
        label = params['client_id'] or params['name']
        self.what = "OAuth client '%s'" % label
        try:
            current = self.module.find_client(params['client_id'], params['name'])
            if params['state'] == 'absent':
                self.absent(current)
            elif current is None:
                self.create()
            else:
                self.present(current)
        except DocSpaceError as exc:
            self.module.fail_from(exc, **self.result)
        self.module.exit_json(**self.result)

    def _diff(self, before, after):
        if self.module._diff:
            self.result['diff'] = dict(before=oc.for_diff(before), after=oc.for_diff(after))

    def absent(self, current):
        if current is None:
            return
        self.result['changed'] = True
        self._diff(oc.from_server(current), {})
        if not self.module.check_mode:
            self.module.api.delete_client(current['client_id'], 'delete ' + self.what)

    def create(self):
        if self.params['client_id']:
            self.module.fail('No OAuth client has client_id %s. DocSpace assigns client ids, so a client is created '
                             'by name: set name and leave client_id out.' % self.params['client_id'])
        missing = oc.missing_for_create(self.params)
        if missing:
            self.module.fail('OAuth client %r does not exist, and DocSpace needs these options to create it: %s.'
                             % (self.params['name'], ', '.join(missing)))
        wanted = oc.desired(self.params)
        self.result['changed'] = True
        self._diff({}, wanted)
        if self.module.check_mode:
            self.result['client'] = self._predicted(None, wanted)
            return
        self._create(wanted, known_ids=())

    def _create(self, wanted, known_ids):
        body = oc.post_body(wanted)
        # After an unknown outcome, a client is ours only if every create field matches.
        created = self.module.api.create_client(body, 'create ' + self.what, known_ids=known_ids,
                                                matches=lambda c: self._same_app(c, wanted))
        if not known_ids:
            created = self._yield_to_an_older_twin(created, wanted)
        secret = created.get('client_secret')
        if not wanted['enabled']:
            self.module.api.set_enabled(created['client_id'], False, 'disable ' + self.what)
            created['enabled'] = False
        self.result['client'] = oc.public(created)
        self.result['client_secret'] = secret
        return created

    @staticmethod
    def _same_app(client, wanted):
        """Whether a server client has every create field (all but enabled) as wanted."""
        state = oc.from_server(client)
        return all(state[f.option] == wanted[f.option] for f in oc.FIELDS if f.mutability != oc.ACTIVATION)

    def _yield_to_an_older_twin(self, created, wanted):
        """Two runs that create one app at the same moment both succeed (names are not unique).
        Each looks again; every run keeps the oldest twin and deletes its own if it is not, so
        exactly one client is left."""
        twins = sorted((c for c in self.module.api.list_clients()
                        if c.get('name') == wanted['name'] and self._same_app(c, wanted)),
                       key=lambda c: (c.get('created_on') or '', c['client_id']))
        if not twins or twins[0]['client_id'] == created['client_id'] \
                or created['client_id'] not in [t['client_id'] for t in twins]:
            return created
        keep = twins[0]['client_id']
        self.module.warn('Another run created %s at the same moment (DocSpace names are not unique): keeping the '
                         'older client %s and deleting %s, the one this run created.'
                         % (self.what, keep, created['client_id']))
        self.module.api.delete_client(created['client_id'], 'delete the duplicate ' + self.what)
        return self.module.api.get_client(keep, 'read ' + self.what)  # GET one carries the plain secret

    def present(self, current):
        before = oc.from_server(current)
        wanted = oc.desired(self.params, before)
        delta = oc.differences(before, wanted)
        fixed = delta[oc.CREATE] + delta[oc.LISTS]
        if not any(delta.values()):
            self.result['client'] = oc.public(current)
            return
        self.result['changed'] = True
        self._diff(before, wanted)
        if fixed and self.params['recreate']:
            return self._recreate(current, wanted, fixed)
        if delta[oc.CREATE]:
            self.module.fail('%s cannot change after creation in DocSpace: %s. Set recreate: true to delete the client '
                             'and create it again (new client_id and secret).'
                             % (', '.join(delta[oc.CREATE]), self._describe(before, wanted, fixed)),
                             changed=False)
        if self.module.check_mode:
            if delta[oc.LISTS]:
                self.module.warn('%s can change in place only on DocSpace servers newer than 3.7.2; on 3.7.x the '
                                 'real run fails unless recreate is true.' % ', '.join(delta[oc.LISTS]))
            self.result['client'] = self._predicted(current, wanted)
            return
        client_id = current['client_id']
        if delta[oc.LISTS]:
            self._update_lists(current, before, wanted, delta[oc.LISTS])
        if delta[oc.UPDATE]:
            self.module.api.update_client(client_id, oc.put_body(wanted), 'update ' + self.what)
        if delta[oc.ACTIVATION]:
            verb = 'enable ' if wanted['enabled'] else 'disable '
            self.module.api.set_enabled(client_id, wanted['enabled'], verb + self.what)
        self.result['client'] = oc.public(self.module.api.get_client(client_id, 'read ' + self.what))

    def _update_lists(self, current, before, wanted, names):
        """Ask for redirect_uris/scopes in place and check the result, never guess the version.

        The probe PUT carries the current values of every other field, so a server that
        ignores the lists (v3.7.x) is left exactly as it was.
        """
        client_id = current['client_id']
        self.module.api.update_client(client_id, oc.put_body(before, lists_from=wanted), 'update ' + self.what)
        after = oc.from_server(self.module.api.get_client(client_id, 'read ' + self.what))
        refused = [n for n in names if after[n] != wanted[n]]
        if refused:
            self.module.fail('%s cannot change after creation on this DocSpace server (it ignored them in PUT, as '
                             'v3.7.x does): %s. Set recreate: true to delete the client and create it again (new '
                             'client_id and secret).' % (', '.join(refused), self._describe(before, wanted, refused)),
                             changed=False)

    def _recreate(self, current, wanted, fixed):
        self.module.warn('Re-creating %s because %s cannot change in place: the client gets a new client_id and '
                         'secret, and apps using the old ones stop working.' % (self.what, ', '.join(fixed)))
        self.result['recreated'] = True
        if self.module.check_mode:
            self.result['client'] = self._predicted(None, wanted)
            return
        # Create first, delete second: a failure never leaves the team without a client.
        self._create(wanted, known_ids=(current['client_id'],))
        self.module.api.delete_client(current['client_id'], 'delete the replaced ' + self.what)

    @staticmethod
    def _describe(before, wanted, names):
        return '; '.join('%s is %r, wanted %r' % (n, before[n], wanted[n]) for n in names)

    @staticmethod
    def _predicted(current, wanted):
        """What the server will hold, for check mode: the current client with the wanted fields."""
        client = oc.public(current) if current else {}
        for field in oc.FIELDS:
            if field.option == 'logout_redirect_uri':
                client['logout_redirect_uris'] = [wanted[field.option]]
            elif field.option == 'allow_pkce':
                client['authentication_methods'] = ['client_secret_post'] + (['none'] if wanted['allow_pkce'] else [])
            elif field.option == 'enabled':
                client['enabled'] = wanted['enabled']
            else:
                client[field.api] = wanted[field.option]
        return client
