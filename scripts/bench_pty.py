"""The dashboard in a real pseudo-terminal (200x60), watched from the outside: every chunk
it writes with its arrival time, its frames (each starts a synchronized update), when a text
first appeared, how long a key takes to bring a frame. Shared by the live benches."""
import fcntl
import os
import pty
import struct
import termios
import threading
import time

# Every frame goes out inside a synchronized update (xterm-256color has them): its start.
FRAME_MARK = b"\x1b[?2026h"

class Pty:
    """The child's output, read on a thread: every chunk with its arrival time."""

    def __init__(self, argv, env):
        self.started = time.monotonic()
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", 60, 200, 0, 0))
            os.execve(argv[0], argv, env)
        self.cond = threading.Condition()
        self.chunks = []  # (monotonic time, bytes)
        self.frames = []  # monotonic time of each frame's start (its synchronized-update mark)
        self.seen_text = {}  # needle -> monotonic time it first appeared
        self.tail = b""
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        while True:
            try:
                data = os.read(self.fd, 65536)
            except OSError:
                return
            if not data:
                return
            with self.cond:
                now = time.monotonic()
                self.chunks.append((now, len(data)))
                window = self.tail + data
                # A mark split across two reads is counted once, with the read that ends it.
                self.frames += [now] * (window.count(FRAME_MARK) - self.tail.count(FRAME_MARK))
                for needle in self.seen_text:
                    if self.seen_text[needle] is None and needle in window:
                        self.seen_text[needle] = now
                self.tail = window[-256:]
                self.cond.notify_all()

    def key_to_frame(self, key, limit=5.0):
        """Writes `key`; the time until the next output byte (None if none within limit)."""
        with self.cond:
            seen = len(self.chunks)
        sent = time.monotonic()
        os.write(self.fd, key)
        with self.cond:
            if not self.cond.wait_for(lambda: len(self.chunks) > seen, timeout=limit):
                return sent, None
            return sent, self.chunks[seen][0] - sent

    def watch_for(self, needle):
        with self.cond:
            self.seen_text[needle] = None

    def when_seen(self, needle, limit=30):
        with self.cond:
            self.cond.wait_for(lambda: self.seen_text.get(needle) is not None, timeout=limit)
            at = self.seen_text.get(needle)
            return None if at is None else at - self.started

    def first_output(self):
        with self.cond:
            self.cond.wait_for(lambda: self.chunks, timeout=30)
            return self.chunks[0][0] - self.started

    def bytes_since(self, t):
        with self.cond:
            return sum(n for at, n in self.chunks if at >= t)

    def frames_since(self, t):
        with self.cond:
            return sum(1 for at in self.frames if at >= t)
