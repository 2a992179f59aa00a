"""Systems Manager: the SSM agent of each instance (agent.py: which instances are managed) and
Run Command (run_command.py)."""
