"""Phone as the camera: any phone's browser sends photos of papers straight to the papers step.

While "Pakai HP" is open in the papers step, the laptop serves a one-time page on the local
network (``server.PhoneServer``); the QR code holds its address and a random token. Photos the
phone sends are handed to the UI, which runs them through the same import path and page pipeline
as a file (``scan.sources.iter_bytes`` then ``services.pages``). No Qt in this package.

Decisions (and why)

* **Plain HTTP on the LAN, protected by the Wi-Fi's WPA2, with a warning on an open network.**
  The phone and the laptop usually share the phone's own hotspot (WPA2/WPA3 by default on
  Android and iOS) or the office Wi-Fi. TLS was rejected: a self-signed certificate makes every
  phone browser show a full-page "connection is not private" warning that staff cannot judge and
  residents learn to click through; a certificate browsers trust needs a public domain name and
  DNS, which a village without internet does not have; a local CA must be installed on every
  phone. Encrypting in the page is not possible either: browsers give WebCrypto only to secure
  (https) pages. So the link's encryption is the Wi-Fi's, and the laptop checks it
  (``net.wifi_security``: netsh on Windows, nmcli on Linux): on an open network the dialog says
  so in red and tells staff to switch to the phone's hotspot. On top of that: a 128-bit token
  that ends with the papers step (and after 15 idle minutes), a listener on one private-range
  address only, the Host header checked (no DNS rebinding), no photo written to disk by this
  package, and the photo's bytes dropped as soon as its pages are made.
* **One private address, never all interfaces.** ``net.choose_addresses`` keeps RFC 1918
  addresses of interfaces that are up, leaves out virtual adapters, prefers Wi-Fi. With none the
  dialog says to join a Wi-Fi or the phone's hotspot; it never falls back to 0.0.0.0.
* **Windows firewall.** The first listen on a LAN address makes Windows ask whether desa_capil
  may accept connections. The dialog says beforehand what to answer: allow on *private*
  networks (the phone must reach the laptop), not on public ones; and how to fix it later.
* **HEIC refused with instructions.** pillow-heif would decode it but adds ~26 MB (libheif,
  libde265, x265) to the installer; iPhones already send JPEG from a browser's file input
  (Safari converts for ``accept="image/*"``), so only a phone set to save HEIF pictures in its
  gallery hits it, and the phone is told which setting to change.
"""

from desa_capil.phone.net import Candidate, choose_addresses, local_candidates, wifi_security
from desa_capil.phone.server import PhoneServer
from desa_capil.phone.session import Paper, PhoneSession, Photo, Refused

__all__ = [
    "Candidate",
    "Paper",
    "PhoneServer",
    "PhoneSession",
    "Photo",
    "Refused",
    "choose_addresses",
    "local_candidates",
    "wifi_security",
]
