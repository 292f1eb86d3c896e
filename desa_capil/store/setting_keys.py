"""The keys of the local `setting` table, in one place.

Every module that reads or writes a setting imports its key from here instead of retyping the
string, so a typo is an ImportError rather than a setting that is silently never found.
"""

from __future__ import annotations

LANGUAGE = "language"
VILLAGE_NAME = "village_name"
VILLAGE_CODE = "village_code"
# Legacy free-text field of the settings page; the operator now comes from the Operator table.
OPERATOR_NAME = "operator_name"
# Signed on printed recaps for the camat (nama kepala desa / lurah and NIP when a civil servant).
HEAD_NAME = "village_head_name"
HEAD_NIP = "village_head_nip"
# The folder the file dialog of the papers step opened last (remembered between sessions).
IMPORT_FOLDER = "import_folder"
# When the office's server answered 401 (the laptop's access was revoked); empty otherwise.
DEVICE_REVOKED_AT = "device_revoked_at"
# USB route (issue 16): the office's public keys and name, known from the enrollment file or
# fetched online; the proof the first bundle carries to bind this laptop's keys at the office.
OFFICE_SIGN_PUBLIC = "office_sign_public"
OFFICE_BOX_PUBLIC = "office_box_public"
OFFICE_NAME = "office_name"
USB_ENROLLMENT_ID = "usb_enrollment_id"
USB_ENROLL_PROOF = "usb_enroll_proof"
# The device id whose USB keys the office has registered (online laptops, usb_identity.join_online).
USB_KEYS_REGISTERED = "usb_keys_registered"
# This laptop's USB key set (Ed25519 signing + age box), sealed with a subkey of the data key
# (security.keys.DataKeys.usb_device): kept, backed up and recovered with the database.
USB_DEVICE_KEYS = "usb_device_keys_sealed"
# The device id for which the office answered 409 to the key registration: it holds OTHER keys
# for this device, so bundles of this laptop would be refused (usb_identity.keys_conflict).
USB_KEYS_CONFLICT = "usb_keys_conflict"
# "1": an application complete when its intake window closes is sealed into a batch at once
# (services.sealing.auto_seal); "" (default): the operator seals with "Kirim" or on Kiriman.
AUTO_SEAL = "auto_seal"
