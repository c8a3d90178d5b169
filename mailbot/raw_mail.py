"""The raw mail of recorded messages: finding it in the folders mailbot moves mail to, and deleting it.

A message is found by its Message-ID, or, when it has none, by the SHA-256
of its bytes that intake recorded. IMAP moves keep a message's bytes, so the
hash of the copy in Processed or Needs attention is the one intake saw.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from mailbot.mailbox import Mailbox
from mailbot.store.models import InboundMessage


@dataclass(frozen=True)
class MailKeys:
    """The identifiers of some recorded messages in the mailbox: Message-IDs, and hashes of the messages without one."""

    message_ids: frozenset[str] = frozenset()
    sha256s: frozenset[str] = frozenset()

    @property
    def empty(self) -> bool:
        return not self.message_ids and not self.sha256s

    def without(self, other: MailKeys) -> MailKeys:
        return MailKeys(self.message_ids - other.message_ids, self.sha256s - other.sha256s)


def keys_of(messages: Iterable[InboundMessage]) -> MailKeys:
    """Return the keys that find the raw mail of ``messages``."""
    message_ids: set[str] = set()
    sha256s: set[str] = set()
    for message in messages:
        if message.message_id:
            message_ids.add(message.message_id)
        elif message.sha256:
            sha256s.add(message.sha256)
    return MailKeys(frozenset(message_ids), frozenset(sha256s))


@dataclass
class _FolderIndex:
    uids_by_message_id: dict[str, set[int]] = field(default_factory=dict)
    uids_without_id: set[int] = field(default_factory=set)
    # Filled only when a hash is looked for, because it needs each message without a Message-ID downloaded.
    sha256_by_uid: dict[int, str] | None = None


class RawMail:
    """Finds and deletes raw messages in ``folders`` over one signed-in mailbox connection.

    Each folder's Message-IDs are read once, at the first search, so that a
    purge of many cases costs one FETCH per folder rather than one SEARCH
    per message. Messages that arrive in a folder later are not seen.
    """

    def __init__(self, mailbox: Mailbox, folders: Sequence[str]) -> None:
        self.mailbox = mailbox
        self.folders = tuple(folders)
        self._indexes: dict[str, _FolderIndex] = {}

    def find(self, keys: MailKeys) -> dict[str, set[int]]:
        """Return the UIDs of the messages ``keys`` identify, by folder; folders without any are left out."""
        found: dict[str, set[int]] = {}
        for folder in self.folders:
            index = self._index(folder)
            uids = set().union(*(index.uids_by_message_id.get(message_id, set()) for message_id in keys.message_ids))
            if keys.sha256s:
                uids |= {uid for uid, digest in self._hashes(folder, index).items() if digest in keys.sha256s}
            if uids:
                found[folder] = uids
        return found

    def delete(self, found: dict[str, set[int]]) -> int:
        """Delete the messages ``found`` returned and return how many there were."""
        deleted = 0
        for folder, uids in found.items():
            self.mailbox.delete_from(folder, uids)
            self._forget(folder, uids)
            deleted += len(uids)
        return deleted

    def _index(self, folder: str) -> _FolderIndex:
        if folder not in self._indexes:
            index = _FolderIndex()
            for uid, message_id in self.mailbox.message_ids_in(folder).items():
                if message_id is None:
                    index.uids_without_id.add(uid)
                else:
                    index.uids_by_message_id.setdefault(message_id, set()).add(uid)
            self._indexes[folder] = index
        return self._indexes[folder]

    def _hashes(self, folder: str, index: _FolderIndex) -> dict[int, str]:
        if index.sha256_by_uid is None:
            index.sha256_by_uid = {}
            for uid in sorted(index.uids_without_id):
                fetched = self.mailbox.fetch_from(folder, uid)
                if fetched is not None:
                    index.sha256_by_uid[uid] = hashlib.sha256(fetched.raw).hexdigest()
        return index.sha256_by_uid

    def _forget(self, folder: str, uids: set[int]) -> None:
        index = self._indexes.get(folder)
        if index is None:
            return
        for message_uids in index.uids_by_message_id.values():
            message_uids -= uids
        index.uids_without_id -= uids
        if index.sha256_by_uid is not None:
            for uid in uids:
                index.sha256_by_uid.pop(uid, None)
