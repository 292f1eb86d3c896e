"""Choosing the address for the QR code, and reading whether the Wi-Fi is protected.

Made-up interface lists only: these tests never bind or contact this machine's LAN addresses.
"""

from __future__ import annotations

import pytest

from desa_capil.phone.net import Interface, choose_addresses, is_private_lan, parse_netsh, parse_nmcli


@pytest.mark.parametrize(
    ("address", "private"),
    [
        ("192.168.43.12", True),
        ("10.0.5.2", True),
        ("172.16.0.1", True),
        ("172.31.255.254", True),
        ("172.20.10.2", True),  # iPhone hotspot
        ("172.32.0.1", False),
        ("169.254.10.3", False),  # no DHCP answer
        ("100.64.0.7", False),  # carrier-grade NAT
        ("127.0.0.1", False),
        ("8.8.8.8", False),
        ("0.0.0.0", False),
        ("fe80::1", False),
        ("not an ip", False),
    ],
)
def test_private_lan(address: str, private: bool) -> None:
    assert is_private_lan(address) is private


def test_windows_laptop_on_phone_hotspot_with_wsl_and_virtualbox() -> None:
    interfaces = [
        Interface("Loopback Pseudo-Interface 1", "127.0.0.1"),
        Interface("vEthernet (WSL)", "172.29.144.1"),
        Interface("VirtualBox Host-Only Network", "192.168.56.1"),
        Interface("Ethernet", "169.254.33.9"),
        Interface("Wi-Fi", "192.168.43.120"),
    ]
    assert [c.address for c in choose_addresses(interfaces)] == ["192.168.43.120"]


def test_wifi_is_preferred_over_ethernet_and_down_interfaces_are_left_out() -> None:
    interfaces = [
        Interface("eth0", "10.1.2.3"),
        Interface("wlan0", "192.168.1.40"),
        Interface("wlp2s0", "192.168.8.5", is_up=False),
        Interface("docker0", "172.17.0.1"),
        Interface("br-1a2b3c", "172.18.0.1"),
        Interface("tailscale0", "100.101.1.2"),
    ]
    chosen = choose_addresses(interfaces)
    assert [(c.name, c.address) for c in chosen] == [("wlan0", "192.168.1.40"), ("eth0", "10.1.2.3")]
    assert chosen[0].label == "192.168.1.40 (wlan0)"


def test_unknown_adapter_names_rank_hotspot_subnets_first() -> None:
    interfaces = [Interface("Adapter 7", "10.9.8.7"), Interface("Adapter 3", "172.20.10.4")]
    assert [c.address for c in choose_addresses(interfaces)] == ["172.20.10.4", "10.9.8.7"]


def test_public_network_only_gives_no_address() -> None:
    # A laptop with a public address (or only CGNAT / link-local) must not listen at all.
    interfaces = [
        Interface("Wi-Fi", "203.0.113.5"),
        Interface("Cellular", "100.72.1.9"),
        Interface("Ethernet", "169.254.1.1"),
    ]
    assert choose_addresses(interfaces) == []


NETSH_WPA2 = """
There is 1 interface on the system:

    Name                   : Wi-Fi
    Description            : Intel(R) Wi-Fi 6 AX201 160MHz
    State                  : connected
    SSID                   : HP Pak Kades
    Radio type             : 802.11n
    Authentication         : WPA2-Personal
    Cipher                 : CCMP
"""

NETSH_OPEN_ID = """
    Nama                   : Wi-Fi
    Keadaan                : tersambung
    SSID                   : WiFi Gratis Kecamatan
    Autentikasi            : Terbuka
    Sandi                  : Tidak ada
"""

NETSH_DISCONNECTED = """
    Name                   : Wi-Fi
    State                  : disconnected
"""


def test_netsh_parsing() -> None:
    assert parse_netsh(NETSH_WPA2) == "secured"
    assert parse_netsh(NETSH_OPEN_ID) == "open"
    assert parse_netsh(NETSH_DISCONNECTED) == "unknown"
    assert parse_netsh("The Wireless AutoConfig Service (wlansvc) is not running.") == "unknown"
    assert parse_netsh(NETSH_WPA2.replace("WPA2-Personal", "Open")) == "open"
    assert parse_netsh(NETSH_WPA2.replace("WPA2-Personal", "WPA3-Personal")) == "secured"


def test_nmcli_parsing() -> None:
    assert parse_nmcli("no:WPA2\nyes:WPA1 WPA2\nno:\n") == "secured"
    assert parse_nmcli("no:WPA2\nyes:\n") == "open"
    assert parse_nmcli("yes:--\n") == "open"
    assert parse_nmcli("no:WPA2\n") == "unknown"
    assert parse_nmcli("") == "unknown"


def test_windows_mobile_hotspot_hosted_by_the_laptop() -> None:
    interfaces = [
        Interface("Ethernet", "10.20.30.40"),
        Interface("Local Area Connection* 12", "192.168.137.1"),
        Interface("Wi-Fi", "169.254.7.7"),
    ]
    assert [c.address for c in choose_addresses(interfaces)] == ["192.168.137.1", "10.20.30.40"]
