# -*- coding: utf-8 -*-
"""Start or stop the DocSpace emulator in the background for make targets.

    emulator_ctl.py start DIR [emulator options...]   # writes DIR/info.json, DIR/env.sh, DIR/pid
    emulator_ctl.py stop DIR
"""
import json
import os
import signal
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
EMULATOR = os.path.join(HERE, '..', 'emulator', 'docspace_emulator.py')


def start(folder, extra):
    os.makedirs(folder, exist_ok=True)
    stop(folder, quiet=True)
    info = os.path.join(folder, 'info.json')
    if os.path.exists(info):
        os.remove(info)
    log = open(os.path.join(folder, 'emulator.log'), 'w')
    proc = subprocess.Popen([sys.executable, EMULATOR, '--port', '0', '--info-file', info] + extra,
                            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    with open(os.path.join(folder, 'pid'), 'w') as handle:
        handle.write(str(proc.pid))
    deadline = time.time() + 20
    while not os.path.exists(info):
        if proc.poll() is not None or time.time() > deadline:
            sys.exit('the emulator did not start; see %s' % os.path.join(folder, 'emulator.log'))
        time.sleep(0.05)
    with open(info) as handle:
        data = json.load(handle)
    admin = data['users']['admin']
    with open(os.path.join(folder, 'env.sh'), 'w') as handle:
        handle.write('export DOCSPACE_URL=%s\nexport DOCSPACE_API_KEY=%s\n' % (data['url'], admin['api_key']))
    print('emulator %s started at %s (pid %d)' % (data['server_version'], data['url'], proc.pid))


def stop(folder, quiet=False):
    pidfile = os.path.join(folder, 'pid')
    if not os.path.exists(pidfile):
        return
    with open(pidfile) as handle:
        pid = int(handle.read().strip() or 0)
    os.remove(pidfile)
    try:
        os.kill(pid, signal.SIGTERM)
        for dummy in range(100):
            os.kill(pid, 0)
            time.sleep(0.05)
    except OSError:
        pass
    if not quiet:
        print('emulator stopped')


if __name__ == '__main__':
    if len(sys.argv) < 3 or sys.argv[1] not in ('start', 'stop'):
        sys.exit(__doc__)
    if sys.argv[1] == 'start':
        start(sys.argv[2], sys.argv[3:])
    else:
        stop(sys.argv[2])
