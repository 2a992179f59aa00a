"""Images created by CreateImage: the image and its snapshots are pending for ``image_pending_s``,
then available/completed."""

from __future__ import annotations


class Images:
    def __init__(self, engine):
        self.engine = engine
        self.pending: dict[str, tuple] = {}  # ami id -> (ec2 backend, available_at, snapshots)

    def created(self, ec2, ami, snapshots) -> None:
        ami.state = "pending"
        for snapshot in snapshots:
            snapshot.status = "pending"
        self.pending[ami.id] = (ec2, self.engine.now() + self.engine.delays.image_pending_s, snapshots)

    def step(self, now: float) -> None:
        for ami_id, (ec2, ready_at, snapshots) in list(self.pending.items()):
            if now < ready_at:
                continue
            ami = ec2.amis.get(ami_id)
            if ami is not None and ami.state == "pending":
                ami.state = "available"
            for snapshot in snapshots:
                if snapshot.status == "pending":
                    snapshot.status = "completed"
            del self.pending[ami_id]

    def describe(self) -> dict:
        return {"pending_images": len(self.pending)}
