# -*- coding: utf-8 -*-
# Copyright: (c) 2026, onlyoffice.docspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one create/update/delete state machine for OAuth clients.

Private to this collection: it may change in any release. One ClientEngine brings one client
to what its options ask for; the same comparison decides ``changed``, the diff and, outside
check mode, the requests that are sent. docspace_oauth_client runs one; docspace_oauth_clients
runs one per item of its config (_client_set), over one listing of the portal.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from contextlib import contextmanager

from ansible_collections.onlyoffice.docspace.plugins.module_utils import _oauth_client as oc
from ansible_collections.onlyoffice.docspace.plugins.module_utils._docspace_api import DocSpaceError, OutcomeUnknown
from ansible_collections.onlyoffice.docspace.plugins.module_utils._errors import Refused, cause
from ansible_collections.onlyoffice.docspace.plugins.module_utils._secret_file import SecretFileError

CONVERGE_ROUNDS = 3  # writes of one client before another writer is declared to be fighting this run


def _age(client):
    """Oldest first: created_on, then the id so that every run orders twins alike."""
    return (client.get('created_on') or '', client['client_id'])


class Listing(list):
    """The portal's clients read once, indexed by id and by name: a set of N items looks each up
    in constant time instead of scanning N clients N times."""

    def __init__(self, clients):
        super(Listing, self).__init__(clients)
        self.ids = dict((c.get('client_id'), c) for c in self)
        self.names = {}
        for client in self:
            self.names.setdefault(client.get('name'), []).append(client)


