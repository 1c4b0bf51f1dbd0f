"""Who may read the audit trail (nobody may change it: there is no rule for that, and no way)."""

from apps.core.policy import define

READ_AUDIT_LOG = define(
    "audit.read_audit_log",
    subject="the audit log",
    action="read the audit log",
    who="",
    why="The audit log shows every change by everyone, with addresses; platform staff answer for it. "
    "Each object's own History section is shown to whoever may see the object.",
)
