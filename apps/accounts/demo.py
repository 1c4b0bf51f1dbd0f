"""The demo's service account: Fraud Signals' nightly scoring job, made by its lead, so the team page's
Service accounts section has something to show (no token is made: a token is shown only once)."""

from apps.accounts.models import ServiceAccount
from apps.accounts.services import service_account_create
from apps.teams.models import MemberRole

DEMO_SERVICE_ACCOUNT = "fraud-scoring-bot"


def load(org) -> None:
    team, lead = org.teams["fraud-signals"], org.users["lead"]
    if ServiceAccount.objects.filter(user__username=DEMO_SERVICE_ACCOUNT).exists():
        return
    service_account_create(
        actor=lead,
        team=team,
        username=DEMO_SERVICE_ACCOUNT,
        role=MemberRole.ML_ENGINEER,
        description="Nightly batch scoring of the day's orders; registers the retrained model's versions.",
    )