class ClientEngine(object):
    """One client. ``params`` are the options of docspace_oauth_client (the module's own by default);
    ``listing``, the portal's clients read once by a set (None: list when needed); ``secret_file``,
    where a new secret goes (None: into the result). Never exits: a failure is a DocSpaceError, with
    what was done so far in ``result``."""

    def __init__(self, module, params=None, api=None, listing=None, secret_file=None, twins_later=False,
                 validated=False):
        self.module = module
        self.validated = validated  # the set checked the options before any request
        self.warnings = None  # None: warn at once; a list: kept, for the set to give or drop
        self.params = module.params if params is None else params
        self.api = api if api is not None else module.api
        self.listing = listing
        self.secret_file = secret_file
        self.twins_later = twins_later  # the set looks for twins once, after all of its creates
        self.pending = None  # (created, wanted) still to be checked for a twin
        self.result = dict(changed=False, client={})
        self.action = 'unchanged'
        self.secret_key = 'client_secret'  # where a failure message says a secret in the result is
        self.whole_client = True  # False: result's client has only name and client_id (a set's results)
        self.found = None  # the server client the options named, as it was before this run
        self.what = "OAuth client '%s'" % (self.params.get('client_id') or self.params.get('name'))

    def warn(self, msg):
        if self.warnings is None:
            self.module.warn(msg)
        else:
            self.warnings.append(msg)

    def run(self):
        """docspace_oauth_client: converge, then exit or fail the module."""
        try:
            self.converge()
        except DocSpaceError as exc:
            self.module.fail_from(exc, **dict(self.result, **getattr(exc, 'result', {})))
        self.module.exit_json(**self.result)

    def _shown(self, client):
        """A server client as the result shows it: as options, or for a set only what its results name."""
        if self.whole_client:
            return oc.as_options(client)
        return dict(name=client.get('name'), client_id=client['client_id'])

    # ----- plan ------------------------------------------------------------------------
    def converge(self):
        params = self.params
        problems = [] if self.validated else oc.validate(params)
        if problems:
            raise Refused('Invalid options: %s.' % '; '.join(problems))
        fresh = False  # whether ``current`` is a GET of the client right now, not from a listing
        if params['client_id']:
            current, copies = self._by_id(params['client_id']), []
            fresh = self.listing is None
            if current is None and params['recreate'] and params['name'] and params['state'] == 'present':
                current, copies = self._replacement_of(params['client_id'])
                fresh = False
        else:
            current, copies = self._by_name(params['name'])
        self.found = current
        if params['state'] == 'absent':
            self.absent([c for c in [current] + copies if c])
            return self.result
        self._check_scopes(current)
        self._remove_copies(current, copies)
        if current is None:
            self.create()
        else:
            self.present(current, fresh=fresh)
        self._secret_to_file(current, fresh)
        if self.result['changed'] and self.action == 'unchanged':
            self.action = 'updated'  # its copies or its secret file
        return self.result

    # ----- lookup ----------------------------------------------------------------------
    def _clients(self):
        return self.listing if self.listing is not None else Listing(self.api.list_clients())

    def _by_id(self, client_id):
        if self.listing is not None and client_id in self.listing.ids:
            return self.listing.ids[client_id]
        return self.api.find_client(client_id)

    def _matches_task(self, client):
        """Whether a server client has every field this task sets (enabled aside) as asked."""
        state = oc.from_server(client)
        return oc.app_fields(state) == oc.app_fields(oc.desired(self.params, state))

    def _by_name(self, name):
        """(the client, the extra copies to delete) for a name that DocSpace does not keep unique.

        Several clients answer to one name after a create that the server applied late, or two
        runs that created the app at once: copies equal in every field, folded into the oldest.
        A recreate cut off before its delete leaves the replacement and the client it replaces,
        equal in every field the task does not set: with recreate, the replacement is kept.
        Anything else may be someone's other app, and the task fails rather than guess."""
        named = sorted(self._clients().names.get(name, []), key=_age)
        if len(named) <= 1:
            return (named[0] if named else None), []
        apps = [oc.app_fields(oc.from_server(c)) for c in named]
        if all(app == apps[0] for app in apps):
            return named[0], named[1:]
        ours = [c for c in named if self._matches_task(c)]
        if self.params['state'] == 'present' and ours and self._replaced_by(named, ours[0]):
            if self.params['recreate']:
                return ours[0], [c for c in named if c is not ours[0]]
            hint = ' If the others are left from a recreate that was cut off, set recreate: true to finish it.'
        else:
            hint = ''
        raise Refused('%d OAuth clients are named %r (DocSpace names are not unique) and they differ: %s. Set '
                      'client_id to choose one.%s' % (len(named), name, ', '.join(c['client_id'] for c in named),
                                                      hint), client_ids=[c['client_id'] for c in named])

    def _refuse_a_taken_name(self, current, name):
        """DocSpace would accept a rename onto another client's name, and every task that finds a
        client by that name (state: absent too) would fail as ambiguous from then on."""
        taken = [c['client_id'] for c in self._clients().names.get(name, [])
                 if c['client_id'] != current['client_id']]
        if taken:
            raise Refused('name %r is already the name of OAuth client %s. DocSpace does not keep names unique, '
                          'but a second client with it would make every task that finds a client by name fail as '
                          'ambiguous: choose another name.' % (name, ', '.join(taken)), client_ids=taken)

    def _replacement_of(self, client_id):
        """After a recreate, the task still names the old client_id: its replacement, found by name
        with every field the task sets, lets the same task converge instead of failing."""
        current, copies = self._by_name(self.params['name'])
        if current is None or not self._matches_task(current):
            return None, []
        self.warn('No OAuth client has client_id %s; %s, named %r with every field this task sets, replaced it '
                  '(recreate). Set client_id to %s.' % (client_id, current['client_id'], self.params['name'],
                                                        current['client_id']))
        return current, copies

    def _replaced_by(self, named, replacement):
        """Whether every client of ``named`` is ``replacement`` or equal to it in each field the task
        leaves alone (as a recreate copies them), and the task's matches are copies of one another."""
        keep = oc.app_fields(oc.from_server(replacement))
        unset = [f for f in keep if self.params.get(f) is None]
        for client in named:
            app = oc.app_fields(oc.from_server(client))
            if any(app[f] != keep[f] for f in unset) or (self._matches_task(client) and app != keep):
                return False
        return True

    def _check_scopes(self, current):
        """Before any write, check mode too: scopes this task would send that the client does not have yet
        must be in the portal's catalogue (GET /scopes, read only then), so that a scope a newer DocSpace adds
        works and a typo fails naming what the portal offers. A portal that does not show its catalogue
        (404, 403) leaves it to the write, whose 400 names the scopes it refuses."""
        if current is None and (self.params['client_id'] or oc.missing_for_create(self.params)):
            return  # create() refuses the task with its own message, before any write
        new = set(self.params['scopes'] or []) - set((current or {}).get('scopes') or [])
        offered = self.api.scope_names() if new else None
        unknown = sorted(new - set(offered)) if offered else []
        if unknown:
            raise Refused('scopes: %s %s not %s this portal offers (it offers: %s).'
                          % (', '.join(repr(s) for s in unknown), 'is' if len(unknown) == 1 else 'are',
                             'a scope' if len(unknown) == 1 else 'scopes', ', '.join(offered)))

    def _remove_copies(self, current, copies):
        if not copies:
            return
        ids = [c['client_id'] for c in copies]
        self.result['changed'] = True
        self.result['deleted_copies'] = ids
        self.warn('%d more OAuth clients are named %r (a create applied late, a concurrent run, or a recreate '
                  'cut off): keeping %s, the oldest that matches the task, and deleting %s.'
                  % (len(ids), self.params['name'], current['client_id'], ', '.join(ids)))
        if not self.module.check_mode:
            for client_id in ids:  # another run may be deleting the same copy: gone is as good
                self.api.delete_client(client_id, 'delete a copy of ' + self.what, missing_ok=True)

    def _diff(self, before, after):
        if self.module._diff:
            self.result['diff'] = dict(before=oc.for_diff(before), after=oc.for_diff(after))

    def absent(self, clients):
        if not clients:
            return
        self.result['changed'] = True
        self.action = 'deleted'
        self._diff(oc.from_server(clients[0]), {})
        if not self.module.check_mode:
            for client in clients:
                self.api.delete_client(client['client_id'], 'delete ' + self.what, missing_ok=client is not clients[0])

    def create(self):
        if self.params['client_id']:
            raise Refused('No OAuth client has client_id %s. DocSpace assigns client ids, so a client is created '
                          'by name: set name and leave client_id out.' % self.params['client_id'])
        missing = oc.missing_for_create(self.params)
        if missing:
            raise Refused('OAuth client %r does not exist, and DocSpace needs these options to create it: %s.'
                          % (self.params['name'], ', '.join(missing)))
        self._secret_file_takes_a_write()
        wanted = oc.desired(self.params)
        self.action = 'created'
        changed, self.result['changed'] = self.result['changed'], True
        self._diff({}, wanted)
        if self.module.check_mode:
            self.result['client'] = self._predicted(None, wanted)
            return
        try:
            self._create(wanted, known_ids=())
        except DocSpaceError as exc:
            # Only a POST that was refused or never sent changed nothing: any later step (the looks after an
            # unknown outcome, the check for a twin) fails after a create that may well have happened.
            if exc.created is False:
                self.result['changed'] = changed
            raise

    def _create(self, wanted, known_ids):
        body = oc.post_body(wanted)
        # After an unknown outcome, a client is ours only if every create field matches.
        created = self.api.create_client(body, 'create ' + self.what, known_ids=known_ids,
                                         matches=lambda c: self._same_app(c, wanted))
        self._finish_created(created, wanted)
        # Another run may have created (or re-created) the same app at the same moment.
        self.pending = (created, wanted)
        if not self.twins_later:
            self.settle_twins()
        return created

    def settle_twins(self, listing=None):
        """After a create, with a listing taken after it (None: list now): the twin check (see
        _yield_to_an_older_twin). The new client and its secret were handed out first, so a failing
        check loses neither."""
        if self.pending is None:
            return
        (created, wanted), self.pending = self.pending, None
        with self._after_create(created):
            kept = self._yield_to_an_older_twin(created, wanted, self._clients() if listing is None else listing)
            if kept is not created:
                self._finish_created(kept, wanted)

    def _finish_created(self, created, wanted):
        """Hand out the new client and its secret first: a later step that fails must not lose them."""
        self.result['client'] = self._shown(created)
        self._hand_out_secret(created)
        if not wanted['enabled'] and created.get('enabled', True) is not False:
            with self._after_create(created):
                self.api.set_enabled(created['client_id'], False, 'disable ' + self.what)
            created['enabled'] = self.result['client']['enabled'] = False

    def _hand_out_secret(self, created):
        """The new secret goes to secret_path, else into the result. A file that cannot take it (disk
        full, a rename refused) fails the task with the secret in the failed result, so that it is never
        lost; a run killed before the write leaves the file missing, which the next run fills."""
        secret = created.get('client_secret')
        target = self.secret_file
        if target is None:
            self.result['client_secret'] = secret
            return
        self.result['secret_path'] = target.path
        try:
            target.write(secret)
        except SecretFileError as exc:
            if not exc.written:
                self.result['client_secret'] = secret
            raise DocSpaceError('%s was created (client_id %s), but %s %s' % (
                self.what, created['client_id'], exc, 'Its secret is in the file.' if exc.written else
                'Its secret is client_secret in this failed result, and nowhere else: store it now, or write it '
                'later with onlyoffice.docspace.docspace_oauth_secret (state: present, secret_path).'))

    def _secret_to_file(self, current, fresh):
        """secret_path of a client this run did not create: a missing file gets the current secret (a
        GET of the one client: a listing carries only ciphertext), changed; an existing file keeps its
        content (rotation is docspace_oauth_secret's job) and gets its file options. An existing path that
        is not the secret file (a link aside: it gets a warning) is replaced the same way as a missing one:
        a file planted by another user, or a hard link whose other name would get this task's mode."""
        target = self.secret_file
        if target is None or 'secret_path' in self.result:
            return  # no file, or the new client's secret is in it already
        self.result['secret_path'] = target.path
        if current is None or self.result.get('recreated'):
            return  # check mode of a create or recreate: reported changed, nothing written
        try:
            # After copies were folded into this client, its file may hold a deleted copy's secret:
            # it is read again (write() keeps a file that holds the secret already).
            if target.is_link() or (target.is_ours() and not self.result.get('deleted_copies')):
                changed = target.enforce()
            elif self.module.check_mode:
                changed = True
            else:
                if not fresh:
                    current = self.api.get_client(current['client_id'], 'read the secret of ' + self.what)
                if not current.get('client_secret'):
                    raise DocSpaceError('%s: DocSpace returned no secret to write to secret_path.' % self.what)
                changed = target.write(current['client_secret'])
        except SecretFileError as exc:
            raise DocSpaceError(str(exc))
        self.result['changed'] = self.result['changed'] or changed

    @contextmanager
    def _after_create(self, created):
        try:
            yield
        except DocSpaceError as exc:
            where = 'is in ' + self.result['secret_path'] if 'secret_path' in self.result else \
                'is in this result (%s)' % self.secret_key
            raise DocSpaceError('%s was created (client_id %s; its secret %s), but the next step failed: %s%s Run the '
                                'task again to finish.' % (self.what, created['client_id'], where, exc,
                                                           '' if str(exc).endswith('.') else '.'), exc.status)

    @staticmethod
    def _same_app(client, wanted):
        """Whether a server client has every create field (all but enabled) as wanted."""
        return oc.app_fields(oc.from_server(client)) == oc.app_fields(wanted)

    def _yield_to_an_older_twin(self, created, wanted, listing):
        """Two runs that create one app at the same moment both succeed (names are not unique).
        Each looks again; every run keeps the oldest twin and deletes its own if it is not, so
        exactly one client is left."""
        twins = sorted((c for c in listing
                        if c.get('name') == wanted['name'] and self._same_app(c, wanted)), key=_age)
        if not twins or twins[0]['client_id'] == created['client_id']:
            return created
        keep = twins[0]['client_id']
        if created['client_id'] not in [t['client_id'] for t in twins]:
            # Another run already folded ours into the older twin: adopt that one.
            self.warn('Another run created %s at the same moment and removed the copy this run created: '
                      'using the older client %s.' % (self.what, keep))
            return self.api.get_client(keep, 'read ' + self.what)
        self.warn('Another run created %s at the same moment (DocSpace names are not unique): keeping the '
                  'older client %s and deleting %s, the one this run created.'
                  % (self.what, keep, created['client_id']))
        self.api.delete_client(created['client_id'], 'delete the duplicate ' + self.what, missing_ok=True)
        return self.api.get_client(keep, 'read ' + self.what)  # GET one carries the plain secret

    def present(self, current, fresh):
        before = oc.from_server(current)
        wanted = oc.desired(self.params, before)
        delta = oc.differences(before, wanted)
        fixed = delta[oc.CREATE] + delta[oc.LISTS]
        if not any(delta.values()):
            self.result['client'] = self._shown(current)
            return
        if wanted['name'] != before['name']:
            self._refuse_a_taken_name(current, wanted['name'])
        self.result['changed'] = True
        self.action = 'updated'
        self._diff(before, wanted)
        if fixed and self.params['recreate']:
            return self._recreate(current, wanted, fixed)
        if delta[oc.CREATE]:
            raise Refused('%s cannot change after creation in DocSpace: %s. Set recreate: true to delete the client '
                          'and create it again (new client_id and secret).'
                          % (', '.join(delta[oc.CREATE]), self._describe(before, wanted, fixed)),
                          changed=False)
        if self.module.check_mode:
            if delta[oc.LISTS]:
                self.warn('%s can change in place only on DocSpace servers newer than 3.7.2; on 3.7.x the '
                          'real run fails unless recreate is true.' % ', '.join(delta[oc.LISTS]))
            self.result['client'] = self._predicted(current, wanted)
            return
        self.result['client'] = self._shown(self._converge(current, fresh))

    def _converge(self, current, fresh):
        """Write from a read taken right before, then read again to verify.

        DocSpace has no ETag or If-Match, and PUT replaces every field: a PUT built from a
        stale listing would revert what another run changed meanwhile. So a listed client is
        read again first, each PUT carries what the server holds now, and a write that another
        writer undid is done again, a few times, before the task says so and fails."""
        client_id = current['client_id']

        def read():
            return self.api.get_client(client_id, 'read ' + self.what)

        if not fresh:
            current = read()
        unknown = None
        for attempt in range(1, max(CONVERGE_ROUNDS, self.api.retries + 1) + 1):
            before = oc.from_server(current)
            wanted = oc.desired(self.params, before)
            delta = oc.differences(before, wanted)
            if not any(delta.values()):
                return current
            if delta[oc.CREATE]:
                break  # changed under us by a recreate elsewhere: nothing this run may do in place
            try:
                if delta[oc.UPDATE] or delta[oc.LISTS]:
                    # One PUT with every wanted field: two different bodies in one run would let a first one
                    # that DocSpace applies late undo the second. Not resent as it was after an unknown
                    # outcome either: the next round reads again and builds it anew.
                    self.api.update_client(client_id, oc.put_body(wanted), 'update ' + self.what)
                    if delta[oc.LISTS]:
                        self._check_lists(client_id, before, wanted, delta)
                if delta[oc.ACTIVATION]:
                    verb = 'enable ' if wanted['enabled'] else 'disable '
                    self.api.set_enabled(client_id, wanted['enabled'], verb + self.what)
            except OutcomeUnknown as exc:
                unknown = exc
                self.api.policy.pause(attempt, 'update ' + self.what, 'the outcome is unknown (%s); reading '
                                      'it again before the next attempt' % cause(exc, 'update ' + self.what))
            current = read()
        if unknown is not None and oc.differences(oc.from_server(current), wanted) == oc.differences(before, wanted):
            raise unknown
        left = oc.differences(oc.from_server(current), oc.desired(self.params, oc.from_server(current)))
        raise DocSpaceError('%s did not keep the values this run wrote: another writer changed %s at the same time '
                            '(DocSpace has no way to lock a client). Run the task again when the other run is done.'
                            % (self.what, ', '.join(sum(left.values(), []))))

    def _check_lists(self, client_id, before, wanted, delta):
        """Whether redirect_uris/scopes changed in place: learnt from the result, never from the version.

        A server that ignores them (v3.7.x) applied the other fields of the PUT: those are put back,
        so that a refused change leaves the client as it was."""
        after = oc.from_server(self.api.get_client(client_id, 'read ' + self.what))
        refused = [n for n in delta[oc.LISTS] if after[n] != wanted[n]]
        if not refused:
            return
        if delta[oc.UPDATE]:
            self.api.update_client(client_id, oc.put_body(before), 'put back the other fields of ' + self.what)
        raise Refused('%s cannot change after creation on this DocSpace server (it ignored them in PUT, as '
                      'v3.7.x does): %s. Set recreate: true to delete the client and create it again (new '
                      'client_id and secret).' % (', '.join(refused), self._describe(before, wanted, refused)),
                      changed=False)

    def _secret_file_takes_a_write(self):
        """A new secret must have somewhere to go before the create is sent (a file the task itself made
        immutable with attributes: '+i' cannot take it)."""
        problem = self.secret_file.cannot_write() if self.secret_file is not None else None
        if problem:
            raise Refused(problem)

    def _recreate(self, current, wanted, fixed):
        self._secret_file_takes_a_write()
        self.warn('Re-creating %s because %s cannot change in place: the client gets a new client_id and '
                  'secret, and apps using the old ones stop working.' % (self.what, ', '.join(fixed)))
        self.result['recreated'] = True
        self.action = 'recreated'
        if self.module.check_mode:
            self.result['client'] = self._predicted(None, wanted)
            return
        # Create first, delete second: a failure never leaves the team without a client. A replacement
        # that a cut-off run already created is adopted, so a rerun finishes the job.
        old = current['client_id']
        adopt = [c for c in self._clients() if c['client_id'] != old
                 and c.get('name') == wanted['name'] and self._same_app(c, wanted)]
        if adopt:
            self.warn('Finishing a recreate that was cut off: adopting %s, created earlier with the wanted '
                      'fields.' % adopt[0]['client_id'])
            created = self.api.get_client(adopt[0]['client_id'], 'read ' + self.what)
            self._finish_created(created, wanted)
        else:
            created = self._create(wanted, known_ids=(old,))
        with self._after_create(created):
            # Another run recreating it at the same moment may have deleted it first: gone is as good.
            self.api.delete_client(old, 'delete the replaced ' + self.what, missing_ok=True)

    @staticmethod
    def _describe(before, wanted, names):
        return '; '.join('%s is %r, wanted %r' % (n, before[n], wanted[n]) for n in names)

    @staticmethod
    def _predicted(current, wanted):
        """What the server will hold, for check mode: the current client with the wanted fields."""
        client = oc.as_options(current)
        client.update(wanted)
        return client
