"""What every service of the sandbox builds on: the simulated clock (clock.py), the engine that runs
the services' control loops (engine.py, delays.py), the records several services share
(records.py), timestamps (timestamps.py), moto's backends (backends.py) and the registry of every
patch made to moto (registry.py)."""
