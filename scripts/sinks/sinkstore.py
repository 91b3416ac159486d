# sinkstore.py - what both sinks share: a directory of messages whose file
# names sort in delivery order (NNNNNN-<epoch ms>.<ext>), written atomically
# (temporary name, then rename), with repeats (same identity) counted in
# `duplicates` instead of being written again. Used by smtp_sink.py and
# sms_sink.py; run with /usr/bin/python3.
import os
import re
import threading
import time


class SinkStore:
    def __init__(self, directory, ext, identity_of_file):
        self.dir = directory
        self.ext = ext
        self.lock = threading.Lock()
        os.makedirs(directory, mode=0o755, exist_ok=True)
        os.chmod(directory, 0o755)
        self.seen = set()
        self.seq = 0
        name = re.compile(r'^(\d+)-\d+\.' + re.escape(ext) + r'$')
        for entry in os.listdir(directory):
            if entry.startswith('.tmp-'):
                # Left by a sink killed mid-write: never a whole message.
                try:
                    os.unlink(os.path.join(directory, entry))
                except OSError:
                    pass
                continue
            m = name.match(entry)
            if not m:
                continue
            self.seq = max(self.seq, int(m.group(1)))
            try:
                with open(os.path.join(directory, entry), 'rb') as f:
                    ident = identity_of_file(f.read())
            except (OSError, ValueError):
                ident = None
            if ident:
                self.seen.add(ident)

    def store(self, identity, data):
        """Writes data as the next message, or counts a repeat of identity.
        Returns (file name or None, duplicate?)."""
        with self.lock:
            if identity and identity in self.seen:
                with open(os.path.join(self.dir, 'duplicates'), 'a') as f:
                    f.write('%d %s\n' % (int(time.time() * 1000), identity))
                return None, True
            self.seq += 1
            final = '%06d-%d.%s' % (self.seq, int(time.time() * 1000), self.ext)
            tmp = os.path.join(self.dir, '.tmp-' + final)
            with open(tmp, 'wb') as f:
                f.write(data)
            os.chmod(tmp, 0o644)
            os.rename(tmp, os.path.join(self.dir, final))
            if identity:
                self.seen.add(identity)
            return final, False
