"""EC2: instance lifecycle (instances.py), images and their snapshots (images.py), the block
devices an instance gets (block_devices.py), launch templates, the boot console (console.py) and
the CPU model (cpu.py)."""
