"""Elastic Load Balancing v2: load balancer provisioning and target health (registration,
health checks, connection draining)."""
