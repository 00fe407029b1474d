"""Emulators the tests start themselves on 127.0.0.1 and stop by process group (DESIGN §9)."""
