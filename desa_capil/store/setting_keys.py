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
# "1": an application complete when its intake window closes is sealed into a batch at once
# (services.sealing.auto_seal); "" (default): the operator seals with "Kirim" or on Kiriman.
AUTO_SEAL = "auto_seal"
