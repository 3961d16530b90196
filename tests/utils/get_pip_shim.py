# -*- coding: utf-8 -*-
"""Offline stand-in for ansible-test's get-pip bootstrap script.

ansible-test downloads get-pip.py from a host these machines cannot reach; the
Makefile copies this file to ~/.ansible/test/cache/get_pip_<version>.py instead.
"""
import subprocess
import sys

GET_PIP_ONLY = {'--no-setuptools', '--no-wheel'}
args = [a for a in sys.argv[1:] if a not in GET_PIP_ONLY]
subprocess.check_call([sys.executable, '-m', 'ensurepip', '--default-pip'])
subprocess.check_call([sys.executable, '-m', 'pip', 'install', '--upgrade'] + args)
