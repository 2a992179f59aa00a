"""A clock and sleep for the wait loops' Poller that take no real time (tests/unit is on sys.path
through its conftest)."""


class FakeClock:
    def __init__(self, now=0.0):
        self.now, self.sleeps = now, []

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds
