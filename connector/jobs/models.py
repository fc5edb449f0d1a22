"""What the job machinery keeps in the database, so every consumer on every machine sees the same thing."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ..dbtypes import UTCDateTime
from ..extensions import db


class Lease(db.Model):
    """A named lock with an expiry: held by one consumer at a time, taken over when its holder stops renewing it."""

    __tablename__ = "job_leases"

    name: Mapped[str] = mapped_column(String(120), primary_key=True)
    holder: Mapped[str] = mapped_column(String(120))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Schedule(db.Model):
    """A recurring job: every N seconds, or daily at a local time in a time zone. The scheduler claims a due row
    by moving its next_run_at forward in one conditional update, so two schedulers never both dispatch it."""

    __tablename__ = "schedules"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(120), unique=True)
    task: Mapped[str] = mapped_column(String(100))
    args: Mapped[list] = mapped_column(JSON, default=list)
    every_seconds: Mapped[int | None] = mapped_column(Integer)
    daily_at: Mapped[str | None] = mapped_column(String(5))  # "HH:MM" local time
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    next_run_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    last_run_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
