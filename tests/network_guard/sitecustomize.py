"""Loaded by every Python process started with this folder first on PYTHONPATH (the run-time
privacy test does so): refuses any connection or name lookup that is not loopback or a local
socket, and writes each attempt to the file named by MOSUL_NETWORK_ATTEMPTS, so an attempt that
the program catches and ignores is still seen."""

import ipaddress
import os
import socket

_LOCAL_NAMES = {None, "", "localhost", "localhost.localdomain"}


def _is_local(host) -> bool:
    if isinstance(host, bytes):
        host = host.decode(errors="replace")
    if host in _LOCAL_NAMES:
        return True
    try:
        return ipaddress.ip_address(str(host).split("%")[0]).is_loopback
    except ValueError:
        return False


def _refuse(what: str):
    log = os.environ.get("MOSUL_NETWORK_ATTEMPTS")
    if log:
        with open(log, "a", encoding="utf-8") as handle:
            handle.write(f"{os.getpid()} {what}\n")
    raise OSError(f"network access refused at run time: {what}")


def _address_is_local(family, address) -> bool:
    if family not in (socket.AF_INET, socket.AF_INET6):
        return True  # AF_UNIX and friends never leave the machine
    return _is_local(address[0])


_connect, _connect_ex, _sendto = socket.socket.connect, socket.socket.connect_ex, socket.socket.sendto
_getaddrinfo = socket.getaddrinfo


def connect(self, address):
    if not _address_is_local(self.family, address):
        _refuse(f"connect {address!r}")
    return _connect(self, address)


def connect_ex(self, address):
    if not _address_is_local(self.family, address):
        _refuse(f"connect_ex {address!r}")
    return _connect_ex(self, address)


def sendto(self, data, *args):
    address = args[-1]
    if not _address_is_local(self.family, address):
        _refuse(f"sendto {address!r}")
    return _sendto(self, data, *args)


def getaddrinfo(host, *args, **kwargs):
    if not _is_local(host):
        _refuse(f"getaddrinfo {host!r}")
    return _getaddrinfo(host, *args, **kwargs)


socket.socket.connect, socket.socket.connect_ex, socket.socket.sendto = connect, connect_ex, sendto
socket.getaddrinfo = getaddrinfo
