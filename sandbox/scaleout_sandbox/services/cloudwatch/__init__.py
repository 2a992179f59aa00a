"""CloudWatch: metric publishing (metrics.py: instance CPU, group aggregates, Auto Scaling group
metrics) and alarms (alarms.py: state changes, history)."""
