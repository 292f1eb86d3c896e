"""Which address of this laptop a phone can reach, and whether the Wi-Fi link is protected.

The listener binds one private-range IPv4 address (RFC 1918: 10/8, 172.16/12, 192.168/16) of an
interface that is up, never every interface: a laptop in a café or on a public hotspot must not
offer residents' papers to the whole network. Link-local (169.254/16, "no DHCP answer"),
carrier-grade NAT (100.64/10) and public addresses are refused. Adapters that phones can never
reach (Docker, WSL/Hyper-V, VirtualBox/VMware host-only, VPN tunnels) are left out by name.

Everything here is plain functions over plain data, so the choice is tested with made-up
interface lists: tests never bind or contact the private addresses of the machine they run on.
"""

from __future__ import annotations

import ipaddress
import logging
import re
import subprocess
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

log = logging.getLogger(__name__)

WifiSecurity = Literal["secured", "open", "unknown"]


@dataclass(frozen=True)
class Interface:
    """One IPv4 address of a network interface, as the OS reports it."""

    name: str
    address: str
    is_up: bool = True


@dataclass(frozen=True)
class Candidate:
    """An address worth putting in the QR code, best first (``rank`` lower is better)."""

    name: str
    address: str
    rank: int

    @property
    def label(self) -> str:
        return f"{self.address} ({self.name})"


# Adapters of virtual machines, containers and VPNs: a phone on the Wi-Fi cannot reach them.
_VIRTUAL = re.compile(
    r"docker|^br-|^veth|virbr|vmnet|vbox|virtualbox|vmware|vethernet|hyper-v|wsl|"
    r"zerotier|tailscale|wireguard|^wg\d|^tun|^tap|openvpn|npcap|loopback|^lo$|bluetooth",
    re.IGNORECASE,
)
# Wireless adapters: the phone is almost always on the Wi-Fi (or is the hotspot itself).
_WIRELESS = re.compile(r"^wl|wi-?fi|wireless|wlan|802\.11", re.IGNORECASE)
# Windows names the virtual adapter of its Mobile hotspot "Local Area Connection* 12".
_HOSTED_HOTSPOT = re.compile(r"local area connection\*", re.IGNORECASE)
_ETHERNET = re.compile(r"^en|^eth|ethernet|local area connection", re.IGNORECASE)

_PRIVATE = tuple(ipaddress.ip_network(n) for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"))


def is_private_lan(address: str) -> bool:
    """True for an RFC 1918 IPv4 address (what home routers and phone hotspots hand out)."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return ip.version == 4 and any(ip in net for net in _PRIVATE)


def choose_addresses(interfaces: Iterable[Interface]) -> list[Candidate]:
    """Private addresses of active, real interfaces, best first; empty when there is none."""
    found: dict[str, Candidate] = {}
    for itf in interfaces:
        if not itf.is_up or not is_private_lan(itf.address) or _VIRTUAL.search(itf.name):
            continue
        if _WIRELESS.search(itf.name):
            rank = 0
        elif _HOSTED_HOTSPOT.search(itf.name) or itf.address == "192.168.137.1":
            # The laptop is the hotspot (Windows "Mobile hotspot"): the phones are on this one.
            rank = 0
        elif _ETHERNET.search(itf.name):
            rank = 2
        else:
            rank = 3
        # 192.168.x and 172.20.10.x are what Android and iPhone hotspots hand out: a likely match
        # for "laptop on the phone's hotspot" when the adapter's name says nothing.
        if rank == 3 and (itf.address.startswith("192.168.") or itf.address.startswith("172.20.10.")):
            rank = 1
        cand = Candidate(itf.name, itf.address, rank)
        if itf.address not in found or found[itf.address].rank > rank:
            found[itf.address] = cand
    return sorted(found.values(), key=lambda c: (c.rank, c.name, c.address))


def system_interfaces() -> list[Interface]:
    """IPv4 addresses of this machine's interfaces with their up/down state (psutil)."""
    import socket

    import psutil

    stats = psutil.net_if_stats()
    out: list[Interface] = []
    for name, addrs in psutil.net_if_addrs().items():
        up = bool(stats[name].isup) if name in stats else False
        for a in addrs:
            if a.family == socket.AF_INET:
                out.append(Interface(name, a.address, up))
    return out


def local_candidates() -> list[Candidate]:
    return choose_addresses(system_interfaces())


# --- is the Wi-Fi protected? -------------------------------------------------------------------


def parse_netsh(output: str) -> WifiSecurity:
    """``netsh wlan show interfaces`` (Windows), English or Indonesian Windows."""
    state_connected = False
    auth: str | None = None
    for line in output.splitlines():
        key, sep, value = line.partition(":")
        if not sep:
            continue
        key, value = key.strip().lower(), value.strip().lower()
        if key in ("state", "status", "keadaan"):
            state_connected = value.startswith(("connected", "tersambung", "terhubung"))
        elif key in ("authentication", "autentikasi", "otentikasi"):
            auth = value
    if not state_connected or auth is None:
        return "unknown"
    if auth in ("open", "terbuka"):
        return "open"
    if "wpa" in auth or "wep" in auth or "sae" in auth:
        return "secured"
    return "unknown"


def parse_nmcli(output: str) -> WifiSecurity:
    """``nmcli -t -f ACTIVE,SECURITY device wifi list`` (Linux with NetworkManager)."""
    for line in output.splitlines():
        active, _, security = line.partition(":")
        if active.strip().lower() in ("yes", "ya"):
            sec = security.strip()
            if sec in ("", "--"):
                return "open"
            return "secured"
    return "unknown"


def wifi_security() -> WifiSecurity:
    """Whether the Wi-Fi this laptop is on encrypts the link (WPA/WPA2/WPA3); never raises.

    "unknown" when the laptop is on a cable, is the hotspot itself, or the OS tool is missing.
    """
    try:
        if sys.platform == "win32":
            cmd = ["netsh", "wlan", "show", "interfaces"]
            parse = parse_netsh
        elif sys.platform.startswith("linux"):
            cmd = ["nmcli", "-t", "-f", "ACTIVE,SECURITY", "device", "wifi", "list", "--rescan", "no"]
            parse = parse_nmcli
        else:
            return "unknown"
        kwargs: dict[str, object] = {}
        if sys.platform == "win32":
            kwargs["creationflags"] = getattr(subprocess, "CREATE_NO_WINDOW", 0)
        run = subprocess.run(cmd, capture_output=True, text=True, timeout=4, errors="replace", **kwargs)  # type: ignore[call-overload]
        return parse(run.stdout)
    except (OSError, subprocess.SubprocessError) as exc:
        log.info("wifi security unknown: %s", exc)
        return "unknown"
