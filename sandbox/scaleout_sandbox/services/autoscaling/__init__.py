"""EC2 Auto Scaling: groups and their instances (groups.py, launches.py), scaling activities
(activities.py), instance refresh (refresh.py), target-tracking policies (policies.py, with the pure
decision in targettracking.py) and group metrics collection."""
