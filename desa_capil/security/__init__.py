"""Protection of residents' personal data (UU 27/2022 PDP), without Qt.

- ``keys``: the laptop's data key (OS keyring or a 0600 file), recovery code, derived keys.
- ``crypto``: AES-256-GCM sealing used by the blob store.
- ``retention``: deleting scans the office has, archiving old hand-overs.
- ``pin``: the optional lock-screen PIN (salted scrypt hash in a Setting).
- ``audit``: who viewed, exported or printed a resident's papers.
"""
