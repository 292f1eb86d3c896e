"""Backup to a USB stick and restore on a new or reinstalled laptop (Qt-free).

``stick``: ``create_backup`` writes an encrypted, verified copy (database by the SQLite online
backup API, the sealed page files, the settings, which live in the database); ``restore_backup``
brings it back with the recovery code. The data key is never written; the device token is
never copied (the restored laptop enrolls again).
"""
